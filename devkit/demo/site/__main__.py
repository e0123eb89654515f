"""The main job: a live ERPNext site with the demo company (`bash scripts/demo.sh`).

	python -m devkit.demo.site [--deals N] [--seed S] [--fresh] [--no-serve] [--out DIR]

Builds or reuses the bench (scripts/bench.sh setup), creates the site SF_DEMO_SITE (sf-demo.local) with payments,
ERPNext and the app, loads the synthetic company into it, does what installing the app on data does, creates the
demo users, prints the report summaries computed by Frappe's report runner on the site, writes the charts and
`logins.json` to --out, and serves the site on http://127.0.0.1:$SF_BENCH_PORT (8000). A second run reuses the
site when its data has the requested size and seed; --fresh builds it again.
"""

from __future__ import annotations

import argparse
import sys

from devkit.demo.site.run import DemoRun, Options


def parse(argv: list[str] | None) -> Options:
	parser = argparse.ArgumentParser(prog="bash scripts/demo.sh", description=__doc__.splitlines()[0])
	parser.add_argument("--deals", type=int, default=20_000, help="opportunities to generate (20,000)")
	parser.add_argument("--seed", type=int, default=Options.seed, help="the generator's seed")
	parser.add_argument("--fresh", action="store_true", help="drop the demo site and build it again")
	parser.add_argument("--no-serve", action="store_true", help="do everything but serving, then return")
	parser.add_argument("--out", default="demo_output", help="folder for the charts and logins.json")
	args = parser.parse_args(argv)
	if args.deals < 1:
		parser.error("--deals must be at least 1")
	return Options(deals=args.deals, seed=args.seed, fresh=args.fresh, serve=not args.no_serve, out=args.out)


def main(argv: list[str] | None = None) -> int:
	return DemoRun(parse(argv)).run()


if __name__ == "__main__":
	sys.exit(main())
