// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt
// Call Log: a "Set Outcome" button and dialog (sales_funnel.api.set_call_outcome).

frappe.ui.form.on("Call Log", {
	refresh(frm) {
		if (frm.is_new()) return;
		const may_set =
			frm.doc.employee_user_id === frappe.session.user ||
			frappe.user.has_role(["Sales Manager", "System Manager"]);
		if (!may_set) return;
		const label = frm.doc.sf_outcome ? __("Change Outcome") : __("Set Outcome");
		frm.add_custom_button(label, () => sales_funnel.calls.set_outcome_dialog(frm));
		if (!frm.doc.sf_outcome) {
			frm.dashboard.set_headline_alert(__("This call has no outcome yet."), "orange");
		}
	},
});

frappe.provide("sales_funnel.calls");

sales_funnel.calls.set_outcome_dialog = function (frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Call Outcome"),
		fields: sales_funnel.calls.outcome_fields({
			outcome: frm.doc.sf_outcome,
			note: frm.doc.sf_outcome_note,
			follow_up_on: frm.doc.sf_follow_up_on,
		}),
		primary_action_label: __("Save"),
		primary_action(values) {
			frappe.call({
				method: "sales_funnel.api.set_call_outcome",
				args: {
					call_log: frm.doc.name,
					outcome: values.outcome,
					note: values.note,
					follow_up_on: values.follow_up_on,
				},
				freeze: true,
				callback(r) {
					dialog.hide();
					sales_funnel.calls.report_done(r.message);
					frm.reload_doc();
				},
			});
		},
	});
	dialog.show();
};
