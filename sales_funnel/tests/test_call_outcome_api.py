# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the whitelisted `set_call_outcome` and `log_call` (sales_funnel.api): who may, what each kind of
outcome does to ERPNext's documents (Lead, Opportunity created or moved, follow-up ToDo), that setting it again
does nothing, and that a refusal or bad input writes nothing. The plan itself is tested off a bench
(tests/calls/test_outcome.py); this is the Frappe side: permissions, ERPNext's hooks, assignments."""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, getdate, now_datetime, today

from sales_funnel import api
from sales_funnel.tests import call_docs as calls
from sales_funnel.tests import erpnext_docs as docs


class CallOutcomeTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = docs.company()
		cls.funnel = calls.funnel(cls.company)
		cls.qualified, cls.meeting, cls.proposal = (row.stage for row in cls.funnel.stages[:3])
		cls.none = calls.outcome("None")
		cls.create_lead = calls.outcome("Create Lead")
		cls.follow_up = calls.outcome(
			"Create Follow-up ToDo", category="Callback Requested", follow_up_hours=24
		)
		cls.negotiation = calls.outcome(
			"Create or Move Opportunity",
			category="Negotiation Started",
			counts_as_negotiation=1,
			funnel=cls.funnel.name,
			stage=cls.qualified,
		)
		cls.meeting_booked = calls.outcome(
			"Create or Move Opportunity",
			category="Meeting Booked",
			counts_as_negotiation=1,
			funnel=cls.funnel.name,
			stage=cls.meeting,
		)
		cls.sales_user = calls.named_user("api-sales-user", "Sales User")
		cls.other_sales_user = calls.named_user("api-other-sales-user", "Sales User")
		cls.sales_manager = calls.named_user("api-sales-manager", "Sales User", "Sales Manager")
		# takes calls; no Lead or Opportunity permissions in ERPNext
		cls.employee = calls.named_user("api-employee", "Employee")
		# Leads yes, Opportunities no (ERPNext's roles)
		cls.system_manager = calls.named_user("api-system-manager", "System Manager")

	def tearDown(self) -> None:
		frappe.set_user("Administrator")

	def as_user(self, user: str) -> None:
		frappe.set_user(user)

	def call_doc(self, name: str):
		return frappe.get_doc("Call Log", name)

	def deal(self, stage: str | None = None, **values):
		return docs.opportunity(
			self.company, party=docs.customer(), sf_sales_funnel=self.funnel.name, sales_stage=stage, **values
		)


