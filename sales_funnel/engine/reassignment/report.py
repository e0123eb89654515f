"""The Stale Deals, Reassignment Preview and Manager Ranking reports for Frappe's query report: filters in,
columns and rows out, and for Stale Deals and Manager Ranking the chart of those rows (`charts.py`).

Pure shaping, no frappe import: the Frappe layer (`report/<name>/<name>.py`) passes the session's scope, `frappe._`
as `translate` and `get_fullname` as `full_name`, and returns what these give it. Frappe's report runner refuses
the whole report to a user who cannot read the doctype of a Link column with a value
(frappe/desk/query_report.py, get_filtered_data): a System Manager has no Opportunity permission in ERPNext, a
Sales User none on Sales Stage. So the deal is a Dynamic Link (to the row's `deal_doctype`, still a link in the
Desk) and the stage plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from sales_funnel.engine.charts import PERCENT_PRECISION
from sales_funnel.engine.db import Database
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.names import DEAL_DOCTYPE
from sales_funnel.engine.reassignment.charts import ranking_chart, stale_deals_chart
from sales_funnel.engine.reassignment.ranking import TIER_LABELS, manager_ranking
from sales_funnel.engine.reassignment.rules import load_rules
from sales_funnel.engine.reassignment.stale import reassignment_preview, stale_deals
from sales_funnel.engine.scope import DealScope

Translate = Callable[[str], str]
FullName = Callable[[str], str | None]
Report = tuple[list[dict[str, Any]], list[dict[str, Any]]]
# columns, rows, message (none), chart: what a report's `execute` returns to Frappe
ChartReport = tuple[list[dict[str, Any]], list[dict[str, Any]], None, dict[str, Any] | None]

_DEAL = {
	"fieldname": "deal",
	"label": _("Deal"),
	"fieldtype": "Dynamic Link",
	"options": "deal_doctype",
	"width": 170,
}
_RULE = {
	"fieldname": "rule",
	"label": _("Rule"),
	"fieldtype": "Link",
	"options": "Reassignment Rule",
	"width": 150,
}
_STAGE = {"fieldname": "stage", "label": _("Stage"), "fieldtype": "Data", "width": 140}

STALE_DEALS_COLUMNS = (
	_DEAL,
	{"fieldname": "funnel", "label": _("Sales Funnel"), "fieldtype": "Link", "options": "Sales Funnel", "width": 150},
	_STAGE,
	{"fieldname": "owner", "label": _("Owner"), "fieldtype": "Link", "options": "User", "width": 160},
	{"fieldname": "owner_name", "label": _("Owner Name"), "fieldtype": "Data", "width": 140},
	{"fieldname": "days_in_stage", "label": _("Days in Stage"), "fieldtype": "Float", "precision": 1, "width": 110},
	{"fieldname": "time_limit_days", "label": _("Limit (Days)"), "fieldtype": "Float", "precision": 1, "width": 100},
	{"fieldname": "days_over", "label": _("Days Over"), "fieldtype": "Float", "precision": 1, "width": 100},
	{"fieldname": "last_activity", "label": _("Last Activity"), "fieldtype": "Datetime", "width": 160},
	{"fieldname": "reassigned", "label": _("Times Reassigned"), "fieldtype": "Int", "width": 90},
	_RULE,
	{"fieldname": "acts_at", "label": _("Rule Acts At"), "fieldtype": "Datetime", "width": 160},
	{"fieldname": "suggested_action", "label": _("Suggested Action"), "fieldtype": "Data", "width": 130},
)  # fmt: skip

PREVIEW_COLUMNS = (
	_DEAL,
	_RULE,
	{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 90},
	_STAGE,
	{"fieldname": "from_user", "label": _("From"), "fieldtype": "Link", "options": "User", "width": 160},
	{"fieldname": "to_user", "label": _("To"), "fieldtype": "Link", "options": "User", "width": 160},
	{"fieldname": "reason", "label": _("Why"), "fieldtype": "Data", "width": 480},
	{"fieldname": "dry_run", "label": _("Dry Run"), "fieldtype": "Check", "width": 70},
)  # fmt: skip

RANKING_COLUMNS = (
	{"fieldname": "rank", "label": _("Rank"), "fieldtype": "Int", "width": 70},
	{"fieldname": "user", "label": _("Manager"), "fieldtype": "Link", "options": "User", "width": 180},
	{"fieldname": "full_name", "label": _("Name"), "fieldtype": "Data", "width": 150},
	{"fieldname": "entered", "label": _("Deals Entered"), "fieldtype": "Int", "width": 110},
	{"fieldname": "moved_on", "label": _("Deals Won"), "fieldtype": "Int", "width": 100},
	{
		"fieldname": "rate",
		"label": _("Conversion %"),
		"fieldtype": "Percent",
		"precision": PERCENT_PRECISION,
		"width": 110,
	},
	{"fieldname": "tier", "label": _("Tier"), "fieldtype": "Data", "width": 90},
	{"fieldname": "open_deals", "label": _("Open Deals"), "fieldtype": "Int", "width": 100},
)


def columns(spec: tuple[dict[str, Any], ...], translate: Translate) -> list[dict[str, Any]]:
	"""The report's columns with their labels in the user's language."""
	return [{**column, "label": translate(column["label"])} for column in spec]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
	"""The frame's rows as dicts, NaN and NaT as None."""
	return frame.astype(object).where(frame.notna(), None).to_dict("records")


