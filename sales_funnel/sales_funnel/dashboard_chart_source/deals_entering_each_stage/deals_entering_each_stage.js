// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt
// The "Deals Entering Each Stage" chart of the Funnels workspace, computed for each user by stage_entries_chart
// (sales_funnel/dashboards.py); its filters are the workspace's (sales_funnel/public/js/dashboards.js).

frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Deals Entering Each Stage"] = {
	method: "sales_funnel.dashboards.stage_entries_chart",
	filters: sales_funnel.dashboards.chart_filters(true),
};
