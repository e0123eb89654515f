"""Managers ranked by how their deals convert, the tiers that ranking splits them into, and a new Lead routed to
a tier by its temperature.

- Converter ranking (Best Converter): for a stage k, per manager, of the deals that entered k with them as owner
  in the last `converter_window_days`, the share that reached k+1; managers below `converter_min_deals` entries
  are not ranked. Best rate, then more deals, then name.
- Tiers (By Temperature, lead routing): the same ranking over the whole funnel (entered → won) splits the ranked
  managers into thirds: Hot goes to the top third, Warm to the middle, Cold (or unset) to the rest (with the
  unranked). A tier nobody is in (a pool of one or two managers) hands its deals and Leads to the nearest tier
  with managers, the better one first (`TIER_FALLBACK`), so every temperature is moved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.funnels.stages import Funnel, load_funnel
from sales_funnel.engine.i18n import Message, _
from sales_funnel.engine.reassignment.history import open_deal_load
from sales_funnel.engine.reassignment.model import Rule
from sales_funnel.engine.reassignment.rules import pool_users
from sales_funnel.engine.sql import in_list

TIERS = ("top", "middle", "rest")
TIER_LABELS = {"top": _("Top"), "middle": _("Middle"), "rest": _("Rest")}
TIER_OF_TEMPERATURE = {"Hot": "top", "Warm": "middle", "Cold": "rest"}
# A tier nobody is in (a pool of one or two managers, or nobody ranked yet) hands its deals and Leads to the
# nearest tier with managers, the better one first: a pool of any size takes every temperature.
TIER_FALLBACK = {
	"top": ("top", "middle", "rest"),
	"middle": ("middle", "top", "rest"),
	"rest": ("rest", "middle", "top"),
}


def converter_ranking(
	db: Database,
	funnel: Funnel,
	from_position: int,
	to_position: int,
	now: datetime,
	window_days: int,
	users: Sequence[str] | None = None,
	min_deals: int = 1,
) -> pd.DataFrame:
	"""Per owner: deals that entered `from_position` with them in the last `window_days` (to `now`), how many of
	those reached `to_position` by `now`, the rate, and the rank among those with at least `min_deals` entries
	(best rate, then more deals, then name; unranked: rank NaN)."""
	params: dict[str, Any] = {
		"funnel": funnel.name,
		"k": from_position,
		"k2": to_position,
		"since": now - timedelta(days=window_days),
		"now": now,
	}
	user_filter = ""
	if users is not None:
		user_filter = f"AND e.deal_owner IN ({in_list('u', users, params)})"
	rows = db.sql(
		f"""SELECT e.deal_owner AS user, COUNT(DISTINCT e.deal) AS entered, COUNT(DISTINCT m.deal) AS moved_on
		FROM `tabFunnel Stage Transition` e
		LEFT JOIN `tabFunnel Stage Transition` m ON m.deal_doctype = e.deal_doctype AND m.deal = e.deal
			AND m.funnel = e.funnel AND m.progress_from < %(k2)s AND m.progress_to >= %(k2)s
			AND m.transitioned_at <= %(now)s
		WHERE e.funnel = %(funnel)s AND e.progress_from < %(k)s AND e.progress_to >= %(k)s
			AND e.transitioned_at >= %(since)s AND e.transitioned_at <= %(now)s AND e.deal_owner IS NOT NULL
			{user_filter}
		GROUP BY e.deal_owner""",
		params,
		as_dict=True,
	)
	frame = rows_frame(rows, ["user", "entered", "moved_on"])
	if users is not None:
		frame = frame.set_index("user").reindex(sorted(users)).fillna(0).reset_index()
		frame = frame.rename(columns={"index": "user"})
	frame["entered"] = frame["entered"].astype(int)
	frame["moved_on"] = frame["moved_on"].astype(int)
	frame["rate"] = (frame["moved_on"] / frame["entered"].where(frame["entered"] > 0)).round(4)
	frame["ranked"] = frame["entered"] >= max(int(min_deals), 1)
	frame = frame.sort_values(
		["ranked", "rate", "entered", "user"], ascending=[False, False, False, True], na_position="last"
	).reset_index(drop=True)
	frame["rank"] = [float(i + 1) if ranked else math.nan for i, ranked in enumerate(frame["ranked"])]
	return frame


def won_position(funnel: Funnel) -> int:
	return funnel.position(funnel.won_stage.stage)


def funnel_ranking(
	db: Database, rule: Rule, funnel: Funnel, pool: Sequence[str], now: datetime
) -> pd.DataFrame:
	"""`converter_ranking` of the rule's pool over the whole funnel (entered → won), in its window."""
	return converter_ranking(
		db, funnel, 1, won_position(funnel), now, rule.converter_window_days, pool, rule.converter_min_deals
	)


