"""Plan vs Fact benchmark: 1,000,000 Sales Invoices with 3,000,000 items and 1,000,000 payments.

	python benchmarks/bench_plan_fact.py [--reuse [--keep-ledger]]

The demo generator makes about 0.25 invoices per deal, so the database `sf_bench_planfact` is built from a modest
demo company (DEMO_DEALS deals) whose invoices (with their items and Sales Team rows) and payments (with their
references) are copied K times with INSERT … SELECT under new names (`<name>#<copy>`), keeping every other value
(dates, amounts, currencies, splits, credit notes pointing at their copied originals). Items are then topped up to
3,000,000 with free-item lines (`is_free_item` 1, no amount, a buying cost) on sales invoices, and payments are
copied only as often as needed for 1,000,000. Secondary indexes are dropped for the copy and rebuilt after (with
the app's covering indexes, `APP_INDEXES`).

Then the credit ledger (Sales Credit Entry) is written from all documents with `credit_ledger.rebuild_credits`
(into an emptied table; its time is recorded: what installation costs on such a site).

In a fresh process, in the same run (median of 5 after a warm-up):
- the engine: `plan_vs_fact` (all eight metrics, and the three invoice/payment metrics alone) for the company and
  calendar year with the most invoices; revenue, margin and payments come from the ledger;
- the reference: a bare grouped scan of the invoice items,
  `SELECT item_group, SUM(base_net_amount) FROM tabSales Invoice Item GROUP BY item_group`;
- once, as a check: the same facts computed directly from the documents with the crediting SQL the ledger is
  written with; they must equal the ledger's;
- what a submit adds: `write_credits` of one invoice (with its payment) and of one payment (rolled back).

Result: benchmarks/results/plan_fact.json. Timings are recorded, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

# `python benchmarks/<name>.py` puts only benchmarks/ on sys.path: add the repository root too, for devkit
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from common import machine, peak_rss_mib, prepare_server, timed, write_result

from devkit.demo.generator import DemoSpec
from devkit.demo.loader import load_company
from devkit.mariadb import ConnectionSettings, MariaDB
from devkit.schema.ddl import add_indexes_sql, columns_of, create_table_sql, site_doctypes
from sales_funnel.engine.sales.credit_ledger import (
	LEDGER_DOCTYPE,
	credited_facts,
	rebuild_credits,
	write_credits,
)
from sales_funnel.engine.sales.crediting import invoice_credit_rows, payment_credit_rows
from sales_funnel.engine.sales.planfact import plan_fact_filters, plan_vs_fact

DATABASE = "sf_bench_planfact"
DEMO_DEALS = 40_000
INVOICES, ITEMS, PAYMENTS = 1_000_000, 3_000_000, 1_000_000
NOW = DemoSpec.now

# table -> (rows to copy, columns renamed with the copy's suffix)
COPIED = {
	"Sales Invoice": ("TRUE", ("name", "return_against")),
	"Sales Invoice Item": ("TRUE", ("name", "parent")),
	"Sales Team": ("t.parenttype = 'Sales Invoice'", ("name", "parent")),
}
PAYMENT_TABLES = {
	"Payment Entry": ("TRUE", ("name",)),
	"Payment Entry Reference": ("TRUE", ("name", "parent", "reference_name")),
}


def _count(db: MariaDB, table: str) -> int:
	return int(db.sql(f"SELECT COUNT(*) FROM `tab{table}`")[0][0])


def _drop_secondary_indexes(db: MariaDB, table: str) -> None:
	names = {row[2] for row in db.sql(f"SHOW INDEX FROM `tab{table}`") if row[2] != "PRIMARY"}
	if names:
		db.sql(f"ALTER TABLE `tab{table}` " + ", ".join(f"DROP INDEX `{n}`" for n in sorted(names)))


def _copy(db: MariaDB, table: str, where: str, renamed: tuple[str, ...], copies: int, meta: dict) -> None:
	"""Insert `copies` copies of the table's original rows (names without '#') under new names."""
	if copies < 1:
		return
	columns = columns_of(meta)
	select = [
		f"IF(t.`{c}` IS NULL OR t.`{c}` = '', t.`{c}`, CONCAT(t.`{c}`, '#', s.seq))"
		if c in renamed
		else f"t.`{c}`"
		for c in columns
	]
	db.sql(
		f"""INSERT INTO `tab{table}` ({", ".join(f"`{c}`" for c in columns)})
		SELECT {", ".join(select)} FROM `tab{table}` t JOIN seq_1_to_{copies} s
		WHERE {where} AND t.name NOT LIKE '%#%'"""
	)


