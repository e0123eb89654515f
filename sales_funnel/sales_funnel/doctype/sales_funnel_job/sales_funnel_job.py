# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The state of one of the app's long jobs, written by the job itself (`sales_funnel.services.jobs`): one record
per job, its last run (queued, running with its progress, finished with its counts, or failed with the error)."""

from frappe.model.document import Document


class SalesFunnelJob(Document):
	pass
