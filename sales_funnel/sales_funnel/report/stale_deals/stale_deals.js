// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

frappe.query_reports["Stale Deals"] = {
	filters: [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			default: frappe.defaults.get_user_default("Company"),
		},
		{
			fieldname: "funnel",
			label: __("Sales Funnel"),
			fieldtype: "Link",
			options: "Sales Funnel",
		},
	],
};
