"""Stage history: which transition a change of a deal records, and every column of that row.

Each `Funnel Stage Transition` row carries, besides the move itself, what the Stage Conversion report needs so
that it can count in one pass without regrouping deals: the furthest position the deal had reached before and
after the move (reaching stage 4 counts as passing 2 and 3), whether the row is the deal's latest, when the deal
entered the funnel, how long it spent in the stage it left, and the deal's attributes as it entered the funnel
(the report's slices). The Frappe layer writes the planned row and clears `is_latest` on the deal's previous
row in the same transaction, after reading that row with `latest_transition(..., for_update=True)`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels.stages import Funnel
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.names import CLOSED_DEAL_STATUSES, DEAL_DOCTYPE
from sales_funnel.engine.sql import in_list

SECONDS_PER_DAY = 86_400.0
SLICE_COLUMNS = (
	"manager",
	"department",
	"territory",
	"customer_group",
	"channel",
	"item_group",
	"customer_kind",
	"temperature",
)


@dataclass(frozen=True)
class DealSnapshot:
	"""The deal as it is at the moment of the change (read from the Opportunity by the Frappe layer)."""

	doctype: str
	name: str
	company: str | None
	owner: str | None
	amount: float = 0.0  # in company currency
	department: str | None = None  # the owner's Sales Person group
	territory: str | None = None
	customer_group: str | None = None
	channel: str | None = None  # Opportunity.source (Lead Source) on ERPNext v15
	item_group: str | None = None  # the item group with the largest amount among the deal's items
	customer_kind: str | None = None  # New (from a Lead) / Existing (a Customer)
	temperature: str | None = None


@dataclass(frozen=True)
class Transition:
	"""One row of `tabFunnel Stage Transition` (fieldnames as in the doctype JSON)."""

	deal_doctype: str
	deal: str
	funnel: str
	company: str | None
	from_stage: str | None
	to_stage: str
	to_kind: str
	transitioned_at: datetime
	by_user: str | None
	deal_owner: str | None
	amount: float
	lost_reason: str | None
	recorded_via: str
	reference_doctype: str | None
	reference_name: str | None
	progress_from: int
	progress_to: int
	from_position: int  # 0: entry into the funnel; -1: leaving a Lost stage (the deal was reopened)
	to_position: int  # -1: a Lost stage
	is_latest: int
	funnel_entered_at: datetime
	days_in_from_stage: float  # 0 on the entry row (Frappe's Float columns are NOT NULL)
	manager: str | None
	department: str | None
	territory: str | None
	customer_group: str | None
	channel: str | None
	item_group: str | None
	customer_kind: str | None
	temperature: str | None

	def as_dict(self) -> dict[str, Any]:
		return asdict(self)


def plan_transition(
	funnel: Funnel,
	previous: Transition | None,
	deal: DealSnapshot,
	to_stage: str,
	at: datetime,
	by_user: str | None,
	*,
	lost_reason: str | None = None,
	recorded_via: str = "Manual",
	reference: tuple[str, str] | None = None,
) -> Transition | None:
	"""The row that moving `deal` to `to_stage` at `at` records, or None when nothing changes.

	`previous` is the deal's latest row (None when it has no history). A latest row of another funnel means
	the deal enters this funnel afresh.
	"""
	stage = funnel.stage(to_stage)
	if stage is None:
		raise InvalidInput(Message(_("Stage {0} is not in funnel {1}."), (to_stage, funnel.name)))
	if previous is not None and previous.funnel != funnel.name:
		previous = None
	if previous is not None:
		if previous.to_stage == to_stage:
			return None
		if at < previous.transitioned_at:
			raise InvalidInput(
				Message(
					_("Deal {0} cannot move at {1}, before its last recorded move at {2}."),
					(deal.name, at, previous.transitioned_at),
				)
			)
	progress_from = previous.progress_to if previous else 0
	return Transition(
		deal_doctype=deal.doctype,
		deal=deal.name,
		funnel=funnel.name,
		company=deal.company,
		from_stage=previous.to_stage if previous else None,
		to_stage=to_stage,
		to_kind=stage.kind,
		transitioned_at=at,
		by_user=by_user,
		deal_owner=deal.owner,
		amount=float(deal.amount or 0),
		lost_reason=lost_reason if stage.kind == "Lost" else None,
		recorded_via=recorded_via,
		reference_doctype=reference[0] if reference else None,
		reference_name=reference[1] if reference else None,
		progress_from=progress_from,
		progress_to=max(progress_from, funnel.position(to_stage)),
		from_position=stage_position(funnel, previous.to_stage) if previous else 0,
		to_position=stage_position(funnel, to_stage),
		is_latest=1,
		funnel_entered_at=previous.funnel_entered_at if previous else at,
		days_in_from_stage=(
			round((at - previous.transitioned_at).total_seconds() / SECONDS_PER_DAY, 6) if previous else 0.0
		),
		**_entry_slices(previous, deal),
	)


def _entry_slices(previous: Transition | None, deal: DealSnapshot) -> dict[str, str | None]:
	"""The report's slices a row carries: the deal's attributes as it entered the funnel, which travel along its
	history from the deal's previous row; on the entry row (no previous row), the deal's own (its owner the
	manager)."""
	if previous is None:
		return {"manager": deal.owner, **{c: getattr(deal, c) for c in SLICE_COLUMNS if c != "manager"}}
	return {c: getattr(previous, c) for c in SLICE_COLUMNS}


def stage_position(funnel: Funnel, stage: str) -> int:
	"""A stage's position as stored on transitions: 1..K for open and won stages, -1 for a lost one."""
	return -1 if funnel.kind(stage) == "Lost" else funnel.position(stage)


