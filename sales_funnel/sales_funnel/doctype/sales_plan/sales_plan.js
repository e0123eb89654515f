// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

frappe.ui.form.on("Sales Plan", {
	refresh(frm) {
		if (frm.doc.docstatus === 1) {
			frm.add_custom_button(__("Plan vs Fact"), () => {
				frappe.set_route("query-report", "Plan vs Fact", {
					company: frm.doc.company,
					period_type: frm.doc.period_type,
					period_start: frm.doc.period_start,
				});
			});
		}
	},
});