def temperature_tiers(ranking: pd.DataFrame, users: Sequence[str]) -> dict[str, str]:
	"""Manager → tier: the ranked managers split into thirds (top, middle, rest); the unranked go to the rest."""
	ranked = list(ranking.loc[ranking["ranked"], "user"])
	third = math.ceil(len(ranked) / 3)
	tiers = {user: "rest" for user in users}
	for index, user in enumerate(ranked):
		tiers[user] = "top" if index < third else "middle" if index < 2 * third else "rest"
	return tiers


def serving_tier(tiers: Mapping[str, str], tier: str) -> str | None:
	"""The tier that takes the deals and Leads of `tier` (`TIER_FALLBACK`): `tier` itself when anybody is in it,
	else the nearest tier with managers; None for an empty pool."""
	present = set(tiers.values())
	return next((t for t in TIER_FALLBACK[tier] if t in present), None)


def tier_why(subject: str, temperature: str, tier: str, serving: str, load: int) -> Message:
	"""Why a deal (`subject` "deal") or a Lead ("Lead") of `temperature` went to a manager of `serving`."""
	if serving == tier:
		template = (
			_("{0} deal to the {1} tier; least loaded there ({2} open deals).")
			if subject == "deal"
			else _("{0} Lead to the {1} tier; least loaded there ({2} open deals).")
		)
		return Message(template, (temperature, TIER_LABELS[tier], load))
	template = (
		_(
			"{0} deal to the {1} tier, the nearest with managers (nobody is in the {2} tier); least loaded there ({3} open deals)."
		)
		if subject == "deal"
		else _(
			"{0} Lead to the {1} tier, the nearest with managers (nobody is in the {2} tier); least loaded there ({3} open deals)."
		)
	)
	return Message(template, (temperature, TIER_LABELS[serving], TIER_LABELS[tier], load))


def manager_ranking(db: Database, rule: Rule, now: datetime) -> pd.DataFrame:
	"""The rule's pool ranked over its funnel (entered → won in the conversion window), with each manager's tier
	and open deals: what the daily job stores for lead routing and the Manager Ranking report shows."""
	funnel = load_funnel(db, rule.funnel)
	pool = pool_users(db, rule)
	ranking = funnel_ranking(db, rule, funnel, pool, now)
	tiers = temperature_tiers(ranking, pool)
	load = open_deal_load(db)
	ranking["tier"] = ranking["user"].map(tiers)
	ranking["open_deals"] = ranking["user"].map(lambda u: load.get(u, 0)).astype(int)
	return ranking


def route_lead(
	tiers: dict[str, str], load: dict[str, int], temperature: str | None
) -> tuple[str | None, Message]:
	"""The manager a new Lead goes to: the least loaded manager (ties by name) of the tier its temperature
	maps to (Hot → top, Warm → middle, Cold → rest), or of the nearest tier with managers when nobody is in that
	one (`serving_tier`: a pool of one or two managers routes every temperature); None for an empty pool."""
	tier = TIER_OF_TEMPERATURE.get(temperature or "", None)
	if tier is None:
		return None, Message(_("The Lead has no temperature; it is not routed."))
	serving = serving_tier(tiers, tier)
	if serving is None:
		return None, Message(_("Nobody is in the pool; the Lead is not routed."))
	in_tier = sorted(u for u, t in tiers.items() if t == serving)
	user = min(in_tier, key=lambda u: (load.get(u, 0), u))
	return user, tier_why("Lead", temperature, tier, serving, load.get(user, 0))
