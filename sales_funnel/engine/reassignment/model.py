"""What scheduled reassignment is made of: a Reassignment Rule (`Rule`), the names of its triggers, pools and
strategies with the bounds of its numbers, and the plan a run makes (`Plan` of `PlanItem`s).

A rule names a funnel, the stages it watches (all open stages or some), a trigger with a threshold, a pool of
managers (a Sales Person group, a role, or listed users; only enabled users ever count), a strategy that
chooses the new owner, and limits that keep deals from bouncing between managers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from sales_funnel.engine.funnels.stages import Funnel
from sales_funnel.engine.i18n import Message
from sales_funnel.engine.names import ADMINISTRATOR

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
SYSTEM_USERS = (ADMINISTRATOR, "Guest")
# The most a rule's numbers may be: beyond these a setting is a typo (and an Int column would overflow)
MAX_THRESHOLD_DAYS = 3650  # days over the stage limit or without activity: ten years
MAX_THRESHOLD_HOURS = 87_600  # hours a ToDo is overdue: ten years
MAX_COOLDOWN_HOURS = 87_600
MAX_PER_HOUR = 100_000
MAX_PER_DEAL = 1000
MAX_WINDOW_DAYS = 3650
MAX_MIN_DEALS = 100_000

# The most moves the job applies in any hour across all rules (Applied logs of the last hour count, as for a rule's
# own Max Reassignments per Hour). The hourly job runs on Frappe's `long` queue (hooks.py `hourly_long`), whose
# jobs are stopped after 1,500 s (frappe.utils.background_jobs get_queues_timeout), and it applies each move as a
# document save with an assignment, a comment, a log and notifications: a thousand moves is what one run can
# finish well within that, and within the hour. A backlog larger than that (a rule enabled on a site with a
# quarter of a million stale deals) drains over the next runs, the most overdue first, instead of a plan of every
# stale deal that no run could apply.
MAX_MOVES_PER_HOUR = 1000

PLANNED = "Planned"
SKIPPED = "Skipped"
SKIP_KINDS = ("max_count", "cooldown", "future_event", "pending_todo", "no_manager")
SECONDS_PER_DAY = 86_400.0
SECONDS_PER_HOUR = 3_600.0


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


@dataclass(slots=True)
class PlanItem:
	deal: str
	rule: str
	trigger: str
	status: str  # Planned / Skipped
	stage: str
	from_user: str | None
	to_user: str | None
	why: Message  # what triggered it, with the figures
	decision: Message  # why this manager, or why the deal is skipped
	modified: (
		datetime | None
	)  # the deal's `modified` when planned: the Frappe layer skips a deal changed since
	dry_run: bool = False
	skip_kind: str | None = None  # why skipped: one of SKIP_KINDS
	figures: dict[str, Any] = field(default_factory=dict, compare=False)

	@property
	def reason(self) -> str:
		return f"{self.why.english()} {self.decision.english()}"


PLAN_COLUMNS = [
	"deal", "rule", "trigger", "status", "stage", "from_user", "to_user", "reason", "dry_run", "skip_kind",
]  # fmt: skip


@dataclass
class Plan:
	now: datetime
	items: list[PlanItem]

	@property
	def moves(self) -> list[PlanItem]:
		return [i for i in self.items if i.status == PLANNED]

	@property
	def skipped(self) -> list[PlanItem]:
		return [i for i in self.items if i.status == SKIPPED]

	def to_frame(self) -> pd.DataFrame:
		"""One row per item: `PLAN_COLUMNS`, then the item's figures."""
		rows = [
			{
				"deal": i.deal,
				"rule": i.rule,
				"trigger": i.trigger,
				"status": i.status,
				"stage": i.stage,
				"from_user": i.from_user,
				"to_user": i.to_user,
				"reason": i.reason,
				"dry_run": i.dry_run,
				"skip_kind": i.skip_kind,
				**i.figures,
			}
			for i in self.items
		]
		return pd.DataFrame(rows, columns=None if rows else PLAN_COLUMNS)
