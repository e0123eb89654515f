# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""What follows from a call's links, kept in the change's own transaction (the Call Log hooks, the Opportunity hooks
when a deal's funnel changes or the deal is deleted, and the history backfill when it gives deals a funnel):

- a change to a call of a sealed past day unseals that day, so the Call Outcomes report reads the day from the
  Call Logs until the hourly job seals it again (`sales_funnel.engine.calls.rollup`);
- the Opportunities the call links to (before and after) get their `sf_from_call` flag right
  (`sales_funnel.engine.calls.from_call.from_call_changes`), written with `frappe.db.set_value` like the app's other
  derived fields: the flag is what the report's deals from calls are counted by;
- the call's own `sf_funnel` (the funnel of its first deal in a funnel, `sales_funnel.engine.funnels.call_funnel`) is
  recomputed from its links, and when it changed the call's day is unsealed: the Stage Conversion report's
  Call Received row counts calls by it (`keep_call_funnels`).

Frappe runs a Call Log's `on_update` after insert and after every save, with the child rows (`links`) already
written; during `on_trash` the call's link rows still exist, so the call is left out of the count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import frappe
from frappe.utils import now_datetime

from sales_funnel.engine.calls.from_call import from_call_changes
from sales_funnel.engine.calls.rollup import changed_days, mark_changed
from sales_funnel.engine.funnels.call_funnel import funnel_changes

if TYPE_CHECKING:
	from frappe.model.document import Document


def call_changed(doc: Document) -> None:
	"""A Call Log was inserted or saved: its day, its deals' `sf_from_call` and its own `sf_funnel`."""
	before = doc.get_doc_before_save()
	days = changed_days(before.as_dict() if before is not None else None, doc.as_dict())
	if days:
		mark_changed(frappe.db, days, now_datetime())
	_set_from_call(_opportunities(doc) | (_opportunities(before) if before is not None else set()))
	for change in keep_call_funnels([doc.name]):
		doc.sf_funnel = change.funnel


def call_deleted(doc: Document) -> None:
	"""A Call Log is being deleted: its day is unsealed and its deals no longer count it."""
	mark_changed(frappe.db, changed_days(doc.as_dict(), None), now_datetime())
	_set_from_call(_opportunities(doc), without_call=doc.name)


def _opportunities(doc: Any) -> set[str]:
	return {link.link_name for link in doc.get("links") or [] if link.link_doctype == "Opportunity"}


def _set_from_call(opportunities: set[str], without_call: str | None = None) -> None:
	for name, value in from_call_changes(frappe.db, opportunities, without_call=without_call).items():
		frappe.db.set_value("Opportunity", name, "sf_from_call", value, update_modified=False)


def keep_call_funnels(calls: list[str], without_deal: str | None = None) -> list:
	"""Write the right `sf_funnel` on these calls (`without_deal`: a deal being deleted) and unseal their days;
	returns the changes."""
	changes = funnel_changes(frappe.db, calls, without_deal=without_deal)
	for change in changes:
		frappe.db.set_value("Call Log", change.call, "sf_funnel", change.funnel, update_modified=False)
	if changes:
		mark_changed(frappe.db, [change.start_time for change in changes], now_datetime())
	return changes
