# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt

from __future__ import annotations

from typing import TYPE_CHECKING

import frappe
from frappe.model.document import Document

if TYPE_CHECKING:
	from frappe.model.document import Document as Deal


class ReassignmentLog(Document):
	pass


def delete_logs_of_deal(doc: Deal) -> None:
	"""Opportunity `on_trash` (`overrides/opportunity.py`): the deal's reassignment log goes with the deal, as its
	stage history does.

	The rows are history about a deal that no longer exists, and they are not only history: the reassignment job
	reads a deal's Applied rows for its limits (how often, how recently, never back to an earlier owner). Frappe
	hands the name of the last deal of a naming series out again when that deal is deleted, so rows left behind
	would belong to the next new deal. Runs before Frappe's link check, which they would otherwise fail."""
	frappe.db.delete("Reassignment Log", {"deal": doc.name})
