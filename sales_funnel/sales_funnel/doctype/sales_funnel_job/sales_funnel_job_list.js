// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

frappe.listview_settings["Sales Funnel Job"] = {
	add_fields: ["status", "progress"],
	get_indicator(doc) {
		const colors = { Queued: "orange", Running: "blue", Finished: "green", Failed: "red" };
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},
};
