"""Reassignment Rules: reading them, resolving their pool of managers, and checking them before they are saved."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels.stages import Funnel
from sales_funnel.engine.i18n import Message, _
from sales_funnel.engine.reassignment.model import (
	BEST_CONVERTER,
	BY_TEMPERATURE,
	JOB_INTERVAL_HOURS,
	MAX_COOLDOWN_HOURS,
	MAX_MIN_DEALS,
	MAX_PER_DEAL,
	MAX_PER_HOUR,
	MAX_THRESHOLD_DAYS,
	MAX_THRESHOLD_HOURS,
	MAX_WINDOW_DAYS,
	POOL_LISTED_USERS,
	POOL_ROLE,
	POOL_SALES_PERSON_GROUP,
	POOL_TYPES,
	STRATEGIES,
	SYSTEM_USERS,
	TRIGGER_OVERDUE_TODO,
	TRIGGER_STAGE_LIMIT,
	TRIGGERS,
	Rule,
)
from sales_funnel.engine.sql import in_list

# Reading the rules
# -----------------


def load_rules(db: Database, names: Sequence[str] | None = None, *, enabled_only: bool = True) -> list[Rule]:
	"""Reassignment Rules with their stages and listed users, by name."""
	values: dict[str, Any] = {"enabled_only": int(enabled_only)}
	where = "(%(enabled_only)s = 0 OR enabled = 1)"
	if names is not None:
		if not names:
			return []
		where += f" AND name IN ({in_list('n', names, values)})"
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
	return [_rule(head, by_rule) for head in heads]


def _rule(h: Any, by_rule: dict[tuple[str, str], list[str]]) -> Rule:
	"""A rule from its row and its stages and users (`by_rule`: (rule, child field) → values)."""
	return Rule(
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


# The pool of managers
# --------------------


def pool_members(db: Database, rule: Rule) -> list[tuple[str, bool]]:
	"""Every user the rule's pool names, with whether the user is enabled, sorted by user."""
	if rule.pool_type == POOL_LISTED_USERS:
		return _listed_users(db, rule.users)
	if rule.pool_type == POOL_ROLE:
		return _users_with_role(db, rule.role) if rule.role else []
	if rule.pool_type == POOL_SALES_PERSON_GROUP:
		return _sales_person_group(db, rule.sales_person_group) if rule.sales_person_group else []
	return []


def _listed_users(db: Database, users: Sequence[str]) -> list[tuple[str, bool]]:
	if not users:
		return []
	values: dict[str, Any] = {}
	rows = db.sql(
		f"SELECT name, enabled FROM `tabUser` WHERE name IN ({in_list('u', users, values)}) ORDER BY name",
		values,
	)
	known = {name: bool(enabled) for name, enabled in rows}
	# a listed user that does not exist counts as disabled
	return sorted((user, known.get(user, False)) for user in set(users))


def _users_with_role(db: Database, role: str) -> list[tuple[str, bool]]:
	values: dict[str, Any] = {"role": role}
	rows = db.sql(
		f"""SELECT DISTINCT u.name, u.enabled FROM `tabHas Role` hr JOIN `tabUser` u ON u.name = hr.parent
		WHERE hr.parenttype = 'User' AND hr.role = %(role)s AND u.name NOT IN ({in_list("s", SYSTEM_USERS, values)})
		ORDER BY u.name""",
		values,
	)
	return [(name, bool(enabled)) for name, enabled in rows]


def _sales_person_group(db: Database, group: str) -> list[tuple[str, bool]]:
	# a Sales Person is a manager through its Employee's user; a disabled Sales Person or an Employee who left
	# makes the user ineligible
	rows = db.sql(
		"""SELECT u.name, MAX(u.enabled = 1 AND sp.enabled = 1 AND e.status = 'Active') AS eligible
		FROM `tabSales Person` g
		JOIN `tabSales Person` sp ON sp.lft >= g.lft AND sp.rgt <= g.rgt AND sp.is_group = 0
		JOIN `tabEmployee` e ON e.name = sp.employee
		JOIN `tabUser` u ON u.name = e.user_id
		WHERE g.name = %(group)s
		GROUP BY u.name ORDER BY u.name""",
		{"group": group},
	)
	return [(name, bool(eligible)) for name, eligible in rows]


def pool_users(db: Database, rule: Rule) -> list[str]:
	"""The enabled managers of the rule's pool, sorted."""
	return [user for user, enabled in pool_members(db, rule) if enabled and user not in SYSTEM_USERS]


# Checking a rule before it is saved
# ----------------------------------


def check_rule(rule: Rule, funnel: Funnel | None, members: Sequence[tuple[str, bool]]) -> list[Message]:
	"""Why a rule cannot be saved; empty when it can. `members` is `pool_members(db, rule)`."""
	errors = _check_funnel(rule, funnel)
	if rule.trigger not in TRIGGERS:
		errors.append(Message(_("Unknown trigger {0}."), (rule.trigger,)))
	if rule.strategy not in STRATEGIES:
		errors.append(Message(_("Unknown strategy {0}."), (rule.strategy,)))
	errors += _check_pool(rule, members)
	errors += _check_threshold(rule) + _check_cooldown(rule) + _check_limits(rule)
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


def _check_threshold(rule: Rule) -> list[Message]:
	"""The threshold is finite, not negative and at most ten years (in hours for an overdue ToDo, else days)."""
	threshold = float(rule.threshold or 0)
	if not math.isfinite(threshold):
		return [Message(_("The threshold must be a finite number."))]
	if threshold < 0:
		return [Message(_("The threshold cannot be negative."))]
	if rule.trigger == TRIGGER_OVERDUE_TODO:
		if threshold > MAX_THRESHOLD_HOURS:
			return [Message(_("The threshold cannot be more than {0} hours."), (MAX_THRESHOLD_HOURS,))]
	elif threshold > MAX_THRESHOLD_DAYS:
		return [Message(_("The threshold cannot be more than {0} days."), (MAX_THRESHOLD_DAYS,))]
	return []


def _check_cooldown(rule: Rule) -> list[Message]:
	"""The cooldown is finite, at least the job's interval and at most ten years."""
	cooldown = float(rule.cooldown_hours or 0)
	if not math.isfinite(cooldown):
		return [Message(_("The cooldown must be a finite number of hours."))]
	if cooldown < JOB_INTERVAL_HOURS:
		return [
			Message(
				_("The cooldown ({0} hours) must be at least the job's interval of {1} hour."),
				(rule.cooldown_hours or 0, JOB_INTERVAL_HOURS),
			)
		]
	if cooldown > MAX_COOLDOWN_HOURS:
		return [Message(_("The cooldown cannot be more than {0} hours."), (MAX_COOLDOWN_HOURS,))]
	return []


def _check_limits(rule: Rule) -> list[Message]:
	"""The per-hour and per-deal limits are not negative, the ranking settings (of the strategies that rank) at
	least 1, and none of them absurd."""
	errors: list[Message] = []
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
