frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Deals by Stage"] = {
	method: "sales_funnel.dashboards.deals_chart",
	filters: [],
};
