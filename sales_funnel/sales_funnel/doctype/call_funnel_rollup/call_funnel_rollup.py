# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class CallFunnelRollup(Document):
	pass


def on_doctype_update() -> None:
	"""The covering index the Stage Conversion report's Call Received row reads
	(`engine.indexes.APP_INDEXES`); `add_index` skips an index that already exists by name."""
	from sales_funnel.engine.indexes import APP_INDEXES, named_index

	for index in APP_INDEXES["Call Funnel Rollup"]:
		index_name, columns = named_index(index)
		frappe.db.add_index("Call Funnel Rollup", columns, index_name)
