# The two commands Switchyard is run and tested with. The scripts install whatever is missing.
.PHONY: run test wasm-size db

## Build and serve the console with demo data (http://127.0.0.1:3000 unless SWITCHYARD_ADDR says otherwise).
run:
	@scripts/run.sh

## Formatting, lints, unit, integration and end-to-end tests.
test:
	@scripts/test.sh

## Size of the release WASM bundle, raw and gzip.
wasm-size:
	@scripts/wasm-size.sh

## Print the URL of the MySQL/MariaDB server the commands above use (starting one if needed).
db:
	@scripts/database.sh
