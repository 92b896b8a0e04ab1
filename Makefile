# The two set-up commands: `make run` and `make test`. Both create the virtual environment.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast build validate bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

output/current/build.json: $(STAMP)
	$(BIN)/territoires build

## make run: build the graph if there is none yet, then serve it on http://127.0.0.1:8000/
run: output/current/build.json
	$(BIN)/territoires serve

## make build: rebuild and validate the graph from its sources (publishes only if valid)
build: $(STAMP)
	$(BIN)/territoires build

## make validate: the SHACL report of the sources
validate: $(STAMP)
	$(BIN)/territoires validate

# Tests run on every core (pytest-xdist), a module's tests on one worker so that its fixtures
# are made once; the tests that time answers under load run alone afterwards.
JOBS   ?= auto
XDIST  := -n $(JOBS) --dist loadfile

## make test: the whole test suite, every layer (what .ci/run runs), with its slowest tests
test: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) -m "not serial" --durations=30 $(PYTEST_ARGS); parallel=$$?; \
	$(BIN)/python -m pytest -m serial --durations=10 $(PYTEST_ARGS); serial=$$?; \
	test $$parallel -eq 0 -a $$serial -eq 0

## make test-fast: the fast layer alone (in-process on a small build; under a minute)
test-fast: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) -m "not full and not server and not browser and not build and not slow" $(PYTEST_ARGS)

## make bench: benchmarks against the peers, a soak of the project's server, the build's cost
## at ×1 to ×16 the sources (not tests)
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench
	$(BIN)/python -m bench soak
	$(BIN)/python -m bench scale

clean:
	rm -rf output .pytest_cache
