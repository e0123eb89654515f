"""Bench side: the main job's report summaries, computed by Frappe's report runner as the head of sales.

	python bench_reports.py SITE OUT.json      (the bench's Python, from its `sites` folder)

First what a head of sales sets up (each made once, through the document API): the quarter's Sales Plan (last
year's quarter + 15 %, as `devkit.demo.summary.demo_plan_targets` computes it) and the sample reassignment rule,
as a dry run (it previews, never moves a deal). Then every report through `frappe.desk.query_report.run`, which
checks the user's permission on it as the Desk does; OUT.json gets each result (columns, rows, chart, summary)
with rows per table and deals per funnel and stage, for `summary.py` to print.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the app's checkout, for devkit.demo

import frappe
from frappe.utils import getdate, now_datetime

from devkit.demo import summary
from devkit.demo.model import FUNNELS
from devkit.demo.site.users import ACCOUNTANT, HEAD_OF_SALES

FUNNEL = "B2B New Customers"
COUNTED = (
	"Lead", "Opportunity", "Quotation", "Sales Order", "Sales Invoice", "Payment Entry", "Customer", "Call Log",
	"ToDo", "Funnel Stage Transition", "Sales Credit Entry", "Call Funnel Rollup", "GL Entry",
	"Payment Ledger Entry",
)  # fmt: skip


def demo_plan(company: str) -> str:
	"""The quarter's submitted Sales Plan (made once): each Sales Person's last-year quarter + 15 %."""
	start = summary.quarter_start(getdate())
	existing = frappe.db.get_value("Sales Plan", {"company": company, "period_start": start, "docstatus": 1})
	if existing:
		return existing
	targets = summary.demo_plan_targets(frappe.db, company, start)
	plan = frappe.get_doc(
		{
			"doctype": "Sales Plan",
			"company": company,
			"title": f"{company} {start:%Y}-Q{(start.month + 2) // 3}",
			"period_type": "Quarter",
			"period_start": start,
			"targets": [
				{"scope_type": "Sales Person", "sales_person": person, "metric": label, "target": target}
				for person, label, target in targets
			],
		}
	).insert(ignore_permissions=True)
	plan.submit()
	return plan.name


def demo_rule() -> str:
	"""The sample reassignment rule as a dry run (`summary.demo_rule`), made once."""
	department = next(f.department for f in FUNNELS if f.title == FUNNEL)
	rule = summary.demo_rule(FUNNEL, department)
	if not frappe.db.exists("Reassignment Rule", rule.name):
		frappe.get_doc(
			{
				"doctype": "Reassignment Rule",
				"rule_name": rule.name,
				"funnel": FUNNEL,
				"enabled": 1,
				"dry_run": 1,
				"trigger": rule.trigger,
				"threshold": rule.threshold,
				"pool_type": rule.pool_type,
				"sales_person_group": rule.sales_person_group,
				"strategy": rule.strategy,
				"converter_window_days": rule.converter_window_days,
				"converter_min_deals": rule.converter_min_deals,
				"max_per_hour": rule.max_per_hour,
			}
		).insert(ignore_permissions=True)
	return rule.name


def report_runs(company: str, rule: str) -> dict[str, tuple[str, dict[str, Any]]]:
	"""key -> (report, filters), as the head of sales (the accountant for Invoices Without Deal) would set them on
	a Monday morning."""
	today = getdate()
	year_ago = today - timedelta(days=365)
	month_end = today.replace(day=1) - timedelta(days=1)
	conversion = {
		"company": company,
		"funnel": FUNNEL,
		"from_date": year_ago,
		"to_date": today,
		"mode": "Cohort",
	}
	return {
		"stage_conversion": ("Stage Conversion", {**conversion, "compare_previous": 1}),
		"by_department": ("Stage Conversion", {**conversion, "slice_by": "department"}),
		"by_manager": ("Stage Conversion", {**conversion, "slice_by": "manager"}),
		"call_outcomes": (
			"Call Outcomes",
			{
				"company": company,
				"from_date": month_end.replace(day=1),
				"to_date": month_end,
				"period": "Month",
			},
		),
		"plan_vs_fact": (
			"Plan vs Fact",
			{"company": company, "period_type": "Quarter", "period_start": summary.quarter_start(today)},
		),
		"daily_payments": ("Daily Payments", {"company": company, "date": today}),
		"stale_deals": ("Stale Deals", {"company": company, "funnel": FUNNEL}),
		"reassignment_preview": ("Reassignment Preview", {"rule": rule}),
		"manager_ranking": ("Manager Ranking", {"rule": rule}),
		"invoices_without_deal": (
			"Invoices Without Deal",
			{"company": company, "from_date": today - timedelta(days=90), "to_date": today},
		),
	}


def run_reports(company: str, rule: str) -> dict[str, Any]:
	from frappe.desk.query_report import run

	out = {}
	for key, (report, filters) in report_runs(company, rule).items():
		user = ACCOUNTANT.user if report == "Invoices Without Deal" else HEAD_OF_SALES.user
		frappe.set_user(user)
		filters = {k: str(v) for k, v in filters.items()}
		result = run(report, filters=filters, user=user)
		out[key] = {
			"report": report,
			"user": user,
			"filters": filters,
			"columns": result.get("columns") or [],
			"result": result.get("result") or [],
			"chart": result.get("chart"),
			"summary": result.get("report_summary"),
			"message": result.get("message"),
		}
	frappe.set_user("Administrator")
	return out


def main() -> None:
	site, out_path = sys.argv[1:3]
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		company = summary.DEMO_COMPANY
		plan = demo_plan(company)
		rule = demo_rule()
		frappe.db.commit()
		data = {
			"site": site,
			"now": str(now_datetime()),
			"company": company,
			"plan": plan,
			"rule": rule,
			"counts": {doctype: frappe.db.count(doctype) for doctype in COUNTED},
			"deals_per_stage": summary.deals_per_stage(frappe.db).to_dict("records"),
			"reports": run_reports(company, rule),
		}
		Path(out_path).write_text(json.dumps(data, default=str))
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
