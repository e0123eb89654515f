# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the call jobs, run as the scheduler runs them (their Scheduled Job Type's `execute`, which
commits or rolls back and logs the failure): the hourly reminders (one ToDo per overdue call, never twice, one
failing call not stopping the others), the daily digest to the Sales Managers (Notification Logs, and e-mail when
the site can send it), sealing past days of the Call Outcomes rollup and the Call Log hook unsealing a changed
day, and the call's funnel (`sf_funnel`) kept from the deal it links.

The jobs commit, so every record a test makes has a unique name and what a test must not leave behind (a call
whose employee does not exist, an Email Account) is removed in its cleanup."""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, getdate, now_datetime, today

from sales_funnel import api
from sales_funnel.tests import call_docs as calls
from sales_funnel.tests import erpnext_docs as docs

SETTINGS = "Sales Funnel Settings"


def rollup_day(day) -> dict:
	return frappe.db.get_value("Call Rollup Day", str(day), ["sealed", "changes"], as_dict=True) or {}


def rollup_calls(day, manager: str, with_outcome: bool = False) -> int:
	"""The manager's calls of the day in the rollup (those with an outcome only, when asked)."""
	outcome = " AND outcome != ''" if with_outcome else ""
	return int(
		frappe.db.sql(
			f"SELECT IFNULL(SUM(calls), 0) FROM `tabCall Rollup` WHERE day = %s AND manager = %s{outcome}",
			(day, manager),
		)[0][0]
	)


def logged_calls(day, manager: str, with_outcome: bool = False) -> int:
	"""The same count from the Call Logs themselves."""
	outcome = " AND IFNULL(sf_outcome, '') != ''" if with_outcome else ""
	return int(
		frappe.db.sql(
			f"""SELECT COUNT(*) FROM `tabCall Log` WHERE employee_user_id = %s
			AND start_time >= %s AND start_time < %s{outcome}""",
			(manager, day, add_days(day, 1)),
		)[0][0]
	)


class CallJobTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = docs.company()

	def tearDown(self) -> None:
		frappe.set_user("Administrator")


class TestReminders(CallJobTestCase):
	def test_one_todo_per_overdue_call_and_never_a_second(self) -> None:
		seller = calls.named_user("jobs-seller", "Sales User")
		overdue = calls.call(seller, start=add_to_date(now_datetime(), hours=-5))
		within_grace = calls.call(seller, start=add_to_date(now_datetime(), minutes=-30))
		with_outcome = calls.call(
			seller, start=add_to_date(now_datetime(), hours=-5), sf_outcome=calls.outcome("None")
		)
		old = calls.call(seller, start=add_days(now_datetime(), -30))  # before the reminder look-back
		self.assertEqual(calls.run_job(calls.REMINDER_JOB), "Complete")
		reminders = calls.todos(overdue.name)
		self.assertEqual([(t.allocated_to, t.status) for t in reminders], [(seller, "Open")])
		for quiet in (within_grace, with_outcome, old):
			self.assertEqual(calls.todos(quiet.name), [])
		# the employee can open the call the ToDo points to (ERPNext gives Call Log to few roles)
		self.assertTrue(frappe.has_permission("Call Log", "read", doc=overdue.name, user=seller))

		frappe.db.set_value("ToDo", reminders[0].name, "status", "Closed")  # done without setting the outcome
		self.assertEqual(calls.run_job(calls.REMINDER_JOB), "Complete")
		self.assertEqual(len(calls.todos(overdue.name)), 1)

	def test_a_failing_call_does_not_stop_the_others(self) -> None:
		seller = calls.named_user("jobs-seller", "Sales User")
		start = add_to_date(now_datetime(), hours=-6)
		broken = calls.call(seller, start=add_to_date(start, minutes=-1))
		# an employee that no longer exists (renamed or removed behind the Call Log's back)
		frappe.db.set_value(
			"Call Log", broken.name, "employee_user_id", "sf-gone@example.com", update_modified=False
		)
		fine = [calls.call(seller, start=start) for _ in range(2)]
		try:
			self.assertEqual(calls.run_job(calls.REMINDER_JOB), "Complete")
			for call in fine:
				self.assertEqual(len(calls.todos(call.name)), 1)
			self.assertEqual(calls.todos(broken.name), [])
			self.assertTrue(
				frappe.db.exists("Error Log", {"method": ("like", f"%{broken.name}%")}),
				"the failure is logged with the call's name",
			)
		finally:
			frappe.db.delete("Call Log", {"name": broken.name})
			frappe.db.commit()


