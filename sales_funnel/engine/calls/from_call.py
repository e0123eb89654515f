"""`Opportunity.sf_from_call`: whether any Call Log links to the deal (the Call Outcomes report counts the deals
created from calls through it, on its covering index `sf_from_call`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sales_funnel.engine.db import Database
from sales_funnel.engine.sql import in_list


def from_call_changes(
	db: Database, opportunities: Iterable[str | None], *, without_call: str | None = None
) -> dict[str, int]:
	"""Opportunities whose `sf_from_call` flag is wrong after their calls changed: name -> the right value
	(1 when any Call Log other than `without_call`, a call being deleted, links to it). The Call Log hook
	passes the Opportunities in the call's links before and after the change and writes what this returns."""
	names = sorted({n for n in opportunities if n})
	if not names:
		return {}
	values: dict[str, Any] = {"without": without_call or ""}
	rows = db.sql(
		f"""SELECT o.name, o.sf_from_call, EXISTS (SELECT 1 FROM `tabDynamic Link` dl
				WHERE dl.link_doctype = 'Opportunity' AND dl.link_name = o.name AND dl.parenttype = 'Call Log'
				AND dl.parent != %(without)s) AS linked
		FROM `tabOpportunity` o WHERE o.name IN ({in_list("opp_", names, values)})""",
		values,
		as_dict=True,
	)
	return {r["name"]: int(r["linked"]) for r in rows if int(r["sf_from_call"] or 0) != int(r["linked"])}


def backfill_from_call(db: Database) -> int:
	"""Set `sf_from_call` on every Opportunity a Call Log links to, clear it elsewhere (installation, and a
	site whose links were changed behind the hooks); returns the rows changed. One set-based UPDATE each way:
	the flag is derived data, and a save per deal would fire the Opportunity's hooks a million times."""
	linked = (
		"SELECT dl.link_name FROM `tabDynamic Link` dl"
		" WHERE dl.link_doctype = 'Opportunity' AND dl.parenttype = 'Call Log'"
	)
	db.sql(f"UPDATE `tabOpportunity` SET sf_from_call = 1 WHERE sf_from_call = 0 AND name IN ({linked})")
	set_count = db.sql("SELECT ROW_COUNT()")[0][0]
	db.sql(f"UPDATE `tabOpportunity` SET sf_from_call = 0 WHERE sf_from_call = 1 AND name NOT IN ({linked})")
	return int(set_count) + int(db.sql("SELECT ROW_COUNT()")[0][0])
