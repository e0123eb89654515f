"""Backfill: rebuild the stage history of Opportunities that have none, from ERPNext's own records.

Sources, per deal:

- the Opportunity itself: `creation` and `owner` (the entry), its current `sales_stage` and `status`, and
  `modified` / `modified_by` (the time and author of the last change, which Versions may not show);
- its `Version` rows (`ref_doctype = 'Opportunity'`), which Frappe writes on every save of a doctype with
  Track Changes on (their data: `versions`). `Version.creation` is when the change was saved, `Version.owner`
  who saved it.

ERPNext's Opportunity does not switch Track Changes on by default, and it sets `Converted` / `Quotation`
through `db_set`, which writes no Version; so a history is rebuilt from whatever Versions exist and completed
with one last move at `modified` to the deal's current stage.

Rules (each move goes through `history.target_stage` and `history.plan_transition`, exactly as live recording
would make it, so progress, `is_latest`, days in stage and the entry attributes come out the same):

1. The deal enters its funnel at `creation`, by its `owner`, in the stage its first recorded state maps to: the
   sales stage is the `old` value of the first `sales_stage` change, else the current sales stage; the status
   is the `old` value of the first `status` change, else the current status. A deal is taken to have been
   created open: with no status change recorded, a closed current status (Lost / Converted / Closed) counts as
   Open at creation, and with no stage change recorded, a current sales stage that is the funnel's Won or a
   Lost stage counts as unknown (the entry goes to the first open stage). The close is then placed by rule 3.
2. Each Version that changes `sales_stage` and/or `status` is one change (old → new) at `Version.creation` by
   `Version.owner`; `target_stage` says whether and where the deal moves. A move to a Lost stage takes its
   lost reason from the `lost_reasons` rows the same Version added (ERPNext's "Declare Lost" saves them with
   the status), else from the deal's current lost reasons.
3. If the state the Versions leave differs from the deal's current `sales_stage` / `status` (missing
   Versions), one more change to the current state at `modified` by `modified_by`.
4. Times never go backwards (a move earlier than the previous one is placed at the previous one's time) and
   never beyond `now`.

Status values in Version data are formatted: from Frappe 16 (and v15 builds carrying frappe/frappe#24951)
`format_value` translates Select values into the saving user's language. `versions.status_aliases` maps
such translations back; a status the engine cannot read is ignored (rule 3 still reaches the current state).

Deals that already have any `Funnel Stage Transition` row are left alone: that makes the backfill idempotent.
Deals without `sf_sales_funnel` get one from `choice.choose_funnel`, reported in `funnel_assignments` for
the Frappe layer to set. Reading is in batches of Opportunities (keyset pagination on `name`), so memory stays
bounded; `iter_backfill` yields one plan per batch, `plan_backfill` merges them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels.backfill.moves import DealRecord, TrackedVersion, rebuild_moves
from sales_funnel.engine.funnels.backfill.scan import (
	deal_record,
	opportunity_batches,
	opportunity_columns,
	recorded_count,
	version_rows,
)
from sales_funnel.engine.funnels.backfill.versions import load_version, lost_reasons_added, version_changes
from sales_funnel.engine.funnels.choice import choose_funnel
from sales_funnel.engine.funnels.history import Transition, has_history, replay
from sales_funnel.engine.funnels.stages import Funnel, load_funnel, load_funnels
from sales_funnel.engine.i18n import InvalidInput, _
from sales_funnel.engine.names import DEAL_DOCTYPE

RECORDED_VIA = "Backfill"
TRACKED_FIELDS = ("sales_stage", "status")
DEFAULT_BATCH_SIZE = 1000

SKIP_NO_FUNNEL = _("No enabled Sales Funnel of the deal's company matches it.")
SKIP_UNKNOWN_FUNNEL = _("The deal's Sales Funnel does not exist.")
SKIP_UNUSABLE_FUNNEL = _("The deal's Sales Funnel has no Won stage.")
SKIP_HAS_HISTORY = _("The deal already has stage history.")
SKIP_NOT_FOUND = _("There is no such Opportunity.")


@dataclass
class BackfillPlan:
	"""What the backfill would write. Applying it (Frappe layer): set `sf_sales_funnel` from
	`funnel_assignments`, insert `transitions` in order, set `sf_stage_entered_at` from `stage_entered_at`."""

	transitions: list[Transition] = field(default_factory=list)
	funnel_assignments: dict[str, str] = field(default_factory=dict)
	stage_entered_at: dict[str, datetime] = field(default_factory=dict)
	skipped: dict[str, str] = field(default_factory=dict)  # deal -> reason (translatable English)
	counts: dict[str, int] = field(
		default_factory=lambda: dict.fromkeys(
			(
				"deals_read",
				"deals_planned",
				"deals_skipped",
				"already_recorded",
				"funnels_assigned",
				"transitions",
				"versions_read",
				"versions_unreadable",
				"moves_from_versions",
				"moves_at_modified",
			),
			0,
		)
	)

	@property
	def is_empty(self) -> bool:
		return not self.transitions and not self.funnel_assignments

	@property
	def deals(self) -> list[str]:
		"""Deals that get history, in the order planned."""
		return list(self.stage_entered_at)

	def transitions_of(self, deal: str) -> list[Transition]:
		return [t for t in self.transitions if t.deal == deal]

	def merge(self, other: BackfillPlan) -> None:
		self.transitions.extend(other.transitions)
		self.funnel_assignments.update(other.funnel_assignments)
		self.stage_entered_at.update(other.stage_entered_at)
		self.skipped.update(other.skipped)
		for key, value in other.counts.items():
			self.counts[key] = self.counts.get(key, 0) + value


class _Funnels:
	"""Funnels by name (loaded once) and the enabled ones, for choosing."""

	def __init__(self, db: Database):
		self.db = db
		self.enabled = load_funnels(db)
		self.by_name: dict[str, Funnel | None] = {f.name: f for f in self.enabled}

	def get(self, name: str) -> Funnel | None:
		if name not in self.by_name:
			try:
				self.by_name[name] = load_funnel(self.db, name)
			except InvalidInput:
				self.by_name[name] = None
		return self.by_name[name]


def iter_backfill(
	db: Database,
	now: datetime,
	*,
	deals: Sequence[str] | None = None,
	batch_size: int = DEFAULT_BATCH_SIZE,
	status_aliases: Mapping[str, str] | None = None,
	channel_columns: Sequence[str] = ("source",),
) -> Iterator[BackfillPlan]:
	"""One plan per batch of Opportunities without history (all, or the given `deals`). Apply each plan before
	asking for the next to keep memory bounded; the pagination does not depend on what was applied.

	`status_aliases`: translated status texts -> status (see `versions.status_aliases`); `channel_columns`: the
	Opportunity columns holding the channel, first non-empty wins (the Frappe layer passes those its
	Opportunity has)."""
	if batch_size < 1:
		raise ValueError("batch_size must be positive")
	columns = opportunity_columns(channel_columns)
	funnels = _Funnels(db)
	aliases = dict(status_aliases or {})
	for rows, left_out in opportunity_batches(db, deals, batch_size, columns):
		plan = BackfillPlan()
		for name, recorded in left_out.items():
			plan.skipped[name] = SKIP_HAS_HISTORY if recorded else SKIP_NOT_FOUND
			plan.counts["already_recorded" if recorded else "deals_skipped"] += 1
		plan.counts["deals_read"] += len(rows) + len(left_out)
		versions_of = _versions_of(db, rows, plan) if rows else {}
		for row in rows:
			_plan_deal(plan, funnels, deal_record(row), versions_of.get(row["name"], []), now, aliases)
		yield plan
	if deals is None:
		tail = BackfillPlan()
		tail.counts["already_recorded"] = recorded_count(db)
		yield tail


def _versions_of(
	db: Database, rows: Sequence[Mapping[str, Any]], plan: BackfillPlan
) -> dict[str, list[TrackedVersion]]:
	"""The Versions of the batch's deals that change a tracked field, by deal; counted in `plan`."""
	versions_of: dict[str, list[TrackedVersion]] = {}
	for v in version_rows(db, [r["name"] for r in rows]):
		plan.counts["versions_read"] += 1
		parsed = load_version(v["data"])
		if parsed is None:
			plan.counts["versions_unreadable"] += 1
			continue
		changes = tuple(c for c in version_changes(parsed) if c[0] in TRACKED_FIELDS)
		if changes:
			versions_of.setdefault(v["docname"], []).append(
				TrackedVersion(v["creation"], v["owner"], changes, tuple(lost_reasons_added(parsed)))
			)
	return versions_of


