"""What setting an outcome on a call does, planned idempotently (the Frappe layer applies the plan), and what a
Call Outcome needs for its effect (its doctype's checks).

An outcome's effect (`Call Outcome.effect`): None; Create Lead (a Lead for the caller's number); Create or Move
Opportunity (a linked deal moved forward to the outcome's stage, else a new deal); Create Follow-up ToDo (one ToDo
for the employee, due after the outcome's hours or at the date the user gave).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sales_funnel.engine.calls.rollup import as_date
from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels.stages import load_funnel
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.names import DEAL_DOCTYPE, LEAD_DOCTYPE

EFFECTS = ("None", "Create Lead", "Create or Move Opportunity", "Create Follow-up ToDo")
PARTY_DOCTYPES = (LEAD_DOCTYPE, "Customer", "Prospect")
MAX_FOLLOW_UP_HOURS = 8784  # a follow-up at most a (leap) year after the call


@dataclass(frozen=True)
class CallRecord:
	name: str
	employee: str | None
	status: str | None
	call_type: str | None
	phone: str | None  # the other party's number
	customer: str | None
	outcome: str | None
	note: str | None
	follow_up_on: datetime | None
	links: tuple[tuple[str, str], ...]  # (link_doctype, link_name) in idx order
	open_todos: tuple[tuple[str, str | None, date | None], ...]  # (name, allocated_to, date) of Open ToDos

	def linked(self, *doctypes: str) -> list[tuple[str, str]]:
		return [link for link in self.links if link[0] in doctypes]


@dataclass(frozen=True)
class Outcome:
	name: str
	category: str
	counts_as_negotiation: bool
	enabled: bool
	effect: str
	funnel: str | None
	stage: str | None
	follow_up_hours: int


@dataclass(frozen=True)
class OpportunityPlan:
	action: str  # "create" or "move"
	name: str | None  # the Opportunity moved (None when created)
	opportunity_from: str | None  # the party of a created one; "Lead" with party None = the planned Lead
	party_name: str | None
	funnel: str | None
	stage: str | None


@dataclass(frozen=True)
class TodoPlan:
	allocated_to: str
	date: date
	description: Message


@dataclass(frozen=True)
class OutcomePlan:
	call: str
	outcome: str
	previous_outcome: str | None
	set_fields: dict[str, Any]  # Call Log fields to write; empty when nothing changes
	create_lead: bool = False
	lead_phone: str | None = None
	opportunity: OpportunityPlan | None = None
	todo: TodoPlan | None = None
	close_todos: tuple[str, ...] = ()
	change_note: Message | None = None  # recorded on the call (a comment) when an outcome is replaced

	@property
	def is_noop(self) -> bool:
		return not (self.set_fields or self.create_lead or self.opportunity or self.todo or self.close_todos)


def load_call(db: Database, name: str, for_update: bool = False) -> CallRecord:
	"""A Call Log with its links and its open ToDos; `for_update` locks the row until the transaction ends,
	so two requests setting an outcome on the same call run one after the other."""
	lock = " FOR UPDATE" if for_update else ""
	rows = db.sql(
		f"""SELECT name, employee_user_id, status, `type`, `from`, `to`, customer, sf_outcome, sf_outcome_note,
			sf_follow_up_on FROM `tabCall Log` WHERE name = %(name)s{lock}""",
		{"name": name},
		as_dict=True,
	)
	if not rows:
		raise InvalidInput(Message(_("There is no Call Log {0}."), (name,)))
	row = rows[0]
	links = db.sql(
		"""SELECT link_doctype, link_name FROM `tabDynamic Link`
		WHERE parent = %(name)s AND parenttype = 'Call Log' AND parentfield = 'links' ORDER BY idx""",
		{"name": name},
	)
	todos = db.sql(
		"""SELECT name, allocated_to, `date` FROM `tabToDo`
		WHERE reference_type = 'Call Log' AND reference_name = %(name)s AND status = 'Open' ORDER BY creation, name""",
		{"name": name},
	)
	phone = row["from"] if row["type"] == "Incoming" else row["to"]
	return CallRecord(
		name=row["name"],
		employee=row["employee_user_id"] or None,
		status=row["status"],
		call_type=row["type"],
		phone=phone or None,
		customer=row["customer"] or None,
		outcome=row["sf_outcome"] or None,
		note=row["sf_outcome_note"] or None,
		follow_up_on=row["sf_follow_up_on"] or None,
		links=tuple((d, n) for d, n in links if d and n),
		open_todos=tuple((n, a, as_date(d)) for n, a, d in todos),
	)


def load_outcome(db: Database, name: str | None) -> Outcome:
	"""An enabled Call Outcome; unknown or disabled is a user error."""
	rows = (
		db.sql(
			"""SELECT name, category, counts_as_negotiation, enabled, effect, funnel, stage, follow_up_hours
			FROM `tabCall Outcome` WHERE name = %(name)s""",
			{"name": name},
			as_dict=True,
		)
		if name
		else []
	)
	if not rows:
		raise InvalidInput(Message(_("There is no Call Outcome {0}."), (name or "",)))
	row = rows[0]
	if not row["enabled"]:
		raise InvalidInput(Message(_("Call Outcome {0} is disabled."), (name,)))
	return Outcome(
		name=row["name"],
		category=row["category"],
		counts_as_negotiation=bool(row["counts_as_negotiation"]),
		enabled=True,
		effect=row["effect"] or "None",
		funnel=row["funnel"] or None,
		stage=row["stage"] or None,
		follow_up_hours=int(row["follow_up_hours"] or 0),
	)


def check_outcome_setup(
	effect: str | None, funnel: str | None, stage: str | None, follow_up_hours: int | None
) -> None:
	"""What a Call Outcome needs for its effect (the doctype controller's validate)."""
	if (effect or "None") not in EFFECTS:
		raise InvalidInput(Message(_("Unknown effect {0}."), (effect,)))
	if effect == "Create Follow-up ToDo" and (follow_up_hours is None or follow_up_hours <= 0):
		raise InvalidInput(Message(_("Set after how many hours the follow-up is due (more than zero).")))
	if follow_up_hours is not None and follow_up_hours > MAX_FOLLOW_UP_HOURS:
		raise InvalidInput(
			Message(
				_("The follow-up is due at most {0} hours after the call, not {1}."),
				(MAX_FOLLOW_UP_HOURS, follow_up_hours),
			)
		)
	if stage and not funnel:
		raise InvalidInput(Message(_("Choose the Funnel of stage {0}."), (stage,)))


def check_outcome_stage(db: Database, funnel: str, stage: str | None) -> None:
	"""The stage must be an open stage of the funnel."""
	loaded = load_funnel(db, funnel)
	if stage and loaded.kind(stage) != "Open":
		raise InvalidInput(Message(_("Stage {0} is not an open stage of funnel {1}."), (stage, funnel)))


def plan_outcome_effect(
	db: Database,
	call: CallRecord,
	outcome_name: str | None,
	now: datetime,
	*,
	user: str,
	note: str | None = None,
	follow_up_on: datetime | date | None = None,
) -> OutcomePlan:
	"""What setting `outcome_name` on `call` changes, idempotently.

	- the call's outcome fields, unless outcome, note and follow-up date are what they already are;
	- Create Lead: a Lead for the caller's number, unless the call is linked to a Lead, Customer or Prospect or
	  names a customer;
	- Create or Move Opportunity: a linked Opportunity is moved forward to the outcome's stage (never back, never
	  out of Won/Lost); without one an Opportunity is created for the linked party (a new Lead when there is none);
	- Create Follow-up ToDo: one ToDo for the employee due `follow_up_on` or after N hours, unless an open one
	  for this call with that date exists;
	- open ToDos on the call other than the kept follow-up are closed (the call has its outcome now);
	- setting the same outcome again plans nothing; replacing an outcome records the change and never undoes
	  (or repeats) what the previous one created."""
	outcome = load_outcome(db, outcome_name)
	follow_up_on = _follow_up(follow_up_on, now)
	note = (note or "").strip() or None
	same = call.outcome == outcome.name
	changes = _changed_fields(call, outcome, note, follow_up_on)
	set_fields = {**changes, "sf_outcome_set_by": user, "sf_outcome_set_at": now} if changes else {}
	if same and "sf_follow_up_on" not in changes:
		# the effect ran when this outcome was set: setting it again changes at most the note
		return OutcomePlan(call.name, outcome.name, call.outcome, set_fields)
	if same:
		todo, close = _plan_todo(call, outcome, follow_up_on, now)
		return OutcomePlan(call.name, outcome.name, call.outcome, set_fields, todo=todo, close_todos=close)
	return _plan_effect(db, call, outcome, set_fields, follow_up_on, now)


def _changed_fields(
	call: CallRecord, outcome: Outcome, note: str | None, follow_up_on: datetime | None
) -> dict[str, Any]:
	"""The call's outcome fields that change: all three for a new outcome; for the same one again, the note and
	the follow-up date when given and different."""
	if call.outcome != outcome.name:
		return {"sf_outcome": outcome.name, "sf_outcome_note": note, "sf_follow_up_on": follow_up_on}
	changes: dict[str, Any] = {}
	if note is not None and note != call.note:
		changes["sf_outcome_note"] = note
	if follow_up_on is not None and follow_up_on != call.follow_up_on:
		changes["sf_follow_up_on"] = follow_up_on
	return changes


def _plan_effect(
	db: Database,
	call: CallRecord,
	outcome: Outcome,
	set_fields: dict[str, Any],
	follow_up_on: datetime | None,
	now: datetime,
) -> OutcomePlan:
	"""A new (or replaced) outcome: its effect, the follow-up ToDo, the ToDos to close and the change's note."""
	change_note = (
		Message(_("Call outcome changed from {0} to {1}."), (call.outcome, outcome.name))
		if call.outcome
		else None
	)
	create_lead, opportunity = False, None
	party = call.linked(*PARTY_DOCTYPES)
	if outcome.effect == "Create Lead":
		create_lead = not party and not call.customer
	elif outcome.effect == "Create or Move Opportunity":
		opportunity, create_lead = _plan_opportunity(db, call, outcome, party)
	todo, close = _plan_todo(call, outcome, follow_up_on, now)
	return OutcomePlan(
		call=call.name,
		outcome=outcome.name,
		previous_outcome=call.outcome,
		set_fields=set_fields,
		create_lead=create_lead,
		lead_phone=call.phone if create_lead else None,
		opportunity=opportunity,
		todo=todo,
		close_todos=close,
		change_note=change_note,
	)


def _follow_up(value: datetime | date | None, now: datetime) -> datetime | None:
	"""The follow-up moment (`sf_follow_up_on` is a Datetime; a bare date means the start of that day); a
	moment in the past is a user error (a bare date only when the day is over)."""
	if value is None or value == "":
		return None
	if isinstance(value, datetime):
		if value < now:
			raise InvalidInput(Message(_("The follow-up time {0} is in the past."), (value,)))
		return value
	if value < now.date():
		raise InvalidInput(
			Message(_("The follow-up date {0} is in the past (today is {1})."), (value, now.date()))
		)
	return datetime.combine(value, datetime.min.time())


def _plan_todo(
	call: CallRecord, outcome: Outcome, follow_up_on: datetime | None, now: datetime
) -> tuple[TodoPlan | None, tuple[str, ...]]:
	"""The follow-up ToDo (unless an open one for the employee with that date exists) and the open ToDos on
	the call to close (every other one: the call has its outcome now)."""
	due = follow_up_on.date() if follow_up_on else None
	if due is None and outcome.effect == "Create Follow-up ToDo":
		due = (now + timedelta(hours=outcome.follow_up_hours)).date()
	keep = {t[0] for t in call.open_todos if due is not None and t[1] == call.employee and t[2] == due}
	todo = None
	if due is not None and call.employee and not keep:
		todo = TodoPlan(
			call.employee, due, Message(_("Follow up on call {0} ({1})."), (call.name, outcome.name))
		)
	return todo, tuple(t[0] for t in call.open_todos if t[0] not in keep)


def _plan_opportunity(
	db: Database, call: CallRecord, outcome: Outcome, party: list[tuple[str, str]]
) -> tuple[OpportunityPlan | None, bool]:
	funnel = load_funnel(db, outcome.funnel) if outcome.funnel else None
	stage = outcome.stage or (funnel.open_stages[0].stage if funnel and funnel.open_stages else None)
	linked = [name for doctype, name in call.links if doctype == DEAL_DOCTYPE]
	if linked:
		rows = db.sql(
			"SELECT name, status, sales_stage, sf_sales_funnel FROM `tabOpportunity` WHERE name = %(name)s",
			{"name": linked[0]},
			as_dict=True,
		)
		if not rows:
			linked = []
		else:
			deal = rows[0]
			if deal["status"] in ("Converted", "Lost", "Closed") or not stage or not funnel:
				return None, False
			same_funnel = (deal["sf_sales_funnel"] or funnel.name) == funnel.name
			if same_funnel and funnel.position(stage) > funnel.position(deal["sales_stage"]):
				return OpportunityPlan("move", deal["name"], None, None, funnel.name, stage), False
			return None, False
	if call.customer and not party:
		party = [("Customer", call.customer)]
	if party:
		doctype, name = party[0]
		return OpportunityPlan("create", None, doctype, name, funnel.name if funnel else None, stage), False
	return OpportunityPlan("create", None, LEAD_DOCTYPE, None, funnel.name if funnel else None, stage), True
