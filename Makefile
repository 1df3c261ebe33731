# tdkt: `make run` brings the whole system up locally, `make test` runs every
# check CI runs. Both work on a fresh clone: the pinned tools build themselves.

GO            ?= go
ROOT          := $(CURDIR)
TEMPORAL      := $(ROOT)/bin/temporal
WORKFLOWCHECK := $(ROOT)/bin/workflowcheck
TOOLS_MOD     := tools/go.mod

.PHONY: all build run cluster test tidy-check vet workflowcheck lint fmt tools cluster-tools check-postgres check-chromium clean clean-tools histories

all: build

## build: the tdkt binary in bin/
build:
	$(GO) build -o bin/tdkt ./cmd/tdkt

## run: Temporal, PostgreSQL, worker and API on this machine (tdkt dev)
run: bin/temporal build
	exec bin/tdkt dev

## cluster: the production topology on this machine (tdkt dev --cluster): a
## Temporal cluster on PostgreSQL, two workers, two APIs, Temporal UI
cluster: bin/temporal cluster-tools build check-postgres
	exec bin/tdkt dev --cluster

## test: vet, workflowcheck, and every test (unit and integration) with -race
test: tools cluster-tools check-postgres check-chromium tidy-check vet workflowcheck
	TDKT_TEMPORAL_BIN=$(TEMPORAL) $(GO) test -race -count=1 -timeout 40m ./...
	$(MAKE) --no-print-directory test-cluster

## test-cluster: the fault suite against a Temporal cluster on PostgreSQL
## (four service processes), with two workers and two APIs
.PHONY: test-cluster
test-cluster: cluster-tools check-postgres
	TDKT_FAULTS_CLUSTER=1 TDKT_TEMPORAL_BIN=$(TEMPORAL) $(GO) test -race -count=1 -timeout 30m ./faults/

## lint: go vet and workflowcheck (determinism of workflow code)
lint: vet workflowcheck

vet:
	$(GO) vet ./...

# go.mod says exactly what the code imports: direct dependencies are not
# marked indirect, and nothing is missing or left over.
tidy-check:
	@$(GO) mod tidy -diff >/dev/null || { echo >&2 "make test: go.mod/go.sum are not tidy: run go mod tidy (the diff: go mod tidy -diff)"; exit 1; }

workflowcheck: bin/workflowcheck
	$(WORKFLOWCHECK) ./...

fmt:
	$(GO) fmt ./...

tools: bin/temporal bin/workflowcheck bin/mailpit

# mailpit, a real SMTP server with an HTTP API: the reminders' tests send
# their e-mail to it (devenv.StartMailpit). Pinned in a module of its own,
# tools/mailpit/go.mod, not in tools/go.mod: in one module graph its
# dependencies (tablewriter 1.x) would move the Temporal CLI's to versions
# the CLI does not build with.
MAILPIT_MOD   := tools/mailpit/go.mod
bin/mailpit: $(MAILPIT_MOD)
	$(GO) build -modfile=$(MAILPIT_MOD) -o $@ github.com/axllent/mailpit

# A real Temporal cluster on the local PostgreSQL (devenv.StartCluster,
# `tdkt dev --cluster`): the server and temporal-sql-tool pinned in
# tools/go.mod beside the CLI (the same module graph, so the CLI's cached
# build makes them quick), and the server module's own PostgreSQL schema.
cluster-tools: bin/temporal-server bin/temporal-sql-tool bin/temporal-schema bin/temporal-ui-server

bin/temporal-server: $(TOOLS_MOD)
	$(GO) build -modfile=$(TOOLS_MOD) -o $@ go.temporal.io/server/cmd/server

bin/temporal-sql-tool: $(TOOLS_MOD)
	$(GO) build -modfile=$(TOOLS_MOD) -o $@ go.temporal.io/server/cmd/tools/sql

# Temporal UI's server, the one the CLI embeds, standalone: it points at
# the cluster's frontend.
bin/temporal-ui-server: $(TOOLS_MOD)
	$(GO) build -modfile=$(TOOLS_MOD) -o $@ github.com/temporalio/ui-server/v2/cmd/server

bin/temporal-schema: $(TOOLS_MOD)
	rm -rf $@ && mkdir -p $@
	cp -R "$$($(GO) list -modfile=$(TOOLS_MOD) -m -f '{{.Dir}}' go.temporal.io/server)/schema/postgresql" $@/
	chmod -R u+w $@
	find $@ -name '*.go' -delete # the SQL only: no Go package of the server's inside this module

