"""Install / migrate / uninstall check of the app on a real bench site (run by `scripts/bench.sh tests`).

Run with the bench's Python from the bench's `sites` folder:  python lifecycle.py STEP SITE
  seed               ERPNext data made before the app exists: won and paid deals (Opportunity -> Quotation ->
                     Sales Order -> Sales Invoice -> Payment Entry), an unpaid invoice, open deals moved between
                     stages (so their Versions hold a history), a lost deal and calls
  installed          after `install-app`: the custom fields and their columns, the app's indexes, the credit
                     ledger equal to a rebuild, no Error Log from the installation; then a funnel is set up and
                     `sf-backfill-history` must give the seeded deals a history (checked in `backfilled`)
  backfilled         every seeded deal has exactly one latest history row
  previous-layout    the Scheduled Job Types a site of an earlier release has (scheduler entries since renamed), so
                     the migrate that follows must remove them (checked in `fingerprint`)
  fingerprint FILE   the app's schema and data, written to FILE (two migrates in a row must leave it unchanged); no
                     Scheduled Job Type of the app may name a method hooks.py no longer schedules
  uninstalled        after `uninstall-app`: no custom field, doctype, table, report, workspace or scheduled job of
                     the app; prints what stays behind in ERPNext's tables
Every failed check prints one line `lifecycle: FAIL …` and exits 1.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import frappe

APP = "sales_funnel"
MODULE = "Sales Funnel"
SEED_TAG = "sf-lifecycle"
FUNNEL_STAGES = ("Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review")


def fail(message: str) -> None:
	print(f"lifecycle: FAIL {message}")
	sys.exit(1)


def ok(message: str) -> None:
	print(f"lifecycle: ok {message}")


def seed() -> None:
	from sales_funnel.tests import erpnext_docs as docs

	if APP in frappe.get_installed_apps():
		fail("the app is already installed: seed a site that predates it")
	company = docs.company()
	for _ in range(2):
		docs.deal_chain(company, paid=True, title=SEED_TAG)
	docs.deal_chain(company, paid=False, title=SEED_TAG)
	stages = [docs.sales_stage(stage) for stage in FUNNEL_STAGES]
	for moves in (stages[:2], stages[:3], stages[1:2]):
		deal = docs.opportunity(company, title=SEED_TAG, sales_stage=moves[0])
		for stage in moves[1:]:
			deal.reload()
			deal.sales_stage = stage
			deal.save(ignore_permissions=True)
	lost = docs.opportunity(company, title=SEED_TAG, sales_stage=stages[0])
	reason = docs.named("Opportunity Lost Reason", "lost_reason", "SF Lifecycle Too Expensive")
	lost.reload()
	lost.set_status(update=True, status="Lost")
	lost.append("lost_reasons", {"lost_reason": reason})
	lost.save(ignore_permissions=True)
	lead = docs.lead(company)
	for _ in range(3):
		docs.call_log("Administrator", links=[("Lead", lead.name)])
	frappe.db.commit()
	counts = {dt: frappe.db.count(dt) for dt in ("Opportunity", "Sales Invoice", "Payment Entry", "Call Log")}
	ok(f"seeded {counts}")


def seeded_deals() -> list[str]:
	return frappe.get_all("Opportunity", filters={"title": SEED_TAG}, pluck="name")


def installed() -> None:
	from frappe.model import no_value_fields

	from sales_funnel.engine.indexes import APP_INDEXES, named_index
	from sales_funnel.engine.sales.credit_ledger import rebuild_credits

	fixtures = json.loads(Path(frappe.get_app_path(APP, "fixtures", "custom_field.json")).read_text())
	for field in fixtures:
		if not frappe.db.exists("Custom Field", field["name"]):
			fail(f"custom field {field['name']} missing after install")
		if field["fieldtype"] not in no_value_fields and not frappe.db.has_column(
			field["dt"], field["fieldname"]
		):
			fail(f"column {field['dt']}.{field['fieldname']} missing after install")
	ok(f"{len(fixtures)} custom fields and their columns")
	for doctype, indexes in APP_INDEXES.items():
		for index in indexes:
			index_name, _columns = named_index(index)
			if not frappe.db.sql(f"SHOW INDEX FROM `tab{doctype}` WHERE Key_name = %s", index_name):
				fail(f"index {index_name} on {doctype} missing after install")
	ok(f"{sum(len(i) for i in APP_INDEXES.values())} indexes")
	if frappe.db.count("Sales Invoice", {"docstatus": 1}) and not frappe.db.count("Sales Credit Entry"):
		fail("the credit ledger was not built on install")
	before = ledger_rows()
	rebuild_credits(frappe.db, now=frappe.utils.now_datetime(), user="Administrator")
	if ledger_rows() != before:
		fail("the credit ledger built on install differs from a rebuild")
	frappe.db.rollback()
	ok(f"credit ledger: {len(before)} rows, equal to a rebuild")
	errors = frappe.get_all("Error Log", filters={"method": ("like", "%Sales Funnel%")}, pluck="method")
	if errors:
		fail(f"the installation logged errors: {errors}")
	make_funnel()
	frappe.db.commit()
	ok("funnel set up for the backfill")


def ledger_rows() -> list[tuple]:
	return sorted(
		frappe.db.sql(
			"""SELECT voucher_type, voucher_no, invoice, company, posting_date, IFNULL(sales_person, ''),
				credited_via, credit_share, invoiced_revenue, gross_margin, payments_received
			FROM `tabSales Credit Entry`"""
		)
	)


def make_funnel() -> None:
	from sales_funnel.tests import erpnext_docs as docs

	company = docs.company()
	won, lost = docs.sales_stage("SF Lifecycle Won"), docs.sales_stage("SF Lifecycle Lost")
	stages = [
		{"stage": docs.sales_stage(s), "kind": "Open", "probability": 10 * (i + 1)}
		for i, s in enumerate(FUNNEL_STAGES)
	]
	frappe.get_doc(
		{
			"doctype": "Sales Funnel",
			"title": "SF Lifecycle Funnel",
			"company": company,
			"enabled": 1,
			"is_default": 1,
			"stages": [
				*stages,
				{"stage": won, "kind": "Won", "probability": 100},
				{"stage": lost, "kind": "Lost"},
			],
		}
	).insert(ignore_permissions=True)


def backfilled() -> None:
	deals = seeded_deals()
	latest = dict(
		frappe.db.sql(
			"""SELECT deal, SUM(is_latest) FROM `tabFunnel Stage Transition`
			WHERE deal_doctype = 'Opportunity' AND deal IN %(deals)s GROUP BY deal""",
			{"deals": deals},
		)
	)
	missing = [deal for deal in deals if deal not in latest]
	if missing:
		fail(f"deals without history after sf-backfill-history: {missing}")
	forked = {deal: int(n) for deal, n in latest.items() if int(n) != 1}
	if forked:
		fail(f"deals with other than one latest history row: {forked}")
	ok(f"history for all {len(deals)} seeded deals")


# scheduler entries of earlier releases (method -> frequency), renamed since
PREVIOUS_ENTRIES = {
	f"{APP}.tasks.hourly": "Hourly Long",
	f"{APP}.tasks.daily": "Daily",
	f"{APP}.events.documents.apply_pending_moves": "Hourly Long",
}


def previous_layout() -> None:
	for method, frequency in PREVIOUS_ENTRIES.items():
		if not frappe.db.exists("Scheduled Job Type", {"method": method}):
			frappe.get_doc(
				{"doctype": "Scheduled Job Type", "method": method, "frequency": frequency}
			).insert(ignore_permissions=True)
	frappe.db.commit()
	ok(f"{len(PREVIOUS_ENTRIES)} Scheduled Job Types of renamed entries, as an upgraded site has them")


def no_stale_jobs() -> None:
	scheduled = {
		entry
		for events in frappe.get_hooks("scheduler_events", app_name=APP).values()
		for entry in (events if isinstance(events, list) else [e for es in events.values() for e in es])
	}
	jobs = frappe.get_all("Scheduled Job Type", filters={"method": ("like", f"{APP}.%")}, pluck="method")
	stale = sorted(set(jobs) - scheduled)
	if stale:
		fail(f"Scheduled Job Types of methods hooks.py no longer schedules, after migrate: {stale}")
	if set(jobs) != scheduled:
		fail(f"scheduler entries without a Scheduled Job Type after migrate: {sorted(scheduled - set(jobs))}")
	ok(f"{len(jobs)} Scheduled Job Types, one per scheduler entry, none stale")


def fingerprint(path: str) -> None:
	"""Schema of the app's tables and of the sf_ columns, the app's index definitions, and the app's records
	(custom fields, doctypes, reports, workspaces, scheduled jobs) with their `modified`, plus each app table's
	row count and checksum."""
	no_stale_jobs()
	tables = [
		f"tab{name}"
		for name in frappe.get_all("DocType", filters={"module": MODULE, "issingle": 0}, pluck="name")
	]
	columns = frappe.db.sql(
		"""SELECT table_name, column_name, column_type, is_nullable, column_default FROM information_schema.columns
		WHERE table_schema = DATABASE() AND (table_name IN %(tables)s OR column_name LIKE 'sf\\_%%')
		ORDER BY table_name, column_name""",
		{"tables": tables},
	)
	indexes = frappe.db.sql(
		"""SELECT table_name, index_name, seq_in_index, column_name FROM information_schema.statistics
		WHERE table_schema = DATABASE() AND (table_name IN %(tables)s OR index_name LIKE 'sf\\_%%')
		ORDER BY table_name, index_name, seq_in_index""",
		{"tables": tables},
	)
	records = {
		doctype: frappe.get_all(doctype, filters=filters, fields=["name", "modified"], order_by="name")
		for doctype, filters in (
			("DocType", {"module": MODULE}),
			("Report", {"module": MODULE}),
			("Workspace", {"module": MODULE}),
			("Scheduled Job Type", {"method": ("like", f"{APP}.%")}),
			("Property Setter", {"module": MODULE}),
		)
	}
	# Frappe imports fixtures again on every migrate (frappe/modules/import_file.py import_doc deletes and inserts
	# each record), so a custom field's timestamps change while its definition stays: compare the definition.
	records["Custom Field"] = [
		{key: value for key, value in field.items() if key not in ("creation", "modified")}
		for field in frappe.get_all("Custom Field", filters={"module": MODULE}, fields=["*"], order_by="name")
	]
	data = {table: frappe.db.sql(f"CHECKSUM TABLE `{table}`")[0][1] for table in tables}
	counts = {table: frappe.db.sql(f"SELECT COUNT(*) FROM `{table}`")[0][0] for table in tables}
	state = {"columns": columns, "indexes": indexes, "records": records, "checksums": data, "counts": counts}
	text = json.dumps(state, default=str, sort_keys=True, indent=1)
	Path(path).write_text(text)
	ok(f"fingerprint {hashlib.sha1(text.encode()).hexdigest()[:12]} ({len(tables)} tables) -> {path}")


def uninstalled() -> None:
	if APP in frappe.get_installed_apps():
		fail("the app is still installed")
	left = {
		"Custom Field": frappe.get_all(
			"Custom Field", filters={"fieldname": ("like", "sf\\_%")}, pluck="name"
		),
		"DocType": frappe.get_all("DocType", filters={"module": MODULE}, pluck="name"),
		"Report": frappe.get_all("Report", filters={"module": MODULE}, pluck="name"),
		"Workspace": frappe.get_all("Workspace", filters={"module": MODULE}, pluck="name"),
		"Scheduled Job Type": frappe.get_all(
			"Scheduled Job Type", filters={"method": ("like", f"{APP}.%")}, pluck="name"
		),
		"Module Def": frappe.get_all("Module Def", filters={"app_name": APP}, pluck="name"),
	}
	for doctype, names in left.items():
		if names:
			fail(f"{doctype} left after uninstall: {names}")
	tables = frappe.db.sql(
		"""SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN
		('tabSales Funnel', 'tabFunnel Stage Transition', 'tabSales Credit Entry', 'tabCall Rollup')"""
	)
	if tables:
		fail(f"app tables left after uninstall: {tables}")
	from frappe.utils.background_jobs import get_jobs

	jobs = [
		job
		for job in (get_jobs(frappe.local.site, key="method").get(frappe.local.site) or [])
		if APP in str(job)
	]
	if jobs:
		fail(f"background jobs of the app still queued: {jobs}")
	columns = frappe.db.sql(
		"""SELECT CONCAT(table_name, '.', column_name) FROM information_schema.columns
		WHERE table_schema = DATABASE() AND column_name LIKE 'sf\\_%%' ORDER BY 1"""
	)
	ok(
		f"nothing of the app left but these ERPNext columns (Frappe keeps a deleted custom field's column): {[c[0] for c in columns]}"
	)


def main() -> None:
	step, site = sys.argv[1], sys.argv[2]
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		if step == "fingerprint":
			fingerprint(sys.argv[3])
		else:
			{
				"seed": seed,
				"installed": installed,
				"backfilled": backfilled,
				"previous-layout": previous_layout,
				"uninstalled": uninstalled,
			}[step]()
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
