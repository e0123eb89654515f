// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt
// The "Conversion per Manager" chart of the Funnels workspace, computed for each user by manager_conversion_chart
// (sales_funnel/dashboards.py); its filters are the workspace's (sales_funnel/public/js/dashboards.js).

frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Conversion per Manager"] = {
	method: "sales_funnel.dashboards.manager_conversion_chart",
	filters: sales_funnel.dashboards.chart_filters(true),
};