def target_stage(
	funnel: Funnel,
	old_stage: str | None,
	old_status: str | None,
	new_stage: str | None,
	new_status: str | None,
	*,
	is_new: bool = False,
) -> str | None:
	"""The funnel stage an Opportunity change leads to, or None when the change is not a move.

	Lost → the funnel's first Lost stage; Converted → its Won stage; reopened (Lost/Closed → open) → the deal's
	sales stage; otherwise a changed sales stage; a new deal enters at its sales stage or the first open stage.
	"""
	first_open = funnel.open_stages[0].stage if funnel.open_stages else funnel.won_stage.stage
	in_funnel = (
		new_stage if funnel.stage(new_stage) is not None and funnel.kind(new_stage) != "Lost" else None
	)
	if new_status == "Lost" and funnel.lost_stages:
		return funnel.lost_stages[0].stage if (is_new or old_status != "Lost") else None
	if new_status == "Converted":
		return funnel.won_stage.stage if (is_new or old_status != "Converted") else None
	if is_new:
		return in_funnel or first_open
	if old_status in CLOSED_DEAL_STATUSES and new_status not in CLOSED_DEAL_STATUSES:
		return in_funnel or first_open
	if new_stage != old_stage and in_funnel:
		return in_funnel
	return None


def trigger_target(funnel: Funnel, current: Transition | None, trigger: str) -> str | None:
	"""The stage a submitted document moves the deal to: only forward, never out of Won."""
	stage = funnel.stage_for_trigger(trigger)
	if stage is None:
		return None
	if current is None or current.funnel != funnel.name:
		return stage.stage
	if current.to_kind == "Won":
		return None
	current_position = funnel.position(current.to_stage)  # 0 when lost: a document revives the deal
	return stage.stage if funnel.position(stage.stage) > current_position else None


def step_back_target(current: Transition | None, moved_by_document: Transition | None) -> str | None:
	"""Where cancelling a trigger document takes the deal: back to where the document found it, if the deal
	is still in the stage the document moved it to. Nothing is deleted; the step back is a new row."""
	if current is None or moved_by_document is None or moved_by_document.from_stage is None:
		return None
	if current.funnel != moved_by_document.funnel or current.to_stage != moved_by_document.to_stage:
		return None
	return moved_by_document.from_stage


