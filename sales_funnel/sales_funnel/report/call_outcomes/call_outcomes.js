// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

{% include "sales_funnel/public/js/report_filters.js" %}

frappe.query_reports["Call Outcomes"] = {
	filters: [
		sales_funnel.report_filters.company({ reqd: 0, user_default: false }),
		...sales_funnel.report_filters.date_range({ months: 1 }),
		{
			fieldname: "period",
			label: __("Period"),
			fieldtype: "Select",
			options: [
				{ value: "Day", label: __("Day") },
				{ value: "Week", label: __("Week") },
				{ value: "Month", label: __("Month") },
			],
			default: "Week",
			reqd: 1,
		},
		{
			fieldname: "manager",
			label: __("Manager"),
			fieldtype: "Link",
			options: "User",
		},
		{
			fieldname: "call_type",
			label: __("Call Type"),
			fieldtype: "Select",
			options: [
				{ value: "", label: "" },
				{ value: "Incoming", label: __("Incoming") },
				{ value: "Outgoing", label: __("Outgoing") },
			],
		},
	],

	// One row per manager (indent 0) with the manager's periods under it (indent 1)
	tree: true,
	name_field: "label",
	parent_field: "parent_label",
	initial_depth: 0,

	onload(report) {
		// the drill-down links carry their row in data attributes (escaped), read here: no inline handler is
		// ever built from the report's data (a user id or a period with a quote would break out of it)
		report.page.wrapper.off("click.sf_call_drilldown").on("click.sf_call_drilldown", "a.sf-call-drilldown", (event) => {
			event.preventDefault();
			const link = event.currentTarget;
			frappe.query_reports["Call Outcomes"].show_calls({
				manager: link.dataset.manager || "",
				period: link.dataset.period || "",
				kind: link.dataset.kind || "",
			});
		});
	},

	formatter(value, row, column, data, default_formatter) {
		// the label is a manager's full name (any text a user gave themselves): shown as text, never as HTML
		if (column.fieldname === "label") value = frappe.utils.escape_html(String(value ?? ""));
		value = default_formatter(value, row, column, data);
		if (!data) return value;
		if (column.fieldname === "without_outcome" && data.without_outcome > 0) {
			value = `<span style="color: var(--red-600)">${value}</span>`;
		}
		if (["negotiations", "without_outcome", "calls"].includes(column.fieldname) && data[column.fieldname] > 0) {
			const attr = (text) => frappe.utils.escape_html(String(text || ""));
			value = `<a href="#" class="sf-call-drilldown" data-manager="${attr(data.manager)}"
				data-period="${attr(data.period)}" data-kind="${attr(column.fieldname)}">${value}</a>`;
		}
		if (data.is_group) value = `<b>${value}</b>`;
		return value;
	},

	// a recording is a link only when it is an absolute http(s) URL (the server sends no other, this checks
	// again); everything shown is escaped
	recording_link(url) {
		if (!url || !/^https?:\/\/[^\s"'<>`\\]+$/i.test(url)) return "";
		return `<a href="${frappe.utils.escape_html(url)}" target="_blank" rel="noopener noreferrer">${__("Listen")}</a>`;
	},

	period_end(start) {
		const period = frappe.query_report.get_filter_value("period");
		if (period === "Day") return start;
		if (period === "Week") return frappe.datetime.add_days(start, 6);
		return frappe.datetime.add_days(frappe.datetime.add_months(start, 1), -1);
	},

	show_calls(args) {
		const filters = frappe.query_report.get_filter_values();
		const request = {
			filters: filters,
			manager: args.manager,
			negotiations_only: args.kind === "negotiations" ? 1 : 0,
			without_outcome: args.kind === "without_outcome" ? 1 : 0,
		};
		if (args.period) {
			request.period_from = args.period;
			request.period_to = this.period_end(args.period);
		}
		frappe.call({
			method: "sales_funnel.sales_funnel.report.call_outcomes.call_outcomes.get_calls",
			args: request,
			callback(r) {
				const escape = (text) => frappe.utils.escape_html(String(text || ""));
				const report = frappe.query_reports["Call Outcomes"];
				const rows = (r.message || [])
					.map((call) => {
						const recording = report.recording_link(call.recording_url);
						const deal = call.opportunity
							? `<a href="/app/opportunity/${encodeURIComponent(call.opportunity)}">${escape(call.opportunity)}</a>`
							: "";
						return `<tr>
							<td><a href="/app/call-log/${encodeURIComponent(call.name)}">${escape(frappe.datetime.str_to_user(call.start_time))}</a></td>
							<td>${escape(__(call.type || ""))}</td>
							<td>${escape(call.outcome)}</td>
							<td>${escape(call.note)}</td>
							<td>${deal}</td>
							<td>${recording}</td>
						</tr>`;
					})
					.join("");
				const dialog = new frappe.ui.Dialog({ title: __("Calls"), size: "extra-large" });
				dialog.$body.html(`<table class="table table-bordered">
					<thead><tr><th>${__("Start")}</th><th>${__("Type")}</th><th>${__("Outcome")}</th>
					<th>${__("Note")}</th><th>${__("Opportunity")}</th><th>${__("Recording")}</th></tr></thead>
					<tbody>${rows || `<tr><td colspan="6">${__("No calls")}</td></tr>`}</tbody></table>`);
				dialog.show();
			},
		});
	},
};
