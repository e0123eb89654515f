"""Which funnel a new deal goes to: the highest-priority enabled funnel of its company whose rule matches it, else
the company's default funnel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sales_funnel.engine.funnels.stages import Funnel


@dataclass(frozen=True)
class DealAttributes:
	"""What a funnel rule looks at when a deal is created."""

	company: str | None
	customer_kind: str | None  # New / Existing
	source: str | None
	opportunity_type: str | None
	customer_group: str | None


def choose_funnel(funnels: Sequence[Funnel], deal: DealAttributes) -> Funnel | None:
	"""The funnel a new deal goes to: the highest-priority enabled funnel of its company whose rule matches
	(every rule field that is set must equal the deal's), else the company's default funnel."""
	candidates = [f for f in funnels if f.enabled and f.company == deal.company]
	ruled = [
		f
		for f in candidates
		if any((f.customer_kind, f.source, f.opportunity_type, f.customer_group))
		and (f.customer_kind is None or f.customer_kind == deal.customer_kind)
		and (f.source is None or f.source == deal.source)
		and (f.opportunity_type is None or f.opportunity_type == deal.opportunity_type)
		and (f.customer_group is None or f.customer_group == deal.customer_group)
	]
	if ruled:
		return sorted(ruled, key=lambda f: (-f.priority, f.name))[0]
	return next((f for f in candidates if f.is_default), None)
