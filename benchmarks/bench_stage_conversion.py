"""Stage Conversion benchmark on the synthetic company at 100k and 1M deals.

	python benchmarks/bench_stage_conversion.py [--sizes 100000 1000000] [--reuse]

For each size: load the company into `sf_bench_<size>` (kept afterwards, so `--reuse` skips loading when the
database already holds that many deals), then, in a fresh process (so that its peak memory is the report's,
not the loader's), time in the same run:

- the engine call `stage_conversion` in several shapes (cohort over 12 months; sliced by manager; activity mode
  compared with the previous period);
- the reference: a bare full-scan GROUP BY over the transitions table (the practical floor);
- ERPNext's Sales Funnel page pipeline (erpnext/selling/page/sales_funnel/sales_funnel.py, get_pipeline_data:
  load the open opportunities, convert and group them in Python) beside the same pipeline grouped in SQL.

Each timing is the median of 5 runs after one warm-up. Result: benchmarks/results/stage_conversion.json.
Timings are recorded here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date, datetime
from itertools import groupby
from pathlib import Path

# `python benchmarks/<name>.py` puts only benchmarks/ on sys.path: add the repository root too, for devkit
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from common import machine, peak_rss_mib, prepare_server, timed, write_result

from devkit.demo.generator import DemoSpec
from devkit.demo.loader import load_company
from devkit.mariadb import ConnectionSettings, MariaDB
from sales_funnel.engine.conversion.filters import ConversionFilters
from sales_funnel.engine.conversion.report import stage_conversion

NOW = DemoSpec.now
PERIOD = (date(2025, 11, 1), date(2026, 10, 31))
FUNNEL = "B2B New Customers"
COMPANY = "Demo Trading"


def erpnext_pipeline(db) -> dict:
	"""get_pipeline_data's shape: fetch open opportunities, convert and group them in Python."""
	rows = db.sql(
		"""SELECT currency, sales_stage, opportunity_amount, probability, conversion_rate FROM `tabOpportunity`
		WHERE status IN ('Open', 'Quotation', 'Replied') AND company = %(company)s
		AND transaction_date BETWEEN %(from)s AND %(to)s""",
		{"company": COMPANY, "from": PERIOD[0], "to": PERIOD[1]},
		as_dict=True,
	)
	rates = {}
	opportunities = []
	for row in rows:  # erpnext.accounts.report.utils.convert: an exchange rate per currency and date (cached)
		rate = rates.setdefault(row["currency"], row["conversion_rate"] or 1.0)
		opportunities.append(
			dict(row, compound_amount=row["opportunity_amount"] * rate * row["probability"] / 100)
		)
	summary = {}
	for stage, group in groupby(opportunities, lambda o: o["sales_stage"]):
		summary[stage] = sum(o["compound_amount"] for o in group)
	return summary


def sql_pipeline(db) -> dict:
	rows = db.sql(
		"""SELECT sales_stage, SUM(base_opportunity_amount * probability / 100) FROM `tabOpportunity`
		WHERE status IN ('Open', 'Quotation', 'Replied') AND company = %(company)s
		AND transaction_date BETWEEN %(from)s AND %(to)s GROUP BY sales_stage""",
		{"company": COMPANY, "from": PERIOD[0], "to": PERIOD[1]},
	)
	return dict(rows)


def measure(database: str) -> dict:
	settings = ConnectionSettings.from_env().with_database(database)
	with MariaDB(settings) as db:
		counts = {
			"deals": db.sql("SELECT COUNT(*) FROM `tabOpportunity`")[0][0],
			"transitions": db.sql("SELECT COUNT(*) FROM `tabFunnel Stage Transition`")[0][0],
			"transitions_in_funnel": db.sql(
				"SELECT COUNT(*) FROM `tabFunnel Stage Transition` WHERE funnel = %s", (FUNNEL,)
			)[0][0],
		}
		base = ConversionFilters(*PERIOD, funnel=FUNNEL, company=COMPANY)
		shapes = {
			"cohort_12_months": base,
			"cohort_by_manager": ConversionFilters(
				*PERIOD, funnel=FUNNEL, company=COMPANY, slice_by="manager"
			),
			"activity_vs_previous": ConversionFilters(
				*PERIOD, funnel=FUNNEL, company=COMPANY, mode="activity", compare_previous=True
			),
		}
		engine = {name: timed(lambda f=f: stage_conversion(db, f, NOW)) for name, f in shapes.items()}
		bare = timed(
			lambda: db.sql("SELECT to_stage, COUNT(*) FROM `tabFunnel Stage Transition` GROUP BY to_stage")
		)
		erpnext = timed(lambda: erpnext_pipeline(db))
		ours = timed(lambda: sql_pipeline(db))
		entered = int(stage_conversion(db, base, NOW).total()["entered"])
	return {
		**counts,
		"cohort_deals_entered": entered,
		"engine": engine,
		"bare_full_scan_group_by": bare,
		"engine_to_bare_ratio": {k: round(v["median_s"] / bare["median_s"], 2) for k, v in engine.items()},
		"pipeline_erpnext_python_grouping": erpnext,
		"pipeline_grouped_in_sql": ours,
		"pipeline_erpnext_to_sql_ratio": round(erpnext["median_s"] / ours["median_s"], 2),
		"peak_rss_mib": peak_rss_mib(),
	}


def ensure_loaded(settings: ConnectionSettings, deals: int, reuse: bool) -> str:
	name = f"sf_bench_{deals}"
	if reuse:
		try:
			with MariaDB(settings.with_database(name)) as db:
				if db.sql("SELECT COUNT(*) FROM `tabOpportunity`")[0][0] == deals:
					return name
		except Exception:
			pass
	report = load_company(settings, name, DemoSpec(deals=deals))
	print(f"loaded {deals:,} deals into {name} in {report.seconds_total:.0f} s", flush=True)
	return name


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
	parser.add_argument("--reuse", action="store_true", help="keep a database that already has the company")
	parser.add_argument("--measure", help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.measure:
		print(json.dumps(measure(args.measure)))
		return
	settings = ConnectionSettings.from_env()
	server = prepare_server(settings)
	runs = {}
	for deals in args.sizes:
		database = ensure_loaded(settings, deals, args.reuse)
		out = subprocess.run(
			[sys.executable, __file__, "--measure", database], capture_output=True, text=True, check=True
		).stdout
		runs[str(deals)] = json.loads(out.strip().splitlines()[-1])
		run = runs[str(deals)]
		print(
			f"{deals:>9,} deals, {run['transitions']:,} transitions: engine {run['engine']['cohort_12_months']['median_s']} s, "
			f"bare scan {run['bare_full_scan_group_by']['median_s']} s, peak {run['peak_rss_mib']} MiB",
			flush=True,
		)
	payload = {
		"what": "Stage Conversion engine call vs a bare full-scan GROUP BY over the transitions, same run",
		"now": NOW,
		"period": PERIOD,
		"funnel": FUNNEL,
		"machine": machine(),
		"server": server,
		"runs": runs,
	}
	if "100000" in runs and "1000000" in runs:
		small, large = runs["100000"]["engine"], runs["1000000"]["engine"]
		payload["scaling_1m_over_100k"] = {
			k: round(large[k]["median_s"] / small[k]["median_s"], 2) for k in large
		}
	path = write_result("stage_conversion", payload)
	print(f"written {path}  ({datetime.now():%H:%M:%S})")


if __name__ == "__main__":
	main()
