// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

// The filters the app's reports share, with their defaults: the company and a date range. A report's script
// includes this file with Frappe's include directive (see stage_conversion.js, first line): Frappe inlines it when it
// serves the script (frappe.desk.query_report.get_script -> render_include), so the block needs no build step and
// loads only with a report that uses it. This comment must not spell the directive out: Frappe would inline it here
// too, again and again.

frappe.provide("sales_funnel.report_filters");

// The Company filter: the user's default company unless `user_default` is false; required unless `reqd` is 0.
sales_funnel.report_filters.company = function ({ reqd = 1, user_default = true } = {}) {
	const filter = { fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", reqd: reqd };
	if (user_default) filter.default = frappe.defaults.get_user_default("Company");
	return filter;
};

// From Date and To Date: from `months` months before today to today; required unless `reqd` is 0.
sales_funnel.report_filters.date_range = function ({ months = 3, reqd = 1 } = {}) {
	const today = frappe.datetime.get_today();
	return [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(today, -months),
			reqd: reqd,
		},
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: today, reqd: reqd },
	];
};
