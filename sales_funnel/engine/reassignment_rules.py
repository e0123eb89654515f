"""Reassignment Rules: reading them, resolving their pool of managers, and checking them before they are saved.

A rule names a funnel, the stages it watches (all open stages or some), a trigger with a threshold, a pool of
managers (a Sales Person group, a role, or listed users; only enabled users ever count), a strategy that
chooses the new owner, and limits that keep deals from bouncing between managers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels.stages import Funnel
from sales_funnel.engine.i18n import Message, _

TRIGGER_STAGE_LIMIT = "Days Over Stage Limit"
TRIGGER_OVERDUE_TODO = "Overdue ToDo"
TRIGGER_NO_ACTIVITY = "No Activity"
TRIGGERS = (TRIGGER_STAGE_LIMIT, TRIGGER_OVERDUE_TODO, TRIGGER_NO_ACTIVITY)

POOL_SALES_PERSON_GROUP = "Sales Person Group"
POOL_ROLE = "Role"
POOL_LISTED_USERS = "Listed Users"
POOL_TYPES = (POOL_SALES_PERSON_GROUP, POOL_ROLE, POOL_LISTED_USERS)

ROUND_ROBIN = "Round Robin"
LEAST_LOADED = "Least Loaded"
BEST_CONVERTER = "Best Converter"
BY_TEMPERATURE = "By Temperature"
STRATEGIES = (ROUND_ROBIN, LEAST_LOADED, BEST_CONVERTER, BY_TEMPERATURE)

# The scheduled job runs hourly (hooks.py scheduler_events "hourly_long"); a shorter cooldown would not hold.
JOB_INTERVAL_HOURS = 1.0
# Users who are never managers, whatever their roles
SYSTEM_USERS = ("Administrator", "Guest")
# The most a rule's numbers may be: beyond these a setting is a typo (and an Int column would overflow)
MAX_THRESHOLD_DAYS = 3650  # days over the stage limit or without activity: ten years
MAX_THRESHOLD_HOURS = 87_600  # hours a ToDo is overdue: ten years
MAX_COOLDOWN_HOURS = 87_600
MAX_PER_HOUR = 100_000
MAX_PER_DEAL = 1000
MAX_WINDOW_DAYS = 3650
MAX_MIN_DEALS = 100_000


@dataclass(frozen=True)
class Rule:
	name: str
	funnel: str
	trigger: str = TRIGGER_STAGE_LIMIT
	threshold: float = 0.0
	stages: tuple[str, ...] = ()  # empty: every open stage of the funnel
	pool_type: str = POOL_LISTED_USERS
	sales_person_group: str | None = None
	role: str | None = None
	users: tuple[str, ...] = ()
	strategy: str = LEAST_LOADED
	converter_window_days: int = 90
	converter_min_deals: int = 10
	max_reassignments: int = 2  # 0: no limit
	max_per_hour: int = 0  # reassignments the rule may apply in any hour; 0: no limit
	cooldown_hours: float = 72.0
	never_to_previous_owner: bool = True
	skip_if_future_event: bool = True
	skip_if_future_todo: bool = True
	enabled: bool = True
	dry_run: bool = False
	route_new_leads: bool = False

	def watches(self, funnel: Funnel, stage: str) -> bool:
		"""Whether the rule acts on deals in `stage` (an open stage of its funnel)."""
		if funnel.kind(stage) != "Open":
			return False
		return not self.stages or stage in self.stages


def load_rules(db: Database, names: Sequence[str] | None = None, *, enabled_only: bool = True) -> list[Rule]:
	"""Reassignment Rules with their stages and listed users, by name."""
	values: dict = {"enabled_only": int(enabled_only)}
	where = "(%(enabled_only)s = 0 OR enabled = 1)"
	if names is not None:
		if not names:
			return []
		keys = []
		for index, name in enumerate(names):
			values[f"n{index}"] = name
			keys.append(f"%(n{index})s")
		where += f" AND name IN ({', '.join(keys)})"
	heads = db.sql(
		f"""SELECT name, funnel, `trigger`, threshold, all_stages, pool_type, sales_person_group, role, strategy,
			converter_window_days, converter_min_deals, max_reassignments, max_per_hour, cooldown_hours, never_to_previous_owner,
			skip_if_future_event, skip_if_future_todo, enabled, dry_run, route_new_leads
		FROM `tabReassignment Rule` WHERE {where} ORDER BY name""",
		values,
		as_dict=True,
	)
	if not heads:
		return []
	children = db.sql(
		"""SELECT parent, parentfield, stage AS value FROM `tabReassignment Rule Stage`
			WHERE parenttype = 'Reassignment Rule' AND parentfield = 'stages'
		UNION ALL
		SELECT parent, parentfield, user AS value FROM `tabReassignment Rule User`
			WHERE parenttype = 'Reassignment Rule' AND parentfield = 'users'
		ORDER BY parent, parentfield, value""",
		as_dict=True,
	)
	by_rule: dict[tuple[str, str], list[str]] = {}
	for row in children:
		by_rule.setdefault((row["parent"], row["parentfield"]), []).append(row["value"])
	return [
		Rule(
			name=h["name"],
			funnel=h["funnel"],
			trigger=h["trigger"],
			threshold=float(h["threshold"] or 0),
			stages=() if h["all_stages"] else tuple(by_rule.get((h["name"], "stages"), ())),
			pool_type=h["pool_type"],
			sales_person_group=h["sales_person_group"] or None,
			role=h["role"] or None,
			users=tuple(by_rule.get((h["name"], "users"), ())),
			strategy=h["strategy"],
			converter_window_days=int(h["converter_window_days"] or 0),
			converter_min_deals=int(h["converter_min_deals"] or 0),
			max_reassignments=int(h["max_reassignments"] or 0),
			max_per_hour=int(h["max_per_hour"] or 0),
			cooldown_hours=float(h["cooldown_hours"] or 0),
			never_to_previous_owner=bool(h["never_to_previous_owner"]),
			skip_if_future_event=bool(h["skip_if_future_event"]),
			skip_if_future_todo=bool(h["skip_if_future_todo"]),
			enabled=bool(h["enabled"]),
			dry_run=bool(h["dry_run"]),
			route_new_leads=bool(h["route_new_leads"]),
		)
		for h in heads
	]


def pool_members(db: Database, rule: Rule) -> list[tuple[str, bool]]:
	"""Every user the rule's pool names, with whether the user is enabled, sorted by user."""
	if rule.pool_type == POOL_LISTED_USERS:
		if not rule.users:
			return []
		values = {f"u{i}": user for i, user in enumerate(rule.users)}
		keys = ", ".join(f"%({k})s" for k in values)
		rows = db.sql(
			f"SELECT name, enabled FROM `tabUser` WHERE name IN ({keys}) ORDER BY name",
			values,
		)
		known = {name: bool(enabled) for name, enabled in rows}
		# a listed user that does not exist counts as disabled
		return sorted((user, known.get(user, False)) for user in set(rule.users))
	if rule.pool_type == POOL_ROLE:
		if not rule.role:
			return []
		rows = db.sql(
			"""SELECT DISTINCT u.name, u.enabled FROM `tabHas Role` hr JOIN `tabUser` u ON u.name = hr.parent
			WHERE hr.parenttype = 'User' AND hr.role = %(role)s AND u.name NOT IN ('Administrator', 'Guest')
			ORDER BY u.name""",
			{"role": rule.role},
		)
		return [(name, bool(enabled)) for name, enabled in rows]
	if rule.pool_type == POOL_SALES_PERSON_GROUP:
		if not rule.sales_person_group:
			return []
		# a Sales Person is a manager through its Employee's user; a disabled Sales Person or an Employee who
		# left makes the user ineligible
		rows = db.sql(
			"""SELECT u.name, MAX(u.enabled = 1 AND sp.enabled = 1 AND e.status = 'Active') AS eligible
			FROM `tabSales Person` g
			JOIN `tabSales Person` sp ON sp.lft >= g.lft AND sp.rgt <= g.rgt AND sp.is_group = 0
			JOIN `tabEmployee` e ON e.name = sp.employee
			JOIN `tabUser` u ON u.name = e.user_id
			WHERE g.name = %(group)s
			GROUP BY u.name ORDER BY u.name""",
			{"group": rule.sales_person_group},
		)
		return [(name, bool(eligible)) for name, eligible in rows]
	return []


