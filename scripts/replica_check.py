"""The bench half of scripts/replica-check.sh: on a site whose site_config reads from a replica, every app report
run through `frappe.desk.query_report.run` must issue its SELECTs on the replica and none on the primary, and an
Opportunity saved in the same process must be written to the primary and arrive on the replica by replication.

    python scripts/replica_check.py SITE PRIMARY_PORT REPLICA_PORT CHECK_PASSWORD   (run from the bench's sites/)

Statements are counted with `SHOW GLOBAL STATUS LIKE 'Com_%'` on each instance (user sf_check, made by the
shell script) before and after each run. Each report runs in its own frappe.init / connect / destroy, as each
Desk request does: Frappe 15's `connect_replica` keeps `local.replica_db` after a read-only call and would not
switch a second time in the same request-local state (frappe/__init__.py, read_only / connect_replica).
Exit code 0 on PASS, 1 on FAIL.
"""

import sys
import time

import frappe
import pymysql
from frappe.utils import add_days, get_quarter_start, today

COUNTERS = ("Com_select", "Com_insert", "Com_update", "Com_delete")


def status(port: int, password: str) -> dict[str, int]:
	conn = pymysql.connect(host="127.0.0.1", port=port, user="sf_check", password=password)
	try:
		with conn.cursor() as cursor:
			cursor.execute("SHOW GLOBAL STATUS WHERE Variable_name IN %s", (COUNTERS,))
			return {name: int(value) for name, value in cursor.fetchall()}
	finally:
		conn.close()


