"""Hand-built reassignment cases on the scratch schema: managers, rules, logs and stale deals of funnel "F"."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sales_funnel.engine.funnels.stages import Stage
from sales_funnel.engine.reassignment.model import PLANNED, Plan, Rule
from sales_funnel.engine.reassignment.rules import load_rules
from tests.builders import history, insert

T0 = datetime(2026, 3, 1, 9, 0)
SECOND = timedelta(seconds=1)
USERS = ("a@x.com", "b@x.com", "c@x.com", "d@x.com")
STAGES = [
	Stage("Prospecting", "Open", 10, time_limit_days=10),
	Stage("Qualification", "Open", 30, time_limit_days=5),
	Stage("Negotiation", "Open", 60),
	Stage("Won", "Won", 100),
	Stage("Lost", "Lost"),
]


def make_users(db, users=USERS, enabled: int = 1, role: str = "Sales User") -> None:
	for user in users:
		insert(db, "User", [{"name": user, "email": user, "first_name": user, "enabled": enabled}])
		insert(
			db,
			"Has Role",
			[
				{
					"name": f"hr-{user}",
					"parent": user,
					"parenttype": "User",
					"parentfield": "roles",
					"role": role,
				}
			],
		)


def make_rule(db, name: str = "R", **fields: Any) -> Rule:
	users = fields.pop("users", USERS)
	stages = fields.pop("stages", ())
	row = {
		"name": name,
		"rule_name": name,
		"funnel": "F",
		"enabled": 1,
		"dry_run": 0,
		"all_stages": 0 if stages else 1,
		"trigger": "Days Over Stage Limit",
		"threshold": 0,
		"pool_type": "Listed Users",
		"strategy": "Least Loaded",
		"converter_window_days": 90,
		"converter_min_deals": 1,
		"max_reassignments": 0,
		"cooldown_hours": 24,
		"never_to_previous_owner": 1,
		"skip_if_future_event": 1,
		"skip_if_future_todo": 1,
		**fields,
	}
	insert(db, "Reassignment Rule", [row])
	for i, user in enumerate(users, start=1):
		insert(
			db,
			"Reassignment Rule User",
			[{"name": f"{name}-u{i}", "parent": name, "parenttype": "Reassignment Rule", "parentfield": "users",
			  "idx": i, "user": user}],
		)  # fmt: skip
	for i, stage in enumerate(stages, start=1):
		insert(
			db,
			"Reassignment Rule Stage",
			[{"name": f"{name}-s{i}", "parent": name, "parenttype": "Reassignment Rule", "parentfield": "stages",
			  "idx": i, "stage": stage}],
		)  # fmt: skip
	return next(r for r in load_rules(db) if r.name == name)


_log_name = [0]


def insert_log(db, **row: Any) -> None:
	"""A Reassignment Log row (autoincrement names, given in insertion order as Frappe's sequence would)."""
	_log_name[0] += 1
	insert(db, "Reassignment Log", [{"name": _log_name[0], "status": "Applied", **row}])


def log(
	db, deal: str, to_user: str, at: datetime, from_user: str = "owner@example.com", rule: str = "R"
) -> None:
	insert_log(db, deal=deal, rule=rule, at=at, from_user=from_user, to_user=to_user)


def stale(db, funnel, deal: str, moved_at: datetime = T0, stage: str = "Qualification", **attrs):
	"""A deal that entered `stage` at `moved_at` (Prospecting a day before)."""
	return history(
		db, funnel, deal, [(moved_at - timedelta(days=1), "Prospecting"), (moved_at, stage)], **attrs
	)


def deals(plan: Plan, status: str = PLANNED) -> list[str]:
	return [i.deal for i in plan.items if i.status == status]
