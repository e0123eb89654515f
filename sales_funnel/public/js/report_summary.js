// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

// Report summary items with a precision: 49.8%, not 49.750%.
//
// Frappe's frappe.utils.build_summary_item (frappe/public/js/frappe/utils/utils.js) formats a summary item's
// value by its datatype alone, so a Percent or Float figure takes the site's float precision (3 by default),
// whatever the report asks. The app's reports give their percentages `"precision": 1`
// (sales_funnel/engine/charts.py); an item that has one is formatted here with Frappe's own formatter and that
// precision (the site's number format still applies), then drawn by Frappe as text. Items without a precision,
// and every other app's reports, are drawn by Frappe unchanged.
(() => {
	const build_summary_item = frappe.utils.build_summary_item;
	frappe.utils.build_summary_item = function (summary) {
		const decimal = ["Percent", "Float"].includes(summary.datatype);
		if (!decimal || summary.precision == null || summary.value == null) {
			return build_summary_item.call(this, summary);
		}
		const df = { fieldtype: summary.datatype, precision: cint(summary.precision) };
		const value = frappe.format(summary.value, df, { only_value: true });
		return build_summary_item.call(this, { ...summary, datatype: "Data", value: value });
	};
})();
