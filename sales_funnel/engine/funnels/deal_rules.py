"""Domain rules of a deal's stage that the Frappe layer applies (overrides/, services/history.py): where a new deal
enters its funnel, what a Sales Order of a converted deal means, which of several document triggers wins, the deal's
amount and item group as the stage history stores them, when a move is recorded, and the probability a stage
gives the deal.

Plain functions of the funnel and of the values read from the documents (mappings with Frappe's field names):
no database, no frappe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sales_funnel.engine.funnels.history import Transition
from sales_funnel.engine.funnels.stages import Funnel


def number(value: Any) -> float:
	"""A document's numeric value as `frappe.utils.flt` reads it (no precision): thousands separators dropped,
	anything unreadable (None, "", text) is 0."""
	if isinstance(value, str):
		value = value.replace(",", "")
	try:
		return float(value)
	except (TypeError, ValueError):
		return 0.0


def entry_stage(funnel: Funnel, sales_stage: str | None) -> str:
	"""The stage a new deal starts at: its own sales stage when the funnel has it (and it is not a Lost
	stage), else the first open stage (the Won stage of a funnel without open stages)."""
	if funnel.stage(sales_stage) is not None and funnel.kind(sales_stage) != "Lost":
		return sales_stage
	return funnel.open_stages[0].stage if funnel.open_stages else funnel.won_stage.stage


def won_by_conversion(funnel: Funnel, latest: Transition | None) -> str | None:
	"""ERPNext marks the Opportunity Converted when a Sales Order takes its quotation (Quotation.update_opportunity,
	through db_set, so the Opportunity's on_update never sees it). The engine reads Converted as Won, so the
	deal reaches the Won stage then, unless the funnel puts its Won stage on a later document trigger, or the
	deal is already Won in this funnel."""
	won = funnel.won_stage
	if won.trigger:
		return None
	if latest is not None and latest.funnel == funnel.name and latest.to_kind == "Won":
		return None
	return won.stage


def furthest(funnel: Funnel, targets: Iterable[str | None]) -> str | None:
	"""The target furthest along the funnel (one move, not one per trigger); the first of equals."""
	candidates = [t for t in targets if t]
	return max(candidates, key=funnel.position) if candidates else None


def deal_amount(deal: Mapping[str, Any]) -> float:
	"""The deal's amount in company currency: `base_opportunity_amount`, else `opportunity_amount` times the
	conversion rate (1 when unset), else the items' `base_total`."""
	return (
		number(deal.get("base_opportunity_amount"))
		or number(deal.get("opportunity_amount")) * number(deal.get("conversion_rate") or 1)
		or number(deal.get("base_total"))
	)


def largest_item_group(items: Iterable[Mapping[str, Any]]) -> str | None:
	"""The item group with the largest amount (company currency: `base_amount`, else `amount`) among a deal's
	items; ties go to the group first in name order; None when no item has a group."""
	totals: dict[str, float] = {}
	for item in items:
		group = item.get("item_group")
		if group:
			totals[group] = totals.get(group, 0.0) + (
				number(item.get("base_amount")) or number(item.get("amount"))
			)
	if not totals:
		return None
	return min(totals, key=lambda group: (-totals[group], group))


def move_time(now: datetime, previous: Transition | None) -> datetime:
	"""When a move happening `now` is recorded: never before the deal's last recorded move (a clock that went
	back, rows imported with later times), so its history stays in order."""
	if previous is not None and previous.transitioned_at and previous.transitioned_at > now:
		return previous.transitioned_at
	return now


def stage_probability(funnel: Funnel, stage: str | None) -> float | None:
	"""The probability (%) a deal gets as it enters or moves to `stage` of the funnel; None for a stage the
	funnel does not have (the deal's probability is then left as it is)."""
	found = funnel.stage(stage)
	return float(found.probability or 0) if found is not None else None
