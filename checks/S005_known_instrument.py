import numpy as np

from wrapcheck.rules import Rule, codes_of, outcome


class KnownInstrument(Rule):
    """The instrument is one wrapcheck knows: a listed stock, an index, a won pair or a yield.

    What it checks: the instrument resolves to schemas/instruments.toml (indices, the won, yields), to
    a stock of the exchange's listing (schemas/reference/listing.csv: by code, Korean name, short name
    or English name, case, spacing, punctuation and "Co., Ltd." forms aside) or to a press or former
    name of schemas/reference/aliases.csv in force on the session's date. An unknown name is a
    warning naming the closest known names; its kind comes from the kind column or its figures, and
    every rule that needs no registry still runs on it.
    Why: a misspelt or unlisted name cannot be compared with other sources or the official record,
    but it is not a wrong figure: an alarm for it would drown the real ones.
    Example: "Kia Motors" on 2020-11-02 resolves to Kia (000270) and passes; "Samsnug Electronics"
    warns S005: did you mean Samsung Electronics?
    """

    code = "S005"
    name = "known-instrument"
    severity = "warning"
    requires = ("instrument",)

    def check(self, rows, ctx):
        known = rows["resolved"].to_numpy(dtype=bool)
        names = rows["instrument_text"] if "instrument_text" in rows.columns else rows["instrument"]
        codes, distinct = codes_of(names)
        kinds = rows["kind"].to_numpy(dtype=object)

        def message(where):
            words = {}
            out = []
            for pos in where:
                code = int(codes[pos])
                if code not in words:
                    name = str(distinct[code]) if code >= 0 else ""
                    close = ctx.registry.suggestions(name)
                    words[code] = (f"instrument {name!r} is not a listed stock, index, won pair or yield wrapcheck knows"
                                   + (f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""))
                kind = str(kinds[pos] or "")
                out.append(words[code] + (f" (checked as a {kind}, from its figures or kind column)" if kind else
                                          " (its kind is unknown: rules for one kind skip it)"))
            return out

        return outcome(rows.index, known, message=message)
