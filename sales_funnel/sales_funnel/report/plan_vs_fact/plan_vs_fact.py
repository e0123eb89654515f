# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Plan vs Fact: per Sales Person, rolled up the Sales Person tree to departments and the company, the plan,
fact, % done and run-rate projection of each metric for one period.

Thin: facts, rollup and plans come from `sales_funnel.engine.planfact.plan_vs_fact`, the columns, chart and
summary from `plan_fact_report` (both tested off a bench on MariaDB).
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.planfact import plan_fact_filters, plan_fact_report, plan_vs_fact
from sales_funnel.recording import throw_invalid


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	filters = frappe._dict(filters or {})
	metrics = filters.metrics or []
	if isinstance(metrics, str):
		metrics = frappe.parse_json(metrics) if metrics.startswith("[") else [metrics]
	try:
		chosen = plan_fact_filters(
			company=filters.company,
			period_type=filters.period_type,
			period_start=getdate(filters.period_start) if filters.period_start else None,
			metrics=metrics,
		)
		result = plan_vs_fact(frappe.db, chosen, now=now_datetime())
	except InvalidInput as error:
		throw_invalid(error, title=_("Plan vs Fact"))
	currency = frappe.get_cached_value("Company", chosen.company, "default_currency")
	columns, data, chart, summary = plan_fact_report(result, _, currency=currency)
	return columns, data, None, chart, summary
