// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt
// The outcome dialog shared by Call Log (set the outcome) and Lead / Opportunity / Customer (log a call).

frappe.provide("sales_funnel.calls");

sales_funnel.calls.outcome_fields = function (defaults) {
	defaults = defaults || {};
	return [
		{
			fieldname: "outcome",
			label: __("Outcome"),
			fieldtype: "Link",
			options: "Call Outcome",
			reqd: 1,
			default: defaults.outcome,
			get_query: () => ({ filters: { enabled: 1 } }),
		},
		{
			fieldname: "note",
			label: __("Note"),
			fieldtype: "Small Text",
			default: defaults.note,
		},
		{
			fieldname: "follow_up_on",
			label: __("Follow Up On"),
			fieldtype: "Datetime",
			default: defaults.follow_up_on,
		},
	];
};

sales_funnel.calls.report_done = function (result) {
	if (!result) return;
	const parts = [];
	if (result.lead) parts.push(__("Lead {0} created", [result.lead]));
	if (result.opportunity) parts.push(__("Opportunity {0} created", [result.opportunity]));
	if (result.moved_opportunity) parts.push(__("Opportunity {0} moved", [result.moved_opportunity]));
	if (result.todo_date) parts.push(__("Follow-up due {0}", [frappe.datetime.str_to_user(result.todo_date)]));
	const message = result.changed ? __("Call outcome saved") : __("Nothing changed");
	frappe.show_alert({
		message: parts.length ? `${message}: ${parts.join(", ")}` : message,
		indicator: "green",
	});
};
