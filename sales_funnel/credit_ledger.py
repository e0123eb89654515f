# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The credit ledger (Sales Credit Entry) on a bench: kept in step with the documents, rebuilt on demand.

`sales_funnel.engine.sales.credit_ledger` computes the rows with the crediting SQL Plan vs Fact uses and writes them
set-based (INSERT … SELECT through `frappe.db.sql`): the rows are derived data with no controller logic of their
own, like ERPNext's ledger rows, and one document's rows are written in the same transaction as the document.

- `write_document_credits`: the doc_events in hooks.py (events/credits.py);
- `rebuild_credit_ledger` / `start_rebuild`: installation (`install.after_sync`), the whitelisted
  `sales_funnel.api.rebuild_credit_ledger` and `bench --site … sf-rebuild-credit-ledger`. A background job or the
  command commits after each company-year; inside a request nothing is committed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import frappe
from frappe import _
from frappe.utils import now_datetime

from sales_funnel.engine.sales.credit_ledger import rebuild_credits, write_credits

if TYPE_CHECKING:
	from frappe.model.document import Document

JOB_ID = "sales_funnel_rebuild_credit_ledger"
INLINE_LIMIT = 20_000  # more submitted invoices than this go to a background job
JOB_TIMEOUT = 6 * 60 * 60
REBUILD_ROLES = ("Accounts Manager", "System Manager")


def check_rebuild_permission(user: str | None = None) -> None:
	"""Only an Accounts Manager or a System Manager (or Administrator) rebuilds the ledger: a PermissionError with
	a translated message for anyone else. Checked here, not with `frappe.only_for`, which lets every user through
	while tests run, so the rule could never be tested."""
	user = user or frappe.session.user
	if user == "Administrator" or not set(REBUILD_ROLES).isdisjoint(frappe.get_roles(user)):
		return
	frappe.throw(
		_("Only an Accounts Manager or a System Manager can rebuild the credit ledger."),
		frappe.PermissionError,
		title=_("Not Permitted"),
	)


def write_document_credits(doc: Document) -> None:
	"""Rewrite the ledger rows of a Sales Invoice (with its credit notes and their payments) or a Payment Entry."""
	if doc.doctype == "Sales Invoice":
		write_credits(frappe.db, invoices=[doc.name], now=now_datetime(), user=frappe.session.user)
	elif doc.doctype == "Payment Entry":
		write_credits(frappe.db, payments=[doc.name], now=now_datetime(), user=frappe.session.user)


def rebuild_credit_ledger(company: str | None = None, *, commit: bool = True) -> dict[str, Any]:
	"""Write the whole ledger (or one company's) again; `commit` after each company-year only in a background job
	or a bench command."""

	def after_chunk(label: str, rows: int) -> None:
		if commit:
			frappe.db.commit()

	rows = rebuild_credits(
		frappe.db, now=now_datetime(), user=frappe.session.user, company=company, after_chunk=after_chunk
	)
	return {"rows": rows}


def start_rebuild(company: str | None = None, *, commit: bool = True) -> dict[str, Any]:
	"""Rebuild inline when the site is small, else enqueue it on the long queue (once)."""
	filters = {"docstatus": 1, **({"company": company} if company else {})}
	invoices = frappe.db.count("Sales Invoice", filters)
	if invoices <= INLINE_LIMIT:
		return {**rebuild_credit_ledger(company, commit=commit), "invoices": invoices}
	frappe.enqueue(
		"sales_funnel.credit_ledger.rebuild_credit_ledger",
		queue="long",
		timeout=JOB_TIMEOUT,
		job_id=JOB_ID,
		deduplicate=True,
		enqueue_after_commit=True,
		company=company,
	)
	return {"queued": 1, "invoices": invoices}
