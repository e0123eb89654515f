# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the hourly reassignment job (`sales_funnel.services.reassignment`): what a manager and a Sales
Manager see after a run (owner, ToDo, comment, Reassignment Log, notifications), a failing deal, the
database-wide lock, dry runs, a deal changed after planning, the hour's bounds and the cooldown. The plan itself
is tested off a bench (tests/reassignment/)."""

from __future__ import annotations

from unittest import mock

import frappe
from frappe.database import get_db
from frappe.utils import now_datetime

from sales_funnel.engine.reassignment.history import applied_in_last_hour
from sales_funnel.engine.reassignment.plan import plan_reassignments
from sales_funnel.engine.reassignment.rules import load_rules
from sales_funnel.services import reassignment
from sales_funnel.tests.reassignment_fixtures import (
	DEAL,
	FIRST,
	ReassignmentCase,
	converted,
	logs,
	manager,
	open_todos,
	owner_of,
)


def notified(deal: str) -> list[str]:
	"""Who got the reassignment alert about the deal (an assignment notifies on its own, as type Assign)."""
	return sorted(
		frappe.get_all(
			"Notification Log",
			filters={"document_type": DEAL, "document_name": deal, "type": "Alert"},
			pluck="for_user",
		)
	)


class TestReassignmentJob(ReassignmentCase):
	def run_job(self) -> None:
		frappe.db.commit()  # the job commits deal by deal: what the test made is committed first, as in a real site
		reassignment.reassign_stale_deals()

	def test_a_stale_deal_goes_to_the_best_converter_with_todo_comment_log_and_notifications(self) -> None:
		best, other, owner = self.manager("best"), self.manager("other"), self.manager("owner")
		converted(self.company, self.funnel, best, count=3, moved_on=3)  # 100 % of Inquiry moved on
		converted(self.company, self.funnel, other, count=3, moved_on=1)  # 33 %
		stale = self.deal(owner, days_in_stage=10)  # Inquiry's limit is 7 days
		self.rule([best, other, owner], strategy="Best Converter", converter_min_deals=3)
		self.assertEqual(open_todos(stale), [owner])

		self.run_job()

		self.assertEqual(owner_of(stale), best)
		self.assertEqual(open_todos(stale), [best])  # the old owner's ToDo went with the deal
		self.assertEqual(
			frappe.db.get_value("ToDo", {"reference_name": stale, "allocated_to": owner}, "status"),
			"Cancelled",
		)
		self.assertEqual(frappe.parse_json(frappe.db.get_value(DEAL, stale, "_assign")), [best])
		[log] = logs(stale)
		self.assertEqual((log.status, log.from_user, log.to_user), ("Applied", owner, best))
		self.assertIn(f"Best converter in stage {FIRST}: 100.0% of 3 deals", log.reason)
		comment = frappe.get_all(
			"Comment",
			filters={"reference_doctype": DEAL, "reference_name": stale, "comment_type": "Info"},
			pluck="content",
		)
		self.assertTrue(any("Reassigned from" in c and "Best converter" in c for c in comment), comment)
		self.assertEqual(notified(stale), sorted([best, owner]))

	def test_one_failing_deal_is_logged_as_failed_and_the_others_are_applied(self) -> None:
		first, second, owner = self.manager("first"), self.manager("second"), self.manager("owner")
		broken = self.deal(owner, days_in_stage=20)  # the most overdue: planned and applied first
		fine = self.deal(owner, days_in_stage=10)
		# a link to a Territory that does not exist: saving the deal fails Frappe's link validation
		frappe.db.set_value(DEAL, broken, "territory", "_Test RA No Such Territory", update_modified=False)
		self.rule([first, second, owner])

		self.run_job()

		self.assertEqual(owner_of(broken), owner)
		self.assertEqual(open_todos(broken), [owner])
		[failed] = logs(broken)
		self.assertEqual((failed.status, failed.from_user, failed.to_user), ("Failed", owner, None))
		self.assertIn("_Test RA No Such Territory", failed.error)
		self.assertTrue(frappe.db.exists("Error Log", {"reference_doctype": DEAL, "reference_name": broken}))
		self.assertEqual(notified(broken), [])
		self.assertIn(owner_of(fine), (first, second))
		self.assertEqual([log.status for log in logs(fine)], ["Applied"])

	def test_a_second_run_skips_while_another_connection_holds_the_lock(self) -> None:
		new, owner = self.manager("new"), self.manager("owner")
		stale = self.deal(owner, days_in_stage=10)
		self.rule([new, owner])
		frappe.db.commit()
		lock = f"sales_funnel_reassignment:{frappe.conf.db_name}"  # one lock per site database
		# another bench host running the job on the same database: a connection of its own
		other_host = get_db(
			socket=frappe.conf.db_socket,
			host=frappe.conf.db_host,
			port=frappe.conf.db_port,
			user=frappe.conf.db_name,
			password=frappe.conf.db_password,
			cur_db_name=frappe.conf.db_name,
		)
		try:
			self.assertEqual(other_host.sql("SELECT GET_LOCK(%s, 0)", (lock,))[0][0], 1)
			with self.assertLogs(frappe.logger("scheduler"), level="WARNING") as logged:
				self.run_job()
			self.assertIn("another run holds the lock", "\n".join(logged.output))
			self.assertEqual(owner_of(stale), owner)
			self.assertEqual(logs(stale), [])
			other_host.sql("SELECT RELEASE_LOCK(%s)", (lock,))
		finally:
			other_host.close()
		self.run_job()  # the lock is free again: the next run moves the deal, and lets the lock go
		self.assertEqual(owner_of(stale), new)
		self.assertEqual(frappe.db.sql("SELECT IS_FREE_LOCK(%s)", (lock,))[0][0], 1)

	def test_notifications_are_created_after_the_deal_is_committed_never_for_a_rolled_back_one(self) -> None:
		new, owner = self.manager("new"), self.manager("owner")
		stale = self.deal(owner, days_in_stage=10)
		self.rule([new, owner])
		frappe.db.commit()
		now = now_datetime()
		[item] = [i for i in plan_reassignments(frappe.db, now).moves if i.deal == stale]

		self.assertEqual(reassignment.apply_item(item, now), "Applied")
		self.assertEqual(notified(stale), [])  # nothing is sent for a change that may still be rolled back
		frappe.db.rollback()
		frappe.db.commit()
		self.assertEqual((notified(stale), owner_of(stale)), ([], owner))

		self.assertEqual(reassignment.apply_item(item, now), "Applied")
		self.assertEqual(notified(stale), [])
		frappe.db.commit()
		self.assertEqual(notified(stale), sorted([new, owner]))

	def test_a_dry_run_rule_logs_what_it_would_do_once_a_day_and_changes_nothing(self) -> None:
		new, owner = self.manager("new"), self.manager("owner")
		stale = self.deal(owner, days_in_stage=10)
		self.rule([new, owner], dry_run=1)

		self.run_job()
		self.run_job()

		self.assertEqual(owner_of(stale), owner)
		self.assertEqual(open_todos(stale), [owner])
		[log] = logs(stale)
		self.assertEqual((log.status, log.from_user, log.to_user), ("Dry Run", owner, new))
		self.assertEqual(notified(stale), [])

	def test_a_deal_changed_after_the_plan_was_made_is_skipped_not_overwritten(self) -> None:
		new, owner = self.manager("new"), self.manager("owner")
		stale = self.deal(owner, days_in_stage=10)
		name = self.rule([new, owner])
		now = now_datetime()
		[item] = plan_reassignments(frappe.db, now, load_rules(frappe.db, [name])).moves
		doc = frappe.get_doc(DEAL, stale)  # the owner works on the deal meanwhile
		doc.customer_name = "Changed meanwhile"
		doc.save(ignore_permissions=True)

		self.assertEqual(reassignment.apply_item(item, now), "Skipped")

		self.assertEqual(owner_of(stale), owner)
		[log] = logs(stale)
		self.assertEqual(log.status, "Skipped")
		self.assertEqual(log.error, "The deal was changed after the plan was made; it was left as it is.")

	def test_a_rules_hourly_cap_moves_the_most_overdue_first_and_the_rest_wait(self) -> None:
		new, owner = self.manager("new"), self.manager("owner")
		oldest = self.deal(owner, days_in_stage=30)
		newer = self.deal(owner, days_in_stage=10)
		self.rule([new, owner], max_per_hour=1)

		self.run_job()
		self.run_job()  # the same hour: the cap is used up

		self.assertEqual((owner_of(oldest), owner_of(newer)), (new, owner))
		self.assertEqual(logs(newer), [])

	def test_the_jobs_bound_across_rules_counts_the_moves_of_the_last_hour(self) -> None:
		new, owner = self.manager("new"), self.manager("owner")
		oldest = self.deal(owner, days_in_stage=30)
		newer = self.deal(owner, days_in_stage=10)
		self.rule([new, owner])
		frappe.db.commit()
		# room for exactly one more move this hour, whatever other runs applied
		bound = applied_in_last_hour(frappe.db, None, now_datetime()) + 1
		with mock.patch.object(reassignment, "MAX_MOVES_PER_HOUR", bound):
			self.run_job()
			self.run_job()

		self.assertEqual((owner_of(oldest), owner_of(newer)), (new, owner))

	def test_a_reassigned_deal_stays_with_its_new_owner_through_the_cooldown(self) -> None:
		first, second, owner = self.manager("first"), self.manager("second"), self.manager("owner")
		stale = self.deal(owner, days_in_stage=10)
		self.rule([first, second, owner], cooldown_hours=48)

		self.run_job()
		taken_by = owner_of(stale)
		self.run_job()  # still over the stage's limit, but reassigned less than 48 hours ago

		self.assertIn(taken_by, (first, second))
		self.assertEqual(owner_of(stale), taken_by)
		self.assertEqual([log.status for log in logs(stale)], ["Applied"])

	def test_a_deal_nobody_can_take_is_logged_as_skipped_once_a_day(self) -> None:
		owner = self.manager("owner")
		stale = self.deal(owner, days_in_stage=10)
		self.rule([owner])  # the only manager in the pool owns the deal

		self.run_job()
		self.run_job()

		self.assertEqual(owner_of(stale), owner)
		[log] = logs(stale)
		self.assertEqual((log.status, log.to_user), ("Skipped", None))
		self.assertIn("No eligible manager", log.reason)