TRANSITION_COLUMNS = tuple(Transition.__dataclass_fields__)


# The doctypes whose documents are deals (Sales Funnel.deal_doctype), and their tables
DEAL_TABLES = {DEAL_DOCTYPE: f"`tab{DEAL_DOCTYPE}`"}


def lock_deal(db: Database, deal_doctype: str, deal: str) -> bool:
	"""Lock the deal's own row until the transaction ends (`SELECT … FOR UPDATE`); return whether it exists.

	Every writer of a deal's history (live recording, the backfill) takes this lock before it reads the deal's
	latest row, so two writers of one deal run one after the other, also for a deal that has no row yet. A save of
	the deal takes the same lock (Frappe's `check_if_latest` reads it `for_update`): the order is always the deal
	first, then its history."""
	table = DEAL_TABLES.get(deal_doctype)
	if table is None:
		raise ValueError(f"{deal_doctype!r} is not a deal doctype ({', '.join(DEAL_TABLES)})")
	return bool(db.sql(f"SELECT name FROM {table} WHERE name = %(deal)s FOR UPDATE", {"deal": deal}))


def latest_transition(
	db: Database, deal_doctype: str, deal: str, *, for_update: bool = False
) -> Transition | None:
	"""The deal's latest row, as the recorder and the backfill see it.

	`for_update`: the reader is about to write the deal's next row. The deal is locked (`lock_deal`) and the row
	is read with a locking read, which sees the latest committed rows, not the transaction's snapshot: a second
	writer waits for the first to commit and then continues the first's history instead of forking it."""
	if for_update:
		lock_deal(db, deal_doctype, deal)
	return _last_transition(
		db,
		"deal_doctype = %(doctype)s AND deal = %(deal)s AND is_latest = 1",
		{"doctype": deal_doctype, "deal": deal},
		for_update=for_update,
	)


def has_history(db: Database, deal_doctype: str, deal: str, *, for_update: bool = False) -> bool:
	"""Whether the deal has any row; `for_update` locks the deal first and reads the latest committed rows."""
	if for_update:
		lock_deal(db, deal_doctype, deal)
	rows = db.sql(
		f"""SELECT 1 FROM `tabFunnel Stage Transition` WHERE deal_doctype = %(doctype)s AND deal = %(deal)s
		LIMIT 1{" FOR UPDATE" if for_update else ""}""",
		{"doctype": deal_doctype, "deal": deal},
	)
	return bool(rows)


def transition_moved_by(db: Database, reference_doctype: str, reference_name: str) -> Transition | None:
	"""The latest row a given document's trigger recorded."""
	return _last_transition(
		db,
		"reference_doctype = %(doctype)s AND reference_name = %(name)s AND recorded_via = 'Document Trigger'",
		{"doctype": reference_doctype, "name": reference_name},
	)


def _last_transition(
	db: Database, where: str, values: dict[str, Any], *, for_update: bool = False
) -> Transition | None:
	"""The most recent row matching `where` (a fixed condition of this module; values are parameters)."""
	rows = db.sql(
		f"""SELECT {", ".join(f"`{c}`" for c in TRANSITION_COLUMNS)} FROM `tabFunnel Stage Transition`
		WHERE {where} ORDER BY transitioned_at DESC, name DESC LIMIT 1{" FOR UPDATE" if for_update else ""}""",
		values,
		as_dict=True,
	)
	return _transition(rows[0]) if rows else None


def _transition(row: dict[str, Any]) -> Transition:
	values = {c: row.get(c) for c in TRANSITION_COLUMNS}
	values["amount"] = float(values["amount"] or 0)
	values["progress_from"] = int(values["progress_from"] or 0)
	values["progress_to"] = int(values["progress_to"] or 0)
	values["from_position"] = int(values["from_position"] or 0)
	values["to_position"] = int(values["to_position"] or 0)
	values["is_latest"] = int(values["is_latest"] or 0)
	return Transition(**values)


