// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

frappe.ui.form.on("Reassignment Rule", {
	refresh(frm) {
		if (!frm.is_new()) {
			frm.add_custom_button(__("Preview Next Run"), () => {
				frappe.set_route("query-report", "Reassignment Preview");
			});
		}
	},
});