def build(
	settings: ConnectionSettings,
	database: str = DATABASE,
	demo_deals: int = DEMO_DEALS,
	targets: tuple[int, int, int] = (INVOICES, ITEMS, PAYMENTS),
) -> dict:
	"""Load the demo company into `database` and copy its invoices and payments up to `targets`
	(invoices, items, payments)."""
	want_invoices, want_items, want_payments = targets
	started = time.perf_counter()
	report = load_company(settings, database, DemoSpec(deals=demo_deals))
	loaded = time.perf_counter() - started
	metas = site_doctypes()
	with MariaDB(settings.with_database(database), autocommit=True) as db:
		invoices = _count(db, "Sales Invoice")
		payments = _count(db, "Payment Entry")
		invoice_copies = math.ceil(want_invoices / invoices) - 1
		# one copy more than needed (trimmed after), but never a copy of invoices that does not exist
		payment_copies = min(invoice_copies, math.ceil(want_payments / payments))
		for table in (*COPIED, *PAYMENT_TABLES):
			_drop_secondary_indexes(db, table)
		for table, (where, renamed) in COPIED.items():
			_copy(db, table, where, renamed, invoice_copies, metas[table])
		for table, (where, renamed) in PAYMENT_TABLES.items():
			_copy(db, table, where, renamed, payment_copies, metas[table])
		# trim to the round figures: the copies with the highest suffixes go first
		extra = _count(db, "Sales Invoice") - want_invoices
		if extra > 0:
			db.sql(
				"""CREATE TEMPORARY TABLE drop_inv AS SELECT name FROM `tabSales Invoice`
				WHERE name LIKE %s AND is_return = 0 ORDER BY name DESC LIMIT %s""",
				(f"%#{invoice_copies}", extra),
			)
			db.sql("ALTER TABLE drop_inv ADD PRIMARY KEY (name)")
			# the payments of those invoices go too (joins on the temporary tables' keys: the big tables have no
			# secondary indexes during the copy)
			db.sql(
				"""CREATE TEMPORARY TABLE drop_inv_pe AS SELECT DISTINCT per.parent AS name
				FROM `tabPayment Entry Reference` per JOIN drop_inv d ON d.name = per.reference_name"""
			)
			db.sql("ALTER TABLE drop_inv_pe ADD PRIMARY KEY (name)")
			for table, column in (
				("Sales Invoice Item", "parent"),
				("Sales Team", "parent"),
				("Payment Entry Reference", "parent"),
				("Payment Entry", "name"),
			):
				source = "drop_inv_pe" if table.startswith("Payment") else "drop_inv"
				db.sql(f"DELETE t FROM `tab{table}` t JOIN {source} d ON d.name = t.`{column}`")
			db.sql("DELETE t FROM `tabSales Invoice` t JOIN drop_inv d ON d.name = t.name")
		extra = _count(db, "Payment Entry") - want_payments
		if extra > 0:
			db.sql(
				"""CREATE TEMPORARY TABLE drop_pe AS SELECT name FROM `tabPayment Entry`
				ORDER BY name DESC LIMIT %s""",
				(extra,),
			)
			db.sql("ALTER TABLE drop_pe ADD PRIMARY KEY (name)")
			db.sql("DELETE t FROM `tabPayment Entry Reference` t JOIN drop_pe d ON d.name = t.parent")
			db.sql("DELETE t FROM `tabPayment Entry` t JOIN drop_pe d ON d.name = t.name")
		missing = want_items - _count(db, "Sales Invoice Item")
		if missing > 0:
			# free-item lines: no amount, a buying cost (they lower the margin as free goods do)
			db.sql(
				"""INSERT INTO `tabSales Invoice Item` (name, parent, parenttype, parentfield, idx, docstatus,
					creation, modified, owner, item_code, item_name, item_group, qty, stock_qty, conversion_factor,
					is_free_item, incoming_rate, base_net_amount, net_amount)
				SELECT CONCAT(si.name, '#free', s.seq), si.name, 'Sales Invoice', 'items', 90 + s.seq, si.docstatus,
					si.creation, si.creation, si.owner, 'FREE-SAMPLE', 'FREE-SAMPLE', 'Samples', 1, 1, 1, 1, 2.5, 0, 0
				FROM `tabSales Invoice` si JOIN seq_1_to_3 s
				WHERE si.is_return = 0
				ORDER BY s.seq, si.name
				LIMIT %s""",
				(missing,),
			)
		indexing = time.perf_counter()
		for table in (*COPIED, *PAYMENT_TABLES):
			db.sql(add_indexes_sql(table, metas[table]))
		for table in (*COPIED, *PAYMENT_TABLES):
			db.sql(f"ANALYZE TABLE `tab{table}`")
		return {
			"demo_deals": demo_deals,
			"demo_load_s": round(loaded, 1),
			"demo_invoices": invoices,
			"demo_payments": payments,
			"invoice_copies": invoice_copies + 1,
			"payment_copies": payment_copies + 1,
			"index_build_s": round(time.perf_counter() - indexing, 1),
			"build_s": round(time.perf_counter() - started, 1),
			"demo_rows_loaded": report.rows if hasattr(report, "rows") else None,
		}


