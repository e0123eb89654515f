// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

{% include "sales_funnel/public/js/report_filters.js" %}

frappe.query_reports["Stale Deals"] = {
	filters: [
		sales_funnel.report_filters.company({ reqd: 0 }),
		{
			fieldname: "funnel",
			label: __("Sales Funnel"),
			fieldtype: "Link",
			options: "Sales Funnel",
		},
	],
};
