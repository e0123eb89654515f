# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The credit ledger: derived rows, written set-based by `sales_funnel.services.credits` (never by hand)."""

import frappe
from frappe.model.document import Document


class SalesCreditEntry(Document):
	pass


def on_doctype_update() -> None:
	"""The covering index Plan vs Fact reads and the voucher index rewrites use (`APP_INDEXES`); `add_index`
	skips an index that already exists by name."""
	from sales_funnel.engine.indexes import APP_INDEXES, named_index

	for index in APP_INDEXES["Sales Credit Entry"]:
		index_name, columns = named_index(index)
		frappe.db.add_index("Sales Credit Entry", columns, index_name)
