"""Loader benchmark: time and peak memory to load the synthetic company at 100k and 1M opportunities.

	python benchmarks/bench_loader.py [--sizes 100000 1000000]

Each size runs in its own process (so peak memory is that size's), into a throwaway database that is dropped
afterwards. Result: benchmarks/results/loader.json. Timings are recorded, never asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

# `python benchmarks/<name>.py` puts only benchmarks/ on sys.path: add the repository root too, for devkit
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from common import machine, peak_rss_mib, prepare_server, write_result

from devkit.demo.generator import DemoSpec
from devkit.demo.loader import load_company, throwaway_database
from devkit.mariadb import ConnectionSettings


def one_size(deals: int) -> dict:
	settings = ConnectionSettings.from_env()
	with throwaway_database(settings, "sf_bench_loader") as name:
		report = load_company(settings, name, DemoSpec(deals=deals), drop_existing=False)
	return {
		"deals": deals,
		"rows": sum(report.rows.values()),
		"rows_per_table": dict(sorted(report.rows.items())),
		"seconds_total": round(report.seconds_total, 2),
		"seconds_generating": round(report.seconds_generating, 2),
		"rows_per_second": round(sum(report.rows.values()) / report.seconds_total),
		"peak_rss_mib": peak_rss_mib(),
	}


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
	parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.one:
		print(json.dumps(one_size(args.one)))
		return
	settings = ConnectionSettings.from_env()
	server = prepare_server(settings)
	runs = []
	for deals in args.sizes:
		out = subprocess.run(
			[sys.executable, __file__, "--one", str(deals)], capture_output=True, text=True, check=True
		).stdout
		run = json.loads(out.strip().splitlines()[-1])
		print(
			f"{deals:>9,} deals: {run['rows']:>11,} rows in {run['seconds_total']:7.1f} s, peak {run['peak_rss_mib']} MiB"
		)
		runs.append(run)
	path = write_result(
		"loader",
		{
			"what": "generate the synthetic company and bulk-load it (LOAD DATA LOCAL INFILE, 2 connections)",
			"peak_rss_note": "peak resident memory of the Python process; MariaDB's own memory is not included",
			"machine": machine(),
			"server": server,
			"runs": runs,
		},
	)
	print(f"written {path}")


if __name__ == "__main__":
	main()
