# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Keep the credit ledger (Sales Credit Entry) in step with Sales Invoices and Payment Entries, in the same
transaction as the document (`sales_funnel.credit_ledger`, rules in `sales_funnel.engine.sales.credit_ledger`).

Frappe runs these doc_events after the controller's own methods, with the document's row and child rows already
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

A failure here fails the document: the ledger must not silently miss a document's credit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sales_funnel.credit_ledger import write_document_credits

if TYPE_CHECKING:
	from frappe.model.document import Document


def on_submit(doc: Document, method: str | None = None) -> None:
	write_document_credits(doc)


def on_cancel(doc: Document, method: str | None = None) -> None:
	write_document_credits(doc)


def on_update_after_submit(doc: Document, method: str | None = None) -> None:
	write_document_credits(doc)