class TestDigest(CallJobTestCase):
	def setUp(self) -> None:
		self.started = now_datetime()
		self.managers = [calls.named_user(f"jobs-manager-{i}", "Sales User", "Sales Manager") for i in (1, 2)]
		self.seller = calls.named_user("jobs-seller", "Sales User")
		self.missing = [
			calls.call(self.seller, start=add_to_date(now_datetime(), hours=-4 - i)) for i in range(3)
		]
		self.accounts = frappe.get_all(
			"Email Account", filters={"enable_outgoing": 1}, fields=["name", "default_outgoing"]
		)
		self.made_account = None

	def tearDown(self) -> None:
		super().tearDown()
		if self.made_account:
			frappe.delete_doc("Email Account", self.made_account, force=True, ignore_permissions=True)
		for account in self.accounts:
			frappe.db.set_value("Email Account", account.name, "enable_outgoing", 1)
		frappe.db.commit()
		frappe.local.outgoing_email_account = {}

	def notifications(self, user: str) -> list[str]:
		return frappe.get_all(
			"Notification Log",
			filters={
				"for_user": user,
				"document_type": "Call Log",
				"type": "Alert",
				"creation": (">=", self.started),
			},
			pluck="subject",
		)

	def without_email_accounts(self) -> None:
		for account in self.accounts:
			frappe.db.set_value("Email Account", account.name, "enable_outgoing", 0)
		frappe.local.outgoing_email_account = {}

	def test_without_an_email_account_the_managers_still_get_the_digest(self) -> None:
		self.without_email_accounts()
		if frappe.are_emails_muted() or frappe.conf.get("mail_server"):
			self.skipTest("the site has an outgoing e-mail configuration of its own")
		self.assertEqual(calls.run_job(calls.DIGEST_JOB), "Complete")
		for manager in self.managers:
			subjects = self.notifications(manager)
			self.assertEqual(len(subjects), 1, subjects)
			self.assertIn("have no outcome", subjects[0])

	def test_with_an_email_account_the_digest_is_also_mailed(self) -> None:
		self.without_email_accounts()
		self.made_account = (
			frappe.get_doc(
				{
					"doctype": "Email Account",
					"email_account_name": f"SF Digest {calls.tag()}",
					"email_id": f"sf-digest-{calls.tag()}@example.com",
					"enable_outgoing": 1,
					"default_outgoing": 1,
					"smtp_server": "smtp.example.com",
					"no_smtp_authentication": 1,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		frappe.local.outgoing_email_account = {}
		self.assertEqual(calls.run_job(calls.DIGEST_JOB), "Complete")
		for manager in self.managers:
			self.assertEqual(len(self.notifications(manager)), 1)
			self.assertTrue(
				frappe.db.sql(
					"""SELECT 1 FROM `tabEmail Queue` q JOIN `tabEmail Queue Recipient` r ON r.parent = q.name
					WHERE r.recipient = %s AND q.message LIKE %s AND q.creation >= %s""",
					(manager, "%have no outcome%", self.started),
				),
				f"no digest e-mail queued for {manager}",
			)

	def test_no_digest_when_it_is_switched_off(self) -> None:
		settings = frappe.get_single(SETTINGS)
		previous = settings.send_daily_digest
		settings.send_daily_digest = 0
		settings.save(ignore_permissions=True)
		try:
			self.assertEqual(calls.run_job(calls.DIGEST_JOB), "Complete")
			for manager in self.managers:
				self.assertEqual(self.notifications(manager), [])
		finally:
			settings.reload()
			settings.send_daily_digest = previous
			settings.save(ignore_permissions=True)
			frappe.db.commit()


class TestRollupSealing(CallJobTestCase):
	def seal_until_sealed(self, day) -> None:
		"""The job seals 400 days a run, oldest first: a site with older calls takes a few runs."""
		for _ in range(10):
			self.assertEqual(calls.run_job(calls.SEAL_JOB), "Complete")
			if rollup_day(day).get("sealed"):
				return
		self.fail(f"{day} was not sealed")

	def test_sealing_a_past_day_and_a_changed_call_unsealing_it(self) -> None:
		seller = calls.named_user("jobs-sealer", "Sales User")
		start = add_to_date(add_days(now_datetime(), -5), hours=-1)
		day = getdate(start)
		before = logged_calls(day, seller)  # an earlier run of this test on the same day committed its calls
		made = [calls.call(seller, start=start) for _ in range(3)]
		self.seal_until_sealed(day)
		self.assertEqual(rollup_calls(day, seller), before + 3)
		self.assertEqual(rollup_calls(day, seller), logged_calls(day, seller))
		changes = rollup_day(day)["changes"]

		api.set_call_outcome(made[0].name, calls.outcome("None"))  # a late edit of a sealed day
		self.assertEqual(rollup_day(day)["sealed"], 0)
		self.assertGreater(rollup_day(day)["changes"], changes)
		frappe.db.commit()

		self.seal_until_sealed(day)
		self.assertGreaterEqual(rollup_calls(day, seller, with_outcome=True), 1)
		self.assertEqual(
			rollup_calls(day, seller, with_outcome=True), logged_calls(day, seller, with_outcome=True)
		)
		self.assertEqual(rollup_calls(day, seller), logged_calls(day, seller))

	def test_a_call_of_today_or_yesterday_is_never_sealed(self) -> None:
		seller = calls.named_user("jobs-seller", "Sales User")
		calls.call(seller, start=add_to_date(now_datetime(), minutes=-10))
		self.assertEqual(calls.run_job(calls.SEAL_JOB), "Complete")
		self.assertFalse(rollup_day(today()).get("sealed"))
		self.assertFalse(rollup_day(add_days(today(), -1)).get("sealed"))


class TestCallFunnel(CallJobTestCase):
	def test_a_call_belongs_to_the_funnel_of_the_deal_it_links(self) -> None:
		funnel = calls.funnel(self.company)
		deal = docs.opportunity(
			self.company,
			party=docs.customer(),
			sf_sales_funnel=funnel.name,
			sales_stage=funnel.stages[0].stage,
		)
		call = calls.call(calls.named_user("jobs-seller", "Sales User"), links=[("Opportunity", deal.name)])
		self.assertEqual(frappe.db.get_value("Call Log", call.name, "sf_funnel"), funnel.name)
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "sf_from_call"), 1)

		other = calls.funnel(self.company)
		deal.reload()
		deal.sf_sales_funnel = other.name
		deal.sales_stage = other.stages[0].stage
		deal.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("Call Log", call.name, "sf_funnel"), other.name)

		doc = frappe.get_doc("Call Log", call.name)
		doc.set("links", [])
		doc.save(ignore_permissions=True)
		self.assertIsNone(frappe.db.get_value("Call Log", call.name, "sf_funnel"))
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "sf_from_call"), 0)
