# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class FunnelStageTransition(Document):
	pass


def on_doctype_update() -> None:
	"""Composite indexes the doctype JSON cannot declare (the same ones the engine's test schema creates).

	Frappe runs this after syncing the doctype (DocType.on_update -> run_module_method); `add_index` skips an
	index that already exists by name."""
	from sales_funnel.engine.indexes import APP_INDEXES, named_index

	for index in APP_INDEXES["Funnel Stage Transition"]:
		index_name, columns = named_index(index)
		frappe.db.add_index("Funnel Stage Transition", columns, index_name)
