# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt

from frappe.model.document import Document


class CallRollupDay(Document):
	pass