class TestWhoMaySetAnOutcome(CallOutcomeTestCase):
	def test_the_calls_employee_sets_its_outcome(self) -> None:
		call = calls.call(self.sales_user)
		self.as_user(self.sales_user)
		result = api.set_call_outcome(call.name, self.none, note="Asked for a price list")
		self.assertTrue(result["changed"])
		doc = self.call_doc(call.name)
		self.assertEqual(doc.sf_outcome, self.none)
		self.assertEqual(doc.sf_outcome_note, "Asked for a price list")
		self.assertEqual(doc.sf_outcome_set_by, self.sales_user)

	def test_another_sales_user_is_refused_and_nothing_is_written(self) -> None:
		call = calls.call(self.sales_user)
		self.as_user(self.other_sales_user)
		with self.assertRaises(frappe.PermissionError):
			api.set_call_outcome(call.name, self.none)
		frappe.set_user("Administrator")
		self.assertFalse(self.call_doc(call.name).sf_outcome)

	def test_a_sales_manager_sets_the_outcome_of_anyones_call(self) -> None:
		call = calls.call(self.sales_user)
		self.as_user(self.sales_manager)
		api.set_call_outcome(call.name, self.none)
		frappe.set_user("Administrator")
		self.assertEqual(self.call_doc(call.name).sf_outcome_set_by, self.sales_manager)

	def test_an_employee_without_opportunity_create_is_refused_an_opportunity(self) -> None:
		"""The employee may set outcomes on own calls, but creating a deal needs create on Opportunity."""
		call = calls.call(self.employee, customer=docs.customer())
		before = frappe.db.count("Opportunity")
		self.as_user(self.employee)
		with self.assertRaises(frappe.PermissionError):
			api.set_call_outcome(call.name, self.negotiation)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.count("Opportunity"), before)
		self.assertFalse(self.call_doc(call.name).sf_outcome)

	def test_an_employee_without_lead_create_is_refused_a_lead(self) -> None:
		call = calls.call(self.employee)
		before = frappe.db.count("Lead")
		self.as_user(self.employee)
		with self.assertRaises(frappe.PermissionError):
			api.set_call_outcome(call.name, self.create_lead)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.count("Lead"), before)
		self.assertFalse(self.call_doc(call.name).sf_outcome)
		self.assertFalse([link for link in calls.links(call.name) if link[0] == "Lead"])

	def test_moving_a_deal_shared_read_only_is_refused(self) -> None:
		"""Read on the deal (a read-only share) is not write: the deal is not moved, the call not changed."""
		deal = self.deal(self.qualified)
		frappe.share.add_docshare(
			"Opportunity", deal.name, self.employee, read=1, write=0, flags={"ignore_share_permission": True}
		)
		call = calls.call(self.employee, links=[("Opportunity", deal.name)])
		self.as_user(self.employee)
		with self.assertRaises(frappe.PermissionError):
			api.set_call_outcome(call.name, self.meeting_booked)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "sales_stage"), self.qualified)
		self.assertFalse(self.call_doc(call.name).sf_outcome)

	def test_a_sales_user_moves_a_deal_they_may_write(self) -> None:
		deal = self.deal(self.qualified)
		call = calls.call(self.sales_user, links=[("Opportunity", deal.name)])
		self.as_user(self.sales_user)
		result = api.set_call_outcome(call.name, self.meeting_booked)
		frappe.set_user("Administrator")
		self.assertEqual(result["moved_opportunity"], deal.name)
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "sales_stage"), self.meeting)


