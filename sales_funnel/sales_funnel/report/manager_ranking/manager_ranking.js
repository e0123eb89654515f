// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

frappe.query_reports["Manager Ranking"] = {
	filters: [
		{
			fieldname: "rule",
			label: __("Reassignment Rule"),
			fieldtype: "Link",
			options: "Reassignment Rule",
			reqd: 1,
		},
	],
};
