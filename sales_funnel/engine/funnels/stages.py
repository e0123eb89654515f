"""Funnels and their stages: the model, checking a stage list, and loading a funnel from the database.

A funnel is an ordered list of stages. Open stages come first, then exactly one Won stage, then the Lost
stages. Positions count the open stages and the Won stage (1..K+1); Lost stages have no position, since a
deal is lost *at* the open stage it was in. Which funnel a new deal goes to: `choice`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from sales_funnel.engine.db import Database
from sales_funnel.engine.i18n import InvalidInput, Message, _

KINDS = ("Open", "Won", "Lost")
TRIGGERS = ("Quotation Submitted", "Sales Order Submitted", "Sales Invoice Submitted", "Sales Invoice Paid")
MAX_OPEN_STAGES_BEFORE_WARNING = 7


@dataclass(frozen=True)
class Stage:
	stage: str
	kind: str = "Open"
	probability: float = 0.0
	target_conversion: float = 0.0
	time_limit_days: float = 0.0
	trigger: str | None = None


@dataclass(frozen=True)
class Funnel:
	name: str
	company: str | None
	stages: tuple[Stage, ...]
	is_default: bool = False
	enabled: bool = True
	customer_kind: str | None = None
	source: str | None = None
	opportunity_type: str | None = None
	customer_group: str | None = None
	priority: int = 0
	starts_with_calls: bool = False  # the Stage Conversion report opens with a "Call Received" row
	_position: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

	def __post_init__(self) -> None:
		ordered = [s for s in self.stages if s.kind == "Open"] + [s for s in self.stages if s.kind == "Won"]
		self._position.update({s.stage: i + 1 for i, s in enumerate(ordered)})

	@property
	def progress_stages(self) -> tuple[Stage, ...]:
		"""Open stages then the Won stage, in order: the stages that have a position."""
		return tuple(s for s in self.stages if s.kind == "Open") + tuple(
			s for s in self.stages if s.kind == "Won"
		)

	@property
	def open_stages(self) -> tuple[Stage, ...]:
		return tuple(s for s in self.stages if s.kind == "Open")

	@property
	def won_stage(self) -> Stage:
		return next(s for s in self.stages if s.kind == "Won")

	@property
	def lost_stages(self) -> tuple[Stage, ...]:
		return tuple(s for s in self.stages if s.kind == "Lost")

	def stage(self, name: str | None) -> Stage | None:
		return next((s for s in self.stages if s.stage == name), None)

	def position(self, name: str | None) -> int:
		"""1-based position of an open or won stage; 0 for a lost stage or one not in this funnel."""
		return self._position.get(name or "", 0)

	def kind(self, name: str | None) -> str | None:
		stage = self.stage(name)
		return stage.kind if stage else None

	def stage_for_trigger(self, trigger: str) -> Stage | None:
		return next((s for s in self.stages if s.trigger == trigger), None)


@dataclass(frozen=True)
class FunnelCheck:
	errors: tuple[Message, ...]
	warnings: tuple[Message, ...]


def check_stages(stages: Sequence[Stage]) -> FunnelCheck:
	"""Validate a funnel's stage list. Errors block saving; warnings are shown."""
	errors: list[Message] = []
	if len(stages) < 2:
		errors.append(Message(_("A funnel needs at least two stages.")))
	seen: set[str] = set()
	for row, stage in enumerate(stages, start=1):
		errors += _row_errors(row, stage, seen)
		seen.add(stage.stage)
	errors += _order_errors(stages)
	errors += _probability_errors(stages)
	triggers = [s.trigger for s in stages if s.trigger]
	for trigger in sorted({t for t in triggers if triggers.count(t) > 1}):
		errors.append(Message(_("Trigger {0} is set on more than one stage."), (trigger,)))
	return FunnelCheck(tuple(errors), tuple(_length_warnings(stages)))


def _row_errors(row: int, stage: Stage, seen: set[str]) -> list[Message]:
	"""What is wrong with one row of the stage list (`seen`: the stages of the rows above it)."""
	errors: list[Message] = []
	if not stage.stage:
		errors.append(Message(_("Row {0}: choose a Sales Stage."), (row,)))
	elif stage.stage in seen:
		errors.append(Message(_("Row {0}: stage {1} is already in this funnel."), (row, stage.stage)))
	if stage.kind not in KINDS:
		errors.append(Message(_("Row {0}: kind must be Open, Won or Lost, not {1}."), (row, stage.kind)))
	if stage.trigger and stage.trigger not in TRIGGERS:
		errors.append(Message(_("Row {0}: unknown trigger {1}."), (row, stage.trigger)))
	if stage.trigger and stage.kind == "Lost":
		errors.append(Message(_("Row {0}: a Lost stage cannot be reached by a document trigger."), (row,)))
	for label, value in (
		(_("Probability"), stage.probability),
		(_("Target conversion"), stage.target_conversion),
	):
		if not 0 <= (value or 0) <= 100:
			errors.append(Message(_("Row {0}: {1} must be between 0 and 100."), (row, label)))
	if (stage.time_limit_days or 0) < 0:
		errors.append(Message(_("Row {0}: the time limit cannot be negative."), (row,)))
	return errors