class TestOutcomeEffects(CallOutcomeTestCase):
	def test_create_lead_for_an_unknown_caller(self) -> None:
		call = calls.call(self.sales_user)
		self.as_user(self.sales_user)
		result = api.set_call_outcome(call.name, self.create_lead)
		frappe.set_user("Administrator")
		lead = frappe.get_doc("Lead", result["lead"])
		self.assertEqual(lead.mobile_no, call.get("from"))
		self.assertEqual(lead.lead_owner, self.sales_user)
		self.assertIn(("Lead", lead.name), calls.links(call.name))
		self.assertEqual(self.call_doc(call.name).sf_outcome, self.create_lead)

	def test_create_lead_when_earlier_calls_came_from_the_number(self) -> None:
		"""ERPNext links the new Lead's Contact to every call from its number and saves those Call Logs, the one
		being changed included: the outcome is still set, and the earlier call keeps ERPNext's link."""
		phone = calls.new_phone()
		earlier = calls.call(self.sales_user, phone=phone, start=add_to_date(now_datetime(), hours=-3))
		call = calls.call(self.sales_user, phone=phone)
		self.as_user(self.sales_user)
		result = api.set_call_outcome(call.name, self.create_lead)
		frappe.set_user("Administrator")
		doc = self.call_doc(call.name)
		self.assertEqual(doc.sf_outcome, self.create_lead)
		self.assertIn(("Lead", result["lead"]), calls.links(call.name))
		contact = frappe.db.get_value(
			"Dynamic Link",
			{"parenttype": "Contact", "link_doctype": "Lead", "link_name": result["lead"]},
			"parent",
		)
		self.assertTrue(contact)
		self.assertIn(("Contact", contact), calls.links(earlier.name))
		self.assertIn(("Contact", contact), calls.links(call.name))

	def test_no_lead_when_the_call_names_a_customer(self) -> None:
		call = calls.call(self.sales_user, customer=docs.customer())
		before = frappe.db.count("Lead")
		self.as_user(self.sales_user)
		result = api.set_call_outcome(call.name, self.create_lead)
		self.assertNotIn("lead", result)
		self.assertEqual(frappe.db.count("Lead"), before)

	def test_create_an_opportunity_for_the_calls_customer_in_the_outcomes_funnel(self) -> None:
		customer = docs.customer()
		call = calls.call(self.sales_user, customer=customer)
		self.as_user(self.sales_user)
		result = api.set_call_outcome(call.name, self.negotiation)
		frappe.set_user("Administrator")
		deal = frappe.get_doc("Opportunity", result["opportunity"])
		self.assertEqual((deal.opportunity_from, deal.party_name), ("Customer", customer))
		self.assertEqual((deal.sf_sales_funnel, deal.sales_stage), (self.funnel.name, self.qualified))
		self.assertEqual(deal.opportunity_owner, self.sales_user)
		self.assertEqual(deal.sf_from_call, 1)
		doc = self.call_doc(call.name)
		self.assertIn(("Opportunity", deal.name), calls.links(call.name))
		self.assertEqual(doc.sf_funnel, self.funnel.name)  # the call belongs to its deal's funnel
		self.assertTrue(
			frappe.db.exists("Funnel Stage Transition", {"deal": deal.name, "to_stage": self.qualified})
		)

	def test_an_unknown_caller_gets_a_lead_and_an_opportunity_from_it(self) -> None:
		call = calls.call(self.sales_user)
		self.as_user(self.sales_user)
		result = api.set_call_outcome(call.name, self.negotiation)
		frappe.set_user("Administrator")
		deal = frappe.get_doc("Opportunity", result["opportunity"])
		self.assertEqual((deal.opportunity_from, deal.party_name), ("Lead", result["lead"]))
		self.assertEqual(
			{("Lead", result["lead"]), ("Opportunity", deal.name)} - set(calls.links(call.name)), set()
		)

	def test_a_linked_deal_is_moved_forward_never_back(self) -> None:
		deal = self.deal(self.qualified)
		call = calls.call(self.sales_user, links=[("Opportunity", deal.name)])
		api.set_call_outcome(call.name, self.meeting_booked)
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "sales_stage"), self.meeting)
		self.assertTrue(
			frappe.db.exists(
				"Funnel Stage Transition",
				{"deal": deal.name, "from_stage": self.qualified, "to_stage": self.meeting},
			)
		)
		second = calls.call(self.sales_user, links=[("Opportunity", deal.name)])
		result = api.set_call_outcome(second.name, self.negotiation)  # Qualified is behind Meeting
		self.assertNotIn("moved_opportunity", result)
		self.assertNotIn("opportunity", result)
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "sales_stage"), self.meeting)

	def test_follow_up_todo_for_the_employee_and_the_reminder_closed(self) -> None:
		call = calls.call(self.sales_user)
		reminder = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": self.sales_user,
				"reference_type": "Call Log",
				"reference_name": call.name,
				"description": "Set the outcome",
				"assigned_by": "Administrator",
			}
		).insert(ignore_permissions=True)
		self.as_user(self.sales_user)
		result = api.set_call_outcome(call.name, self.follow_up)
		frappe.set_user("Administrator")
		due = getdate(add_to_date(now_datetime(), hours=24))
		self.assertEqual(getdate(result["todo_date"]), due)
		open_todos = calls.todos(call.name, "Open")
		self.assertEqual([(t.allocated_to, getdate(t.date)) for t in open_todos], [(self.sales_user, due)])
		self.assertEqual(frappe.db.get_value("ToDo", reminder.name, "status"), "Closed")

	def test_a_sales_manager_sets_a_follow_up_for_an_employee(self) -> None:
		"""ERPNext gives Call Log to System Manager and Employee only: the manager's assignment and the closed
		reminder must not ask for Call Log permissions the app has already decided on."""
		call = calls.call(self.sales_user)
		reminder = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": self.sales_user,
				"reference_type": "Call Log",
				"reference_name": call.name,
				"description": "Set the outcome",
				"assigned_by": "Administrator",
			}
		).insert(ignore_permissions=True)
		self.as_user(self.sales_manager)
		api.set_call_outcome(call.name, self.follow_up, follow_up_on=add_days(today(), 3))
		frappe.set_user("Administrator")
		self.assertEqual(
			[(t.allocated_to, getdate(t.date)) for t in calls.todos(call.name, "Open")],
			[(self.sales_user, getdate(add_days(today(), 3)))],
		)
		self.assertEqual(frappe.db.get_value("ToDo", reminder.name, "status"), "Closed")
		# the employee can open the call their ToDo points to
		self.assertTrue(frappe.has_permission("Call Log", "read", doc=call.name, user=self.sales_user))

	def test_setting_the_same_outcome_again_does_nothing(self) -> None:
		call = calls.call(self.sales_user, customer=docs.customer())
		first = api.set_call_outcome(call.name, self.negotiation, note="Interested")
		counts = (frappe.db.count("Opportunity"), frappe.db.count("Lead"), frappe.db.count("ToDo"))
		modified = frappe.db.get_value("Call Log", call.name, "modified")
		again = api.set_call_outcome(call.name, self.negotiation, note="Interested")
		self.assertTrue(first["changed"])
		self.assertFalse(again["changed"])
		self.assertEqual(
			(frappe.db.count("Opportunity"), frappe.db.count("Lead"), frappe.db.count("ToDo")), counts
		)
		self.assertEqual(frappe.db.get_value("Call Log", call.name, "modified"), modified)

	def test_replacing_an_outcome_records_the_change_and_keeps_the_deal(self) -> None:
		call = calls.call(self.sales_user, customer=docs.customer())
		first = api.set_call_outcome(call.name, self.negotiation)
		api.set_call_outcome(call.name, self.none)
		self.assertEqual(self.call_doc(call.name).sf_outcome, self.none)
		self.assertTrue(frappe.db.exists("Opportunity", first["opportunity"]))
		comments = frappe.get_all(
			"Comment",
			filters={"reference_doctype": "Call Log", "reference_name": call.name, "comment_type": "Info"},
			pluck="content",
		)
		self.assertTrue(any(self.negotiation in text and self.none in text for text in comments), comments)


