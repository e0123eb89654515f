// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

frappe.query_reports["Reassignment Preview"] = {
	filters: [
		{
			fieldname: "rule",
			label: __("Reassignment Rule"),
			fieldtype: "Link",
			options: "Reassignment Rule",
		},
		{
			fieldname: "status",
			label: __("Status"),
			fieldtype: "Select",
			options: ["", "Planned", "Skipped"],
		},
	],
};