def _order_errors(stages: Sequence[Stage]) -> list[Message]:
	"""Exactly one Won stage, after the open stages and before the Lost ones."""
	errors: list[Message] = []
	won = [i for i, s in enumerate(stages) if s.kind == "Won"]
	if len(won) != 1:
		errors.append(Message(_("A funnel needs exactly one Won stage; it has {0}."), (len(won),)))
	kinds = [s.kind for s in stages]
	first_lost = kinds.index("Lost") if "Lost" in kinds else len(kinds)
	if any(k != "Lost" for k in kinds[first_lost:]):
		errors.append(Message(_("Lost stages must come last.")))
	if won and any(k == "Open" for k in kinds[won[0] + 1 :]):
		errors.append(Message(_("Open stages must come before the Won stage.")))
	return errors


def _probability_errors(stages: Sequence[Stage]) -> list[Message]:
	"""Probabilities rise strictly along the open stages and the Won stage."""
	progress = [s for s in stages if s.kind in ("Open", "Won")]
	return [
		Message(
			_("Probabilities must rise along the funnel: {0} ({1}%) is not above {2} ({3}%)."),
			(after.stage, after.probability or 0, before.stage, before.probability or 0),
		)
		for before, after in itertools.pairwise(progress)
		if (after.probability or 0) <= (before.probability or 0)
	]


def _length_warnings(stages: Sequence[Stage]) -> list[Message]:
	open_count = sum(1 for s in stages if s.kind == "Open")
	if open_count <= MAX_OPEN_STAGES_BEFORE_WARNING:
		return []
	return [
		Message(
			_("This funnel has {0} open stages. Funnels longer than {1} stages blur where deals are lost."),
			(open_count, MAX_OPEN_STAGES_BEFORE_WARNING),
		)
	]


def load_funnel(db: Database, name: str) -> Funnel:
	"""Read a Sales Funnel and its stages; an unknown funnel is a user error."""
	rows = db.sql(
		# every column: a database made before a field was added (a kept benchmark database) still loads
		"SELECT * FROM `tabSales Funnel` WHERE name = %(name)s",
		{"name": name},
		as_dict=True,
	)
	if not rows:
		raise InvalidInput(Message(_("There is no Sales Funnel {0}."), (name,)))
	head = rows[0]
	stages = db.sql(
		"""SELECT stage, kind, probability, target_conversion, time_limit_days, `trigger`
		FROM `tabSales Funnel Stage`
		WHERE parent = %(name)s AND parenttype = 'Sales Funnel' AND parentfield = 'stages'
		ORDER BY idx""",
		{"name": name},
		as_dict=True,
	)
	return Funnel(
		name=head["name"],
		company=head["company"],
		stages=tuple(
			Stage(
				stage=s["stage"],
				kind=s["kind"] or "Open",
				probability=float(s["probability"] or 0),
				target_conversion=float(s["target_conversion"] or 0),
				time_limit_days=float(s["time_limit_days"] or 0),
				trigger=s["trigger"] or None,
			)
			for s in stages
		),
		is_default=bool(head["is_default"]),
		enabled=bool(head["enabled"]),
		customer_kind=head["customer_kind"] or None,
		source=head["source"] or None,
		opportunity_type=head["opportunity_type"] or None,
		customer_group=head["customer_group"] or None,
		priority=int(head["priority"] or 0),
		starts_with_calls=bool(head.get("starts_with_calls")),
	)


def load_funnels(db: Database, company: str | None = None) -> list[Funnel]:
	"""Enabled funnels (of a company), highest priority first."""
	names = db.sql(
		"""SELECT name FROM `tabSales Funnel` WHERE enabled = 1 AND (%(company)s IS NULL OR company = %(company)s)
		ORDER BY priority DESC, is_default DESC, name""",
		{"company": company},
	)
	return [load_funnel(db, row[0]) for row in names]
