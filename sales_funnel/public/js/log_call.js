// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt
// "Log a Call" on Lead, Opportunity and Customer for teams without telephony (sales_funnel.api.log_call).

frappe.provide("sales_funnel.calls");

sales_funnel.calls.log_call_dialog = function (frm) {
	const fields = [
		{
			fieldname: "call_type",
			label: __("Call Type"),
			fieldtype: "Select",
			options: [
				{ value: "Outgoing", label: __("Outgoing") },
				{ value: "Incoming", label: __("Incoming") },
			],
			default: "Outgoing",
			reqd: 1,
		},
		{
			fieldname: "duration_minutes",
			label: __("Duration (Minutes)"),
			fieldtype: "Float",
		},
		{ fieldtype: "Section Break" },
		...sales_funnel.calls.outcome_fields(),
	];
	const dialog = new frappe.ui.Dialog({
		title: __("Log a Call"),
		fields: fields,
		primary_action_label: __("Log"),
		primary_action(values) {
			frappe.call({
				method: "sales_funnel.api.log_call",
				args: {
					reference_doctype: frm.doctype,
					reference_name: frm.doc.name,
					outcome: values.outcome,
					note: values.note,
					follow_up_on: values.follow_up_on,
					call_type: values.call_type,
					duration_minutes: values.duration_minutes,
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

["Lead", "Opportunity", "Customer"].forEach((doctype) => {
	frappe.ui.form.on(doctype, {
		refresh(frm) {
			if (frm.is_new()) return;
			frm.add_custom_button(__("Log a Call"), () => sales_funnel.calls.log_call_dialog(frm), __("Create"));
		},
	});
});
