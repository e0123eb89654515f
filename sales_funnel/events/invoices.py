# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The deal a Sales Invoice realises (`sf_opportunity`), filled on submit from ERPNext's document chain.

Rules in `sales_funnel.engine.sales.deal_links` (tested off a bench): items -> Sales Order -> Quotation -> Opportunity;
items of several deals -> the larger share, flagged `sf_deal_ambiguous` for the Invoices Without Deal report. A
deal an accountant set on the draft is kept. Both fields are allowed on submit: an accountant may correct the deal
later; Frappe records the change in the invoice's Version history (track changes is on for Sales Invoice), and
setting it by hand clears the ambiguity flag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import frappe

from sales_funnel.engine.sales.deal_links import deal_of_items

if TYPE_CHECKING:
	from frappe.model.document import Document


def before_submit(doc: Document, method: str | None = None) -> None:
	if doc.get("sf_opportunity"):
		doc.sf_deal_ambiguous = 0
		return
	link = deal_of_items(
		frappe.db,
		[
			{
				"sales_order": row.sales_order,
				"so_detail": row.so_detail,
				"base_net_amount": row.base_net_amount,
			}
			for row in doc.get("items")
		],
		return_against=doc.get("return_against") if doc.get("is_return") else None,
	)
	doc.sf_opportunity = link.opportunity
	doc.sf_deal_ambiguous = int(link.ambiguous)


def before_update_after_submit(doc: Document, method: str | None = None) -> None:
	"""An accountant chose the deal: the invoice no longer waits for a decision."""
	if doc.has_value_changed("sf_opportunity"):
		doc.sf_deal_ambiguous = 0
