# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the Funnels workspace's Number Cards and Dashboard Charts (`sales_funnel/dashboards.py`): the
records install with the app and come back on migrate, each card and chart gives the right figure for a Sales
Manager and for a Sales User's own share, a click opens a list or report that shows what the card counts, and
a user sees and may run only the cards behind which they may look.

The data are in a company of the test's own (nothing else of the site is in it), with a default funnel
Inquiry (limit 5 days) → Proposal (limit 10 days) → Won / Lost, made through ERPNext's documents and the app's
hooks; deals of earlier periods are moved back in time in their stage history:

	deal  owner  amount  entered                         then                 open  stale
	U1    user   1,000   now, Inquiry (20 %)             -                    yes
	U2    user   2,000   now, at Proposal (60 %)         -                    yes
	U3    user     500   now                             won now
	U4    user     300   same day last month, Inquiry    -                    yes   yes
	U5    user     400   last quarter                    won 2 days later
	O1    other  4,000   now, Inquiry                    -                    yes
	O2    other    800   last quarter, Inquiry           -                    yes   yes
	O3    other    600   same day last month             won the same day

Calls today: the user's two without an outcome and one with; the other's one without; the user's one of
yesterday without. Invoices: the user's and the other's overdue (posted 10 days ago, due 3 days ago), the
user's posted today and due in a month; a plan for this month of 10,000 for the company and 2,000 for the user.
"""

from __future__ import annotations

import json
import re

import frappe
from frappe.desk.desktop import get_desktop_page
from frappe.desk.doctype.dashboard_chart_source.dashboard_chart_source import get_config
from frappe.desk.query_report import run
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, add_to_date, flt, get_datetime, getdate, now_datetime, nowdate
from frappe.utils.dashboard import sync_dashboards

from sales_funnel.engine.dashboards import periods
from sales_funnel.tests import call_docs
from sales_funnel.tests import erpnext_docs as docs

COMPANY = "_Test SF Dashboards Company"
MODULE = "Sales Funnel"
WORKSPACE = "Funnels"
USER = "sf-dash-sales-user@example.com"
OTHER = "sf-dash-other-user@example.com"
MANAGER = "sf-dash-sales-manager@example.com"
ACCOUNTANT = "sf-dash-accounts-user@example.com"
STAGES = ("_Test SF Dash Inquiry", "_Test SF Dash Proposal", "_Test SF Dash Won", "_Test SF Dash Lost")
INQUIRY, PROPOSAL, WON, LOST = STAGES
CARDS = {
	"Open Deals",
	"Weighted Pipeline",
	"Deals Entered This Month",
	"Deals Won This Month",
	"Conversion This Quarter",
	"Calls Without Outcome Today",
	"Stale Deals",
	"Overdue Payments",
	"Plan Completion This Month",
}
CHARTS = {"Deals Entering Each Stage", "Wins per Month", "Conversion per Manager"}


def make_funnel(company: str) -> str:
	for stage in STAGES:
		docs.sales_stage(stage)
	return (
		frappe.get_doc(
			{
				"doctype": "Sales Funnel",
				"title": docs.unique("_Test SF Dashboards Funnel"),
				"company": company,
				"deal_doctype": "Opportunity",
				"enabled": 1,
				"is_default": 1,
				"customer_group": "",
				"stages": [
					{"stage": INQUIRY, "kind": "Open", "probability": 20, "time_limit_days": 5},
					{"stage": PROPOSAL, "kind": "Open", "probability": 60, "time_limit_days": 10},
					{"stage": WON, "kind": "Won", "probability": 100},
					{"stage": LOST, "kind": "Lost"},
				],
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def move_history(deal: str, entered, won=None) -> None:
	"""The deal entered its funnel at `entered` (and its Won row, if any, is at `won`)."""
	frappe.db.sql(
		"""UPDATE `tabFunnel Stage Transition` SET transitioned_at = IF(to_kind = 'Won', %(won)s, %(at)s),
			funnel_entered_at = %(at)s WHERE deal_doctype = 'Opportunity' AND deal = %(deal)s""",
		{"at": entered, "won": won or entered, "deal": deal},
	)


def method_of_source(source: str) -> str:
	"""The whitelisted method a Dashboard Chart Source's script names (what the chart widget calls)."""
	return re.search(r"""method:\s*["']([\w.]+)["']""", get_config(source)).group(1)


