"""The charts of the Stale Deals and Manager Ranking reports, drawn from the rows the Desk shows (`report.py`), so
a bar is always a count or a figure of the table below it (`engine.charts` makes the Frappe chart dict).

- Stale Deals: per owner, their stale deals stacked by stage: who holds the "hope clients", and where they stall.
  The owners with most stale deals first; past `MAX_OWNERS` the rest share one bar.
- Manager Ranking: the ranked managers' conversion, in rank order (the unranked, below the rule's minimum of
  deals, have no figure to draw).

Reassignment Preview has no chart: each row is a decision about one deal with its reason, a list to read, not a
quantity to compare.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sales_funnel.engine.charts import chart, dataset, one_decimal
from sales_funnel.engine.i18n import _

Translate = Callable[[str], str]

MAX_OWNERS = 15  # bars of a Stale Deals chart; the owners past the first MAX_OWNERS - 1 are one bar
NO_OWNER = _("(not set)")
OTHER_OWNERS = _("Other Owners")


def stale_deals_chart(data: Sequence[dict[str, Any]], translate: Translate) -> dict[str, Any] | None:
	"""Stale deals per owner (bars, most first), stacked by stage (most stale deals first)."""
	if not data:
		return None
	per_owner = Counter(row["owner"] or "" for row in data)
	owners = sorted(
		per_owner, key=lambda owner: (-per_owner[owner], not owner, owner)
	)  # nobody last of equals
	shown = owners if len(owners) <= MAX_OWNERS else owners[: MAX_OWNERS - 1]
	names = {row["owner"] or "": row.get("owner_name") or row["owner"] for row in data}
	labels = [names[owner] or translate(NO_OWNER) for owner in shown]
	if len(shown) < len(owners):
		labels.append(translate(OTHER_OWNERS))
	bar_of = {owner: index for index, owner in enumerate(shown)}
	per_stage = Counter(row["stage"] for row in data)
	stages = sorted(per_stage, key=lambda stage: (-per_stage[stage], stage))
	counts = {stage: [0] * len(labels) for stage in stages}
	for row in data:
		counts[row["stage"]][bar_of.get(row["owner"] or "", len(labels) - 1)] += 1
	return chart(labels, [dataset(stage, counts[stage]) for stage in stages], barOptions={"stacked": 1})


def ranking_chart(data: Sequence[dict[str, Any]], translate: Translate) -> dict[str, Any] | None:
	"""The ranked managers' conversion, best first, labelled by name."""
	ranked = sorted((row for row in data if row["rank"] is not None), key=lambda row: row["rank"])
	return chart(
		[row["full_name"] or row["user"] for row in ranked],
		[dataset(translate(_("Conversion %")), (row["rate"] for row in ranked), one_decimal)],
		fieldtype=None,  # percentages: Frappe's tooltip formatter would show the site's three decimals
	)