def _plan_deal(
	plan: BackfillPlan,
	funnels: _Funnels,
	deal: DealRecord,
	versions: Sequence[TrackedVersion],
	now: datetime,
	aliases: Mapping[str, str],
) -> None:
	"""Add one deal's funnel and history to `plan`, or its reason for being skipped."""
	funnel, reason = _funnel_of(funnels, deal)
	if funnel is None:
		plan.skipped[deal.name] = reason or SKIP_NO_FUNNEL
		plan.counts["deals_skipped"] += 1
		return
	if deal.funnel is None:
		plan.funnel_assignments[deal.name] = funnel.name
		plan.counts["funnels_assigned"] += 1
	moves, from_versions, at_modified = rebuild_moves(funnel, deal, versions, now, aliases=aliases)
	transitions = replay(funnel, deal.snapshot, moves, recorded_via=RECORDED_VIA)
	plan.transitions.extend(transitions)
	plan.stage_entered_at[deal.name] = transitions[-1].transitioned_at
	plan.counts["deals_planned"] += 1
	plan.counts["transitions"] += len(transitions)
	plan.counts["moves_from_versions"] += from_versions
	plan.counts["moves_at_modified"] += at_modified


def plan_backfill(
	db: Database,
	now: datetime,
	*,
	deals: Sequence[str] | None = None,
	batch_size: int = DEFAULT_BATCH_SIZE,
	status_aliases: Mapping[str, str] | None = None,
	channel_columns: Sequence[str] = ("source",),
) -> BackfillPlan:
	"""The whole backfill as one plan (fine for tests and small sites; a bench applies `iter_backfill`'s
	batches one by one)."""
	plan = BackfillPlan()
	for batch in iter_backfill(
		db,
		now,
		deals=deals,
		batch_size=batch_size,
		status_aliases=status_aliases,
		channel_columns=channel_columns,
	):
		plan.merge(batch)
	return plan


def _funnel_of(funnels: _Funnels, deal: DealRecord) -> tuple[Funnel | None, str | None]:
	if deal.funnel is not None:
		funnel = funnels.get(deal.funnel)
		if funnel is None:
			return None, SKIP_UNKNOWN_FUNNEL
	else:
		funnel = choose_funnel(funnels.enabled, deal.attributes)
		if funnel is None:
			return None, SKIP_NO_FUNNEL
	if not any(s.kind == "Won" for s in funnel.stages):
		return None, SKIP_UNUSABLE_FUNNEL
	return funnel, None


def claim_deal(db: Database, deal: str) -> bool:
	"""Whether the backfill may write `deal`'s planned history now, in this transaction: the deal is locked
	(until the transaction ends, so a recording of the deal waits for the backfill) and, read with a locking read,
	still has no history. The plan was made from an earlier snapshot: a deal that a user moved meanwhile has
	history now, and live recording has started it, so the backfill leaves it alone."""
	return not has_history(db, DEAL_DOCTYPE, deal, for_update=True)
