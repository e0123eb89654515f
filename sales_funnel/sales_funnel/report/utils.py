# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""What the money reports (Plan vs Fact, Daily Payments, Invoices Without Deal) share in the Frappe layer.

- Filter values as the engine takes them: the Desk sends a Link filter as a name and a MultiSelectList as a JSON
  list in a text, an API caller may send either or a list. Anything else goes to the engine as it is, which
  refuses it with a clear message.
- Link columns only to doctypes the user may read (`can_read`, which the engine's report shapes ask through
  `desk`): Frappe checks every Link column's doctype against the user's permissions before it shows a report's
  rows (`frappe.desk.query_report.get_filtered_data` -> `build_match_conditions`, "No permission to read Sales
  Person" for an Accounts User); a doctype the user cannot read is shown as plain text instead.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import frappe
from frappe import _
from frappe.utils import getdate

from sales_funnel.engine.sales.report_rows import Desk


def names(value: Any, label: str) -> Any:
	"""One name, a JSON list of names, or a list: a list of names; None when empty."""
	if value is None or value == "" or value == []:
		return None
	if isinstance(value, str):
		text = value.strip()
		if not text.startswith("["):
			return [text]
		try:
			return json.loads(text)
		except ValueError:
			frappe.throw(_("{0}: {1} is not a list of names.").format(_(label), frappe.bold(text)))
	return value


def report_date(value: Any, default: date | None = None) -> date | None:
	"""A date filter (a date or its text); `default` when empty. A text that is no date is Frappe's clear error."""
	if value is None or value == "":
		return default
	return getdate(value)


def can_read(doctype: str) -> bool:
	"""Whether the session user may follow a Link column to `doctype` (else the report shows it as text)."""
	return bool(frappe.has_permission(doctype, "select") or frappe.has_permission(doctype, "read"))


def desk(company: str) -> Desk:
	"""What the engine's report shapes need from the Desk: translation, the doctypes the user may read, and the
	company currency."""
	return Desk(_, frappe.get_cached_value("Company", company, "default_currency"), can_read)


def no_sales_person_message() -> str:
	"""What a Sales User who is no Sales Person's Employee sees instead of figures."""
	return _(
		"Your user is not the Employee of any Sales Person, so there are no figures of yours to show. Ask a Sales "
		"Manager to set you as the Employee of your Sales Person."
	)
