// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

frappe.ui.form.on("Pending Stage Move", {
	refresh(frm) {},
});
