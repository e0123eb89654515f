"""Choosing a deal's new owner by the rule's strategy, among the enabled managers of its pool, never the current
owner (nor, when the rule says so, an earlier one):

- Round Robin: the next manager, in name order, after the last one the rule gave a deal to (its latest Applied
  log), wrapping around; it continues within a run.
- Least Loaded: the fewest open deals (Opportunity status Open / Quotation / Replied by opportunity_owner, all
  funnels), ties by name; each planned move updates the counts.
- Best Converter: the best-ranked manager of the deal's stage (`ranking.converter_ranking`).
- By Temperature: the least loaded manager of the tier the deal's temperature goes to (`ranking`).
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterable
from datetime import datetime

from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels.stages import Funnel
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.reassignment.history import last_given_to
from sales_funnel.engine.reassignment.model import (
	BEST_CONVERTER,
	BY_TEMPERATURE,
	LEAST_LOADED,
	ROUND_ROBIN,
	Rule,
)
from sales_funnel.engine.reassignment.ranking import (
	TIER_LABELS,
	TIER_OF_TEMPERATURE,
	converter_ranking,
	funnel_ranking,
	serving_tier,
	temperature_tiers,
	tier_why,
)

NOBODY_ELIGIBLE = Message(
	_("No eligible manager: every enabled manager in the pool is the owner or a previous owner.")
)
ROUND_ROBIN_WHY = Message(_("Round robin: the next manager in the pool."))
Choice = tuple[str | None, Message]


class LoadQueue:
	"""Managers by (open deals, name), cheapest first, under changing loads: a heap with lazy deletion (an entry
	whose load is no longer the manager's current load is dropped when it surfaces)."""

	def __init__(self, users: Iterable[str], load: dict[str, int]):
		self.load = load
		self.members = set(users)
		self.heap = [(load.get(u, 0), u) for u in self.members]
		heapq.heapify(self.heap)

	def best(self, excluded: set[str]) -> str | None:
		heap, load = self.heap, self.load
		while heap:  # mostly the top is current and eligible: take it without popping
			load_now, user = heap[0]
			if load_now != load.get(user, 0):
				heapq.heappop(heap)
			elif user not in excluded:
				return user
			else:
				break
		popped: list[tuple[int, str]] = []
		found = None
		while self.heap:
			entry = heapq.heappop(self.heap)
			if entry[0] != self.load.get(entry[1], 0):
				continue
			popped.append(entry)
			if entry[1] not in excluded:
				found = entry[1]
				break
		for entry in popped:
			heapq.heappush(self.heap, entry)
		return found

	def changed(self, user: str) -> None:
		if user in self.members:
			heapq.heappush(self.heap, (self.load.get(user, 0), user))


class Chooser:
	"""One rule's strategy during one planning run (keeps the round-robin pointer and the loads)."""

	def __init__(
		self, db: Database, rule: Rule, funnel: Funnel, pool: list[str], now: datetime, load: dict[str, int]
	):
		self.db, self.rule, self.funnel, self.pool, self.now, self.load = db, rule, funnel, pool, now, load
		self.pool_set = set(pool)
		self.last: str | None = None
		self.rankings: dict[int, list[tuple[str, float, int]]] = {}
		self.queues: dict[str, LoadQueue] = {}
		self.tiers: dict[str, str] | None = None
		self.least_loaded_whys: dict[int, Message] = {}
		strategies: dict[str, Callable[[str, int, str | None, set[str]], Choice]] = {
			LEAST_LOADED: self._least_loaded,
			ROUND_ROBIN: self._round_robin,
			BEST_CONVERTER: self._best_converter,
			BY_TEMPERATURE: self._by_temperature,
		}
		self._strategy = strategies.get(rule.strategy, self._unknown)
		if rule.strategy == ROUND_ROBIN:
			self.last = last_given_to(db, rule.name, now)

	def moved(self, to_user: str, from_user: str | None) -> None:
		"""Loads changed: tell the queues (`LoadQueue.changed`, inline)."""
		load = self.load
		for queue in self.queues.values():
			if to_user in queue.members:
				heapq.heappush(queue.heap, (load.get(to_user, 0), to_user))
			if from_user and from_user in queue.members:
				heapq.heappush(queue.heap, (load.get(from_user, 0), from_user))

	def choose(self, stage: str, position: int, temperature: str | None, excluded: set[str]) -> Choice:
		"""The new owner of a deal in `stage` (at `position`) with `temperature`, never one of `excluded`, and
		why; (None, why not) when nobody is eligible."""
		if self.pool_set <= excluded:
			return None, NOBODY_ELIGIBLE
		return self._strategy(stage, position, temperature, excluded)

	def _least_loaded(
		self, _stage: str, _position: int, _temperature: str | None, excluded: set[str]
	) -> Choice:
		user = self._queue("all", self.pool).best(excluded)
		return user, self._least_loaded_why(self.load.get(user, 0))

	def _round_robin(
		self, _stage: str, _position: int, _temperature: str | None, excluded: set[str]
	) -> Choice:
		start = bisect.bisect_right(self.pool, self.last) if self.last is not None else 0
		count = len(self.pool)
		user = next(u for u in (self.pool[(start + i) % count] for i in range(count)) if u not in excluded)
		self.last = user
		return user, ROUND_ROBIN_WHY

	def _best_converter(
		self, stage: str, position: int, _temperature: str | None, excluded: set[str]
	) -> Choice:
		k = int(position)
		best = next((r for r in self._ranking(k, k + 1) if r[0] not in excluded), None)
		if best is None:
			return None, Message(
				_(
					"No eligible manager: nobody else in the pool had at least {0} deals in stage {1} in the last {2} days."
				),
				(self.rule.converter_min_deals, stage, self.rule.converter_window_days),
			)
		return best[0], Message(
			_("Best converter in stage {0}: {1}% of {2} deals moved on in the last {3} days."),
			(stage, round(best[1] * 100, 1), best[2], self.rule.converter_window_days),
		)

	def _by_temperature(
		self, _stage: str, _position: int, temperature: str | None, excluded: set[str]
	) -> Choice:
		tiers = self._tiers()
		temperature = temperature or "Cold"
		tier = TIER_OF_TEMPERATURE.get(temperature, "rest")
		serving = serving_tier(tiers, tier) or tier
		user = self._queue(serving, [u for u in self.pool if tiers.get(u) == serving]).best(excluded)
		if user is None:
			return None, Message(
				_("No eligible manager in the {0} tier for a {1} deal."),
				(TIER_LABELS[serving], temperature),
			)
		return user, tier_why("deal", temperature, tier, serving, self.load.get(user, 0))

	def _unknown(self, _stage: str, _position: int, _temperature: str | None, _excluded: set[str]) -> Choice:
		raise InvalidInput(Message(_("Unknown strategy {0}."), (self.rule.strategy,)))

	def _least_loaded_why(self, load: int) -> Message:
		"""One message per load figure (a quarter of a million planned moves share a few hundred)."""
		message = self.least_loaded_whys.get(load)
		if message is None:
			message = self.least_loaded_whys[load] = Message(_("Least loaded: {0} open deals."), (load,))
		return message

	def _queue(self, key: str, users: list[str]) -> LoadQueue:
		if key not in self.queues:
			self.queues[key] = LoadQueue(users, self.load)
		return self.queues[key]

	def _ranking(self, k: int, k2: int) -> list[tuple[str, float, int]]:
		"""The ranked managers of stage k, best first: (user, rate, deals entered)."""
		if k not in self.rankings:
			rule = self.rule
			frame = converter_ranking(
				self.db,
				self.funnel,
				k,
				k2,
				self.now,
				rule.converter_window_days,
				self.pool,
				rule.converter_min_deals,
			)
			ranked = frame[frame["ranked"]]
			self.rankings[k] = [
				(u, float(r), int(e))
				for u, r, e in zip(ranked["user"], ranked["rate"], ranked["entered"], strict=True)
			]
		return self.rankings[k]

	def _tiers(self) -> dict[str, str]:
		if self.tiers is None:
			ranking = funnel_ranking(self.db, self.rule, self.funnel, self.pool, self.now)
			self.tiers = temperature_tiers(ranking, self.pool)
		return self.tiers
