# The two commands Switchyard is run and tested with. The scripts install whatever is missing.
.PHONY: run test bench bundle-size abuse simulator-load db cluster cluster-stop

## Build and serve the console with demo data (http://127.0.0.1:3000 unless SWITCHYARD_ADDR says otherwise).
run:
	@scripts/run.sh

## Formatting, lints, unit and integration tests; then the release build's bundle size,
## a startup smoke check and the end-to-end tests against that release build.
test:
	@scripts/test.sh

## How fast it is, in one table against its goals: pages, bytes to the browser, memory,
## the engine, the live channel. Builds the release and starts what it needs.
bench:
	@scripts/bench.sh

## Size of the release bundle the browser downloads (WASM, JS, CSS), raw and gzip.
bundle-size:
	@scripts/bundle-size.sh

## What an anonymous flood and hostile imports cost: read latency, memory, refusal times.
abuse:
	@scripts/abuse.sh

## What a hammering costs the platform simulator: throughput, p99, memory, bad calls refused.
simulator-load:
	@scripts/simulator-load.sh

## Switchyard in three data centers on this machine: a three-node MariaDB Galera cluster
## and three instances (dc-a, dc-b, dc-c) with the simulator and demo data.
cluster:
	@scripts/cluster.sh start

## Stop what `make cluster` started (its data stays for the next start).
cluster-stop:
	@scripts/cluster.sh stop

## Print the URL of the MySQL/MariaDB server the commands above use (starting one if needed).
db:
	@scripts/database.sh
