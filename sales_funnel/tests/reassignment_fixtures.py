# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench-test documents for scheduled reassignment and lead routing: a funnel with time limits, managers, stale
deals (an Opportunity whose recorded entry into its stage is moved back in time), deals that give a manager a
conversion record, and Reassignment Rules. Every name is unique, so tests never share a funnel, a manager or a
rule; `ReassignmentCase` disables the rules a test made when it ends, so no later run of the job (in this module
or another) acts on them.

The job commits (each deal on its own, as in production), so what a test sets up is committed before it runs.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe.desk.form import assign_to
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from sales_funnel.tests import erpnext_docs

FIRST, SECOND, WON, LOST = "_Test RA Inquiry", "_Test RA Proposal", "_Test RA Won", "_Test RA Lost"
FIRST_LIMIT_DAYS, SECOND_LIMIT_DAYS = 7, 14
RULE = "Reassignment Rule"
LOG = "Reassignment Log"
DEAL = "Opportunity"


def make_funnel(company: str) -> str:
	"""A funnel of its own: Inquiry (limit 7 days) → Proposal (14 days) → Won / Lost."""
	for stage in (FIRST, SECOND, WON, LOST):
		erpnext_docs.sales_stage(stage)
	return (
		frappe.get_doc(
			{
				"doctype": "Sales Funnel",
				"title": erpnext_docs.unique("_Test RA Funnel"),
				"company": company,
				"deal_doctype": DEAL,
				"enabled": 1,
				"priority": 0,
				"stages": [
					{"stage": FIRST, "kind": "Open", "probability": 10, "time_limit_days": FIRST_LIMIT_DAYS},
					{
						"stage": SECOND,
						"kind": "Open",
						"probability": 50,
						"time_limit_days": SECOND_LIMIT_DAYS,
					},
					{"stage": WON, "kind": "Won", "probability": 100},
					{"stage": LOST, "kind": "Lost"},
				],
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def manager(label: str = "mgr", *roles: str) -> str:
	"""The user `sf-ra-<label>@example.com` with the Sales User role (or `roles`), made when missing. One user
	per label, never one per test: Frappe refuses more than 60 new users an hour on a site
	(`throttle_user_creation`), and a test's funnel and rules are its own, so its managers need not be."""
	return erpnext_docs.user(f"sf-ra-{label}@example.com", *(roles or ("Sales User",)))


def deal(
	company: str,
	funnel: str,
	owner: str | None,
	*,
	days_in_stage: float = 0,
	stage: str = FIRST,
	temperature: str | None = None,
	assign: bool = True,
) -> str:
	"""An open deal of `owner` (assigned to them, as a manager's deal is) that entered `stage` `days_in_stage`
	days ago: its recorded entry and its assignment (Frappe dates a ToDo the day it is made) are moved back, as
	if it had been there that long."""
	values: dict[str, Any] = {"sf_sales_funnel": funnel, "sales_stage": stage}
	if owner:
		values["opportunity_owner"] = owner
	if temperature:
		values["sf_temperature"] = temperature
	name = erpnext_docs.opportunity(company, **values).name
	if owner and assign:
		assign_to.add({"assign_to": [owner], "doctype": DEAL, "name": name}, ignore_permissions=True)
	if days_in_stage:
		entered = add_to_date(now_datetime(), days=-days_in_stage)
		frappe.db.sql(
			"""UPDATE `tabFunnel Stage Transition` SET transitioned_at = %(at)s, funnel_entered_at = %(at)s
			WHERE deal_doctype = 'Opportunity' AND deal = %(deal)s""",
			{"at": entered, "deal": name},
		)
		frappe.db.sql(
			"""UPDATE `tabToDo` SET `date` = %(day)s WHERE reference_type = 'Opportunity' AND reference_name = %(deal)s""",
			{"day": entered.date(), "deal": name},
		)
	return name


def converted(
	company: str, funnel: str, owner: str, count: int, moved_on: int, to_stage: str = SECOND
) -> None:
	"""`count` deals of `owner` that entered the funnel now, `moved_on` of them saved into `to_stage` (the
	Opportunity hooks record both moves): the owner's conversion record."""
	for n in range(count):
		name = deal(company, funnel, owner, assign=False)
		if n < moved_on:
			doc = frappe.get_doc(DEAL, name)
			doc.sales_stage = to_stage
			doc.save(ignore_permissions=True)


def rule(funnel: str, users: list[str], **fields: Any) -> str:
	"""An enabled Reassignment Rule on `funnel` (every open stage, Days Over Stage Limit, Least Loaded) with
	`users` as its pool."""
	doc = frappe.get_doc(
		{
			"doctype": RULE,
			"rule_name": erpnext_docs.unique("_Test RA Rule"),
			"funnel": funnel,
			"enabled": 1,
			"dry_run": 0,
			"all_stages": 1,
			"trigger": "Days Over Stage Limit",
			"threshold": 0,
			"pool_type": "Listed Users",
			"users": [{"user": user} for user in users],
			"strategy": "Least Loaded",
			"converter_window_days": 90,
			"converter_min_deals": 1,
			"max_reassignments": 2,
			"max_per_hour": 0,
			"cooldown_hours": 24,
			"never_to_previous_owner": 1,
			"skip_if_future_event": 1,
			"skip_if_future_todo": 1,
			"notify_old_owner": 1,
			"notify_new_owner": 1,
			**fields,
		}
	)
	return doc.insert(ignore_permissions=True).name


def open_todos(name: str, doctype: str = DEAL) -> list[str]:
	return sorted(
		frappe.get_all(
			"ToDo",
			filters={"reference_type": doctype, "reference_name": name, "status": "Open"},
			pluck="allocated_to",
		)
	)


def logs(name: str) -> list[frappe._dict]:
	return frappe.get_all(
		LOG,
		filters={"deal": name},
		fields=["status", "rule", "from_user", "to_user", "reason", "error"],
		order_by="name asc",
	)


def owner_of(name: str) -> str | None:
	return frappe.db.get_value(DEAL, name, "opportunity_owner")


_MANAGERS: dict[tuple[str, ...], str] = {}


class ReassignmentCase(FrappeTestCase):
	"""A company, a funnel of the test's own, and rules that are disabled (committed) when the test ends."""

	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.company = erpnext_docs.company()

	@staticmethod
	def manager(label: str = "mgr", *roles: str) -> str:
		"""`manager(label, *roles)`, enabled, its roles set once per test run (and committed)."""
		key = (label, *roles)
		user = _MANAGERS.get(key)
		if user is None or not frappe.db.get_value("User", user, "enabled"):
			user = _MANAGERS[key] = manager(label, *roles)
			frappe.db.set_value("User", user, "enabled", 1)
			frappe.db.commit()
		return user

	def setUp(self) -> None:
		frappe.set_user("Administrator")
		self.funnel = make_funnel(self.company)
		self.rules: list[str] = []

	def tearDown(self) -> None:
		frappe.set_user("Administrator")
		frappe.db.rollback()
		for name in self.rules:
			frappe.db.set_value(RULE, name, "enabled", 0)
		frappe.db.commit()

	def rule(self, users: list[str], **fields: Any) -> str:
		name = rule(self.funnel, users, **fields)
		self.rules.append(name)
		return name

	def deal(self, owner: str | None, **values: Any) -> str:
		return deal(self.company, self.funnel, owner, **values)


def run_report(report: str, filters: dict[str, Any], user: str) -> list[dict[str, Any]]:
	"""The rows of `report` as `user` gets them from the Desk (`frappe.desk.query_report.run`)."""
	return report_result(report, filters, user)["result"]


def report_result(report: str, filters: dict[str, Any], user: str) -> dict[str, Any]:
	"""What the Desk gets for `report` as `user`: columns, result, chart, report_summary."""
	from frappe.desk.query_report import run

	frappe.set_user(user)
	try:
		return run(report, filters=filters, ignore_prepared_report=True)
	finally:
		frappe.set_user("Administrator")


class ReportCase(ReassignmentCase):
	"""Two stale deals in the test's funnel, one the Sales User's own, one another manager's; a rule on them; and
	the users who open the report: a System Manager, a Sales Manager, the Sales User, and a user with no sales
	role."""

	def setUp(self) -> None:
		super().setUp()
		self.system_manager = self.manager("sysman", "System Manager")
		self.sales_manager = self.manager("salesman", "Sales Manager")
		self.sales_user = self.manager("own")
		self.other = self.manager("other")
		self.third = self.manager("third")
		self.outsider = self.manager("outsider", "Accounts User")
		self.own_deal = self.deal(self.sales_user, days_in_stage=10)
		self.other_deal = self.deal(self.other, days_in_stage=12)
		self.reassignment_rule = self.rule([self.sales_user, self.other, self.third])

	def assertRefused(self, report: str, filters: dict[str, Any]) -> None:
		with self.assertRaises(frappe.PermissionError):
			run_report(report, filters, self.outsider)
