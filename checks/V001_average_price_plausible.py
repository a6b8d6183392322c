import numpy as np

from wrapcheck.rules import Rule, outcome


class AveragePricePlausible(Rule):
    """Turnover / volume gives a plausible average price per share.

    What it checks: turnover (KRW billion) divided by volume (shares), over the rounding of both, gives
    an average price per share inside the market profile's band (schemas/markets.toml `avg_price_band`:
    KOSPI 2,000 to 500,000 won).
    Why: "25.27 trillion won" typed as "25.27 billion", or "492.84 million shares" as "492.84 billion",
    moves the average price a thousandfold while each figure alone still looks fine.
    Example: 25,270 billion won / 492.84 million shares = 51,274 won a share passes on KOSPI; a turnover
    of 25.27 billion won gives 51 won a share and fails V001.
    """

    code = "V001"
    name = "average-price-plausible"
    kinds = ("index",)
    requires = ("turnover", "volume")

    def check(self, rows, ctx):
        t, ht = rows["turnover"].to_numpy(), rows["turnover__hw"].to_numpy()
        v, hv = rows["volume"].to_numpy(), rows["volume__hw"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            avg = t * 1e9 / v
            low = (t - ht) * 1e9 / (v + hv)
            high = np.where(v - hv > 0, (t + ht) * 1e9 / (v - hv), np.inf)
        band_lo = ctx.profile_values(rows, "avg_price_band", 0)
        band_hi = ctx.profile_values(rows, "avg_price_band", 1)
        no_band = np.isnan(band_lo) | np.isnan(band_hi)
        ok = no_band | ((high >= band_lo) & (low <= band_hi))
        expected = np.clip(avg, np.nan_to_num(band_lo), np.nan_to_num(band_hi, nan=np.inf))
        diff = avg - expected

        def message(where):
            return [f"turnover / volume = {avg[i]:,.0f} won a share, outside the {rows['market'].iat[i]} band "
                    f"{band_lo[i]:,.0f} to {band_hi[i]:,.0f} won: a billion/trillion or million/billion slip?" for i in where]

        return outcome(rows.index, ok, avg, expected, diff, (high - low) / 2, message, skipped=no_band,
                       skip_message="skipped: no avg_price_band for this market in schemas/markets.toml")
