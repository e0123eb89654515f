"""A deal's moves rebuilt from its Opportunity and its Versions (rules 1 to 4 in `plan`): each change goes through
`history.target_stage`, exactly as live recording would decide it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sales_funnel.engine.funnels.backfill.versions import Change
from sales_funnel.engine.funnels.choice import DealAttributes
from sales_funnel.engine.funnels.history import DealSnapshot, target_stage
from sales_funnel.engine.funnels.stages import Funnel
from sales_funnel.engine.names import CLOSED_DEAL_STATUSES, DEAL_STATUSES

Move = tuple[datetime, str, str | None, str | None]  # at, to_stage, by_user, lost_reason


@dataclass(frozen=True)
class DealRecord:
	"""An Opportunity without history, as the backfill read it."""

	name: str
	snapshot: DealSnapshot
	attributes: DealAttributes
	funnel: str | None
	created_at: datetime
	created_by: str | None
	modified_at: datetime
	modified_by: str | None
	sales_stage: str | None
	status: str | None
	lost_reason: str | None


@dataclass(frozen=True)
class TrackedVersion:
	"""A Version that changes the deal's sales stage or status."""

	at: datetime
	by: str | None
	changes: tuple[Change, ...]  # only sales_stage / status
	lost_reasons: tuple[str, ...]


def clean(value: Any) -> str | None:
	"""A stored or formatted value as text, None when empty."""
	if value is None:
		return None
	text = str(value).strip()
	return text or None


def canonical_status(value: Any, aliases: Mapping[str, str]) -> str | None:
	"""The Opportunity status a Version's (possibly translated) text stands for; None when unreadable."""
	text = clean(value)
	if text is None:
		return None
	if text in DEAL_STATUSES:
		return text
	return aliases.get(text)


def rebuild_moves(
	funnel: Funnel,
	deal: DealRecord,
	versions: Sequence[TrackedVersion],
	now: datetime,
	*,
	aliases: Mapping[str, str] | None = None,
) -> tuple[list[Move], int, int]:
	"""The deal's moves (at, to_stage, by_user, lost_reason) in time order, with how many came from Versions and
	whether a last move at `modified` was added (0/1). Moves that change nothing are dropped later by `replay`."""
	aliases = aliases or {}
	stage, status = _first_state(funnel, deal, versions, aliases)
	entry_at = min(deal.created_at, now)
	entry = target_stage(funnel, None, None, stage, status, is_new=True)
	moves: list[Move] = [(entry_at, entry, deal.created_by, _lost(funnel, entry, (), deal))]
	last_at = entry_at
	from_versions = 0
	for version in versions:
		old_stage, stage, old_status, new_status = _version_change(version, stage, status, aliases)
		target = target_stage(funnel, old_stage, old_status, stage, new_status)
		status = new_status
		if target is None:
			continue
		last_at = _clamp(version.at, last_at, now)
		moves.append((last_at, target, version.by, _lost(funnel, target, version.lost_reasons, deal)))
		from_versions += 1
	target = target_stage(funnel, stage, status, deal.sales_stage, deal.status)
	if target is None or target == moves[-1][1]:
		return moves, from_versions, 0
	moves.append(
		(_clamp(deal.modified_at, last_at, now), target, deal.modified_by, _lost(funnel, target, (), deal))
	)
	return moves, from_versions, 1


def _first_state(
	funnel: Funnel, deal: DealRecord, versions: Sequence[TrackedVersion], aliases: Mapping[str, str]
) -> tuple[str | None, str]:
	"""(sales stage, status) the deal was created with (rule 1): the `old` values of the first recorded changes,
	else the current ones, taken to have been open."""
	first_stage = next((c for v in versions for c in v.changes if c[0] == "sales_stage"), None)
	first_status = next(
		(
			c
			for v in versions
			for c in v.changes
			if c[0] == "status" and canonical_status(c[2], aliases) is not None
		),
		None,
	)
	if first_stage is not None:
		stage = clean(first_stage[1])
	else:
		stage = deal.sales_stage if funnel.kind(deal.sales_stage) in (None, "Open") else None
	if first_status is not None:
		status = canonical_status(first_status[1], aliases) or "Open"
	else:
		status = deal.status if deal.status and deal.status not in CLOSED_DEAL_STATUSES else "Open"
	return stage, status


def _version_change(
	version: TrackedVersion, stage: str | None, status: str, aliases: Mapping[str, str]
) -> tuple[str | None, str | None, str, str]:
	"""(old stage, new stage, old status, new status) of one Version, from the state before it (rule 2)."""
	old_stage, new_stage, old_status, new_status = stage, stage, status, status
	for fieldname, old, new in version.changes:
		if fieldname == "sales_stage":
			old_stage, new_stage = clean(old), clean(new)
		elif fieldname == "status":
			canonical_new = canonical_status(new, aliases)
			if canonical_new is None:
				continue  # unreadable (e.g. translated without an alias): rule 3 catches up
			old_status = canonical_status(old, aliases) or status
			new_status = canonical_new
	return old_stage, new_stage, old_status, new_status


def _clamp(at: datetime, previous: datetime, now: datetime) -> datetime:
	"""Rule 4: never before the previous move, never after `now`."""
	return max(min(at, now), previous)


def _lost(funnel: Funnel, stage: str, version_reasons: Sequence[str], deal: DealRecord) -> str | None:
	if funnel.kind(stage) != "Lost":
		return None
	return version_reasons[0] if version_reasons else deal.lost_reason