RESULT = Path(__file__).resolve().parent / "results" / "plan_fact.json"


def _ledger_rows(settings: ConnectionSettings) -> int | None:
	try:
		with MariaDB(settings.with_database(DATABASE)) as db:
			return _count(db, LEDGER_DOCTYPE)
	except Exception:
		return None


def _other_queries(settings: ConnectionSettings) -> list[str]:
	"""What else the server is doing as the measurement starts (the machine is shared): database and the query's
	first words, for every running query but this one."""
	with MariaDB(settings.with_database(None)) as db:
		return [
			f"{row[0]}: {' '.join(str(row[1]).split())[:60]}"
			for row in db.sql(
				"""SELECT db, info FROM information_schema.processlist
				WHERE command != 'Sleep' AND id != CONNECTION_ID() AND info IS NOT NULL"""
			)
		]


def build_ledger(settings: ConnectionSettings, database: str = DATABASE) -> dict:
	"""(Re)create the ledger table from the doctype JSON (the database may predate it) and write every row."""
	meta = site_doctypes()[LEDGER_DOCTYPE]
	with MariaDB(settings.with_database(database)) as db:
		db.sql(f"DROP TABLE IF EXISTS `tab{LEDGER_DOCTYPE}`")
		db.sql(create_table_sql(LEDGER_DOCTYPE, meta))
		started = time.perf_counter()
		rows = rebuild_credits(db, now=NOW)
		db.commit()
		seconds = time.perf_counter() - started
		db.sql(f"ANALYZE TABLE `tab{LEDGER_DOCTYPE}`")
	return {
		"ledger_rows": rows,
		"ledger_build_s": round(seconds, 1),
		"into": "an empty table with its indexes",
	}


def direct_facts_once(db: MariaDB, company: str, start: date, end: date) -> tuple[dict, float]:
	"""Revenue, margin and payments per Sales Person straight from the documents (the crediting SQL), one run."""
	scope = "{t}.company = %(company)s AND {t}.posting_date BETWEEN %(from_date)s AND %(to_date)s"
	values = {"company": company, "from_date": start, "to_date": end}
	started = time.perf_counter()
	facts: dict[str, list[float]] = {}
	for select in (invoice_credit_rows(scope), payment_credit_rows(scope)):
		for person, revenue, margin, paid in db.sql(
			f"""SELECT r.sales_person, SUM(r.invoiced_revenue), SUM(r.gross_margin), SUM(r.payments_received)
			FROM ({select}) r GROUP BY 1""",
			values,
		):
			total = facts.setdefault(person or "", [0.0, 0.0, 0.0])
			for i, value in enumerate((revenue, margin, paid)):
				total[i] += float(value or 0)
	return facts, time.perf_counter() - started


