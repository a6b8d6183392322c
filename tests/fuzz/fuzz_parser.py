"""atheris fuzz harness for the number parser: any text either parses or raises ParseError.

    make fuzz                     # 10^5 runs
    python tests/fuzz/fuzz_parser.py -atheris_runs=100000
"""

import sys

import atheris

with atheris.instrument_imports():
    from wrapcheck.numbers import NUMERIC_COLUMNS, ParseError, parse_figure

UNITS = sorted(set(NUMERIC_COLUMNS.values()))
SEEDS = ["4,525.48", "-618.83bn", "1.8 trillion", "25조2700억원", "6천188억원", "(618.83)", "+1.5bp", "0.015%p",
         "four-thousand-525-point-48", "one trillion won and 369 billion won", "１，４４５．５０"]


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    unit = UNITS[fdp.ConsumeIntInRange(0, len(UNITS) - 1)]
    if fdp.ConsumeBool():
        text = SEEDS[fdp.ConsumeIntInRange(0, len(SEEDS) - 1)] + fdp.ConsumeUnicodeNoSurrogates(8)
    else:
        text = fdp.ConsumeUnicodeNoSurrogates(64)
    try:
        figure = parse_figure(text, unit)
    except ParseError:
        return
    assert figure.halfwidth >= 0 or figure.halfwidth != figure.halfwidth, (text, figure)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
