// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

{% include "sales_funnel/public/js/report_filters.js" %}

frappe.query_reports["Stage Conversion"] = {
	filters: [
		sales_funnel.report_filters.company(),
		{
			fieldname: "funnel",
			label: __("Sales Funnel"),
			fieldtype: "Link",
			options: "Sales Funnel",
			get_query: () => {
				const filters = { enabled: 1 };
				const company = frappe.query_report.get_filter_value("company");
				if (company) filters.company = company;
				return { filters: filters };
			},
		},
		...sales_funnel.report_filters.date_range(),
		{
			fieldname: "mode",
			label: __("Mode"),
			fieldtype: "Select",
			options: [
				{ value: "Cohort", label: __("Cohort") },
				{ value: "Activity", label: __("Activity") },
			],
			default: "Cohort",
			description: __(
				"Cohort: deals that entered the funnel in the period, followed to today. Activity: moves made in the period."
			),
		},
		{
			fieldname: "slice_by",
			label: __("Slice By"),
			fieldtype: "Select",
			// values are the engine's slice labels (sales_funnel.engine.conversion.SLICE_LABELS)
			options: [
				{ value: "", label: "" },
				{ value: "Manager", label: __("Manager") },
				{ value: "Department", label: __("Department") },
				{ value: "Territory", label: __("Territory") },
				{ value: "Customer Group", label: __("Customer Group") },
				{ value: "Channel", label: __("Channel") },
				{ value: "Item Group", label: __("Item Group") },
				{ value: "New vs Existing Customer", label: __("New vs Existing Customer") },
				{ value: "Lead Temperature", label: __("Lead Temperature") },
				{ value: "Reassigned or Not", label: __("Reassigned or Not") },
			],
		},
		{
			fieldname: "compare_previous",
			label: __("Compare with Previous Period"),
			fieldtype: "Check",
			default: 0,
		},
	],

	// Sliced results come as a tree: one row per slice (indent 0) and its stages (indent 1); the Desk turns the
	// table into a tree when the rows carry `indent`. Slices start collapsed to their totals.
	tree: true,
	name_field: "stage",
	parent_field: "parent_slice",
	initial_depth: 0,

	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (!data) return value;

		if (column.fieldname === "gap" && data.gap !== null && data.gap !== undefined && data.gap < 0) {
			value = `<span style="color: var(--red-600)">${value}</span>`;
		} else if (column.fieldname === "change" && data.change) {
			const colour = data.change < 0 ? "var(--red-600)" : "var(--green-600)";
			value = `<span style="color: ${colour}">${value}</span>`;
		} else if (column.fieldname === "stale" && data.stale > 0) {
			value = `<span style="color: var(--red-600); font-weight: bold">${value}</span>`;
		}

		if (data.is_group) {
			value = `<b>${value}</b>`;
		}
		return value;
	},
};