def measure(database: str) -> dict:
	settings = ConnectionSettings.from_env().with_database(database)
	with MariaDB(settings) as db:
		counts = {
			"invoices": _count(db, "Sales Invoice"),
			"invoice_items": _count(db, "Sales Invoice Item"),
			"payments": _count(db, "Payment Entry"),
			"payment_references": _count(db, "Payment Entry Reference"),
			"sales_team_rows": _count(db, "Sales Team"),
		}
		company, year, in_period = db.sql(
			"""SELECT company, YEAR(posting_date), COUNT(*) FROM `tabSales Invoice`
			GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1"""
		)[0]
		start = date(int(year), 1, 1)
		items_in_period = db.sql(
			"""SELECT COUNT(*) FROM `tabSales Invoice` si JOIN `tabSales Invoice Item` sii ON sii.parent = si.name
			WHERE si.company = %s AND si.posting_date BETWEEN %s AND %s""",
			(company, start, date(start.year, 12, 31)),
		)[0][0]
		payments_in_period = db.sql(
			"SELECT COUNT(*) FROM `tabPayment Entry` WHERE company = %s AND posting_date BETWEEN %s AND %s",
			(company, start, date(start.year, 12, 31)),
		)[0][0]
		every = plan_fact_filters(company=company, period_type="Year", period_start=start)
		money = plan_fact_filters(
			company=company,
			period_type="Year",
			period_start=start,
			metrics=["Invoiced Revenue", "Gross Margin", "Payments Received"],
		)
		engine = {
			"all_metrics": timed(lambda: plan_vs_fact(db, every, now=NOW)),
			"revenue_margin_payments": timed(lambda: plan_vs_fact(db, money, now=NOW)),
		}
		bare = timed(
			lambda: db.sql(
				"SELECT item_group, SUM(base_net_amount) FROM `tabSales Invoice Item` GROUP BY item_group"
			)
		)
		top = plan_vs_fact(db, money, now=NOW).rows[0]
		end = date(start.year, 12, 31)
		ledger_rows_in_period = db.sql(
			f"SELECT COUNT(*) FROM `tab{LEDGER_DOCTYPE}` WHERE company = %s AND posting_date BETWEEN %s AND %s",
			(company, start, end),
		)[0][0]
		explain = db.sql(
			f"""EXPLAIN SELECT IFNULL(sales_person, ''), SUM(invoiced_revenue), SUM(gross_margin),
				SUM(payments_received) FROM `tab{LEDGER_DOCTYPE}`
			WHERE company = %s AND posting_date BETWEEN %s AND %s GROUP BY sales_person""",
			(company, start, end),
			as_dict=True,
		)
		ledger = {
			(row["sales_person"] or ""): [
				row["invoiced_revenue"],
				row["gross_margin"],
				row["payments_received"],
			]
			for row in credited_facts(db, company, start, end)
		}
		direct, direct_s = direct_facts_once(db, company, start, end)
		# what a submit adds: rewriting one invoice's rows (with its payments') and one payment's, rolled back
		invoice, payment = db.sql(
			"""SELECT per.reference_name, per.parent FROM `tabPayment Entry Reference` per
			JOIN `tabSales Invoice` si ON si.name = per.reference_name AND si.docstatus = 1
			WHERE si.company = %s AND si.posting_date BETWEEN %s AND %s LIMIT 1""",
			(company, start, end),
		)[0]
		one_document = {
			"invoice_with_its_payment": timed(lambda: write_credits(db, invoices=[invoice], now=NOW)),
			"payment": timed(lambda: write_credits(db, payments=[payment], now=NOW)),
		}
		db.rollback()
		differences = [
			person
			for person in set(ledger) | set(direct)
			if any(
				abs(a - b) > 0.01
				for a, b in zip(ledger.get(person, [0.0] * 3), direct.get(person, [0.0] * 3), strict=True)
			)
		]
	return {
		**counts,
		"company": company,
		"period": [start, date(start.year, 12, 31)],
		"invoices_in_period": int(in_period),
		"invoice_items_in_period": int(items_in_period),
		"payments_in_period": int(payments_in_period),
		"company_facts": {k: top[k] for k in top if k.endswith("_fact")},
		"engine": engine,
		"bare_grouped_scan_of_invoice_items": bare,
		"engine_to_bare_ratio": {k: round(v["median_s"] / bare["median_s"], 2) for k, v in engine.items()},
		"ledger_rows_in_period": int(ledger_rows_in_period),
		"ledger_query_plan": [
			{k: row[k] for k in ("table", "type", "key", "rows", "Extra") if k in row} for row in explain
		],
		"write_one_document": one_document,
		"direct_from_documents_once": {
			"what": "the ledger's row SQL (crediting) over the period, aggregated per Sales Person: a check that the "
			"ledger holds what the documents give, not the report's former query (15.0 s in the previous result)",
			"seconds": round(direct_s, 2),
			"sales_people": len(direct),
			"differences_from_ledger": sorted(differences),
		},
		"peak_rss_mib": peak_rss_mib(),
	}


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--reuse", action="store_true", help="keep sf_bench_planfact when it is complete")
	parser.add_argument(
		"--keep-ledger",
		action="store_true",
		help="with --reuse: keep the credit ledger written by an earlier run (its build figures are carried over)",
	)
	parser.add_argument("--measure", help=argparse.SUPPRESS)
	parser.add_argument(
		"--trial", action="store_true", help="a small build into sf_bench_planfact_trial, no result"
	)
	args = parser.parse_args()
	if args.trial:
		settings = ConnectionSettings.from_env()
		print(build(settings, f"{DATABASE}_trial", 2_000, (5_000, 15_000, 5_000)))
		print(build_ledger(settings, f"{DATABASE}_trial"))
		print(json.dumps(measure(f"{DATABASE}_trial"), default=str)[:2000])
		return
	if args.measure:
		print(json.dumps(measure(args.measure), default=str))
		return
	settings = ConnectionSettings.from_env()
	server = prepare_server(settings)
	built = None
	if args.reuse:
		try:
			with MariaDB(settings.with_database(DATABASE)) as db:
				if _count(db, "Sales Invoice") == INVOICES:
					earlier = json.loads(RESULT.read_text()).get("build", {}) if RESULT.exists() else {}
					built = {**{k: v for k, v in earlier.items() if k != "ledger"}, "reused": True}
		except Exception:
			built = None
	if built is None:
		built = build(settings)
		print(f"built {DATABASE} in {built['build_s']} s", flush=True)
	previous = RESULT.exists() and json.loads(RESULT.read_text()).get("build", {}).get("ledger")
	if args.reuse and args.keep_ledger and previous and _ledger_rows(settings) == previous.get("ledger_rows"):
		built["ledger"] = {**previous, "reused": True}
	else:
		built["ledger"] = build_ledger(settings)
	print(f"credit ledger: {built['ledger']}", flush=True)
	conditions = {"load_average_before": os.getloadavg(), "other_queries_before": _other_queries(settings)}
	out = subprocess.run(
		[sys.executable, __file__, "--measure", DATABASE], capture_output=True, text=True, check=True
	).stdout
	run = json.loads(out.strip().splitlines()[-1])
	print(
		f"{run['invoices']:,} invoices, {run['invoice_items']:,} items, {run['payments']:,} payments: "
		f"engine {run['engine']['all_metrics']['median_s']} s, bare scan "
		f"{run['bare_grouped_scan_of_invoice_items']['median_s']} s",
		flush=True,
	)
	conditions["load_average_after"] = os.getloadavg()
	engine, bare = (
		run["engine"]["all_metrics"]["median_s"],
		run["bare_grouped_scan_of_invoice_items"]["median_s"],
	)
	assessment = {
		"target": "<= 3 s and within 2x of the bare grouped scan of the invoice items, same run",
		"engine_all_metrics_median_s": engine,
		"bare_scan_median_s": bare,
		"ratio": round(engine / bare, 2),
		"met": engine <= 3 and engine <= 2 * bare,
		"ledger_equals_direct_computation": not run["direct_from_documents_once"]["differences_from_ledger"],
	}
	path = write_result(
		"plan_fact",
		{
			"what": "Plan vs Fact engine call (one company, one year; revenue, margin and payments from the credit "
			"ledger) vs a bare grouped scan of all invoice items, same run",
			"now": NOW,
			"machine": machine(),
			"server": server,
			"build": built,
			"run": run,
			"conditions": conditions,
			"assessment": assessment,
		},
	)
	print(f"written {path}  ({datetime.now():%H:%M:%S})")


if __name__ == "__main__":
	main()