def stale_deals_report(
	db: Database,
	now: datetime,
	filters: Mapping[str, Any],
	scope: DealScope,
	translate: Translate,
	full_name: FullName,
) -> ChartReport:
	"""Stale Deals: `stale.stale_deals` of the funnel and company filtered on, of the deals `scope` sees, with the
	owner's name and the suggested action in the user's language; the chart of them per owner and stage."""
	frame = stale_deals(
		db, now, funnel=filters.get("funnel") or None, company=filters.get("company") or None, scope=scope
	)
	data = _records(frame)
	for row in data:
		row["deal_doctype"] = DEAL_DOCTYPE
		row["owner_name"] = full_name(row["owner"]) if row["owner"] else None
		row["suggested_action"] = translate(row["suggested_action"])
	return columns(STALE_DEALS_COLUMNS, translate), data, None, stale_deals_chart(data, translate)


def preview_report(
	db: Database, now: datetime, filters: Mapping[str, Any], scope: DealScope, translate: Translate
) -> Report:
	"""Reassignment Preview: `stale.reassignment_preview` for `scope`, of the rule and status filtered on."""
	frame = reassignment_preview(db, now, scope=scope)
	if not frame.empty and filters.get("rule"):
		frame = frame[frame["rule"] == filters["rule"]]
	if not frame.empty and filters.get("status"):
		frame = frame[frame["status"] == filters["status"]]
	data = _records(frame)
	for row in data:
		row["deal_doctype"] = DEAL_DOCTYPE
		row["status"] = translate(row["status"])
	return columns(PREVIEW_COLUMNS, translate), data


def ranking_report(
	db: Database,
	now: datetime,
	filters: Mapping[str, Any],
	translate: Translate,
	full_name: FullName,
	only_user: str | None = None,
) -> ChartReport:
	"""Manager Ranking: `ranking.manager_ranking` of the rule filtered on (`InvalidInput` when none is chosen or it
	does not exist); only `only_user`'s row when given (their rank and tier among the pool)."""
	name = filters.get("rule")
	if not name:
		raise InvalidInput(Message(_("Choose a Reassignment Rule.")))
	rules = load_rules(db, [name], enabled_only=False)
	if not rules:
		raise InvalidInput(Message(_("There is no Reassignment Rule {0}."), (name,)))
	frame = manager_ranking(db, rules[0], now)
	if only_user is not None:
		frame = frame[frame["user"] == only_user]
	data = [
		{
			"rank": None if row.rank != row.rank else int(row.rank),  # NaN: below the minimum sample
			"user": row.user,
			"full_name": full_name(row.user),
			"entered": int(row.entered),
			"moved_on": int(row.moved_on),
			"rate": None if row.rate != row.rate else round(float(row.rate) * 100, 1),
			"tier": translate(TIER_LABELS[row.tier]),
			"open_deals": int(row.open_deals),
		}
		for row in frame.itertuples()
	]
	return columns(RANKING_COLUMNS, translate), data, None, ranking_chart(data, translate)
