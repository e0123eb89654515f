# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Lead doc_events: a new Lead with a temperature goes to a manager of the matching tier (Hot → the best
converters, Warm → the middle, Cold → the rest), chosen by `sales_funnel.services.lead_routing.route_new_lead`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import frappe
from frappe import _

from sales_funnel.services.lead_routing import route_new_lead

if TYPE_CHECKING:
	from frappe.model.document import Document


def after_insert(doc: Document, method: str | None = None) -> None:
	if not doc.get("sf_temperature") or frappe.flags.in_import or frappe.flags.in_migrate:
		return
	try:
		route_new_lead(doc)
	except Exception:
		# routing must never stop a Lead from being saved (web forms, email pulls, imports)
		frappe.log_error(title=_("Lead routing failed for {0}").format(doc.name), reference_doctype="Lead",
						 reference_name=doc.name)  # fmt: skip
