# The two commands of the README: `make demo` and `make test`. Both set themselves up.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
# requirements.txt includes requirements/platform.txt and requirements/training.txt: a change to any reinstalls.
REQ_FILES := requirements.txt $(wildcard requirements/*.txt)
REQ_HASH := $(shell cat $(REQ_FILES) | sha1sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(REQ_HASH)

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/radcurate
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0
# A fixed de-identification key: pseudonymous ids (and so seeded splits) are the same in every test run.
TEST_DEID_KEY ?= radcurate-test-suite-key

.PHONY: demo test setup lint system-deps frontend clean images stack-test

$(STAMP): $(REQ_FILES)
	test -x $(PY) || python3 -m venv $(VENV)
	@# pip warns once per package about this machine's unused local index; keep the log readable
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt 2>&1 | { grep -v '^WARNING: Location' || true; }
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP) frontend

system-deps:
	./scripts/system-deps.sh

frontend:
	@if [ -f frontend/package.json ]; then ./scripts/build-frontend.sh; fi

demo: setup
	RADCURATE_DEMO=1 $(PY) manage.py demo

# ESLint runs from frontend/node_modules, which the frontend target installs (npm ci) on a fresh clone.
lint: $(STAMP) frontend
	$(VENV)/bin/ruff check .
	cd frontend && npx --no-install eslint src

test: setup system-deps lint
	./scripts/services-up.sh
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
	  RADCURATE_DEID_KEY=$(TEST_DEID_KEY) \
	  $(VENV)/bin/pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; exit $$rc

# The container images (platform, PostgreSQL, Redis) from a local debootstrap base: no registry needed (docs/deployment.md).
images: frontend
	./scripts/build-images.sh platform

# Builds the images, runs the compose stack on loopback ports and smoke-tests it from outside, backup and restore
# included, then removes it. Not part of `make test` (minutes; needs podman and root): docs/deployment.md.
stack-test: $(STAMP) frontend
	./scripts/stack-test.sh

clean:
	rm -rf $(VENV) var frontend/node_modules frontend/static/dist
