"""The planner: which open deals go to which manager, and why. The engine plans; Frappe applies.

`plan_reassignments(db, now)` reads the database state and returns a `Plan`: one item per triggered deal
(`candidates.triggered_deals`), either *planned* (from → to, with the reason and the figures that triggered it)
or *skipped* (with the reason: cooldown, max count, a future Event or ToDo, no eligible manager). The same state
and `now` give the same plan.

Limits (from the `Reassignment Log` rows with status Applied, whatever the rule): at most `max_reassignments`
per deal (0: no limit); none within `cooldown_hours` of the last one (`now - at < cooldown` skips); never back to
any earlier owner (every `from_user` of the deal's log) when the rule says so; skip deals with a future open Event
(Event Participants) or an Open ToDo not yet due (`date >= today`) when the rule says so. Rules run in name order;
a deal planned by one rule is not considered by the next. Each rule moves at most its Max Reassignments per Hour,
and the run at most `MAX_MOVES_PER_HOUR` across rules, the most overdue first: a capped rule reads its candidates a
page at a time. The new owner is the rule's strategy's choice (`chooser`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels.stages import Funnel, load_funnel
from sales_funnel.engine.i18n import Message, _
from sales_funnel.engine.reassignment.candidate_rows import load_of, open_deal_snapshot
from sales_funnel.engine.reassignment.candidates import Candidate, triggered_deals
from sales_funnel.engine.reassignment.chooser import Chooser
from sales_funnel.engine.reassignment.history import (
	DealHistory,
	applied_in_last_hour,
	deals_with_future_event,
	deals_with_pending_todo,
	open_deal_load,
	reassignment_history,
)
from sales_funnel.engine.reassignment.model import (
	BY_TEMPERATURE,
	LEAST_LOADED,
	MAX_MOVES_PER_HOUR,
	PLANNED,
	SECONDS_PER_HOUR,
	SKIPPED,
	TRIGGER_OVERDUE_TODO,
	Plan,
	PlanItem,
	Rule,
)
from sales_funnel.engine.reassignment.rules import load_rules, pool_users

# a capped rule reads its candidates in pages of twice what it may still move, at least this many
MIN_PAGE = 500
# more candidates than this: read every pending ToDo at once rather than name them in an IN list
MAX_IN_LIST = 1000
FUTURE_EVENT = Message(_("Skipped: an Event is planned on the deal."))
PENDING_TODO = Message(_("Skipped: a ToDo on the deal is not yet due."))


def plan_reassignments(
	db: Database,
	now: datetime,
	rules: Sequence[Rule] | None = None,
	*,
	max_moves_per_hour: int | None = MAX_MOVES_PER_HOUR,
) -> Plan:
	"""What the next run does at `now`: every enabled rule (name order), every deal its trigger fires on, the most
	overdue first, up to each rule's Max Reassignments per Hour and `max_moves_per_hour` moves in all (None: no
	bound; for measuring, never for the job)."""
	with _collector_paused():
		return _plan(db, now, rules, max_moves_per_hour)


@contextmanager
def _collector_paused() -> Iterator[None]:
	"""Planning allocates a few small objects per deal and keeps them all until it returns (the plan's items),
	with no reference cycles among them. Python's cyclic collector would walk every one of them again at each
	full pass as they pile up: about a fifth of the time of an uncapped plan over 250,000 deals (measured with a
	previous plan alive, as in the benchmark: 6.5-6.9 s with it, 5.2-5.3 s without). It is paused meanwhile and
	re-enabled after, as it was."""
	enabled = gc.isenabled()
	gc.disable()
	try:
		yield
	finally:
		if enabled:
			gc.enable()


@dataclass
class PlannerState:
	"""One planning run: what it reads once and shares across its rules (each read when a rule first needs it),
	and what it has planned so far."""

	db: Database
	now: datetime
	rules: list[Rule]  # the enabled rules, in name order
	history: dict[str, DealHistory]  # applied reassignments per deal
	budget: int | None  # moves the run may still plan across rules (None: no bound)
	items: list[PlanItem] = field(default_factory=list)
	claimed: set[str] = field(default_factory=set)  # deals a rule has planned: the next rules leave them
	funnels: dict[str, Funnel] = field(default_factory=dict)
	# open deals per owner, read when a strategy first needs it (one dict, shared by every rule's chooser), and
	# the moves planned before that, replayed on it then
	load: dict[str, int] = field(default_factory=dict)
	moves_before_load: list[tuple[str, str | None]] = field(default_factory=list)
	future_events: set[str] | None = None
	all_pending_todos: set[str] | None = None
	open_deals: dict[str, tuple[Any, ...]] | None = None  # read once when a rule reads every candidate

	def funnel(self, name: str) -> Funnel:
		if name not in self.funnels:
			self.funnels[name] = load_funnel(self.db, name)
		return self.funnels[name]

	def read_open_deals(self) -> None:
		"""The open deals, once; their temperatures only when a rule that reads every candidate sends deals by
		temperature."""
		if self.open_deals is None:
			temperature = any(
				r.strategy == BY_TEMPERATURE and not r.max_per_hour and r.trigger != TRIGGER_OVERDUE_TODO
				for r in self.rules
			)
			self.open_deals = open_deal_snapshot(self.db, temperature=temperature)

	def read_load(self) -> None:
		"""The open deals per owner, once, with the moves planned so far."""
		if self.load:
			return
		load = self.load
		load.update(open_deal_load(self.db) if self.open_deals is None else load_of(self.open_deals))
		for to_user, from_user in self.moves_before_load:
			load[to_user] = load.get(to_user, 0) + 1
			if from_user:
				load[from_user] = max(load.get(from_user, 0) - 1, 0)
		self.moves_before_load.clear()
		load.setdefault("", 0)  # read: an empty company stays read

	def read_future_events(self) -> None:
		if self.future_events is None:
			self.future_events = deals_with_future_event(self.db, self.now)

	def pending_todos(self, candidates: Sequence[Candidate]) -> set[str]:
		"""The candidates with a ToDo not yet due (or every deal with one, for a long list of candidates)."""
		if len(candidates) <= MAX_IN_LIST:
			return deals_with_pending_todo(self.db, self.now, [c.deal for c in candidates])
		if self.all_pending_todos is None:  # every pending ToDo at once rather than a long IN list
			self.all_pending_todos = deals_with_pending_todo(self.db, self.now)
		return self.all_pending_todos

	def moved(self, to_user: str, from_user: str | None) -> None:
		"""A move is planned: the loads follow (or remember it until they are read)."""
		load = self.load
		if not load:
			self.moves_before_load.append((to_user, from_user))
			return
		load[to_user] = load.get(to_user, 0) + 1
		if from_user:
			load[from_user] = max(load.get(from_user, 0) - 1, 0)


@dataclass
class RulePass:
	"""One rule's turn in a run: how many it may still move (None: no bound) and has planned, and its chooser
	(made when its first candidate comes)."""

	rule: Rule
	funnel: Funnel
	quota: int | None
	planned: int = 0
	chooser: Chooser | None = None

	@property
	def full(self) -> bool:
		return self.quota is not None and self.planned >= self.quota


def _plan(db: Database, now: datetime, rules: Sequence[Rule] | None, max_moves: int | None) -> Plan:
	rules = sorted(
		(r for r in (load_rules(db) if rules is None else rules) if r.enabled), key=lambda r: r.name
	)
	if not rules:
		return Plan(now, [])
	history = reassignment_history(db, now)
	budget = None if max_moves is None else max_moves - applied_in_last_hour(db, None, now)
	state = PlannerState(db, now, rules, history, budget)
	for rule in rules:
		if state.budget is not None and state.budget <= 0:
			break
		planned = _plan_rule(state, rule)
		if state.budget is not None:
			state.budget -= planned
	return Plan(now, state.items)


def _quota(state: PlannerState, rule: Rule) -> int | None:
	"""How many the rule may still move in this run: what is left of its hour's cap and of the run's budget
	(None: no bound; 0 or less: none)."""
	quota = None
	if rule.max_per_hour:
		quota = rule.max_per_hour - applied_in_last_hour(state.db, rule.name, state.now)
		if quota <= 0:
			return quota
	if state.budget is not None:
		quota = state.budget if quota is None else min(quota, state.budget)
	return quota


def _plan_rule(state: PlannerState, rule: Rule) -> int:
	"""Plan the rule's deals, a page at a time when it has a quota (all at once else); how many it moves."""
	funnel = state.funnel(rule.funnel)
	quota = _quota(state, rule)
	if quota is not None and quota <= 0:
		return 0
	page_size = max(2 * quota, MIN_PAGE) if quota is not None else None
	if page_size is None and rule.trigger != TRIGGER_OVERDUE_TODO:
		state.read_open_deals()
	run = RulePass(rule, funnel, quota)
	offset = 0
	while True:
		stats: dict[str, int] = {}
		page = triggered_deals(
			state.db, rule, funnel, state.now, page_size, offset, stats, open_deals=state.open_deals
		)
		_plan_page(state, run, [c for c in page if c.deal not in state.claimed] if state.claimed else page)
		if page_size is None or run.full or stats.get("rows", 0) < page_size:
			return run.planned
		offset += page_size


def _plan_page(state: PlannerState, run: RulePass, candidates: list[Candidate]) -> None:
	"""An item per candidate (in order) until the rule's quota is reached."""
	if not candidates:
		return
	rule = run.rule
	if run.chooser is None:
		if rule.skip_if_future_event:
			state.read_future_events()
		if rule.strategy in (LEAST_LOADED, BY_TEMPERATURE):
			state.read_load()
		pool = pool_users(state.db, rule)
		run.chooser = Chooser(state.db, rule, run.funnel, pool, state.now, state.load)
	pending = state.pending_todos(candidates) if rule.skip_if_future_todo else None
	events = state.future_events if rule.skip_if_future_event else None
	for candidate in candidates:
		if run.full:
			break
		item = _decide(state, run, candidate, events, pending)
		state.items.append(item)
		if item.to_user:
			run.planned += 1
			state.claimed.add(item.deal)
			state.moved(item.to_user, item.from_user)
			run.chooser.moved(item.to_user, item.from_user)


def _decide(
	state: PlannerState,
	run: RulePass,
	candidate: Candidate,
	events: set[str] | None,
	pending: set[str] | None,
) -> PlanItem:
	"""The deal's item: held back by a limit, or moved to the manager the rule's strategy chooses."""
	deal, stage, position, owner, modified, temperature, _excess, why, figures = candidate
	rule = run.rule
	past = state.history.get(deal)
	skip_kind, decision = _limit(rule, deal, past, state.now, events, pending)
	to_user = None
	if skip_kind is None:
		excluded = {owner} if owner else set()
		if past is not None and rule.never_to_previous_owner:
			excluded |= past.previous_owners
		to_user, decision = run.chooser.choose(stage, position, temperature, excluded)
		if to_user is None:
			skip_kind = "no_manager"
	figures["reassigned_before"] = past.count if past is not None else 0
	status = PLANNED if to_user else SKIPPED
	return PlanItem(
		deal, rule.name, rule.trigger, status, stage, owner, to_user, why, decision, modified, rule.dry_run,
		skip_kind, figures,
	)  # fmt: skip


def _limit(
	rule: Rule,
	deal: str,
	past: DealHistory | None,
	now: datetime,
	future_events: set[str] | None,
	pending_todos: set[str] | None,
) -> tuple[str | None, Message | None]:
	"""Why the rule's limits keep the deal where it is (kind, message), or (None, None)."""
	if past is not None:
		if rule.max_reassignments and past.count >= rule.max_reassignments:
			return "max_count", Message(
				_("Skipped: already reassigned {0} times; the limit is {1}."),
				(past.count, rule.max_reassignments),
			)
		if past.last_at is not None:
			hours = (now - past.last_at).total_seconds() / SECONDS_PER_HOUR
			if hours < rule.cooldown_hours:
				return "cooldown", Message(
					_("Skipped: reassigned {0} hours ago; the cooldown is {1} hours."),
					(round(hours, 1), rule.cooldown_hours),
				)
	if future_events and deal in future_events:
		return "future_event", FUTURE_EVENT
	if pending_todos and deal in pending_todos:
		return "pending_todo", PENDING_TODO
	return None, None