# The Temporal CLI (dev server) pinned in tools/go.mod, kept out of the app's
# module. Built only when missing: a cold build takes minutes. After changing
# its version in tools/go.mod, run `make clean-tools`.
bin/temporal:
	@echo "building the pinned Temporal CLI into bin/ (a few minutes the first time)"
	$(GO) build -modfile=$(TOOLS_MOD) -o $@ github.com/temporalio/cli/cmd/temporal

bin/workflowcheck: $(TOOLS_MOD)
	$(GO) build -modfile=$(TOOLS_MOD) -o $@ go.temporal.io/sdk/contrib/tools/workflowcheck

# Integration tests start a throw-away PostgreSQL from the server binaries;
# say so once, plainly, instead of letting every such test fail.
check-postgres:
	@command -v initdb >/dev/null && command -v pg_ctl >/dev/null && command -v postgres >/dev/null || { \
	  echo >&2 "make test: PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH."; \
	  echo >&2 "  Install them (Debian: apt-get install postgresql) and put their directory on PATH,"; \
	  echo >&2 "  e.g. export PATH=/usr/lib/postgresql/15/bin:\$$PATH"; \
	  exit 1; }

# Browser tests drive a headless Chromium (devenv.Browser). Root on Debian
# gets it installed, anyone else is told how, once; $TDKT_CHROMIUM names
# another browser. The fonts are for Vietnamese in screenshots: the GOV.UK
# stack is "arial, sans-serif", and fontconfig maps arial to Liberation Sans,
# whose 2.x (fonts-liberation2) has every Vietnamese letter while the 1.07 of
# fonts-liberation has none (Chromium then mixes in another font per letter);
# sans-serif is Noto Sans (fonts-noto-core), also complete.
CHROMIUM_PACKAGES := chromium fonts-liberation2 fonts-noto-core
check-chromium:
	@if [ -n "$$TDKT_CHROMIUM" ]; then \
	  case "$$TDKT_CHROMIUM" in */*) [ -f "$$TDKT_CHROMIUM" ] && [ -x "$$TDKT_CHROMIUM" ];; *) command -v "$$TDKT_CHROMIUM" >/dev/null;; esac || { \
	  echo >&2 "make test: TDKT_CHROMIUM=$$TDKT_CHROMIUM is not an executable: point it at a Chromium or Chrome, or unset it to use chromium from PATH"; \
	  exit 1; }; \
	elif command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then :; \
	elif [ "$$(id -u 2>/dev/null)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then \
	  echo "make test: installing Chromium for the browser tests (apt-get install $(CHROMIUM_PACKAGES))"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(CHROMIUM_PACKAGES) \
	  && command -v chromium >/dev/null || { \
	  echo >&2 "make test: installing $(CHROMIUM_PACKAGES) did not give a chromium on PATH (see apt-get's output above)"; \
	  exit 1; }; \
	else \
	  echo >&2 "make test: Chromium not found for the browser tests: apt-get install $(CHROMIUM_PACKAGES) (as root), or set TDKT_CHROMIUM to a Chromium or Chrome executable"; \
	  exit 1; \
	fi

clean:
	rm -f bin/tdkt

clean-tools:
	rm -f bin/temporal bin/workflowcheck bin/mailpit

.PHONY: bench
## bench: floor vs engine in one run, then the read path at 100,000 dossiers
## (tdkt bench; a throw-away system, removed afterwards)
bench: bin/temporal build check-postgres
	TDKT_TEMPORAL_BIN=$(TEMPORAL) bin/tdkt bench
	TDKT_TEMPORAL_BIN=$(TEMPORAL) bin/tdkt bench --read

## histories: recapture the saved workflow histories the replay tests use
histories: bin/temporal
	cd workflows && TDKT_TEMPORAL_BIN=$(TEMPORAL) $(GO) test -tags capture -count=1 -run TestPathsOnRealStack .

.PHONY: test-faults
## test-faults: the fault and bad-input suite alone, with its figures printed
## (faults/: the tdkt binary's worker and API as processes, real PostgreSQL,
## Temporal with file persistence; `make test` runs it too, without -v)
test-faults: bin/temporal check-postgres
	TDKT_TEMPORAL_BIN=$(TEMPORAL) $(GO) test -race -count=1 -timeout 20m -v ./faults/