def pool_users(db: Database, rule: Rule) -> list[str]:
	"""The enabled managers of the rule's pool, sorted."""
	return [user for user, enabled in pool_members(db, rule) if enabled and user not in SYSTEM_USERS]


def check_rule(rule: Rule, funnel: Funnel | None, members: Sequence[tuple[str, bool]]) -> list[Message]:
	"""Why a rule cannot be saved; empty when it can. `members` is `pool_members(db, rule)`."""
	errors = _check_funnel(rule, funnel)
	if rule.trigger not in TRIGGERS:
		errors.append(Message(_("Unknown trigger {0}."), (rule.trigger,)))
	if rule.strategy not in STRATEGIES:
		errors.append(Message(_("Unknown strategy {0}."), (rule.strategy,)))
	errors += _check_pool(rule, members)
	errors += _check_numbers(rule)
	if rule.route_new_leads and rule.strategy != BY_TEMPERATURE:
		errors.append(Message(_("Only a rule with the By Temperature strategy can route new Leads.")))
	return errors


def _check_funnel(rule: Rule, funnel: Funnel | None) -> list[Message]:
	"""The funnel exists, the chosen stages are its open stages, and a stage-limit rule watches a limited one."""
	if funnel is None:
		return [Message(_("There is no Sales Funnel {0}."), (rule.funnel,))]
	errors: list[Message] = []
	for stage in rule.stages:
		kind = funnel.kind(stage)
		if kind is None:
			errors.append(Message(_("Stage {0} is not in funnel {1}."), (stage, funnel.name)))
		elif kind != "Open":
			errors.append(
				Message(
					_("Stage {0} is a {1} stage; deals are reassigned only in open stages."),
					(stage, kind),
				)
			)
	if rule.trigger == TRIGGER_STAGE_LIMIT:
		watched = [s for s in funnel.open_stages if rule.watches(funnel, s.stage)]
		if watched and not any(s.time_limit_days > 0 for s in watched):
			errors.append(
				Message(
					_("None of the chosen stages of funnel {0} has a time limit, so no deal can go over it."),
					(funnel.name,),
				)
			)
	return errors


