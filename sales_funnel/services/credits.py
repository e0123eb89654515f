# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The credit ledger (Sales Credit Entry) on a bench: kept in step with the documents, rebuilt on demand.

`sales_funnel.engine.sales.credit_ledger` computes the rows with the crediting SQL Plan vs Fact uses and writes them
set-based (INSERT … SELECT through `frappe.db.sql`): the rows are derived data with no controller logic of their
own, like ERPNext's ledger rows, and one document's rows are written in the same transaction as the document.

- `write_document_credits`: the Sales Invoice and Payment Entry doc_events (`overrides/sales_invoice.py`,
  `overrides/payment_entry.py`), in the same transaction as the document;
- `rebuild_credit_ledger` / `start_rebuild`: installation (`install.after_sync`), the whitelisted
  `sales_funnel.api.rebuild_credit_ledger` and `bench --site … sf-rebuild-credit-ledger`. A background job or the
  command commits after each company-year; inside a request nothing is committed here. Each rebuild shows its
  progress and keeps its state on the Sales Funnel Job "Credit Ledger Rebuild" (`services.jobs`).

Frappe runs the doc_events after the controller's own methods, with the document's row and child rows already
written (Document.save -> db_update / update_children -> run_post_save_methods), so the ledger's SQL reads the
document as submitted, corrected or cancelled (docstatus 2: its rows are removed).

- Sales Invoice on_submit / on_cancel: its rows, those of credit notes returning it and of payments allocated to
  any of them (on cancel ERPNext may have unlinked those payments: unlink_ref_doc_from_payment_entries sets their
  allocated amounts to 0 by query, so no hook of theirs runs: their rows are rewritten here).
- Sales Invoice on_update_after_submit: an accountant corrected `sf_opportunity` (allowed on submit), or another
  field allowed on submit changed: the same rows, since the deal decides the credit when there is no Sales Team.
- Payment Entry on_submit / on_cancel, and on_update_after_submit: ERPNext's payment reconciliation
  (erpnext.accounts.utils.reconcile_against_document -> update_reference_in_payment_entry) changes the references
  of a submitted Payment Entry and saves it (`doc.save()` with ignore_validate_update_after_submit), which runs
  its before/on_update_after_submit hooks.

A failure to write a document's rows fails the document: the ledger must not silently miss a document's credit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import frappe
from frappe import _
from frappe.utils import now_datetime

from sales_funnel.engine.sales.credit_ledger import rebuild_credits, write_credits
from sales_funnel.permissions import require_any_role
from sales_funnel.services.jobs import CREDIT_LEDGER, job_run, queue_job

if TYPE_CHECKING:
	from frappe.model.document import Document

JOB_ID = "sales_funnel_rebuild_credit_ledger"
INLINE_LIMIT = 20_000  # more submitted invoices than this go to a background job
JOB_TIMEOUT = 6 * 60 * 60
REBUILD_ROLES = ("Accounts Manager", "System Manager")


def check_rebuild_permission(user: str | None = None) -> None:
	"""Only an Accounts Manager or a System Manager (or Administrator) rebuilds the ledger: a PermissionError with
	a translated message for anyone else."""
	require_any_role(
		REBUILD_ROLES, _("Only an Accounts Manager or a System Manager can rebuild the credit ledger."), user
	)


def write_document_credits(doc: Document) -> None:
	"""Rewrite the ledger rows of a Sales Invoice (with its credit notes and their payments) or a Payment Entry."""
	if doc.doctype == "Sales Invoice":
		write_credits(frappe.db, invoices=[doc.name], now=now_datetime(), user=frappe.session.user)
	elif doc.doctype == "Payment Entry":
		write_credits(frappe.db, payments=[doc.name], now=now_datetime(), user=frappe.session.user)


def rebuild_credit_ledger(company: str | None = None, *, commit: bool = True) -> dict[str, Any]:
	"""Write the whole ledger (or one company's) again; `commit` after each company-year only in a background job
	or a bench command. Records its state and progress by company-year (Sales Funnel Job "Credit Ledger Rebuild",
	`services.jobs`)."""
	with job_run(CREDIT_LEDGER, 0, commit=commit) as run:

		def after_chunk(label: str, rows: int) -> None:
			if commit:
				frappe.db.commit()

		def progress(done: int, chunks: int) -> None:
			run.set_total(chunks)
			run.advance(done, _("{0} of {1} company-years written").format(done, chunks))

		rows = rebuild_credits(
			frappe.db,
			now=now_datetime(),
			user=frappe.session.user,
			company=company,
			after_chunk=after_chunk,
			progress=progress,
		)
		run.finish({"rows": rows, "company": company or ""}, processed=run.total)
	return {"rows": rows}


def start_rebuild(company: str | None = None, *, commit: bool = True) -> dict[str, Any]:
	"""Rebuild inline when the site is small, else enqueue it on the long queue (once)."""
	filters = {"docstatus": 1, **({"company": company} if company else {})}
	invoices = frappe.db.count("Sales Invoice", filters)
	if invoices <= INLINE_LIMIT:
		return {**rebuild_credit_ledger(company, commit=commit), "invoices": invoices}
	queued = queue_job(
		CREDIT_LEDGER,
		0,
		"sales_funnel.services.credits.rebuild_credit_ledger",
		job_id=JOB_ID,
		timeout=JOB_TIMEOUT,
		company=company,
	)
	return {"queued": 1, "invoices": invoices, **({} if queued else {"already": 1})}
