# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of Sales Funnel Settings: the statuses that need an outcome (`parse_statuses`), checked against
Call Log's real status options, and the defaults the scheduled jobs read."""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase

from sales_funnel.engine.calls.overdue import DEFAULT_GRACE_HOURS, DEFAULT_STATUSES
from sales_funnel.sales_funnel.doctype.sales_funnel_settings.sales_funnel_settings import (
	SETTINGS,
	call_settings,
	parse_statuses,
)


class TestSalesFunnelSettings(FrappeTestCase):
	def settings(self, **values):
		doc = frappe.get_doc(SETTINGS)
		doc.update(values)
		return doc

	def test_statuses_are_split_on_commas_and_lines_trimmed_and_kept_once_in_order(self) -> None:
		self.assertEqual(
			parse_statuses(" Completed, No Answer\nBusy\n\nCompleted ,"), ["Completed", "No Answer", "Busy"]
		)
		self.assertEqual(parse_statuses(None), [])

	def test_saving_normalises_the_statuses(self) -> None:
		doc = self.settings(statuses_needing_outcome="Completed, Busy,Completed", grace_period_hours=2)
		doc.save()
		self.assertEqual(frappe.db.get_single_value(SETTINGS, "statuses_needing_outcome"), "Completed\nBusy")
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		self.assertEqual(call_settings().statuses, ("Completed", "Busy"))
		self.assertEqual(call_settings().grace_period_hours, 2)

	def test_a_status_call_log_does_not_have_is_refused(self) -> None:
		doc = self.settings(statuses_needing_outcome="Completed\nDisconnected Forever")
		with self.assertRaisesRegex(frappe.ValidationError, "Disconnected Forever"):
			doc.save()

	def test_no_status_or_a_negative_grace_period_is_refused(self) -> None:
		with self.assertRaises(frappe.ValidationError):
			self.settings(statuses_needing_outcome=" , \n").save()
		with self.assertRaises(frappe.ValidationError):
			self.settings(statuses_needing_outcome="Completed", grace_period_hours=-1).save()

	def test_defaults_when_never_saved(self) -> None:
		frappe.db.set_single_value(SETTINGS, {"grace_period_hours": None, "statuses_needing_outcome": None})
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		settings = call_settings()
		self.assertEqual(settings.grace_period_hours, DEFAULT_GRACE_HOURS)
		self.assertEqual(settings.statuses, DEFAULT_STATUSES)
