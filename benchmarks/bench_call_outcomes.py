"""Call Outcomes benchmark on 5,000,000 call logs.

	python benchmarks/bench_call_outcomes.py [--calls 5000000] [--source sf_bench_1000000] [--reuse]

Builds `sf_bench_calls` (kept afterwards; `--reuse` skips building when it already holds the calls): the app's
schema, then the Call Logs, their `links` rows, the Call Outcomes, the Opportunities (name, status) and the
latest stage-history rows of a demo company (copied from `--source`, the 1M-deal company of
bench_stage_conversion.py, or loaded afresh at 200,000 deals when that database is missing), then copies of the
Call Logs with new names (and copies of their links) until there are `--calls` of them.

Then the state a site is in after the app's jobs ran: `Opportunity.sf_from_call` set from the links
(`backfill_from_call`, as `install.after_sync` does), `Call Log.sf_funnel` likewise (`backfill_call_funnels`;
a kept database built before the field gets its column first) and every day up to two days before `now` sealed
in the Call Outcomes rollup (`seal_days`, as the hourly job does); `--reuse` keeps these and only seals what is
missing (a kept database whose rollup tables predate a change of their doctypes gets them afresh, every day
sealed again).

Then, in a fresh process (so its peak memory is the report's), times in the same run:

- the engine call `call_outcome_report` in several shapes (every call by month; the last month by day; one
  manager's year by week);
- the reference: a bare full-scan GROUP BY over the call logs
  (`SELECT status, COUNT(*) FROM tabCall Log GROUP BY status`);
- for the record: the whole history read from the Call Logs alone (`call_counts(use_rollup=False)`, one run),
  and what keeping the rollup costs (unsealing one day and sealing it again);
- the Stage Conversion report of the default funnel with **Starts with Calls** (its Call Received row) and
  without, alternately, for the last month, the last 12 months and the 12 months sliced by manager
  (`measure_call_received`).

Each timing is the median of 5 runs after one warm-up. Result: benchmarks/results/call_outcomes.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

# `python benchmarks/<name>.py` puts only benchmarks/ on sys.path: add the repository root too, for devkit
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from common import (
	machine,
	peak_rss_mib,
	prepare_server,
	timed,
	write_result,
)

from devkit.demo.generator import DemoSpec
from devkit.demo.loader import create_database, load_company
from devkit.mariadb import ConnectionSettings, MariaDB
from devkit.schema.ddl import (
	APP_INDEXES,
	column_definition,
	columns_of,
	create_schema,
	create_table_sql,
	named_index,
	site_doctypes,
)
from sales_funnel.engine.calls.filters import CallFilters
from sales_funnel.engine.calls.from_call import backfill_from_call
from sales_funnel.engine.calls.query import call_counts
from sales_funnel.engine.calls.report import call_outcome_report
from sales_funnel.engine.calls.rollup import DAYS, FUNNEL_ROLLUP, ROLLUP, mark_changed, seal_day, seal_days
from sales_funnel.engine.conversion.call_received import CALL_RECEIVED, call_rows
from sales_funnel.engine.conversion.filters import ConversionFilters
from sales_funnel.engine.conversion.query import StageQuery, existing_indexes
from sales_funnel.engine.conversion.report import stage_conversion
from sales_funnel.engine.conversion.stages import WHOLE
from sales_funnel.engine.funnels.call_funnel import backfill_call_funnels
from sales_funnel.engine.funnels.stages import load_funnel
from sales_funnel.engine.scope import DealScope

DATABASE = "sf_bench_calls"
NOW = DemoSpec.now
FALLBACK_DEALS = 200_000


def _columns(db: MariaDB, database: str, table: str) -> list[str]:
	rows = db.sql(
		"""SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s
		ORDER BY ordinal_position""",
		(database, table),
	)
	return [r[0] for r in rows]


def _copy(db: MariaDB, source: str, table: str, where: str = "") -> int:
	"""Copy the columns both databases have (source and target are the bench's own database names)."""
	target_columns = set(_columns(db, DATABASE, table))
	columns = [c for c in _columns(db, source, table) if c in target_columns]
	names = ", ".join(f"`{c}`" for c in columns)
	db.sql(f"INSERT INTO `{DATABASE}`.`{table}` ({names}) SELECT {names} FROM `{source}`.`{table}` {where}")
	return db.sql(f"SELECT COUNT(*) FROM `{DATABASE}`.`{table}`")[0][0]


def _amplify(db: MariaDB, target_calls: int) -> int:
	"""Copies of the original Call Logs (and of their links) with new names until there are `target_calls`."""
	calls = _columns(db, DATABASE, "tabCall Log")
	links = _columns(db, DATABASE, "tabDynamic Link")
	original = db.sql("SELECT COUNT(*) FROM `tabCall Log`")[0][0]
	total, copy = original, 1
	while total < target_calls:
		suffix = f"-c{copy}"
		take = min(original, target_calls - total)
		renamed = {"name": f"CONCAT(name, '{suffix}')", "id": f"CONCAT(name, '{suffix}')"}
		select = ", ".join(renamed.get(c, f"`{c}`") for c in calls)
		started = time.perf_counter()
		db.sql(
			f"""INSERT INTO `tabCall Log` ({", ".join(f"`{c}`" for c in calls)})
			SELECT {select} FROM `tabCall Log` WHERE name NOT LIKE '%-c%' ORDER BY name LIMIT {int(take)}"""
		)
		last = db.sql(
			f"SELECT MAX(name) FROM (SELECT name FROM `tabCall Log` WHERE name NOT LIKE '%-c%' "
			f"ORDER BY name LIMIT {int(take)}) t"
		)[0][0]
		renamed_link = {"name": f"CONCAT(name, '{suffix}')", "parent": f"CONCAT(parent, '{suffix}')"}
		select_link = ", ".join(renamed_link.get(c, f"`{c}`") for c in links)
		db.sql(
			f"""INSERT INTO `tabDynamic Link` ({", ".join(f"`{c}`" for c in links)})
			SELECT {select_link} FROM `tabDynamic Link`
			WHERE parenttype = 'Call Log' AND parent NOT LIKE '%%-c%%' AND parent <= %s""",
			(last,),
		)
		total += take
		print(f"  copy {copy}: +{take:,} calls in {time.perf_counter() - started:.0f} s", flush=True)
		copy += 1
	return total


def ensure_columns(settings: ConnectionSettings) -> list[str]:
	"""Columns the app added to Call Log since the database was built (e.g. `sf_funnel`), as Frappe adds a
	custom field's column; `prepare_jobs` fills them as the install hook does."""
	meta = site_doctypes()["Call Log"]
	added = []
	with MariaDB(settings.with_database(DATABASE), autocommit=True) as db:
		present = set(_columns(db, DATABASE, "tabCall Log"))
		for field in meta.get("fields", []):
			definition = column_definition(field)
			if definition and field["fieldname"] not in present:
				db.sql(f"ALTER TABLE `tabCall Log` ADD COLUMN `{field['fieldname']}` {definition}")
				added.append(f"Call Log.{field['fieldname']}")
	return added


def ensure_indexes(settings: ConnectionSettings) -> list[str]:
	"""The app's indexes (`APP_INDEXES`) on the tables the report reads, as `install.add_app_indexes` adds them
	on a bench; a database built before an index was added gets it here."""
	added = []
	with MariaDB(settings.with_database(DATABASE), autocommit=True) as db:
		for doctype in (
			"Call Log",
			"Dynamic Link",
			"Opportunity",
			"Funnel Stage Transition",
			ROLLUP,
			FUNNEL_ROLLUP,
		):
			for index in APP_INDEXES.get(doctype, []):
				name, columns = named_index(index)
				exists = db.sql(
					"""SELECT 1 FROM information_schema.statistics WHERE table_schema = %s AND table_name = %s
					AND index_name = %s LIMIT 1""",
					(DATABASE, f"tab{doctype}", name),
				)
				if not exists:
					started = time.perf_counter()
					cols = ", ".join(f"`{c}`" for c in columns)
					db.sql(f"ALTER TABLE `tab{doctype}` ADD INDEX `{name}` ({cols})")
					added.append(f"{doctype}.{name} ({time.perf_counter() - started:.0f} s)")
					print(f"  index {added[-1]}", flush=True)
	return added


def build(settings: ConnectionSettings, source: str, calls: int) -> dict:
	started = time.perf_counter()
	with MariaDB(settings.with_database(None), autocommit=True) as server:
		has_source = bool(server.sql("SHOW DATABASES LIKE %s", (source,)))
	if not has_source:
		print(f"{source} is missing: loading a {FALLBACK_DEALS:,}-deal company into {DATABASE}", flush=True)
		load_company(settings, DATABASE, DemoSpec(deals=FALLBACK_DEALS))
		source = DATABASE
	else:
		create_database(settings, DATABASE)
		with MariaDB(settings.with_database(DATABASE), autocommit=True) as db:
			create_schema(db)
	with MariaDB(settings.with_database(DATABASE), autocommit=True) as db:
		if source != DATABASE:
			for table, where in [
				("tabCall Outcome", ""),
				("tabSales Funnel", ""),
				("tabSales Funnel Stage", ""),
				("tabCall Log", ""),
				("tabDynamic Link", "WHERE parenttype = 'Call Log'"),
				("tabOpportunity", ""),
				("tabFunnel Stage Transition", "WHERE is_latest = 1"),
				("tabEmployee", ""),
			]:
				rows = _copy(db, source, table, where)
				print(f"  {table}: {rows:,} rows copied", flush=True)
		total = _amplify(db, calls)
		db.sql("ANALYZE TABLE `tabCall Log`, `tabDynamic Link`")
	return {"source": source, "calls": total, "build_seconds": round(time.perf_counter() - started)}


def refresh_rollup_tables(settings: ConnectionSettings, force: bool = False) -> list[str]:
	"""A kept database whose rollup tables predate a change of their doctype (or `force`) gets both afresh: the
	days sealed and the rows they cover go together, so one is never renewed without the other (they hold only
	derived counts; `prepare_jobs` seals the days again)."""
	metas = site_doctypes()
	with MariaDB(settings.with_database(DATABASE), autocommit=True) as db:
		changed = force or any(
			_columns(db, DATABASE, f"tab{doctype}") != columns_of(metas[doctype])
			for doctype in (ROLLUP, FUNNEL_ROLLUP, DAYS)
		)
		if not changed:
			return []
		for doctype in (ROLLUP, FUNNEL_ROLLUP, DAYS):
			db.sql(f"DROP TABLE IF EXISTS `tab{doctype}`")
			db.sql(create_table_sql(doctype, metas[doctype]))
	return [ROLLUP, FUNNEL_ROLLUP, DAYS]


def prepare_jobs(settings: ConnectionSettings) -> dict:
	"""What the app's install hook and hourly job leave behind: deals from calls flagged, past days sealed."""
	with MariaDB(settings.with_database(DATABASE), autocommit=True) as db:
		started = time.perf_counter()
		flagged = backfill_from_call(db)
		flag_seconds = time.perf_counter() - started
		started = time.perf_counter()
		call_funnels = backfill_call_funnels(db)
		call_funnel_seconds = time.perf_counter() - started
		started = time.perf_counter()
		sealed = seal_days(db, NOW, limit=None)
		seal_seconds = time.perf_counter() - started
		db.sql(f"ANALYZE TABLE `tab{ROLLUP}`, `tabOpportunity`, `tabCall Log`")
		print(
			f"  {flagged:,} deal flags changed, {len(sealed):,} days sealed in {seal_seconds:.0f} s",
			flush=True,
		)
		return {
			"from_call_flags_changed": flagged,
			"from_call_backfill_s": round(flag_seconds, 1),
			"call_funnels_changed": call_funnels,
			"call_funnel_backfill_s": round(call_funnel_seconds, 1),
			"days_sealed_now": len(sealed),
			"sealing_s": round(seal_seconds, 1),
			"rollup_rows": db.sql(f"SELECT COUNT(*) FROM `tab{ROLLUP}`")[0][0],
			"funnel_rollup_rows": db.sql(f"SELECT COUNT(*) FROM `tab{FUNNEL_ROLLUP}`")[0][0],
		}


class Recording:
	"""A db that keeps every statement it ran, to EXPLAIN the report's queries."""

	def __init__(self, inner: MariaDB):
		self.inner, self.queries = inner, []

	def sql(self, query, values=None, as_dict=False):
		self.queries.append((query, values))
		return self.inner.sql(query, values, as_dict=as_dict)


def measure_call_received(db: MariaDB, end) -> dict:
	"""The Stage Conversion report (cohort) of the company's default funnel for the last month and the last 12
	months, with **Starts with Calls** (a Call Received row first) and without, timed alternately in the same run;
	the box is set on the funnel for the runs with it and put back after."""
	funnel, was = db.sql(
		"SELECT name, starts_with_calls FROM `tabSales Funnel` WHERE is_default = 1 ORDER BY name LIMIT 1"
	)[0]
	shapes = {
		"last_month": ConversionFilters(end - timedelta(days=30), end, funnel=funnel),
		"last_12_months": ConversionFilters(end - timedelta(days=364), end, funnel=funnel),
		"last_12_months_by_manager": ConversionFilters(
			end - timedelta(days=364), end, funnel=funnel, slice_by="manager"
		),
	}

	def box(on: int) -> None:
		db.sql("UPDATE `tabSales Funnel` SET starts_with_calls = %s WHERE name = %s", (on, funnel))
		db.commit()

	out: dict = {"funnel": funnel, "shapes": {}}
	try:
		for name, filters in shapes.items():
			box(1)
			with_box = timed(lambda f=filters: stage_conversion(db, f, NOW))
			result = stage_conversion(db, filters, NOW)
			row = result.stages[(result.stages["slice"] == WHOLE) & (result.stages["stage"] == CALL_RECEIVED)]
			box(0)
			without_box = timed(lambda f=filters: stage_conversion(db, f, NOW))
			out["shapes"][name] = {
				"from_date": filters.from_date,
				"to_date": filters.to_date,
				"slice_by": filters.slice_by,
				"with_calls": with_box,
				"without_calls": without_box,
				"ratio": round(with_box["median_s"] / without_box["median_s"], 2),
				"call_received": {k: int(row.iloc[0][k]) for k in ("entered", "moved_on", "lost")},
			}
		# the row from the rollup (sealed days) equals the row read from the Call Logs alone, over the year
		box(1)
		year = shapes["last_12_months_by_manager"]
		query = StageQuery(load_funnel(db, funnel), year, DealScope(), NOW, existing_indexes(db))
		started = time.perf_counter()
		raw = call_rows(query, db, use_rollup=False)
		raw_seconds = time.perf_counter() - started
		rolled = call_rows(query, db)

		def norm(frame):  # a call without an employee: '' in the rollup, NULL in the Call Logs
			frame = frame.assign(slice=frame["slice"].fillna("").astype(str))
			frame[["period", "calls", "moved_on"]] = frame[["period", "calls", "moved_on"]].astype(int)
			return frame.sort_values(["period", "slice"]).reset_index(drop=True)

		out["year_by_manager_rollup_equals_call_logs"] = bool(norm(rolled).equals(norm(raw)))
		out["year_by_manager_calls_counted"] = int(raw["calls"].sum())
		out["year_by_manager_call_rows_from_call_logs_alone_s"] = round(raw_seconds, 2)
	finally:
		box(int(was or 0))
	return out


def measure(database: str) -> dict:
	settings = ConnectionSettings.from_env().with_database(database)
	with MariaDB(settings) as db:
		first, last = db.sql("SELECT MIN(start_time), MAX(start_time) FROM `tabCall Log`")[0]
		manager = db.sql(
			"""SELECT employee_user_id FROM `tabCall Log` GROUP BY employee_user_id
			ORDER BY COUNT(*) DESC LIMIT 1"""
		)[0][0]
		counts = {
			"call_logs": db.sql("SELECT COUNT(*) FROM `tabCall Log`")[0][0],
			"call_links": db.sql("SELECT COUNT(*) FROM `tabDynamic Link` WHERE parenttype = 'Call Log'")[0][
				0
			],
			"first_call": first,
			"last_call": last,
		}
		end = last.date()
		shapes = {
			"all_calls_by_month": CallFilters(first.date(), end, period="month"),
			"last_month_by_day": CallFilters(end - timedelta(days=30), end, period="day"),
			"one_manager_year_by_week": CallFilters(
				end - timedelta(days=364), end, period="week", manager=manager
			),
		}
		engine = {name: timed(lambda f=f: call_outcome_report(db, f, NOW)) for name, f in shapes.items()}
		bare = timed(lambda: db.sql("SELECT status, COUNT(*) FROM `tabCall Log` GROUP BY status"))
		whole = call_outcome_report(db, shapes["all_calls_by_month"], NOW).total
		plans = {}
		for name, f in shapes.items():
			recording = Recording(db)
			call_outcome_report(recording, f, NOW)
			for number, (query, values) in enumerate(recording.queries):
				if "GROUP BY" in query:
					plans[f"{name}:{number}"] = {
						"query": " ".join(query.split())[:300],
						"explain": [list(r) for r in db.sql("EXPLAIN " + query, values)],
					}
		started = time.perf_counter()
		raw = call_counts(db, shapes["all_calls_by_month"], use_rollup=False)
		raw_seconds = time.perf_counter() - started
		rolled = call_counts(db, shapes["all_calls_by_month"])
		keys = ["manager", "period"]
		same = (
			rolled.sort_values(keys)
			.reset_index(drop=True)
			.equals(raw.sort_values(keys).reset_index(drop=True))
		)
		sealed = db.sql("SELECT COUNT(*), MAX(day) FROM `tabCall Rollup Day` WHERE sealed = 1")[0]
		live_calls = db.sql(
			"SELECT COUNT(*) FROM `tabCall Log` WHERE start_time >= %s", (sealed[1] + timedelta(days=1),)
		)[0][0]
		day = end - timedelta(days=40)
		started = time.perf_counter()
		mark_changed(db, [day], NOW)
		db.commit()
		unseal_seconds = time.perf_counter() - started
		started = time.perf_counter()
		resealed = seal_day(db, day, NOW)
		db.commit()
		reseal_seconds = time.perf_counter() - started
		stage_conversion_with_calls = measure_call_received(db, end)
		rollup = {
			"sealed_days": sealed[0],
			"last_sealed_day": sealed[1],
			"rollup_rows": db.sql(f"SELECT COUNT(*) FROM `tab{ROLLUP}`")[0][0],
			"live_calls_read_from_call_log": live_calls,
			"whole_history_from_call_logs_alone_s": round(raw_seconds, 2),
			"rollup_counts_equal_call_log_counts": bool(same),
			"unseal_one_day_s": round(unseal_seconds, 4),
			"reseal_one_day_s": round(reseal_seconds, 3),
			"resealed": resealed.sealed,
		}
	return {
		**counts,
		"report_totals_all_calls": {
			k: whole[k] for k in ("calls", "with_outcome", "negotiations", "deals", "won")
		},
		"engine": engine,
		"bare_full_scan_group_by": bare,
		"engine_to_bare_ratio": {k: round(v["median_s"] / bare["median_s"], 2) for k, v in engine.items()},
		"rollup": rollup,
		"stage_conversion_with_calls": stage_conversion_with_calls,
		"query_plans": plans,
		"peak_rss_mib": peak_rss_mib(),
	}


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--calls", type=int, default=5_000_000)
	parser.add_argument("--source", default="sf_bench_1000000")
	parser.add_argument("--reuse", action="store_true", help="keep sf_bench_calls when it has the calls")
	parser.add_argument(
		"--reseal", action="store_true", help="rebuild the rollup tables and seal every day again"
	)
	parser.add_argument("--measure", help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.measure:
		print(json.dumps(measure(args.measure), default=str))
		return
	settings = ConnectionSettings.from_env()
	server = prepare_server(settings)
	built = None
	if args.reuse:
		try:
			with MariaDB(settings.with_database(DATABASE)) as db:
				if db.sql("SELECT COUNT(*) FROM `tabCall Log`")[0][0] >= args.calls:
					built = {"reused": True}
		except Exception:
			built = None
	if built is None:
		built = build(settings, args.source, args.calls)
		print(f"built {DATABASE}: {built}", flush=True)
	built["rollup_tables_renewed"] = refresh_rollup_tables(settings, force=args.reseal)
	built["columns_added"] = ensure_columns(settings)
	built["indexes_added"] = ensure_indexes(settings)
	built["jobs"] = prepare_jobs(settings)
	out = subprocess.run(
		[sys.executable, __file__, "--measure", DATABASE], capture_output=True, text=True, check=True
	).stdout
	run = json.loads(out.strip().splitlines()[-1])
	print(
		f"{run['call_logs']:,} calls: engine {json.dumps({k: v['median_s'] for k, v in run['engine'].items()})}, "
		f"bare scan {run['bare_full_scan_group_by']['median_s']} s, ratio {run['engine_to_bare_ratio']}",
		flush=True,
	)
	payload = {
		"what": "Call Outcomes engine call vs a bare full-scan GROUP BY over the call logs, same run; past days "
		"from the sealed daily rollup, the last two days and deals from the live tables",
		"target": "engine <= 2 s and <= 2x the bare scan",
		"now": NOW,
		"database": DATABASE,
		"built": built,
		"machine": machine(),
		"server": server,
		"run": run,
	}
	path = write_result("call_outcomes", payload)
	print(f"written {path}  ({datetime.now():%H:%M:%S})")


if __name__ == "__main__":
	main()
