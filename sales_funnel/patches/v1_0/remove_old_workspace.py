# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The app's workspace was called "Sales Funnel" until 1.0, and a workspace answers its route before a doctype does:
`/app/sales-funnel/...` opened the workspace instead of the Sales Funnel doctype's list and forms. The workspace is
"Funnels" (`/app/funnels`) now; Frappe syncs the new one from its JSON but never deletes a workspace whose file is
gone, so the old record is deleted here (only the app's own, never a user's workspace of that name)."""

import frappe

OLD_WORKSPACE = "Sales Funnel"


def execute() -> None:
	if frappe.db.get_value("Workspace", OLD_WORKSPACE, "module") == "Sales Funnel":
		frappe.delete_doc("Workspace", OLD_WORKSPACE, ignore_permissions=True, force=True)
