# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Whitelisted methods of the Sales Funnel app (thin: check permissions, call the engine through helpers)."""

from __future__ import annotations

import json
from typing import Any

import frappe
from frappe import _

from sales_funnel.engine.names import MANAGER_ROLES
from sales_funnel.permissions import require_any_role
from sales_funnel.services.backfill import start_backfill


@frappe.whitelist(methods=["POST"])
def backfill_history(deals: str | list | None = None) -> dict[str, Any]:
	"""Rebuild the stage history of Opportunities that have none, from their Versions (idempotent: deals that
	already have history are left alone). `deals`: a JSON list or comma-separated names; all when empty.
	Small runs return the counts; large ones are queued as a background job. Sales Managers and System Managers
	only."""
	require_any_role(
		MANAGER_ROLES, _("Only a Sales Manager or a System Manager may rebuild the stage history.")
	)
	names = _deal_names(deals)
	result = start_backfill(names, commit=False)  # the request commits once, at its end
	if result.get("queued"):
		frappe.msgprint(
			_("The stage history of {0} deals is being rebuilt in the background.").format(result["deals"]),
			alert=True,
		)
	return result


def _deal_names(deals: str | list | None) -> list[str] | None:
	"""The names in `deals`: a list of names, a JSON list of names or names separated by commas. Anything else
	(a JSON object, string or number, broken JSON, a list of other things) is refused with a clear error."""
	if deals in (None, "", []):
		return None
	parsed: Any = deals
	if isinstance(deals, str):
		text = deals.strip()
		if text[:1] in ("[", "{", '"') or text in ("null", "true", "false"):
			try:
				parsed = json.loads(text)
			except ValueError:
				parsed = None
		else:
			parsed = text.split(",")
	if not isinstance(parsed, list) or not all(isinstance(name, str) for name in parsed):
		frappe.throw(_("Deals must be a list of Opportunity names."), title=_("Invalid Deals"))
	names = [name.strip() for name in parsed if name.strip()]
	return names or None


@frappe.whitelist(methods=["POST"])
def rebuild_credit_ledger(company: str | None = None) -> dict[str, Any]:
	"""Write the credit ledger (Sales Credit Entry) again from the submitted invoices and payments, of one company
	or all (idempotent). Small sites return the row count; large ones are queued as a background job."""
	from sales_funnel.services.credits import check_rebuild_permission, start_rebuild

	check_rebuild_permission()
	result = start_rebuild(company or None, commit=False)  # the request commits once, at its end
	if result.get("queued"):
		frappe.msgprint(
			_("The credit ledger of {0} invoices is being rebuilt in the background.").format(
				result["invoices"]
			),
			alert=True,
		)
	return result


@frappe.whitelist(methods=["POST"])
def reseal_call_rollup() -> dict[str, Any]:
	"""Count every past day's calls of the Call Outcomes rollup again (after a correction of many calls): few days
	in the request, more in a background job. Sales Managers and System Managers only."""
	from sales_funnel.services.call_rollup import check_reseal_permission, start_reseal

	check_reseal_permission()
	result = start_reseal(commit=False)  # the request commits once, at its end
	if result.get("queued"):
		frappe.msgprint(_("The call rollup is being counted again in the background."), alert=True)
	return result


@frappe.whitelist(methods=["POST"])
def set_call_outcome(
	call_log: str, outcome: str, note: str | None = None, follow_up_on: str | None = None
) -> dict[str, Any]:
	"""Set the outcome of a Call Log and apply its effect (Lead, Opportunity, follow-up ToDo) in one transaction.
	The call's employee or a Sales Manager may; setting the same outcome again creates nothing twice."""
	from sales_funnel.services.calls import set_outcome

	return set_outcome(call_log, outcome, note=note, follow_up_on=follow_up_on)


@frappe.whitelist(methods=["POST"])
def log_call(
	reference_doctype: str,
	reference_name: str,
	outcome: str,
	note: str | None = None,
	follow_up_on: str | None = None,
	call_type: str = "Outgoing",
	duration_minutes: float | None = None,
	phone: str | None = None,
) -> dict[str, Any]:
	"""Log a call made outside telephony on a Lead, Opportunity or Customer, with its outcome, in one step."""
	from sales_funnel.services.calls import log_call as log

	return log(
		reference_doctype,
		reference_name,
		outcome,
		note=note,
		follow_up_on=follow_up_on,
		call_type=call_type,
		duration_minutes=duration_minutes,
		phone=phone,
	)
