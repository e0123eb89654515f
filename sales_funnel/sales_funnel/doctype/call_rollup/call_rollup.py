# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class CallRollup(Document):
	pass


def on_doctype_update() -> None:
	"""The covering indexes the Call Outcomes report reads (`engine.indexes.APP_INDEXES`); `add_index` skips
	an index that already exists by name."""
	from sales_funnel.engine.indexes import APP_INDEXES, named_index

	for index in APP_INDEXES["Call Rollup"]:
		index_name, columns = named_index(index)
		frappe.db.add_index("Call Rollup", columns, index_name)
