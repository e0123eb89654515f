"""The main job on the demo company: load it into MariaDB and print what the engine computes.

	python -m devkit.demo [--deals N] [--database NAME] [--keep] [--out DIR]

Connection settings come from MARIADB_HOST / MARIADB_PORT / MARIADB_USER / MARIADB_PASSWORD.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from devkit.demo.generator import DemoSpec, describe
from devkit.demo.loader import load_company
from devkit.demo.summary import print_summary
from devkit.mariadb import ConnectionSettings, DatabaseConfigError, MariaDB


def main(argv: list[str] | None = None) -> int:
	parser = argparse.ArgumentParser(prog="python -m devkit.demo", description=__doc__.splitlines()[0])
	parser.add_argument(
		"--deals", type=int, default=20_000, help="opportunities to generate (default 20,000)"
	)
	parser.add_argument("--seed", type=int, default=DemoSpec.seed)
	parser.add_argument("--database", default="sales_funnel_demo", help="database to (re)create")
	parser.add_argument("--out", default="demo_output", help="folder for the files the job writes")
	args = parser.parse_args(argv)
	if args.deals < 1:
		parser.error("--deals must be at least 1")
	try:
		settings = ConnectionSettings.from_env()
		spec = DemoSpec(deals=args.deals, seed=args.seed)
		print(
			f"Loading the demo company ({describe(spec)}) into {settings.where}/{args.database} …", flush=True
		)
		report = load_company(
			settings, args.database, spec, progress=lambda line: print("  " + line, flush=True)
		)
		print(
			f"Loaded {sum(report.rows.values()):,} rows in {report.seconds_total:.1f} s; credit ledger "
			f"{report.credit_ledger_rows:,} rows in {report.seconds_credit_ledger:.1f} s.\n"
		)
		with MariaDB(settings.with_database(args.database)) as db:
			print_summary(db, Path(args.out), spec.now)
	except DatabaseConfigError as exc:
		print(f"error: {exc}", file=sys.stderr)
		return 2
	return 0


if __name__ == "__main__":
	sys.exit(main())
