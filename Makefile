.PHONY: run test lint prod-check
run:  ## set up .venv, migrate, seed the demo, run web + tasks + sandbox on 127.0.0.1:8000
	bash scripts/run.sh

test:  ## set up everything, run the suite on SQLite and on a throwaway PostgreSQL 15
	bash scripts/test.sh

prod-check:  ## the production configuration (gunicorn, PostgreSQL, S3, two clusters) driven over HTTP, then stopped
	bash scripts/prod_check.sh

lint:
	.venv/bin/ruff check .