class TestDashboards(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.company = docs.company_in("INR", "India", COMPANY, abbr="SFDASH")
		cls.now, cls.today = now_datetime(), getdate(nowdate())
		docs.user(MANAGER, "Sales User", "Sales Manager")
		docs.user(ACCOUNTANT, "Accounts User")
		cls.person = {
			user: docs.sales_person_of_user(docs.user(user, "Sales User"), cls.company)
			for user in (USER, OTHER)
		}
		cls.funnel = make_funnel(cls.company)
		cls.make_deals()
		cls.make_calls()
		cls.make_money()

	@classmethod
	def deal(cls, owner: str, amount: float, stage: str = INQUIRY, won: bool = False) -> str:
		deal = docs.opportunity(
			cls.company,
			party=docs.customer(),
			items=[(docs.item(rate=amount), 1, amount)],
			opportunity_owner=owner,
			sales_stage=stage,
			sf_sales_funnel=cls.funnel,
		)
		if won:
			deal.reload()
			deal.status = "Converted"
			deal.save(ignore_permissions=True)
		return deal.name

	@classmethod
	def make_deals(cls) -> None:
		cls.last_month_day = add_months(cls.now, -1)
		cls.last_quarter_day = get_datetime(periods.previous_quarter(cls.today)[0]).replace(hour=12)
		cls.deals = {
			"U1": cls.deal(USER, 1000),
			"U2": cls.deal(USER, 2000, PROPOSAL),
			"U3": cls.deal(USER, 500, won=True),
			"U4": cls.deal(USER, 300),
			"U5": cls.deal(USER, 400, won=True),
			"O1": cls.deal(OTHER, 4000),
			"O2": cls.deal(OTHER, 800),
			"O3": cls.deal(OTHER, 600, won=True),
		}
		move_history(cls.deals["U4"], cls.last_month_day)
		move_history(cls.deals["O3"], cls.last_month_day)
		cls.u5_won = add_days(cls.last_quarter_day, 2)
		move_history(cls.deals["U5"], cls.last_quarter_day, cls.u5_won)
		move_history(cls.deals["O2"], cls.last_quarter_day)
		# the same days of last month are in this quarter unless this month is the quarter's first
		cls.last_month_in_quarter = getdate(cls.last_month_day) >= periods.quarter_start(cls.today)

	@classmethod
	def make_calls(cls) -> None:
		outcome = call_docs.outcome()
		for employee, start, outcome_name in (
			(USER, cls.now, None),
			(USER, cls.now, None),
			(USER, cls.now, outcome),
			(OTHER, cls.now, None),
			(USER, add_days(cls.now, -1), None),
		):
			docs.call_log(employee, start_time=start, end_time=start, sf_outcome=outcome_name)

	@classmethod
	def make_money(cls) -> None:
		past, due = add_days(nowdate(), -10), add_days(nowdate(), -3)
		overdue = {"posting_date": past, "due_date": due, "payment_schedule": []}
		cls.invoices = {
			"user_overdue": docs.direct_invoice(
				cls.company, rate=700, sales_team=[(cls.person[USER], 100)], **overdue
			),
			"other_overdue": docs.direct_invoice(
				cls.company, rate=900, sales_team=[(cls.person[OTHER], 100)], **overdue
			),
			"user_today": docs.direct_invoice(
				cls.company,
				rate=1500,
				sales_team=[(cls.person[USER], 100)],
				due_date=add_days(nowdate(), 30),
				payment_schedule=[],
			),
		}
		frappe.get_doc(
			{
				"doctype": "Sales Plan",
				"company": cls.company,
				"period_type": "Month",
				"period_start": periods.month_start(cls.today),
				"targets": [
					{"scope_type": "Company", "metric": "Invoiced Revenue", "target": 10000},
					{
						"scope_type": "Sales Person",
						"sales_person": cls.person[USER],
						"metric": "Invoiced Revenue",
						"target": 2000,
					},
				],
			}
		).insert(ignore_permissions=True)

	def tearDown(self) -> None:
		frappe.set_user("Administrator")

	# -- helpers ---------------------------------------------------------------------------------------------

	def as_user(self, user: str, method: str, **filters):
		"""A whitelisted card or chart method, called as the Desk calls it for `user`."""
		function = frappe.get_attr(method)
		frappe.is_whitelisted(function)
		frappe.set_user(user)
		try:
			return function(filters=json.dumps({"company": self.company, **filters}))
		finally:
			frappe.set_user("Administrator")

	def card(self, name: str, user: str) -> dict:
		return self.as_user(user, frappe.db.get_value("Number Card", name, "method"))

	def chart(self, name: str, user: str) -> dict | None:
		return self.as_user(user, method_of_source(frappe.db.get_value("Dashboard Chart", name, "source")))

	def report(self, name: str, user: str, filters: dict) -> dict:
		frappe.set_user(user)
		try:
			return run(name, filters=filters, ignore_prepared_report=True)
		finally:
			frappe.set_user("Administrator")

	def listed(self, answer: dict, user: str) -> list[str]:
		"""The documents of the list a card's click opens (its route and route options), as `user` sees it."""
		view, doctype = answer["route"]
		self.assertEqual(view, "List")
		frappe.set_user(user)
		try:
			return frappe.get_list(
				doctype, filters=answer["route_options"], pluck="name", limit_page_length=0
			)
		finally:
			frappe.set_user("Administrator")

	def overdue(self, *keys: str) -> float:
		return flt(sum(self.invoices[key].base_grand_total for key in keys), 2)

	def revenue_this_month(self, *keys: str) -> float:
		month = periods.month_start(self.today)
		return sum(
			self.invoices[key].base_net_total
			for key in keys
			if getdate(self.invoices[key].posting_date) >= month
		)

	def expected_conversion(self, user: str | None) -> tuple[float, float]:
		"""(this quarter, last quarter) of the table's deals, in percent (Stage Conversion's rounding)."""
		this = ["U1", "U2", "U3", "O1"] + (["U4", "O3"] if self.last_month_in_quarter else [])
		last = ["U5", "O2"] + ([] if self.last_month_in_quarter else ["U4", "O3"])
		won = {"U3", "U5", "O3"}

		def rate(keys: list[str]) -> float:
			keys = [k for k in keys if user is None or k.startswith("U")]
			return round(100.0 * len(won.intersection(keys)) / len(keys), 2)

		return rate(this), rate(last)

	# -- the records -----------------------------------------------------------------------------------------

	def test_the_cards_and_charts_are_installed_with_the_workspace(self) -> None:
		cards = frappe.get_all(
			"Number Card", filters={"module": MODULE}, fields=["name", "type", "is_standard"]
		)
		self.assertEqual({card.name for card in cards}, CARDS)
		self.assertTrue(all(card.type == "Custom" and card.is_standard for card in cards))
		charts = frappe.get_all(
			"Dashboard Chart",
			filters={"module": MODULE},
			fields=["name", "chart_type", "source", "is_standard"],
		)
		self.assertEqual({chart.name for chart in charts}, CHARTS)
		sources = set(frappe.get_all("Dashboard Chart Source", filters={"module": MODULE}, pluck="name"))
		self.assertEqual({chart.source for chart in charts}, sources)
		workspace = frappe.get_doc("Workspace", WORKSPACE)
		self.assertEqual({row.number_card_name for row in workspace.number_cards}, CARDS)
		self.assertEqual({row.chart_name for row in workspace.charts}, CHARTS)

	def test_migrate_brings_back_a_deleted_card_and_chart(self) -> None:
		frappe.delete_doc("Number Card", "Open Deals", force=True, ignore_permissions=True)
		frappe.delete_doc("Dashboard Chart", "Wins per Month", force=True, ignore_permissions=True)
		sync_dashboards("sales_funnel")  # what install-app and every migrate run (frappe/migrate.py)
		self.assertEqual(
			frappe.db.get_value("Number Card", "Open Deals", "method"), "sales_funnel.dashboards.open_deals"
		)
		self.assertEqual(frappe.db.get_value("Dashboard Chart", "Wins per Month", "source"), "Wins per Month")

	def test_each_role_sees_the_cards_it_may_open(self) -> None:
		def shown(user: str) -> set[str]:
			frappe.set_user(user)
			try:
				page = get_desktop_page(json.dumps({"name": WORKSPACE, "title": WORKSPACE, "public": 1}))
			finally:
				frappe.set_user("Administrator")
			return {card.number_card_name for card in page["number_cards"]["items"]}, {
				chart.chart_name for chart in page["charts"]["items"]
			}

		self.assertEqual(shown(MANAGER), (CARDS, CHARTS))
		self.assertEqual(shown(USER), (CARDS, CHARTS))
		# an accountant sees the money, not the deals (no Opportunity, history or call permission)
		self.assertEqual(shown(ACCOUNTANT), ({"Overdue Payments", "Plan Completion This Month"}, set()))
		with self.assertRaises(frappe.PermissionError):
			self.card("Open Deals", ACCOUNTANT)
		with self.assertRaises(frappe.PermissionError):
			self.card("Deals Entered This Month", ACCOUNTANT)
		self.assertEqual(
			self.card("Overdue Payments", ACCOUNTANT)["value"], self.overdue("user_overdue", "other_overdue")
		)

	def test_a_company_the_user_may_not_see_is_refused(self) -> None:
		other = docs.company()
		with self.assertRaises(frappe.PermissionError):
			self.as_user(
				USER, "sales_funnel.dashboards.open_deals", company=other
			)  # an Employee of COMPANY only
		with self.assertRaises(frappe.ValidationError):
			self.as_user(MANAGER, "sales_funnel.dashboards.open_deals", company="_Test SF No Such Company")

	# -- deals -----------------------------------------------------------------------------------------------

	def test_open_deals_and_the_weighted_pipeline(self) -> None:
		manager, user = self.card("Open Deals", MANAGER), self.card("Open Deals", USER)
		self.assertEqual((manager["value"], manager["fieldtype"]), (5, "Int"))
		self.assertEqual(user["value"], 3)
		weighted = self.card("Weighted Pipeline", MANAGER)
		self.assertEqual(weighted["value"], 1000 * 0.2 + 2000 * 0.6 + 300 * 0.2 + 4000 * 0.2 + 800 * 0.2)
		self.assertEqual((weighted["fieldtype"], weighted["currency"]), ("Currency", "INR"))
		self.assertEqual(self.card("Weighted Pipeline", USER)["value"], 1000 * 0.2 + 2000 * 0.6 + 300 * 0.2)
		# a click opens the Opportunity list of exactly those deals (a Sales User's: their own)
		open_deals = {self.deals[key] for key in ("U1", "U2", "U4", "O1", "O2")}
		self.assertEqual(set(self.listed(manager, MANAGER)), open_deals)
		self.assertEqual(set(self.listed(user, USER)), {self.deals[key] for key in ("U1", "U2", "U4")})
		self.assertEqual(user["route_options"]["opportunity_owner"], USER)
		self.assertNotIn("opportunity_owner", manager["route_options"])

	def test_entries_and_wins_this_month_against_the_same_days_of_last_month(self) -> None:
		entered = self.card("Deals Entered This Month", MANAGER)
		self.assertEqual(entered["value"], 4)  # U1, U2, U3, O1; last month U4 and O3
		self.assertEqual(entered["comparison"]["change"], 100.0)
		self.assertIn("(2)", entered["comparison"]["text"])
		own = self.card("Deals Entered This Month", USER)
		self.assertEqual((own["value"], own["comparison"]["change"]), (3, 200.0))
		won = self.card("Deals Won This Month", MANAGER)
		self.assertEqual((won["value"], won["comparison"]["change"]), (1, 0.0))  # U3 against O3
		own_won = self.card("Deals Won This Month", USER)
		self.assertEqual(own_won["value"], 1)
		self.assertNotIn("comparison", own_won)  # no win last month: no percentage from nothing
		# a click opens the stage history of those moves
		histories = {
			name: frappe.db.get_value("Funnel Stage Transition", name, "deal")
			for name in self.listed(entered, MANAGER)
		}
		self.assertEqual(
			sorted(histories.values()), sorted(self.deals[key] for key in ("U1", "U2", "U3", "O1"))
		)
		self.assertEqual(len(self.listed(own, USER)), 3)
		won_rows = self.listed(won, MANAGER)
		self.assertEqual(
			[frappe.db.get_value("Funnel Stage Transition", name, "deal") for name in won_rows],
			[self.deals["U3"]],
		)

	def test_conversion_this_quarter_against_last(self) -> None:
		for user, scope in ((MANAGER, None), (USER, USER)):
			with self.subTest(user=user):
				answer = self.card("Conversion This Quarter", user)
				this, last = self.expected_conversion(scope)
				self.assertEqual(
					(answer["value"], answer["fieldtype"], answer["precision"]), (this, "Percent", 1)
				)
				self.assertEqual(answer["comparison"]["change"], round(this - last, 1))
				# the report it opens shows the same conversion
				self.assertEqual(answer["route"], ["query-report", "Stage Conversion"])
				summary = self.report("Stage Conversion", user, answer["route_options"])["report_summary"]
				overall = next(item for item in summary if item["label"] == frappe._("Overall Conversion"))
				# (the report's figures are rounded to the one decimal both show: 49.8 %)
				self.assertEqual(overall["value"], round(this, 1))

	def test_stale_deals_are_the_stale_deals_report(self) -> None:
		for user, expected in ((MANAGER, {"U4", "O2"}), (USER, {"U4"})):
			with self.subTest(user=user):
				answer = self.card("Stale Deals", user)
				self.assertEqual(answer["value"], len(expected))
				rows = self.report("Stale Deals", user, answer["route_options"])["result"]
				self.assertEqual({row["deal"] for row in rows}, {self.deals[key] for key in expected})

	# -- calls and money -------------------------------------------------------------------------------------

	def test_calls_without_outcome_today(self) -> None:
		for user, expected in ((MANAGER, 3), (USER, 2)):
			with self.subTest(user=user):
				answer = self.card("Calls Without Outcome Today", user)
				self.assertEqual(answer["value"], expected)
				result = self.report("Call Outcomes", user, answer["route_options"])
				self.assertEqual(
					sum(row["without_outcome"] for row in result["result"] if row.get("indent") == 0),
					expected,
				)

	def test_overdue_payments(self) -> None:
		manager, user = self.card("Overdue Payments", MANAGER), self.card("Overdue Payments", USER)
		self.assertEqual(manager["value"], self.overdue("user_overdue", "other_overdue"))
		self.assertEqual((user["value"], user["currency"]), (self.overdue("user_overdue"), "INR"))
		rows = self.report("Daily Payments", USER, user["route_options"])["result"]
		self.assertEqual(flt(sum(row["overdue"] for row in rows), 2), user["value"])

	def test_plan_completion_this_month(self) -> None:
		everyone = self.revenue_this_month("user_overdue", "other_overdue", "user_today")
		own = self.revenue_this_month("user_overdue", "user_today")
		manager, user = (
			self.card("Plan Completion This Month", MANAGER),
			self.card("Plan Completion This Month", USER),
		)
		self.assertEqual(manager["value"], round(everyone / 10000 * 100, 1))
		self.assertEqual(user["value"], round(own / 2000 * 100, 1))
		self.assertIn("2,000", user["comparison"]["text"])
		rows = self.report("Plan vs Fact", USER, user["route_options"])["result"]
		self.assertEqual(rows[0]["invoiced_revenue_pct"], user["value"])

	# -- charts ----------------------------------------------------------------------------------------------

	def test_deals_entering_each_stage(self) -> None:
		manager = self.chart("Deals Entering Each Stage", MANAGER)
		self.assertEqual(manager["labels"], [INQUIRY, PROPOSAL, WON])
		# U2 entered at Proposal (it passed Inquiry), U3 and O3 went on to Won
		self.assertEqual([d["values"] for d in manager["datasets"]], [[4, 2, 1], [2, 1, 1]])
		user = self.chart("Deals Entering Each Stage", USER)
		self.assertEqual([d["values"] for d in user["datasets"]], [[3, 2, 1], [1, 0, 0]])

	def test_wins_per_month(self) -> None:
		months = periods.months_back(self.today, 12)
		index = {month: i for i, month in enumerate(months)}
		expected = [0] * 12
		for when in (self.now, self.last_month_day, self.u5_won):
			month = periods.month_start(getdate(when))
			if month in index:
				expected[index[month]] += 1
		manager = self.chart("Wins per Month", MANAGER)
		self.assertEqual(len(manager["labels"]), 12)
		self.assertEqual(manager["datasets"][0]["values"], expected)
		expected[index[periods.month_start(getdate(self.last_month_day))]] -= 1  # O3 is the other's
		self.assertEqual(self.chart("Wins per Month", USER)["datasets"][0]["values"], expected)

	def test_conversion_per_manager(self) -> None:
		in_quarter = self.last_month_in_quarter
		own = round(100.0 / (4 if in_quarter else 3), 2)  # U3 won of U1-U3 (and U4)
		other = 50.0 if in_quarter else 0.0  # O3 won of O1 (and O3)
		manager = self.chart("Conversion per Manager", MANAGER)
		names = {frappe.utils.get_fullname(USER): own, frappe.utils.get_fullname(OTHER): other}
		self.assertEqual(dict(zip(manager["labels"], manager["datasets"][0]["values"], strict=True)), names)
		self.assertEqual(manager["datasets"][0]["values"], sorted(names.values(), reverse=True))
		user = self.chart("Conversion per Manager", USER)
		self.assertEqual(
			(user["labels"], user["datasets"][0]["values"]), ([frappe.utils.get_fullname(USER)], [own])
		)