def replay(
	funnel: Funnel,
	deal: DealSnapshot,
	moves: list[tuple[datetime, str, str | None, str | None]],
	*,
	recorded_via: str = "Backfill",
) -> list[Transition]:
	"""Rows for a whole history: `moves` are (at, to_stage, by_user, lost_reason) in time order. Only the last
	row is latest; moves that change nothing are dropped."""
	rows: list[Transition] = []
	previous: Transition | None = None
	for at, to_stage, by_user, lost_reason in moves:
		row = plan_transition(
			funnel, previous, deal, to_stage, at, by_user, lost_reason=lost_reason, recorded_via=recorded_via
		)
		if row is None:
			continue
		if rows:
			rows[-1] = replace(rows[-1], is_latest=0)
		rows.append(row)
		previous = row
	return rows


def rebuild_positions(db: Database, funnel: Funnel) -> int:
	"""Recompute the stored positions and progress of a funnel's history after its stages were reordered,
	added or removed: one set-based UPDATE of the app's own table (derived columns only). Returns the number
	of rows changed. A stage no longer in the funnel gets position 0."""
	values: dict[str, Any] = {"funnel": funnel.name}
	progress_keys = in_list("p", (stage.stage for stage in funnel.progress_stages), values, empty="")
	lost = f"IN ({in_list('l', (stage.stage for stage in funnel.lost_stages), values)})"
	position = "CASE WHEN {c} {lost} THEN -1 ELSE FIELD({c}, {keys}) END"
	to_position = position.format(c="to_stage", lost=lost, keys=progress_keys)
	from_stage_position = position.format(c="from_stage", lost=lost, keys=progress_keys)
	from_position = f"IF(from_stage IS NULL, 0, {from_stage_position})"
	window = "PARTITION BY deal_doctype, deal ORDER BY transitioned_at, name"
	db.sql(
		f"""
		UPDATE `tabFunnel Stage Transition` t
		JOIN (
			SELECT name, to_position, from_position, progress_to,
				COALESCE(LAG(progress_to) OVER ({window}), 0) AS progress_from
			FROM (
				SELECT name, deal_doctype, deal, transitioned_at, to_position, from_position,
					MAX(GREATEST(to_position, 0)) OVER ({window} ROWS UNBOUNDED PRECEDING) AS progress_to
				FROM (
					SELECT name, deal_doctype, deal, transitioned_at,
						{to_position} AS to_position, {from_position} AS from_position
					FROM `tabFunnel Stage Transition` WHERE funnel = %(funnel)s
				) positions
			) running
		) rebuilt ON rebuilt.name = t.name
		SET t.to_position = rebuilt.to_position, t.from_position = rebuilt.from_position,
			t.progress_to = rebuilt.progress_to, t.progress_from = rebuilt.progress_from
		WHERE t.to_position <> rebuilt.to_position OR t.from_position <> rebuilt.from_position
			OR t.progress_to <> rebuilt.progress_to OR t.progress_from <> rebuilt.progress_from
		""",
		values,
	)
	return int(db.sql("SELECT ROW_COUNT()")[0][0])


def reconcile_target(funnel: Funnel, latest: Transition | None, status: str | None) -> str | None:
	"""The move a deal's history misses when ERPNext changed its status behind the hooks (`db_set`, e.g. a
	Quotation declared lost marks its Opportunity Lost): Lost → the first Lost stage, Converted → Won."""
	if latest is None or latest.funnel != funnel.name:
		return None
	if status == "Lost" and latest.to_kind != "Lost" and funnel.lost_stages:
		return funnel.lost_stages[0].stage
	if status == "Converted" and latest.to_kind != "Won":
		return funnel.won_stage.stage
	return None
