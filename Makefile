# Two commands matter on a fresh machine: `make report` and `make test`.
# Both create .venv and install the project on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SCENARIO ?= scenarios/baseline.yaml

.PHONY: setup report test bench lab app fuzz golden validation clean mutation

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@echo "compiling the engine (once, about half a minute; kept in model/*/__pycache__)"
	$(PY) -c 'import model; model.simulate("scenarios/baseline.yaml", draws=2, progress=False)'
	touch $(STAMP)

report: $(STAMP)
	$(PY) -m model report $(SCENARIO)

test: $(STAMP)
	$(PY) -m ruff check model tests benchmarks
	$(PY) -m pytest -q -n 2

bench: $(STAMP)
	$(PY) -m benchmarks.run

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=long $(PY) -m pytest -q tests/properties

golden: $(STAMP)
	$(PY) -m tests.golden.update

# Rule mutations in both engines, the suite without the golden snapshot (minutes; not part of `make test`).
# Result in tests/MUTATION.md.
mutation: $(STAMP)
	$(PY) -m tests.mutation --jobs 2

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

# The web explorer: notebooks/explore.ipynb served with Voila on 127.0.0.1 (port APP_PORT, else 8866). Ctrl+C stops it.
app: $(STAMP)
	$(PY) -m model.app

clean:
	rm -rf reports/*/ .pytest_cache

validation: $(STAMP)
	$(PY) -m model.analysis.backtest