class TestLogACall(CallOutcomeTestCase):
	def test_a_sales_user_logs_a_call_on_a_lead(self) -> None:
		lead = docs.lead(self.company, mobile_no=calls.new_phone())
		self.as_user(self.sales_user)
		result = api.log_call("Lead", lead.name, self.none, note="Left a message", duration_minutes=2.5)
		frappe.set_user("Administrator")
		self.assertTrue(result["logged"])
		doc = self.call_doc(result["call_log"])
		self.assertEqual((doc.type, doc.status, doc.duration), ("Outgoing", "Completed", 150))
		self.assertEqual(doc.to, lead.mobile_no)
		self.assertEqual(doc.employee_user_id, self.sales_user)
		self.assertEqual(doc.sf_outcome, self.none)
		self.assertIn(("Lead", lead.name), calls.links(doc.name))

	def test_a_call_on_a_deal_links_its_party_and_moves_it(self) -> None:
		deal = self.deal(self.qualified)
		self.as_user(self.sales_user)
		result = api.log_call("Opportunity", deal.name, self.meeting_booked)
		frappe.set_user("Administrator")
		self.assertEqual(result["moved_opportunity"], deal.name)
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "sales_stage"), self.meeting)
		self.assertEqual(
			calls.links(result["call_log"])[:2], [("Opportunity", deal.name), ("Customer", deal.party_name)]
		)
		self.assertEqual(self.call_doc(result["call_log"]).sf_funnel, self.funnel.name)

	def test_a_user_who_cannot_read_the_lead_is_refused(self) -> None:
		lead = docs.lead(self.company)
		before = frappe.db.count("Call Log")
		self.as_user(self.employee)
		with self.assertRaises(frappe.PermissionError):
			api.log_call("Lead", lead.name, self.none)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.count("Call Log"), before)

	def test_a_system_manager_may_log_on_a_lead_but_not_create_a_deal(self) -> None:
		"""ERPNext's System Manager reads and creates Leads but has no Opportunity permission at all."""
		lead = docs.lead(self.company)
		counts = (frappe.db.count("Call Log"), frappe.db.count("Opportunity"))
		self.as_user(self.system_manager)
		with self.assertRaises(frappe.PermissionError):
			api.log_call("Lead", lead.name, self.negotiation)
		frappe.set_user("Administrator")
		self.assertEqual((frappe.db.count("Call Log"), frappe.db.count("Opportunity")), counts)

	def test_a_read_only_share_of_a_deal_does_not_move_it(self) -> None:
		deal = self.deal(self.qualified)
		frappe.share.add_docshare(
			"Opportunity", deal.name, self.employee, read=1, write=0, flags={"ignore_share_permission": True}
		)
		before = frappe.db.count("Call Log")
		self.as_user(self.employee)
		with self.assertRaises(frappe.PermissionError):
			api.log_call("Opportunity", deal.name, self.meeting_booked)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.count("Call Log"), before)
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "sales_stage"), self.qualified)


