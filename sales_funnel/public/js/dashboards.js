// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt
// The Funnels workspace's charts and cards (sales_funnel/dashboards.py).
//
// Its Dashboard Chart Sources (sales_funnel/sales_funnel/dashboard_chart_source/*/*.js) take their filters from
// `chart_filters`. Its Custom Number Cards (sales_funnel/dashboards.py) answer with a `currency` (the card's
// company's, which a card record cannot name for every company) and a `comparison` ({change, text}: the line
// under the figure). Frappe 15's NumberCardWidget formats a Custom card's value with the answer as its docfield
// and opens `route` with `route_options` on a click, but shows a comparison for Document Type cards only; this
// widget adds both for the app's cards and leaves every other card as Frappe draws it.

frappe.provide("sales_funnel.dashboards");

// the filters of a chart of the workspace: the company (the user's default), and the funnel when it is one's
sales_funnel.dashboards.chart_filters = (with_funnel) => [
	{
		fieldname: "company",
		label: __("Company"),
		fieldtype: "Link",
		options: "Company",
		default: frappe.defaults.get_user_default("Company"),
		reqd: 1,
	},
	...(with_funnel
		? [
				{
					fieldname: "funnel",
					label: __("Sales Funnel"),
					fieldtype: "Link",
					options: "Sales Funnel",
					description: __("The company's default funnel when empty."),
				},
		  ]
		: []),
];

sales_funnel.dashboards.is_app_card = (card_doc) =>
	card_doc && card_doc.type === "Custom" && (card_doc.method || "").startsWith("sales_funnel.");

sales_funnel.dashboards.comparison_html = (comparison) => {
	const change = comparison.change;
	let color_class = "grey-stat";
	let caret = "";
	if (change > 0) {
		color_class = "green-stat";
		caret = `<span class="indicator-pill-round green">${frappe.utils.icon("es-line-arrow-up-right", "xs")}</span>`;
	} else if (change < 0) {
		color_class = "red-stat";
		caret = `<span class="indicator-pill-round red">${frappe.utils.icon("arrow-down-right", "xs")}</span>`;
	}
	return `<div class="card-stats ${color_class}">
		<span class="percentage-stat-area">${caret} ${frappe.utils.escape_html(comparison.text || "")}</span>
	</div>`;
};

(() => {
	const Base = frappe.widget && frappe.widget.widget_factory && frappe.widget.widget_factory.number_card;
	if (!Base) return;

	class SalesFunnelNumberCard extends Base {
		get_number_for_custom_card(res) {
			if (sales_funnel.dashboards.is_app_card(this.card_doc) && res && res.currency) {
				// a copy: the card record in locals stays as it is
				this.card_doc = Object.assign({}, this.card_doc, { currency: res.currency });
			}
			return super.get_number_for_custom_card(res);
		}

		render_stats() {
			if (!sales_funnel.dashboards.is_app_card(this.card_doc)) return super.render_stats();
			const comparison = this.data && this.data.comparison;
			if (!comparison) return;
			$(this.body)
				.find(".widget-content")
				.append(sales_funnel.dashboards.comparison_html(comparison));
		}
	}

	frappe.widget.widget_factory.number_card = SalesFunnelNumberCard;
})();
