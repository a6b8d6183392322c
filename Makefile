# wrapcheck: `make run` validates the seed fixture, `make test` runs the tests. Both set up .venv first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test bench compare fuzz screenshot clean

# Byte-compile our own modules: an editable install has no .pyc, and where PYTHONDONTWRITEBYTECODE is set
# (as on CI machines) every start would compile the rules again (0.1 s of a cold start).
setup: $(STAMP)
	@$(BIN)/python -m compileall -q src checks schemas >/dev/null

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("wrapcheck needs Python 3.11+, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# Exit 1 means a check failed: the seed's summary has a wrong timeline line (C002), our first catch.
# Anything else (2: bad input or usage) stops make.
run: setup
	$(BIN)/validate fixtures/2026-01-06.csv --history fixtures --html || [ $$? -eq 1 ]

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/bench.py

# wrapcheck vs naive Pandera vs Great Expectations vs the floor, on the same data and rules.
compare: setup
	$(BIN)/python bench/compare.py

clean:
	rm -rf $(VENV) reports/*/ bench/out .pytest_cache

# Fuzz the number parser (atheris): 10^5 inputs, no crash allowed.
fuzz: setup
	$(BIN)/python -m pip install --quiet 'atheris>=2.3'
	$(BIN)/python tests/fuzz/fuzz_parser.py -atheris_runs=100000

# Render the seed's HTML report in headless Chromium and save a screenshot (needs Debian's chromium).
screenshot: run
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir=$$(mktemp -d) --window-size=1100,1800 \
		--screenshot=reports/2026-01-06/summary-source.png file://$(CURDIR)/reports/2026-01-06/summary-source.html
	@echo "screenshot: reports/2026-01-06/summary-source.png"