class TestBadInput(CallOutcomeTestCase):
	def assert_refused(self, call_name: str, outcome: str, fragment: str, **kwargs) -> None:
		with self.assertRaises(frappe.ValidationError) as raised:
			api.set_call_outcome(call_name, outcome, **kwargs)
		self.assertIn(fragment, str(raised.exception))
		self.assertFalse(frappe.db.get_value("Call Log", call_name, "sf_outcome"))

	def test_an_unknown_outcome(self) -> None:
		call = calls.call(self.sales_user)
		self.assert_refused(call.name, "No Such Outcome", "There is no Call Outcome No Such Outcome")

	def test_a_disabled_outcome(self) -> None:
		disabled = calls.outcome("None", enabled=0)
		call = calls.call(self.sales_user)
		self.assert_refused(call.name, disabled, "is disabled")

	def test_an_unknown_call(self) -> None:
		with self.assertRaises(frappe.DoesNotExistError):
			api.set_call_outcome("No Such Call", self.none)

	def test_a_follow_up_that_is_not_a_date(self) -> None:
		call = calls.call(self.sales_user)
		self.assert_refused(
			call.name, self.follow_up, "is not a date or a time", follow_up_on="next tuesday-ish"
		)

	def test_a_follow_up_in_the_past(self) -> None:
		call = calls.call(self.sales_user)
		self.assert_refused(call.name, self.follow_up, "is in the past", follow_up_on=add_days(today(), -2))

	def test_a_follow_up_at_the_end_of_time_is_kept(self) -> None:
		call = calls.call(self.sales_user)
		api.set_call_outcome(call.name, self.follow_up, follow_up_on="9999-12-31")
		self.assertEqual(getdate(self.call_doc(call.name).sf_follow_up_on), getdate("9999-12-31"))

	def test_log_call_with_a_bad_duration_writes_nothing(self) -> None:
		lead = docs.lead(self.company)
		before = frappe.db.count("Call Log")
		for duration in ("ten", -5, 10**12, float("nan")):
			with self.assertRaises(frappe.ValidationError, msg=duration):
				api.log_call("Lead", lead.name, self.none, duration_minutes=duration)
		self.assertEqual(frappe.db.count("Call Log"), before)

	def test_log_call_on_a_missing_document(self) -> None:
		with self.assertRaises(frappe.DoesNotExistError):
			api.log_call("Lead", "No Such Lead", self.none)

	def test_log_call_with_an_unknown_outcome_or_type(self) -> None:
		lead = docs.lead(self.company)
		before = frappe.db.count("Call Log")
		with self.assertRaises(frappe.ValidationError):
			api.log_call("Lead", lead.name, "No Such Outcome")
		with self.assertRaises(frappe.ValidationError):
			api.log_call("Lead", lead.name, self.none, call_type="Sideways")
		with self.assertRaises(frappe.ValidationError):
			api.log_call("Quotation", "x", self.none)
		self.assertEqual(frappe.db.count("Call Log"), before)