def _check_pool(rule: Rule, members: Sequence[tuple[str, bool]]) -> list[Message]:
	"""The pool is of a known kind, names its group or role, and has an enabled manager."""
	if rule.pool_type not in POOL_TYPES:
		return [Message(_("Unknown pool {0}."), (rule.pool_type,))]
	errors: list[Message] = []
	if rule.pool_type == POOL_SALES_PERSON_GROUP and not rule.sales_person_group:
		errors.append(Message(_("Choose the Sales Person group whose members take the deals.")))
	elif rule.pool_type == POOL_ROLE and not rule.role:
		errors.append(Message(_("Choose the role whose users take the deals.")))
	members = [(user, enabled) for user, enabled in members if user not in SYSTEM_USERS]
	if not members:
		errors.append(Message(_("The pool of managers is empty: nobody could take the deals.")))
	elif not any(enabled for _user, enabled in members):
		errors.append(
			Message(
				_("Every manager in the pool is disabled ({0}): nobody could take the deals."),
				(", ".join(user for user, _enabled in members),),
			)
		)
	return errors


def _check_numbers(rule: Rule) -> list[Message]:
	"""The threshold, cooldown, limits and ranking settings are finite, not negative and not absurd."""
	errors: list[Message] = []
	threshold = float(rule.threshold or 0)
	in_hours = rule.trigger == TRIGGER_OVERDUE_TODO
	if not math.isfinite(threshold):
		errors.append(Message(_("The threshold must be a finite number.")))
	elif threshold < 0:
		errors.append(Message(_("The threshold cannot be negative.")))
	elif in_hours and threshold > MAX_THRESHOLD_HOURS:
		errors.append(Message(_("The threshold cannot be more than {0} hours."), (MAX_THRESHOLD_HOURS,)))
	elif not in_hours and threshold > MAX_THRESHOLD_DAYS:
		errors.append(Message(_("The threshold cannot be more than {0} days."), (MAX_THRESHOLD_DAYS,)))
	cooldown = float(rule.cooldown_hours or 0)
	if not math.isfinite(cooldown):
		errors.append(Message(_("The cooldown must be a finite number of hours.")))
	elif cooldown < JOB_INTERVAL_HOURS:
		errors.append(
			Message(
				_("The cooldown ({0} hours) must be at least the job's interval of {1} hour."),
				(rule.cooldown_hours or 0, JOB_INTERVAL_HOURS),
			)
		)
	elif cooldown > MAX_COOLDOWN_HOURS:
		errors.append(Message(_("The cooldown cannot be more than {0} hours."), (MAX_COOLDOWN_HOURS,)))
	if (rule.max_per_hour or 0) < 0:
		errors.append(Message(_("Max reassignments per hour cannot be negative; 0 means no limit.")))
	if (rule.max_reassignments or 0) < 0:
		errors.append(Message(_("Max reassignments per deal cannot be negative; 0 means no limit.")))
	bounds = [(_("Max Reassignments per Hour"), rule.max_per_hour, MAX_PER_HOUR)]
	bounds.append((_("Max Reassignments per Deal"), rule.max_reassignments, MAX_PER_DEAL))
	if rule.strategy in (BEST_CONVERTER, BY_TEMPERATURE):
		if (rule.converter_window_days or 0) < 1:
			errors.append(Message(_("The conversion window must be at least one day.")))
		if (rule.converter_min_deals or 0) < 1:
			errors.append(Message(_("The minimum number of deals for the ranking must be at least 1.")))
		bounds.append((_("Conversion Window (Days)"), rule.converter_window_days, MAX_WINDOW_DAYS))
		bounds.append((_("Minimum Deals for Ranking"), rule.converter_min_deals, MAX_MIN_DEALS))
	for label, value, most in bounds:
		if (value or 0) > most:
			errors.append(Message(_("{0} cannot be more than {1}."), (label, most)))
	return errors
