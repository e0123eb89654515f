"""Which funnel a call belongs to, kept on the call: `Call Log.sf_funnel`.

A call's funnel is the funnel (`Opportunity.sf_sales_funnel`) of the first Opportunity its `links` name (by the
link row's position, `idx`) that is in a funnel; empty (NULL) when its links name no Opportunity in a funnel. So a
call about deals of two funnels belongs to the funnel of the first of them only.

The Stage Conversion report's Call Received row (`conversion/call_received.py`) counts calls by this field over
the covering index `sf_call_funnel` (sf_funnel, start_time, employee_user_id) instead of probing every call's
link rows (56 s for a year of the 5M-call benchmark before; see docs/call_outcomes.md).

Kept in the change's own transaction by:

- the Call Log hook after every save (its links may have changed): `funnel_changes([call])`;
- the Opportunity hook when a deal's funnel changes or the deal is deleted: `funnel_changes(calls_linking(deal))`
  (with `without_deal` while the deal is being deleted), and the history backfill when it puts deals in funnels;
- `backfill_call_funnels` on install and upgrade (one set-based UPDATE), and after repairs behind the hooks.

The per-day rollup counts calls by this field too (`Call Funnel Rollup`, sealed with the other rollup rows by
`call_rollup.seal_day`), so whoever changes a call's `sf_funnel` unseals the call's day (`mark_changed`) in the
same transaction, as the hooks do; `backfill_call_funnels` unseals every day when it changed anything.

Every function computes the value from the link rows with the same rule (`FIRST_FUNNEL`), so the backfill and the
hooks agree by construction (tested).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sales_funnel.engine.calls.rollup import unseal_all
from sales_funnel.engine.db import Database
from sales_funnel.engine.sql import in_list

# The link rows of calls that name an Opportunity in a funnel (alias dl for the link, o for the deal).
_LINKED_DEALS = """`tabDynamic Link` dl JOIN `tabOpportunity` o ON o.name = dl.link_name
	WHERE dl.parenttype = 'Call Log' AND dl.link_doctype = 'Opportunity'
	AND o.sf_sales_funnel IS NOT NULL AND o.sf_sales_funnel != ''"""


@dataclass(frozen=True)
class FunnelChange:
	call: str
	funnel: str | None  # the right `sf_funnel` (None: no deal in a funnel)
	start_time: datetime | None  # the call's day, to unseal in the rollup (`call_rollup.mark_changed`)


def funnel_changes(
	db: Database, calls: Iterable[str | None], *, without_deal: str | None = None
) -> list[FunnelChange]:
	"""The calls whose `sf_funnel` is wrong, with the right value. `without_deal` is a deal being deleted, left
	out as if unlinked."""
	names = sorted({n for n in calls if n})
	if not names:
		return []
	values: dict[str, Any] = {"without": without_deal or ""}
	keys = in_list("call_", names, values)
	rows = db.sql(
		f"""SELECT c.name, c.sf_funnel, c.start_time, (SELECT o.sf_sales_funnel FROM {_LINKED_DEALS}
				AND dl.parent = c.name AND o.name != %(without)s ORDER BY dl.idx, dl.name LIMIT 1) AS funnel
		FROM `tabCall Log` c WHERE c.name IN ({keys}) ORDER BY c.name""",
		values,
		as_dict=True,
	)
	return [
		FunnelChange(r["name"], r["funnel"] or None, r["start_time"])
		for r in rows
		if (r["sf_funnel"] or None) != (r["funnel"] or None)
	]


def calls_linking(db: Database, deals: Iterable[str | None]) -> list[str]:
	"""The Call Logs whose links name any of these Opportunities (through `sf_link_parenttype`)."""
	names = sorted({n for n in deals if n})
	if not names:
		return []
	values: dict[str, Any] = {}
	keys = in_list("deal_", names, values)
	rows = db.sql(
		f"""SELECT DISTINCT dl.parent FROM `tabDynamic Link` dl WHERE dl.link_doctype = 'Opportunity'
		AND dl.link_name IN ({keys}) AND dl.parenttype = 'Call Log' ORDER BY dl.parent""",
		values,
	)
	return [row[0] for row in rows]


def backfill_call_funnels(db: Database) -> int:
	"""Set `sf_funnel` on every Call Log from its links (installation, upgrade, a repair behind the hooks);
	returns the calls changed. One set-based UPDATE: the field is derived data, and a save per call would fire
	the Call Log hooks millions of times. When anything changed, every day of the rollup is unsealed
	(`call_rollup.unseal_all`): the job seals them again from the Call Logs."""
	db.sql(
		f"""UPDATE `tabCall Log` c LEFT JOIN (
			SELECT parent, funnel FROM (
				SELECT dl.parent, o.sf_sales_funnel AS funnel,
					ROW_NUMBER() OVER (PARTITION BY dl.parent ORDER BY dl.idx, dl.name) AS position
				FROM {_LINKED_DEALS}
			) ranked WHERE position = 1
		) first ON first.parent = c.name
		SET c.sf_funnel = first.funnel
		WHERE NOT (c.sf_funnel <=> first.funnel)"""
	)
	changed = int(db.sql("SELECT ROW_COUNT()")[0][0])
	if changed:
		unseal_all(db)
	return changed


__all__ = ["FunnelChange", "backfill_call_funnels", "calls_linking", "funnel_changes"]
