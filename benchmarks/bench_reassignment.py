"""Reassignment planning benchmark on the synthetic company at 1M deals (about 260,000 open deals).

	python benchmarks/bench_reassignment.py [--source sf_bench_1000000]

The source database (loaded by bench_stage_conversion.py) is only read. The app's reassignment tables are
not in it, so the run builds an overlay database `sf_bench_reassignment`: a view over every table of the
source (simple views, merged into the query, so the source's indexes serve) plus the empty Reassignment
Rule / Log tables from the app's doctype JSON. The overlay is dropped at the end.

Timed in the same run (median of 5 after one warm-up):

- planning with one Days Over Stage Limit rule per funnel (every open stage, Least Loaded over the Sales User
  role, at most 200 reassignments per rule and hour, the doctype's default), i.e. over every open deal of the
  company: the trigger is evaluated for all of them in SQL and the 200 most overdue per rule are planned;
- the same rules without a per-rule cap, as the hourly job plans them: bounded by the job's
  `MAX_MOVES_PER_HOUR` across rules (1,000), the most overdue first;
- the same with no bound at all (`max_moves_per_hour=None`), planning every triggered deal (most open deals of
  the synthetic company are past their limit, so this plans a quarter of a million reassignments: a worst case
  no hourly job could apply, recorded for context); the acceptance (<= 5 s, within 3x of the bare scan) is
  recorded for the capped rules, for the job's plan without a rule cap, and for the unbounded plan;
- the same with the No Activity trigger (the last activity of every candidate deal from Comment,
  Communication, Call Log and the log);
- the Stale Deals report;
- the reference: a bare scan of the open opportunities,
  `SELECT sales_stage, COUNT(*) FROM tabOpportunity WHERE status IN ('Open','Quotation','Replied') GROUP BY
  sales_stage`;
- for context, the same scan returning every open deal's name and owner to Python (`READ_OPEN_DEALS`): what
  any plan with one item per deal pays to read the deals through the driver before it decides anything;
- one more unbounded run split into the time inside `db.sql` (server and driver) and the rest (Python).

Result: benchmarks/results/reassignment.json. Timings are recorded here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# `python benchmarks/<name>.py` puts only benchmarks/ on sys.path: add the repository root too, for devkit
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from common import machine, peak_rss_mib, prepare_server, timed, write_result

from devkit.demo.generator import DemoSpec
from devkit.mariadb import ConnectionSettings, MariaDB
from devkit.schema.ddl import app_doctypes, create_table_sql
from sales_funnel.engine.funnels.stages import load_funnels
from sales_funnel.engine.reassignment.model import MAX_MOVES_PER_HOUR, Rule
from sales_funnel.engine.reassignment.plan import plan_reassignments
from sales_funnel.engine.reassignment.stale import stale_deals

NOW = DemoSpec.now
OVERLAY = "sf_bench_reassignment"
APP_TABLES = ("Reassignment Rule", "Reassignment Rule Stage", "Reassignment Rule User", "Reassignment Log")
BARE_SCAN = """SELECT sales_stage, COUNT(*) FROM `tabOpportunity`
	WHERE status IN ('Open', 'Quotation', 'Replied') GROUP BY sales_stage"""
READ_OPEN_DEALS = """SELECT name, opportunity_owner FROM `tabOpportunity`
	WHERE status IN ('Open', 'Quotation', 'Replied')"""


def build_overlay(settings: ConnectionSettings, source: str) -> None:
	with MariaDB(settings.with_database(None), autocommit=True) as server:
		server.sql(f"DROP DATABASE IF EXISTS `{OVERLAY}`")
		server.sql(f"CREATE DATABASE `{OVERLAY}`")
		tables = [
			r[0]
			for r in server.sql(
				"SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
				(source,),
			)
		]
		metas = app_doctypes()
		for table in tables:
			if table[3:] in APP_TABLES:
				continue
			server.sql(
				f"CREATE ALGORITHM = MERGE VIEW `{OVERLAY}`.`{table}` AS SELECT * FROM `{source}`.`{table}`"
			)
		with MariaDB(settings.with_database(OVERLAY), autocommit=True) as overlay:
			for doctype in APP_TABLES:
				overlay.sql(create_table_sql(doctype, metas[doctype]))


def sql_python_split(db: MariaDB, call: Callable[[], object]) -> dict[str, float]:
	"""One more run of `call`, its time split: inside `db.sql` (the server and the driver reading the rows) and
	the rest (Python)."""
	inner = db.sql
	spent = [0.0]

	def sql(*args: Any, **kwargs: Any) -> Any:
		started = time.perf_counter()
		try:
			return inner(*args, **kwargs)
		finally:
			spent[0] += time.perf_counter() - started

	db.sql = sql  # type: ignore[method-assign]
	try:
		started = time.perf_counter()
		call()
		total = time.perf_counter() - started
	finally:
		db.sql = inner  # type: ignore[method-assign]
	return {
		"total_s": round(total, 4),
		"sql_and_driver_s": round(spent[0], 4),
		"python_s": round(total - spent[0], 4),
	}


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--source", default="sf_bench_1000000")
	args = parser.parse_args()
	settings = ConnectionSettings.from_env()
	server = prepare_server(settings)
	build_overlay(settings, args.source)
	try:
		with (
			MariaDB(settings.with_database(OVERLAY)) as db,
			MariaDB(settings.with_database(args.source)) as src,
		):
			funnels = load_funnels(db)
			open_deals = int(
				src.sql(
					"SELECT COUNT(*) FROM `tabOpportunity` WHERE status IN ('Open', 'Quotation', 'Replied')"
				)[0][0]
			)
			deals = int(src.sql("SELECT COUNT(*) FROM `tabOpportunity`")[0][0])

			def rules(trigger: str, threshold: float, per_hour: int = 200) -> list[Rule]:
				return [
					Rule(
						name=f"Bench {f.name}",
						funnel=f.name,
						trigger=trigger,
						threshold=threshold,
						pool_type="Role",
						role="Sales User",
						strategy="Least Loaded",
						cooldown_hours=72,
						max_reassignments=2,
						max_per_hour=per_hour,
					)
					for f in funnels
				]

			stage_rules = rules("Days Over Stage Limit", 0)
			idle_rules = rules("No Activity", 14)
			uncapped_rules = rules("Days Over Stage Limit", 0, per_hour=0)

			def unbounded() -> Any:
				return plan_reassignments(db, NOW, uncapped_rules, max_moves_per_hour=None)

			plan = plan_reassignments(db, NOW, stage_rules)
			idle_plan = plan_reassignments(db, NOW, idle_rules)
			job_plan = plan_reassignments(db, NOW, uncapped_rules)
			uncapped_plan = unbounded()
			results = {
				"plan_stage_limit": timed(lambda: plan_reassignments(db, NOW, stage_rules)),
				"plan_no_activity": timed(lambda: plan_reassignments(db, NOW, idle_rules)),
				"plan_stage_limit_no_rule_cap_as_the_job_plans": timed(
					lambda: plan_reassignments(db, NOW, uncapped_rules)
				),
				"plan_stage_limit_uncapped": timed(unbounded),
				"stale_deals_report": timed(lambda: stale_deals(db, NOW)),
				"bare_scan_open_opportunities": timed(lambda: src.sql(BARE_SCAN)),
				"read_open_deals_into_python": timed(lambda: src.sql(READ_OPEN_DEALS)),
				"bare_scan_through_overlay_view": timed(lambda: db.sql(BARE_SCAN)),
			}
			split = sql_python_split(db, unbounded)
		floor = results["bare_scan_open_opportunities"]["median_s"]
		payload = {
			"source_database": args.source,
			"deals": deals,
			"open_deals": open_deals,
			"funnels": [f.name for f in funnels],
			"now": NOW,
			"plan_stage_limit_items": len(plan.items),
			"plan_stage_limit_moves": len(plan.moves),
			"plan_no_activity_items": len(idle_plan.items),
			"plan_stage_limit_no_rule_cap_items": len(job_plan.items),
			"plan_stage_limit_no_rule_cap_moves": len(job_plan.moves),
			"max_moves_per_hour_of_the_job": MAX_MOVES_PER_HOUR,
			"plan_stage_limit_uncapped_items": len(uncapped_plan.items),
			"plan_stage_limit_uncapped_moves": len(uncapped_plan.moves),
			"max_per_hour_per_rule": 200,
			"timings": results,
			"plan_stage_limit_uncapped_split": split,
			"ratio_to_bare_scan": {
				k: round(v["median_s"] / floor, 2)
				for k, v in results.items()
				if k != "bare_scan_open_opportunities"
			},
			"acceptance": {
				"plan_over_100k_open_deals_within_5_s": results["plan_stage_limit"]["median_s"] <= 5.0,
				"plan_within_3x_bare_scan": results["plan_stage_limit"]["median_s"] <= 3 * floor,
				"job_plan_without_rule_cap_within_5_s": results[
					"plan_stage_limit_no_rule_cap_as_the_job_plans"
				]["median_s"]
				<= 5.0,
				"job_plan_without_rule_cap_within_3x_bare_scan": results[
					"plan_stage_limit_no_rule_cap_as_the_job_plans"
				]["median_s"]
				<= 3 * floor,
				"uncapped_plan_within_5_s": results["plan_stage_limit_uncapped"]["median_s"] <= 5.0,
				"uncapped_plan_within_3x_bare_scan": results["plan_stage_limit_uncapped"]["median_s"]
				<= 3 * floor,
			},
			"peak_rss_mib": peak_rss_mib(),
			"server": server,
			"machine": machine(),
		}
		path = write_result("reassignment", payload)
		print(path)
		print(payload["timings"], payload["ratio_to_bare_scan"], payload["acceptance"])
	finally:
		with MariaDB(settings.with_database(None), autocommit=True) as server_conn:
			server_conn.sql(f"DROP DATABASE IF EXISTS `{OVERLAY}`")


if __name__ == "__main__":
	main()