def connect(site: str) -> None:
	frappe.init(site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")


def seed() -> dict:
	"""A funnel, a manager with converted deals, a reassignment rule: what the reports need to have rows."""
	from sales_funnel.tests import erpnext_docs
	from sales_funnel.tests import reassignment_fixtures as fixtures

	company = erpnext_docs.company()
	funnel = fixtures.make_funnel(company)
	manager = fixtures.manager("replica", "Sales Manager")
	fixtures.converted(company, funnel, manager, 4, 2)
	fixtures.deal(company, funnel, manager, days_in_stage=30)
	rule = fixtures.rule(funnel, [manager])
	frappe.db.commit()
	return {"company": company, "funnel": funnel, "rule": rule}


def report_runs(seeded: dict) -> list[tuple[str, dict]]:
	company, funnel, rule = seeded["company"], seeded["funnel"], seeded["rule"]
	month = {"from_date": add_days(today(), -30), "to_date": today()}
	conversion = {"company": company, "funnel": funnel, "mode": "Cohort", **month}
	return [
		("Stage Conversion", conversion),
		("Stage Conversion", {**conversion, "slice_by": "Manager", "compare_previous": 1}),
		(
			"Plan vs Fact",
			{"company": company, "period_type": "Quarter", "period_start": str(get_quarter_start(today()))},
		),
		("Call Outcomes", {"company": company, "period": "Day", **month}),
		("Daily Payments", {"company": company, "date": today()}),
		("Invoices Without Deal", {"company": company, **month}),
		("Manager Ranking", {"rule": rule}),
		("Reassignment Preview", {"rule": rule}),
		("Stale Deals", {"funnel": funnel}),
	]


def delta(before: dict[str, int], after: dict[str, int], counter: str) -> int:
	return after[counter] - before[counter]


def run_reports(site: str, runs: list[tuple[str, dict]], ports: tuple[int, int], password: str) -> list[dict]:
	from frappe.desk.query_report import run

	rows = []
	for name, filters in runs:
		connect(site)
		try:
			before = [status(port, password) for port in ports]
			result = run(name, filters=frappe.as_json(filters), ignore_prepared_report=True)
			after = [status(port, password) for port in ports]
		finally:
			frappe.destroy()
		rows.append(
			{
				"report": name + (" (by manager, vs previous)" if filters.get("slice_by") else ""),
				"rows": len(result["result"]),
				"primary": delta(before[0], after[0], "Com_select"),
				"replica": delta(before[1], after[1], "Com_select"),
			}
		)
	return rows


def write_check(site: str, ports: tuple[int, int], password: str) -> dict:
	"""An Opportunity moved to another stage and saved through the document API (the app's hooks record the
	move): its INSERT / UPDATE statements are counted on the primary, and the saved row is read back from the
	replica once replication has applied it. The replica's counters move too (its replication thread applies the
	row events); that the site itself wrote nothing there is certain from the grants: on the replica Frappe's
	database user has SELECT only, and the server is read_only."""
	from sales_funnel.tests import reassignment_fixtures as fixtures

	connect(site)
	try:
		name = frappe.get_all("Opportunity", pluck="name", order_by="creation desc", limit=1)[0]
		before = [status(port, password) for port in ports]
		doc = frappe.get_doc("Opportunity", name)
		doc.sales_stage = fixtures.SECOND if doc.sales_stage != fixtures.SECOND else fixtures.FIRST
		doc.save(ignore_permissions=True)
		frappe.db.commit()
		marker = (doc.sales_stage, str(doc.modified))
		after = [status(port, password) for port in ports]
		db = frappe.conf.db_name
	finally:
		frappe.destroy()
	started = time.monotonic()
	seen = wait_for(ports[1], password, db, name, marker)
	writes = ("Com_insert", "Com_update", "Com_delete")
	return {
		"opportunity": name,
		"primary": sum(delta(before[0], after[0], c) for c in writes),
		"replica": sum(delta(before[1], after[1], c) for c in writes),
		"seen": seen,
		"lag": time.monotonic() - started,
	}


def wait_for(port: int, password: str, db: str, name: str, marker: tuple, seconds: float = 30) -> bool:
	conn = pymysql.connect(host="127.0.0.1", port=port, user="sf_check", password=password, database=db)
	try:
		deadline = time.monotonic() + seconds
		while time.monotonic() < deadline:
			with conn.cursor() as cursor:
				cursor.execute("SELECT sales_stage, modified FROM `tabOpportunity` WHERE name = %s", (name,))
				row = cursor.fetchone()
			conn.commit()  # a new snapshot for the next read
			if row and (row[0], str(row[1])) == marker:
				return True
			time.sleep(0.2)
		return False
	finally:
		conn.close()


def replication_caught_up(port: int, password: str) -> bool:
	conn = pymysql.connect(host="127.0.0.1", port=port, user="sf_check", password=password)
	try:
		with conn.cursor() as cursor:
			for _ in range(150):
				cursor.execute("SHOW SLAVE STATUS")
				columns = [d[0] for d in cursor.description]
				state = dict(zip(columns, cursor.fetchone() or (), strict=False))
				if state.get("Seconds_Behind_Master") == 0 and state.get("Slave_SQL_Running") == "Yes":
					return True
				time.sleep(0.2)
		return False
	finally:
		conn.close()


def main() -> int:
	site, primary_port, replica_port, password = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
	ports = (primary_port, replica_port)
	connect(site)
	try:
		conf = frappe.conf
		print(
			f"site {site}: db {conf.db_host}:{conf.db_port}, read_from_replica={conf.read_from_replica}, "
			f"replica {conf.replica_host}:{conf.replica_db_port}"
		)
		runs = report_runs(seed())
	finally:
		frappe.destroy()
	if not replication_caught_up(replica_port, password):
		print("FAIL: the replica did not catch up with the seeded data")
		return 1
	try:
		reports = run_reports(site, runs, ports, password)
		write = write_check(site, ports, password)
	finally:
		forget(site)
	return print_table(reports, write)


def forget(site: str) -> None:
	"""What the check left outside its two servers: the site's keys in the shared Redis cache and the background
	jobs its saves queued (a worker would find the site gone)."""
	from frappe.utils.background_jobs import get_queues

	connect(site)
	try:
		frappe.clear_cache()
		jobs = [job for queue in get_queues() for job in queue.jobs if job.kwargs.get("site") == site]
		for job in jobs:
			job.delete()
	finally:
		frappe.destroy()
	print(f"cleared the site's cache keys and {len(jobs)} queued job(s)")


def print_table(reports: list[dict], write: dict) -> int:
	print(f"\n{'report':<45} {'rows':>5} {'SELECTs on primary':>19} {'SELECTs on replica':>19}  result")
	ok = True
	for row in reports:
		passed = row["primary"] == 0 and row["replica"] > 0
		ok &= passed
		print(
			f"{row['report']:<45} {row['rows']:>5} {row['primary']:>19} {row['replica']:>19}  "
			f"{'PASS' if passed else 'FAIL'}"
		)
	passed = write["primary"] > 0 and write["seen"]
	ok &= passed
	print(
		f"\nwrite: Opportunity {write['opportunity']} moved to another stage and saved: {write['primary']} "
		f"INSERT/UPDATE/DELETE on the primary ({write['replica']} applied on the replica by its replication "
		f"thread; the site's user may only SELECT there); the saved row on the replica: "
		f"{'yes' if write['seen'] else 'no'} (after {write['lag']:.2f} s)  {'PASS' if passed else 'FAIL'}"
	)
	print(f"\nreplica check: {'PASS' if ok else 'FAIL'}")
	return 0 if ok else 1


if __name__ == "__main__":
	sys.exit(main())
