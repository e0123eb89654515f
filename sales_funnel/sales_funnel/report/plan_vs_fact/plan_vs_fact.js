// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

{% include "sales_funnel/public/js/report_filters.js" %}

frappe.query_reports["Plan vs Fact"] = {
	filters: [
		sales_funnel.report_filters.company(),
		{
			fieldname: "period_type",
			label: __("Period Type"),
			fieldtype: "Select",
			// values are the engine's period types (sales_funnel.engine.sales.plans.PERIOD_TYPES)
			options: [
				{ value: "Month", label: __("Month") },
				{ value: "Quarter", label: __("Quarter") },
				{ value: "Half-year", label: __("Half-year") },
				{ value: "Year", label: __("Year") },
			],
			default: "Quarter",
			reqd: 1,
			on_change: () => {
				const report = frappe.query_report;
				report.set_filter_value("period_start", period_start(report.get_filter_value("period_type")));
			},
		},
		{
			fieldname: "period_start",
			label: __("Period Start"),
			fieldtype: "Date",
			default: period_start("Quarter"),
			reqd: 1,
		},
		{
			fieldname: "sales_person",
			label: __("Sales Person"),
			fieldtype: "Link",
			options: "Sales Person",
			description: __("A person, or a group for everyone in it."),
		},
		{
			fieldname: "metrics",
			label: __("Metrics"),
			fieldtype: "MultiSelectList",
			get_data: () =>
				[
					"Invoiced Revenue",
					"Payments Received",
					"Gross Margin",
					"Won Deals",
					"Won Amount",
					"New Deals",
					"Calls With Outcome",
					"Meetings Booked",
				].map((metric) => ({ value: metric, description: __(metric) })),
		},
	],

	tree: true,
	name_field: "node",
	parent_field: "parent_node",
	initial_depth: 2,

	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (!data) return value;
		if (column.fieldname.endsWith("_pct") && data[column.fieldname] !== null && data[column.fieldname] !== undefined) {
			const colour = data[column.fieldname] >= 100 ? "var(--green-600)" : "var(--orange-600)";
			value = `<span style="color: ${colour}">${value}</span>`;
		}
		if (data.is_group) {
			value = `<b>${value}</b>`;
		}
		return value;
	},
};

// The first day of the current period of that type (a quarter starts in Jan, Apr, Jul or Oct, a half-year in Jan or Jul)
function period_start(period_type) {
	const today = frappe.datetime.str_to_obj(frappe.datetime.get_today());
	const months = { Month: 1, Quarter: 3, "Half-year": 6, Year: 12 }[period_type] || 3;
	const month = Math.floor(today.getMonth() / months) * months;
	return frappe.datetime.obj_to_str(new Date(today.getFullYear(), month, 1));
}
