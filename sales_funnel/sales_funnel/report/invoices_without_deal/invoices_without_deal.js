// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

{% include "sales_funnel/public/js/report_filters.js" %}

frappe.query_reports["Invoices Without Deal"] = {
	filters: [
		sales_funnel.report_filters.company(),
		...sales_funnel.report_filters.date_range({ reqd: 0 }),
	],
};
