// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt
// The "Wins per Month" chart of the Funnels workspace, computed for each user by wins_per_month_chart
// (sales_funnel/dashboards.py); its filters are the workspace's (sales_funnel/public/js/dashboards.js).

frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Wins per Month"] = {
	method: "sales_funnel.dashboards.wins_per_month_chart",
	filters: sales_funnel.dashboards.chart_filters(false),
};
