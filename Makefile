.PHONY: run test lint
run:  ## set up .venv, migrate, seed the demo, run web + tasks + sandbox on 127.0.0.1:8000
	bash scripts/run.sh

test:  ## set up everything, run the suite on SQLite and on a throwaway PostgreSQL 15
	bash scripts/test.sh

lint:
	.venv/bin/ruff check .
