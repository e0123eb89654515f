"""Backfill: rebuild the stage history of Opportunities that have none, from ERPNext's own records.

Sources, per deal:

- the Opportunity itself: `creation` and `owner` (the entry), its current `sales_stage` and `status`, and
  `modified` / `modified_by` (the time and author of the last change, which Versions may not show);
- its `Version` rows (`ref_doctype = 'Opportunity'`), which Frappe writes on every save of a doctype with
  Track Changes on. `Version.data` is the JSON of `frappe.core.doctype.version.version.get_diff`:
  ``{"added": [[table_field, row_dict], ...], "changed": [[fieldname, old, new], ...], "data_import": …,
  "removed": [...], "row_changed": [[table_field, index, row_name, [[field, old, new], ...]], ...],
  "updater_reference": …}``; a Version written on insert (only with an `updater_reference`) holds
  ``{"created_by", "creation", "updater_reference"}`` instead. Values are formatted strings; an empty value
  is null (or ""). `Version.creation` is when the change was saved, `Version.owner` who saved it.

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
`format_value` translates Select values into the saving user's language. `status_aliases` maps such
translations back; a status the engine cannot read is ignored (rule 3 still reaches the current state).

Deals that already have any `Funnel Stage Transition` row are left alone: that makes the backfill idempotent.
Deals without `sf_sales_funnel` get one from `funnels.choose_funnel`, reported in `funnel_assignments` for
the Frappe layer to set. Reading is in batches of Opportunities (keyset pagination on `name`), so memory stays
bounded; `iter_backfill` yields one plan per batch, `plan_backfill` merges them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels import DealAttributes, Funnel, choose_funnel, load_funnel, load_funnels
from sales_funnel.engine.history import (
	CLOSED_STATUSES,
	TRANSITION_COLUMNS,
	DealSnapshot,
	Transition,
	has_history,
	replay,
	target_stage,
)
from sales_funnel.engine.i18n import InvalidInput, _

DEAL_DOCTYPE = "Opportunity"
RECORDED_VIA = "Backfill"
# Opportunity.status options (ERPNext v15 opportunity.json)
OPPORTUNITY_STATUSES = ("Open", "Quotation", "Converted", "Lost", "Replied", "Closed")
TRACKED_FIELDS = ("sales_stage", "status")
NEW_CUSTOMER_SOURCES = ("Lead", "Prospect")  # opportunity_from of a deal with a new customer
DEFAULT_BATCH_SIZE = 1000

SKIP_NO_FUNNEL = _("No enabled Sales Funnel of the deal's company matches it.")
SKIP_UNKNOWN_FUNNEL = _("The deal's Sales Funnel does not exist.")
SKIP_UNUSABLE_FUNNEL = _("The deal's Sales Funnel has no Won stage.")
SKIP_HAS_HISTORY = _("The deal already has stage history.")
SKIP_NOT_FOUND = _("There is no such Opportunity.")

Change = tuple[str, Any, Any]
Move = tuple[datetime, str, str | None, str | None]


# ------------------------------------------------------------------------------------------ Version data
def _load_version(data: Any) -> dict[str, Any] | None:
	if isinstance(data, bytes | bytearray):
		data = data.decode("utf-8", errors="replace")
	if not isinstance(data, str) or not data.strip():
		return None
	try:
		parsed = json.loads(data)
	except (ValueError, RecursionError):
		return None
	return parsed if isinstance(parsed, dict) else None


def _changes(parsed: Mapping[str, Any] | None) -> list[Change]:
	if not parsed:
		return []
	changed = parsed.get("changed")
	if not isinstance(changed, list):
		return []
	return [
		(entry[0], entry[1], entry[2])
		for entry in changed
		if isinstance(entry, list | tuple) and len(entry) == 3 and isinstance(entry[0], str)
	]


def parse_version_data(data: str | bytes | None) -> list[Change]:
	"""The (fieldname, old, new) changes of a Version's `data`; [] for anything that is not Frappe's diff JSON."""
	return _changes(_load_version(data))


def added_lost_reasons(data: str | bytes | None) -> list[str]:
	"""Lost reasons in the `lost_reasons` rows a Version added (ERPNext's Declare Lost), in order."""
	return _added_lost_reasons(_load_version(data))


def _added_lost_reasons(parsed: Mapping[str, Any] | None) -> list[str]:
	if not parsed or not isinstance(parsed.get("added"), list):
		return []
	reasons = []
	for entry in parsed["added"]:
		if (
			isinstance(entry, list | tuple)
			and len(entry) == 2
			and entry[0] == "lost_reasons"
			and isinstance(entry[1], dict)
			and entry[1].get("lost_reason")
		):
			reasons.append(str(entry[1]["lost_reason"]))
	return reasons


def status_aliases(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
	"""Map (shown text, status) pairs, e.g. each status translated into each language in use, to a lookup
	from text to status. A text that stands for two different statuses is dropped as ambiguous."""
	aliases: dict[str, str] = {}
	ambiguous: set[str] = set()
	for text, status in pairs:
		if not text or text == status:
			continue
		if aliases.get(text, status) != status:
			ambiguous.add(text)
		aliases[text] = status
	return {text: status for text, status in aliases.items() if text not in ambiguous}


# --------------------------------------------------------------------------------------------- the plan
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


@dataclass(frozen=True)
class _Deal:
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
class _Version:
	at: datetime
	by: str | None
	changes: tuple[Change, ...]  # only sales_stage / status
	lost_reasons: tuple[str, ...]


# ------------------------------------------------------------------------------------ reconstruction
def _clean(value: Any) -> str | None:
	if value is None:
		return None
	text = str(value).strip()
	return text or None


def _canonical_status(value: Any, aliases: Mapping[str, str]) -> str | None:
	text = _clean(value)
	if text is None:
		return None
	if text in OPPORTUNITY_STATUSES:
		return text
	return aliases.get(text)


def _rebuild_moves(
	funnel: Funnel,
	deal: _Deal,
	versions: Sequence[_Version],
	now: datetime,
	*,
	aliases: Mapping[str, str] | None = None,
) -> tuple[list[Move], int, int]:
	"""The deal's moves (at, to_stage, by_user, lost_reason) in time order, with how many came from Versions and
	whether a last move at `modified` was added (0/1). Moves that change nothing are dropped later by `replay`."""
	aliases = aliases or {}
	first_stage = next((c for v in versions for c in v.changes if c[0] == "sales_stage"), None)
	first_status = next(
		(
			c
			for v in versions
			for c in v.changes
			if c[0] == "status" and _canonical_status(c[2], aliases) is not None
		),
		None,
	)
	if first_stage is not None:
		stage = _clean(first_stage[1])
	else:
		stage = deal.sales_stage if funnel.kind(deal.sales_stage) in (None, "Open") else None
	if first_status is not None:
		status = _canonical_status(first_status[1], aliases) or "Open"
	else:
		status = deal.status if deal.status and deal.status not in CLOSED_STATUSES else "Open"

	def clamp(at: datetime, previous: datetime) -> datetime:
		return max(min(at, now), previous)

	entry_at = min(deal.created_at, now)
	entry = target_stage(funnel, None, None, stage, status, is_new=True)
	moves: list[Move] = [(entry_at, entry, deal.created_by, _lost(funnel, entry, (), deal))]
	last_at = entry_at
	from_versions = 0
	for version in versions:
		old_stage, new_stage, old_status, new_status = stage, stage, status, status
		for fieldname, old, new in version.changes:
			if fieldname == "sales_stage":
				old_stage, new_stage = _clean(old), _clean(new)
			elif fieldname == "status":
				canonical_new = _canonical_status(new, aliases)
				if canonical_new is None:
					continue  # unreadable (e.g. translated without an alias): rule 3 catches up
				old_status = _canonical_status(old, aliases) or status
				new_status = canonical_new
		target = target_stage(funnel, old_stage, old_status, new_stage, new_status)
		stage, status = new_stage, new_status
		if target is None:
			continue
		last_at = clamp(version.at, last_at)
		moves.append((last_at, target, version.by, _lost(funnel, target, version.lost_reasons, deal)))
		from_versions += 1
	at_modified = 0
	target = target_stage(funnel, stage, status, deal.sales_stage, deal.status)
	if target is not None and target != moves[-1][1]:
		moves.append(
			(clamp(deal.modified_at, last_at), target, deal.modified_by, _lost(funnel, target, (), deal))
		)
		at_modified = 1
	return moves, from_versions, at_modified


def _lost(funnel: Funnel, stage: str, version_reasons: Sequence[str], deal: _Deal) -> str | None:
	if funnel.kind(stage) != "Lost":
		return None
	return version_reasons[0] if version_reasons else deal.lost_reason


# -------------------------------------------------------------------------------------------- reading
# The deal as live recording (sales_funnel/services/history.py) snapshots it: manager = opportunity_owner or owner;
# amount in company currency; department = the parent Sales Person of the manager's Sales Person (Sales
# Person.employee -> Employee.user_id); item group with the largest amount (base_amount, else amount; ties by
# name); lost reason = first Opportunity Lost Reason row, else order_lost_reason when it names one.
_OPPORTUNITY_COLUMNS = """o.name, o.company, o.owner AS created_by, o.creation, o.modified, o.modified_by,
	o.status, o.sales_stage, o.opportunity_from, {channel} AS channel, o.opportunity_type, o.customer_group,
	o.territory, o.sf_sales_funnel, o.sf_temperature,
	COALESCE(NULLIF(o.base_opportunity_amount, 0),
		NULLIF(o.opportunity_amount * COALESCE(NULLIF(o.conversion_rate, 0), 1), 0), o.base_total, 0) AS amount,
	COALESCE(NULLIF(o.opportunity_owner, ''), o.owner) AS manager,
	(SELECT MIN(NULLIF(sp.parent_sales_person, '')) FROM `tabSales Person` sp
		JOIN `tabEmployee` e ON e.name = sp.employee
		WHERE e.user_id = COALESCE(NULLIF(o.opportunity_owner, ''), o.owner)) AS department,
	(SELECT i.item_group FROM `tabOpportunity Item` i
		WHERE i.parent = o.name AND i.parenttype = 'Opportunity' AND i.parentfield = 'items'
			AND IFNULL(i.item_group, '') != ''
		GROUP BY i.item_group
		ORDER BY SUM(IF(IFNULL(i.base_amount, 0) != 0, i.base_amount, IFNULL(i.amount, 0))) DESC, i.item_group
		LIMIT 1) AS item_group,
	COALESCE(
		(SELECT d.lost_reason FROM `tabOpportunity Lost Reason Detail` d
			WHERE d.parent = o.name AND d.parenttype = 'Opportunity' AND d.parentfield = 'lost_reasons'
				AND IFNULL(d.lost_reason, '') != ''
			ORDER BY d.idx LIMIT 1),
		(SELECT r.name FROM `tabOpportunity Lost Reason` r WHERE r.name = TRIM(o.order_lost_reason))
	) AS lost_reason"""
CHANNEL_COLUMNS = ("source", "utm_source")  # Opportunity.source (v15, Lead Source); utm_source where present


def _columns(channel_columns: Sequence[str]) -> str:
	unknown = [c for c in channel_columns if c not in CHANNEL_COLUMNS]
	if unknown or not channel_columns:
		raise ValueError(f"channel columns must be among {CHANNEL_COLUMNS}, not {list(channel_columns)}")
	channel = ", ".join(f"NULLIF(o.`{c}`, '')" for c in channel_columns)
	return _OPPORTUNITY_COLUMNS.format(
		channel=f"COALESCE({channel})" if len(channel_columns) > 1 else channel
	)


_HAS_HISTORY = """EXISTS (SELECT 1 FROM `tabFunnel Stage Transition` t
	WHERE t.deal_doctype = 'Opportunity' AND t.deal = o.name)"""


def _placeholders(prefix: str, values: Sequence[Any], params: dict[str, Any]) -> str:
	names = []
	for index, value in enumerate(values):
		key = f"{prefix}{index}"
		params[key] = value
		names.append(f"%({key})s")
	return ", ".join(names)


def _opportunity_batches(
	db: Database, deals: Sequence[str] | None, batch_size: int, columns: str
) -> Iterator[tuple[list[dict[str, Any]], dict[str, str]]]:
	"""Per batch: the Opportunities without history, and the requested deals left out (deal -> reason: it has
	history, or does not exist). With `deals=None` every Opportunity without history, by keyset pagination."""
	if deals is not None:
		unique = list(dict.fromkeys(d for d in deals if d))
		for start in range(0, len(unique), batch_size):
			chunk = unique[start : start + batch_size]
			params: dict[str, Any] = {}
			rows = db.sql(
				f"""SELECT {columns}, {_HAS_HISTORY} AS has_history FROM `tabOpportunity` o
				WHERE o.name IN ({_placeholders("deal_", chunk, params)}) ORDER BY o.name""",
				params,
				as_dict=True,
			)
			found = {r["name"]: r for r in rows}
			left_out = {
				d: SKIP_NOT_FOUND if d not in found else SKIP_HAS_HISTORY
				for d in chunk
				if d not in found or found[d]["has_history"]
			}
			yield [r for r in rows if not r["has_history"]], left_out
		return
	after = ""
	while True:
		rows = db.sql(
			f"""SELECT {columns} FROM `tabOpportunity` o
			WHERE o.name > %(after)s AND NOT {_HAS_HISTORY}
			ORDER BY o.name LIMIT %(limit)s""",
			{"after": after, "limit": batch_size},
			as_dict=True,
		)
		if not rows:
			return
		yield rows, {}
		after = rows[-1]["name"]
		if len(rows) < batch_size:
			return


def _versions(db: Database, names: Sequence[str]) -> list[dict[str, Any]]:
	params: dict[str, Any] = {
		"doctype": DEAL_DOCTYPE,
		"like_stage": '%"sales_stage"%',
		"like_status": '%"status"%',
	}
	return db.sql(
		f"""SELECT v.docname, v.owner, v.creation, v.data FROM `tabVersion` v
		WHERE v.ref_doctype = %(doctype)s AND v.docname IN ({_placeholders("deal_", names, params)})
			AND (v.data LIKE %(like_stage)s OR v.data LIKE %(like_status)s)
		ORDER BY v.docname, v.creation, v.name""",
		params,
		as_dict=True,
	)


def _deal(row: Mapping[str, Any]) -> _Deal:
	customer_kind = "New" if row["opportunity_from"] in NEW_CUSTOMER_SOURCES else "Existing"
	return _Deal(
		name=row["name"],
		snapshot=DealSnapshot(
			doctype=DEAL_DOCTYPE,
			name=row["name"],
			company=row["company"],
			owner=row["manager"],
			amount=float(row["amount"] or 0),
			department=row["department"] or None,
			territory=row["territory"] or None,
			customer_group=row["customer_group"] or None,
			channel=row["channel"] or None,
			item_group=row["item_group"] or None,
			customer_kind=customer_kind,
			temperature=row["sf_temperature"] or None,
		),
		attributes=DealAttributes(
			company=row["company"],
			customer_kind=customer_kind,
			source=row["channel"] or None,
			opportunity_type=row["opportunity_type"] or None,
			customer_group=row["customer_group"] or None,
		),
		funnel=row["sf_sales_funnel"] or None,
		created_at=row["creation"],
		created_by=row["created_by"],
		modified_at=row["modified"] or row["creation"],
		modified_by=row["modified_by"] or row["created_by"],
		sales_stage=_clean(row["sales_stage"]),
		status=_clean(row["status"]),
		lost_reason=row["lost_reason"] or None,
	)


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


# ------------------------------------------------------------------------------------------- planning
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

	`status_aliases`: translated status texts -> status (see `status_aliases()`); `channel_columns`: the
	Opportunity columns holding the channel, first non-empty wins (the Frappe layer passes those its
	Opportunity has)."""
	if batch_size < 1:
		raise ValueError("batch_size must be positive")
	columns = _columns(channel_columns)
	funnels = _Funnels(db)
	aliases = dict(status_aliases or {})
	for rows, left_out in _opportunity_batches(db, deals, batch_size, columns):
		plan = BackfillPlan()
		for name, reason in left_out.items():
			plan.skipped[name] = reason
			plan.counts["already_recorded" if reason == SKIP_HAS_HISTORY else "deals_skipped"] += 1
		plan.counts["deals_read"] += len(rows) + len(left_out)
		versions_of: dict[str, list[_Version]] = {}
		if rows:
			for v in _versions(db, [r["name"] for r in rows]):
				plan.counts["versions_read"] += 1
				parsed = _load_version(v["data"])
				if parsed is None:
					plan.counts["versions_unreadable"] += 1
					continue
				changes = tuple(c for c in _changes(parsed) if c[0] in TRACKED_FIELDS)
				if changes:
					versions_of.setdefault(v["docname"], []).append(
						_Version(v["creation"], v["owner"], changes, tuple(_added_lost_reasons(parsed)))
					)
		for row in rows:
			deal = _deal(row)
			funnel, reason = _funnel_of(funnels, deal)
			if funnel is None:
				plan.skipped[deal.name] = reason or SKIP_NO_FUNNEL
				plan.counts["deals_skipped"] += 1
				continue
			if deal.funnel is None:
				plan.funnel_assignments[deal.name] = funnel.name
				plan.counts["funnels_assigned"] += 1
			moves, from_versions, at_modified = _rebuild_moves(
				funnel, deal, versions_of.get(deal.name, []), now, aliases=aliases
			)
			transitions = replay(funnel, deal.snapshot, moves, recorded_via=RECORDED_VIA)
			plan.transitions.extend(transitions)
			plan.stage_entered_at[deal.name] = transitions[-1].transitioned_at
			plan.counts["deals_planned"] += 1
			plan.counts["transitions"] += len(transitions)
			plan.counts["moves_from_versions"] += from_versions
			plan.counts["moves_at_modified"] += at_modified
		yield plan
	if deals is None:
		count = db.sql(f"SELECT COUNT(*) FROM `tabOpportunity` o WHERE {_HAS_HISTORY}")
		tail = BackfillPlan()
		tail.counts["already_recorded"] = int(count[0][0]) if count else 0
		yield tail


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


def _funnel_of(funnels: _Funnels, deal: _Deal) -> tuple[Funnel | None, str | None]:
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


# -------------------------------------------------------------------------------------------- writing
def claim_deal(db: Database, deal: str) -> bool:
	"""Whether the backfill may write `deal`'s planned history now, in this transaction: the deal is locked
	(until the transaction ends, so a recording of the deal waits for the backfill) and, read with a locking read,
	still has no history. The plan was made from an earlier snapshot: a deal that a user moved meanwhile has
	history now, and live recording has started it, so the backfill leaves it alone."""
	return not has_history(db, DEAL_DOCTYPE, deal, for_update=True)


# ---------------------------------------------------------------------- writing (tests and demo only)
def write_transitions(db: Any, transitions: Sequence[Transition], *, user: str = "Administrator") -> int:
	"""Insert rows into `tabFunnel Stage Transition` with one parameterised executemany. For tests and the demo
	only: on a bench the Frappe layer inserts each row with `frappe.get_doc(...).insert()`. `db` must offer
	`executemany` (devkit.mariadb.MariaDB). Names continue the autoincrement sequence from the largest name."""
	if not transitions:
		return 0
	start = db.sql("SELECT COALESCE(MAX(name), 0) FROM `tabFunnel Stage Transition`")[0][0]
	columns = (
		"name",
		"creation",
		"modified",
		"owner",
		"modified_by",
		"docstatus",
		"idx",
		*TRANSITION_COLUMNS,
	)
	query = (
		f"INSERT INTO `tabFunnel Stage Transition` ({', '.join(f'`{c}`' for c in columns)}) "
		f"VALUES ({', '.join(['%s'] * len(columns))})"
	)
	stamp = datetime.now()
	rows = [
		(int(start) + i + 1, stamp, stamp, user, user, 0, 0, *(getattr(t, c) for c in TRANSITION_COLUMNS))
		for i, t in enumerate(transitions)
	]
	return db.executemany(query, rows)
