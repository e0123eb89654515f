"""A synthetic ERPNext company for tests, benchmarks and the demo, deterministic by seed.

`DemoCompany(spec).reference_frames()` gives the small master data (companies, users, the Sales Person tree,
territories, groups, items, funnels); `DemoCompany(spec).deal_frames()` yields, chunk by chunk, the deals and
everything hanging off them: leads, opportunities and their items, stage transitions, lost reasons,
quotations, sales orders, sales invoices with payment schedules and sales team splits, payment entries,
credit notes, calls with and without outcomes, and open ToDos. Frames are pandas DataFrames whose columns
are table columns, so the loader can bulk-load them as they come.

The deal model: each deal walks its funnel stage by stage. At every stage it moves on, is lost, or stays
stuck ("hope clients"); managers differ in skill (the first stage passes at the manager's skill, 0.2..0.8,
times a temperature factor) and speed. Some moves skip a stage, some step back and forward again.
Nothing happens after `spec.now`: a deal whose next step would fall later is still open where it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from devkit.demo import model as m

Frame = tuple[str, pd.DataFrame]
DAY = 86_400
EPOCH = datetime(1970, 1, 1)
HEAD_OF_SALES = "head.of.sales@demo.example"
ACCOUNTANT = "accountant@demo.example"


def to_seconds(moment: datetime) -> int:
	return int((moment - EPOCH).total_seconds())


@dataclass(frozen=True)
class DemoSpec:
	deals: int = 10_000
	seed: int = 20261101
	now: datetime = datetime(2026, 11, 1, 18, 0, 0)
	days: int = 730
	chunk: int = 100_000
	scale_managers: int = 0  # 0: grows with the number of deals

	@property
	def manager_scale(self) -> int:
		if self.scale_managers:
			return self.scale_managers
		return max(1, round((self.deals / 50_000) ** 0.5))


@dataclass
class Managers:
	user: np.ndarray
	full_name: np.ndarray
	sales_person: np.ndarray
	employee: np.ndarray
	department: np.ndarray
	skill: np.ndarray  # first-stage pass rate, 0.2..0.8
	speed: np.ndarray  # multiplies days in stage
	discipline: np.ndarray  # share of calls given an outcome
	by_department: dict[str, np.ndarray] = field(default_factory=dict)


def _seconds_to_datetime(seconds: np.ndarray) -> np.ndarray:
	return seconds.astype("datetime64[s]").astype("datetime64[us]")


def _names(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
	return (prefix + pd.Series(numbers, dtype="int64").astype(str).str.zfill(width)).to_numpy(dtype=object)


def _yearly_names(prefix: str, seconds: np.ndarray, numbers: np.ndarray, width: int = 7) -> np.ndarray:
	years = pd.Series(_seconds_to_datetime(seconds)).dt.year.astype(str)
	return (prefix + years + "-" + pd.Series(numbers, dtype="int64").astype(str).str.zfill(width)).to_numpy(
		dtype=object
	)


def _positions(counts: np.ndarray) -> np.ndarray:
	"""For counts [2, 1, 3]: [0, 1, 0, 0, 1, 2] (position of each repeated row inside its group)."""
	total = int(counts.sum())
	starts = np.repeat(np.cumsum(counts) - counts, counts)
	return np.arange(total) - starts


def _pick(
	rng: np.random.Generator, options: tuple | list, weights: tuple | list | None, size: int
) -> np.ndarray:
	p = None if weights is None else np.asarray(weights, dtype=float) / float(sum(weights))
	return rng.choice(len(options), size=size, p=p)


def _std(
	frame: pd.DataFrame, created: np.ndarray, owner: np.ndarray | str, docstatus: int = 0
) -> pd.DataFrame:
	"""Fill Frappe's standard columns."""
	moment = _seconds_to_datetime(created)
	frame["creation"] = moment
	frame["modified"] = moment
	frame["owner"] = owner
	frame["modified_by"] = owner
	frame["docstatus"] = docstatus
	return frame


def _schedule_amounts(halves: np.ndarray, position: np.ndarray, grand_total: np.ndarray) -> np.ndarray:
	"""Each payment schedule row's amount: the whole grand total, or two halves (the second takes the cent)."""
	amount = np.where(halves & (position == 0), np.round(grand_total / 2, 2), 0.0)
	amount = np.where(halves & (position == 1), grand_total - np.round(grand_total / 2, 2), amount)
	return np.where(~halves, grand_total, amount).round(2)


def _child(
	frame: pd.DataFrame, parent: np.ndarray, parenttype: str, parentfield: str, idx: np.ndarray
) -> None:
	frame["parent"] = parent
	frame["parenttype"] = parenttype
	frame["parentfield"] = parentfield
	frame["idx"] = idx + 1


class DemoCompany:
	"""The whole synthetic company for one `DemoSpec`."""

	def __init__(self, spec: DemoSpec):
		self.spec = spec
		self.now = to_seconds(spec.now)
		self.start = self.now - spec.days * DAY
		self.funnels = m.FUNNELS
		self.managers = self._managers()
		self.territories = m.TERRITORIES.leaves()
		self.customer_groups = m.CUSTOMER_GROUPS.leaves()
		self.items = [
			(group, code, rate, valuation)
			for group, rows in m.ITEMS.items()
			for code, rate, valuation in rows
		]
		self.n_base_customers = max(60, spec.deals // 8)
		self.transitions_written = 0  # Funnel Stage Transition is autoincrement: names continue across chunks
		self._funnel_tables()

	# ----------------------------------------------------------------------------------------- reference
	def _managers(self) -> Managers:
		rng = np.random.default_rng(self.spec.seed)
		users, names, people, employees, departments, skills, speeds, disciplines = ([] for _ in range(8))
		k = 0
		for department in m.DEPARTMENTS:
			count = m.MANAGERS_PER_DEPARTMENT[department] * self.spec.manager_scale
			dept_skill = rng.permutation(np.linspace(0.2, 0.8, count))
			for j in range(count):
				first = m.FIRST_NAMES[k % len(m.FIRST_NAMES)]
				last = m.LAST_NAMES[(k * 7 + 3) % len(m.LAST_NAMES)]
				full = f"{first} {last}" + (
					f" {k // len(m.FIRST_NAMES) + 1}" if k >= len(m.FIRST_NAMES) else ""
				)
				users.append(f"{first.lower()}.{last.lower()}{k + 1}@demo.example")
				names.append(full)
				people.append(full)
				employees.append(f"HR-EMP-{k + 1:05d}")
				departments.append(department)
				skills.append(round(float(dept_skill[j]), 3))
				speeds.append(round(float(rng.uniform(0.7, 1.6)), 3))
				disciplines.append(round(float(rng.choice([0.6, 0.75, 0.9, 0.97, 1.0])), 3))
				k += 1
		managers = Managers(
			user=np.array(users, dtype=object),
			full_name=np.array(names, dtype=object),
			sales_person=np.array(people, dtype=object),
			employee=np.array(employees, dtype=object),
			department=np.array(departments, dtype=object),
			skill=np.array(skills),
			speed=np.array(speeds),
			discipline=np.array(disciplines),
		)
		managers.by_department = {d: np.flatnonzero(managers.department == d) for d in m.DEPARTMENTS}
		return managers

	def _funnel_tables(self) -> None:
		"""Per funnel, per position arrays the vectorised walk reads."""
		width = max(len(f.stages) for f in self.funnels)
		n = len(self.funnels)
		self.stage_name = np.full((n, width), "", dtype=object)
		self.stage_probability = np.zeros((n, width))
		self.pass_rate = np.full((n, width), np.nan)
		self.median_days = np.ones((n, width))
		self.won_pos = np.zeros(n, dtype=int)
		self.lost_pos = np.zeros(n, dtype=int)
		self.quote_pos = np.full(n, -1)
		self.order_pos = np.full(n, -1)
		for i, funnel in enumerate(self.funnels):
			for j, stage in enumerate(funnel.stages):
				self.stage_name[i, j] = stage.stage
				self.stage_probability[i, j] = stage.probability
				self.pass_rate[i, j] = np.nan if stage.pass_rate is None else stage.pass_rate
				self.median_days[i, j] = stage.median_days
				if stage.trigger == "Quotation Submitted":
					self.quote_pos[i] = j
				if stage.trigger == "Sales Order Submitted":
					self.order_pos[i] = j
			self.won_pos[i] = funnel.stages.index(funnel.won_stage)
			self.lost_pos[i] = funnel.stages.index(funnel.lost_stage)

	def reference_frames(self) -> list[Frame]:
		return [
			*self._master_frames(),
			*self._user_frames(),
			*self._people_frames(),
			*self._funnel_frames(),
			("Customer", self._base_customers()),
		]

	def _simple(self, doctype: str, rows: list[dict], owner: str = "Administrator") -> Frame:
		"""A reference frame: rows made a month before the company's first deal."""
		frame = pd.DataFrame(rows)
		_std(frame, np.repeat(np.array([self.start - 30 * DAY]), len(frame)), owner)
		return doctype, frame

	def _master_frames(self) -> list[Frame]:
		"""Companies, the territory / customer group / item group trees, items, and the small lists."""
		companies = [
			{"name": c.name, "company_name": c.name, "abbr": c.abbr, "default_currency": c.currency,
			 "country": c.country}
			for c in m.COMPANIES
		]  # fmt: skip
		frames = [self._simple("Company", companies)]
		for doctype, tree, parent_field, name_field in (
			("Territory", m.TERRITORIES, "parent_territory", "territory_name"),
			("Customer Group", m.CUSTOMER_GROUPS, "parent_customer_group", "customer_group_name"),
			("Item Group", m.ITEM_GROUPS, "parent_item_group", "item_group_name"),
		):
			rows = [
				{"name": n, name_field: n, parent_field: p or "", "is_group": int(g), "lft": lft, "rgt": rgt}
				for n, p, g, lft, rgt in tree.walk()
			]
			frames.append(self._simple(doctype, rows))
		items = [
			{"name": code, "item_code": code, "item_name": code.replace("-", " ").title(), "item_group": group,
			 "stock_uom": "Nos", "is_stock_item": int(group not in ("Installation", "Maintenance")),
			 "standard_rate": rate, "valuation_rate": valuation}
			for group, code, rate, valuation in self.items
		]  # fmt: skip
		frames.append(self._simple("Item", items))
		frames.append(self._simple("Lead Source", [{"name": s, "source_name": s} for s in m.CHANNELS]))
		stages = list(m.STANDARD_SALES_STAGES) + [
			s for s in m.APP_SALES_STAGES if s not in m.STANDARD_SALES_STAGES
		]
		frames.append(self._simple("Sales Stage", [{"name": s, "stage_name": s} for s in stages]))
		frames.append(
			self._simple("Opportunity Lost Reason", [{"name": r, "lost_reason": r} for r in m.LOST_REASONS])
		)
		types = [{"name": t, "description": t} for t in ("Sales", "Support", "Maintenance")]
		frames.append(self._simple("Opportunity Type", types))
		roles = [
			{"name": r, "role_name": r, "desk_access": 1}
			for r in ("Sales User", "Sales Manager", "Accounts User", "System Manager")
		]
		frames.append(self._simple("Role", roles))
		return frames

	def _user_frames(self) -> list[Frame]:
		"""Administrator, the head of sales, the accountant and the managers, with their roles."""
		mg = self.managers
		head, accountant = HEAD_OF_SALES, ACCOUNTANT
		user_rows = [
			{"name": "Administrator", "email": "admin@demo.example", "first_name": "Administrator",
			 "full_name": "Administrator"},
			{"name": head, "email": head, "first_name": "Head", "last_name": "of Sales", "full_name": "Head of Sales"},
			{"name": accountant, "email": accountant, "first_name": "Accountant", "full_name": "Accountant"},
		]  # fmt: skip
		user_rows += [
			{"name": u, "email": u, "first_name": n.split()[0], "last_name": n.split()[1], "full_name": n}
			for u, n in zip(mg.user, mg.full_name, strict=True)
		]
		for row in user_rows:
			row.update(
				{"enabled": 1, "user_type": "System User", "language": "en", "time_zone": "Europe/Warsaw"}
			)
		roles = [
			("Administrator", "System Manager"),
			(head, "Sales Manager"),
			(head, "Sales User"),
			(accountant, "Accounts User"),
		]
		roles += [(u, "Sales User") for u in mg.user]
		has_role = pd.DataFrame(
			{"name": [f"hr-{i:06d}" for i in range(len(roles))], "role": [r for _, r in roles]}
		)
		parents = np.array([u for u, _ in roles], dtype=object)
		_child(has_role, parents, "User", "roles", np.zeros(len(roles), dtype=int))
		_std(has_role, np.repeat(np.array([self.start - 30 * DAY]), len(roles)), "Administrator")
		return [self._simple("User", user_rows), ("Has Role", has_role)]

	def _people_frames(self) -> list[Frame]:
		"""Departments, the managers' employees and the Sales Person tree (departments, then managers)."""
		mg = self.managers
		company_of_dept = {f.department: m.COMPANIES[f.company].name for f in self.funnels}
		dept_tree = m.Tree("All Departments", {"All Departments": tuple(f"{d}" for d in m.DEPARTMENTS)})
		departments = [
			{"name": n, "department_name": n, "parent_department": p or "", "is_group": int(g), "lft": lft, "rgt": rgt,
			 "company": company_of_dept.get(n, m.COMPANIES[0].name)}
			for n, p, g, lft, rgt in dept_tree.walk()
		]  # fmt: skip
		employees = [
			{"name": e, "employee_name": n, "first_name": n.split()[0], "user_id": u, "department": d,
			 "company": company_of_dept[d], "status": "Active", "designation": "Sales Manager"}
			for e, n, u, d in zip(mg.employee, mg.full_name, mg.user, mg.department, strict=True)
		]  # fmt: skip
		people_tree = m.Tree(
			"Sales Team",
			{"Sales Team": m.DEPARTMENTS}
			| {d: tuple(mg.sales_person[mg.by_department[d]]) for d in m.DEPARTMENTS},
		)
		employee_of = dict(zip(mg.sales_person, mg.employee, strict=True))
		department_of = dict(zip(mg.sales_person, mg.department, strict=True))
		people = [
			{"name": n, "sales_person_name": n, "parent_sales_person": p or "", "is_group": int(g), "lft": lft,
			 "rgt": rgt, "enabled": 1, "employee": employee_of.get(n), "department": department_of.get(n)}
			for n, p, g, lft, rgt in people_tree.walk()
		]  # fmt: skip
		return [
			self._simple("Department", departments),
			self._simple("Employee", employees),
			self._simple("Sales Person", people),
		]

	def _funnel_frames(self) -> list[Frame]:
		"""The funnels with their stages, and the call outcomes, set up by the head of sales."""
		funnel_rows, stage_rows = [], []
		for funnel in self.funnels:
			funnel_rows.append(
				{
					"name": funnel.title, "title": funnel.title, "company": m.COMPANIES[funnel.company].name,
					"deal_doctype": "Opportunity", "enabled": 1, "is_default": int(funnel.is_default),
					"priority": funnel.priority, "description": funnel.description,
					"customer_kind": funnel.customer_kind, "source": funnel.source,
				}
			)  # fmt: skip
			for j, stage in enumerate(funnel.stages):
				stage_rows.append(
					{
						"name": f"{funnel.title[:20]}-{j + 1}", "parent": funnel.title, "parenttype": "Sales Funnel",
						"parentfield": "stages", "idx": j + 1, "stage": stage.stage, "kind": stage.kind,
						"probability": stage.probability, "target_conversion": stage.target_conversion,
						"time_limit_days": stage.time_limit_days, "trigger": stage.trigger,
					}
				)  # fmt: skip
		outcomes = [
			{"name": t, "title": t, "category": c, "counts_as_negotiation": n, "effect": e, "enabled": 1}
			for t, c, n, e in m.CALL_OUTCOMES
		]
		return [
			self._simple("Sales Funnel", funnel_rows, HEAD_OF_SALES),
			self._simple("Sales Funnel Stage", stage_rows, HEAD_OF_SALES),
			self._simple("Call Outcome", outcomes, HEAD_OF_SALES),
		]

	def _base_customers(self) -> pd.DataFrame:
		rng = np.random.default_rng([self.spec.seed, 1])
		n = self.n_base_customers
		groups = np.array(self.customer_groups, dtype=object)[
			_pick(
				rng, self.customer_groups, [m.CUSTOMER_GROUP_PROFILE[g][0] for g in self.customer_groups], n
			)
		]
		territories = np.array(self.territories, dtype=object)[
			_pick(rng, self.territories, [m.TERRITORY_WEIGHTS[t] for t in self.territories], n)
		]
		names = _names("CUST-", np.arange(1, n + 1), 7)
		frame = pd.DataFrame(
			{
				"name": names,
				"customer_name": "Customer " + pd.Series(np.arange(1, n + 1)).astype(str),
				"customer_type": np.where(groups == "Individual", "Individual", "Company"),
				"customer_group": groups,
				"territory": territories,
				"default_currency": m.COMPANIES[0].currency,
			}
		)
		created = self.start - rng.integers(40 * DAY, 900 * DAY, n)
		return _std(frame, created, "Administrator")

	# ----------------------------------------------------------------------------------------------- deals
	def deal_frames(self) -> Iterator[list[Frame]]:
		for offset in range(0, self.spec.deals, self.spec.chunk):
			size = min(self.spec.chunk, self.spec.deals - offset)
			yield _DealChunk(self, offset, size).build()


@dataclass
class _Totals:
	"""Per item line: the discounted rate and amount; per deal: the net and grand (with VAT) totals."""

	net_rate: np.ndarray
	net_amount: np.ndarray
	net_total: np.ndarray
	grand_total: np.ndarray


@dataclass
class _Billing:
	"""The invoices of a chunk (`inv`: their deals) and everything their frames are made of: per invoice, per
	payment schedule row (`sched_inv`: the row's invoice, as an index into `inv`), per credit note (`ret`)."""

	inv: np.ndarray
	names: np.ndarray
	posting: np.ndarray
	rate: np.ndarray
	gt: np.ndarray
	two: np.ndarray
	due_first: np.ndarray
	sched_inv: np.ndarray
	sched_pos: np.ndarray
	portion: np.ndarray
	due: np.ndarray
	amount: np.ndarray
	pay_at: np.ndarray
	paid: np.ndarray
	sched_outstanding: np.ndarray
	inv_outstanding: np.ndarray
	status: np.ndarray
	ret: np.ndarray
	return_amount: np.ndarray
	reduce: np.ndarray


@dataclass
class _Walk:
	"""The deals' positions and clocks during the walk, and the transitions written so far (parallel lists of
	arrays: deal, from position, to position, at)."""

	pos: np.ndarray
	t: np.ndarray
	alive: np.ndarray
	deal: list[np.ndarray] = field(default_factory=list)
	from_: list[np.ndarray] = field(default_factory=list)
	to: list[np.ndarray] = field(default_factory=list)
	at: list[np.ndarray] = field(default_factory=list)

	def add(self, deal: np.ndarray, from_: np.ndarray, to: np.ndarray, at: np.ndarray) -> None:
		self.deal.append(deal)
		self.from_.append(from_)
		self.to.append(to)
		self.at.append(at)


class _DealChunk:
	"""One chunk of deals with everything hanging off them; global numbering comes from `offset`."""

	def __init__(self, company: DemoCompany, offset: int, size: int):
		self.c = company
		self.offset = offset
		self.n = size
		self.rng = np.random.default_rng([company.spec.seed, 2, offset])
		self.frames: list[Frame] = []

	def build(self) -> list[Frame]:
		self._draw_deals()
		self._walk()
		self._leads()
		self._customers()
		self._opportunities()
		self._documents()
		self._calls()
		self._todos()
		return self.frames

	# --------------------------------------------------------------------------------------------- draw
	def _draw_deals(self) -> None:
		c, rng, n = self.c, self.rng, self.n
		self.gid = np.arange(self.offset, self.offset + n) + 1
		self.created = np.sort(rng.integers(c.start, c.now - DAY, n))
		self.created = self.created - self.created % DAY + rng.integers(8 * 3600, 19 * 3600, n)
		company2 = rng.random(n) < 0.08
		existing = (~company2) & (rng.random(n) < 0.30)
		channel = _pick(rng, m.CHANNELS, m.NEW_DEAL_CHANNEL_WEIGHTS, n)
		channel_name = np.array(m.CHANNELS, dtype=object)[channel]
		inbound = np.isin(channel_name, m.INBOUND_CHANNELS) & (rng.random(n) < 0.75) & ~existing & ~company2
		funnel = np.where(company2, 3, np.where(existing, 2, np.where(inbound, 1, 0)))
		self.funnel = funnel
		self.company = np.where(company2, 1, 0)
		self.existing = existing
		self.channel = np.where(existing & (rng.random(n) < 0.7), None, channel_name)
		departments = np.array([c.funnels[f].department for f in range(len(c.funnels))], dtype=object)[funnel]
		self.manager = np.empty(n, dtype=int)
		for department, members in c.managers.by_department.items():
			mask = departments == department
			weights = 1.0 + (np.arange(len(members)) % 3) * 0.25
			self.manager[mask] = members[_pick(rng, list(members), list(weights), int(mask.sum()))]
		self.owner = c.managers.user[self.manager]
		self.temperature = _pick(rng, m.TEMPERATURES, m.TEMPERATURE_WEIGHTS, n)
		self.territory = np.array(c.territories, dtype=object)[
			_pick(rng, c.territories, [m.TERRITORY_WEIGHTS[t] for t in c.territories], n)
		]
		groups = c.customer_groups
		self.group = np.array(groups, dtype=object)[
			_pick(rng, groups, [m.CUSTOMER_GROUP_PROFILE[g][0] for g in groups], n)
		]
		self.base_customer = np.where(existing, rng.integers(1, c.n_base_customers + 1, n), 0)
		foreign = rng.random(n) < 0.10
		spec_of = [m.COMPANIES[i] for i in self.company]
		self.currency = np.array(
			[s.foreign_currency if f else s.currency for s, f in zip(spec_of, foreign, strict=True)],
			dtype=object,
		)
		self.rate = np.where(foreign, np.array([s.foreign_rate for s in spec_of]), 1.0)
		self.vat = np.array([s.vat for s in spec_of])
		self.company_name = np.array([s.name for s in spec_of], dtype=object)

	# --------------------------------------------------------------------------------------------- walk
	def _walk(self) -> None:
		"""Move every deal through its funnel; collect transitions."""
		n = self.n
		won_pos = self.c.won_pos[self.funnel]
		walk = _Walk(pos=np.zeros(n, dtype=int), t=self.created.copy(), alive=np.ones(n, dtype=bool))
		self.lost = np.zeros(n, dtype=bool)
		self.lost_reason = np.full(n, None, dtype=object)
		self.entered_at = {}  # position -> seconds at which each deal entered it (or -1)
		walk.add(np.arange(n), np.full(n, -1), walk.pos.copy(), walk.t.copy())
		self._mark_entered(0, np.arange(n), walk.t)
		for _step in range(int(won_pos.max()) + 1):
			active = np.flatnonzero(walk.alive & (walk.pos < won_pos))
			if not len(active):
				break
			self._step(walk, active)
		self._reopen(walk)
		self.pos = walk.pos
		self.last_at = walk.t
		self.won = walk.pos >= won_pos
		deal = np.concatenate(walk.deal)
		order = np.lexsort((np.concatenate(walk.at), deal))
		self.tr_deal = deal[order]
		self.tr_from = np.concatenate(walk.from_)[order]
		self.tr_to = np.concatenate(walk.to)[order]
		self.tr_at = np.concatenate(walk.at)[order]

	def _step(self, walk: _Walk, active: np.ndarray) -> None:
		"""One stage for the `active` deals: each moves on (sometimes skipping a stage or stepping back first),
		is lost, or stays stuck where it is."""
		c, rng = self.c, self.rng
		pos, t, alive = walk.pos, walk.t, walk.alive
		skill = c.managers.skill[self.manager[active]]
		won_pos = c.won_pos[self.funnel]
		f, p = self.funnel[active], pos[active]
		median = c.median_days[f, p] * c.managers.speed[self.manager[active]]
		dwell = np.maximum(rng.lognormal(np.log(median), 0.7) * DAY, 600).astype(np.int64)
		t_next = t[active] + dwell
		base = c.pass_rate[f, p]
		rate = np.where(np.isnan(base), skill, base * (0.75 + 0.5 * skill))
		rate = np.clip(rate * np.array(m.TEMPERATURE_FACTOR)[self.temperature[active]], 0.02, 0.97)
		u = rng.random(len(active))
		passes = u < rate
		loses = (~passes) & (u < rate + (1 - rate) * 0.8)
		in_time = t_next <= c.now
		# stuck (neither) or beyond now: the deal stays open where it is
		alive[active[~in_time | ~(passes | loses)]] = False
		go = active[passes & in_time]
		go_at = t_next[passes & in_time]
		skip = (rng.random(len(go)) < 0.05) & (pos[go] + 2 <= won_pos[go])
		target = pos[go] + 1 + skip
		back = (rng.random(len(go)) < 0.25) & (pos[go] >= 1)
		if back.any():
			b = go[back]
			t0, t1 = t[b], go_at[back]
			walk.add(b, pos[b], pos[b] - 1, t0 + (t1 - t0) // 3)
			walk.add(b, pos[b] - 1, pos[b], t0 + 2 * (t1 - t0) // 3)
		walk.add(go, pos[go].copy(), target, go_at)
		pos[go] = target
		t[go] = go_at
		for j in np.unique(target):
			sel = target == j
			self._mark_entered(int(j), go[sel], go_at[sel])
		alive[go[target >= won_pos[go]]] = False
		die = active[loses & in_time]
		reasons = np.array(m.LOST_REASONS, dtype=object)[
			_pick(rng, m.LOST_REASONS, m.LOST_REASON_WEIGHTS, len(die))
		]
		walk.add(die, pos[die].copy(), c.lost_pos[self.funnel[die]], t_next[loses & in_time])
		self.lost[die] = True
		self.lost_reason[die] = reasons
		t[die] = t_next[loses & in_time]
		alive[die] = False

	def _reopen(self, walk: _Walk) -> None:
		"""Some lost deals are reopened weeks later where they were lost; most of those are lost again."""
		c, rng = self.c, self.rng
		pos, t = walk.pos, walk.t
		lost_pos = c.lost_pos[self.funnel]
		lost_deals = np.flatnonzero(self.lost)
		reopen = lost_deals[rng.random(len(lost_deals)) < 0.5]
		reopen_at = t[reopen] + (rng.lognormal(np.log(20), 0.6, len(reopen)) * DAY).astype(np.int64)
		reopen, reopen_at = reopen[reopen_at <= c.now], reopen_at[reopen_at <= c.now]
		walk.add(reopen, lost_pos[reopen], pos[reopen].copy(), reopen_at)
		self.lost[reopen] = False
		self.lost_reason[reopen] = None
		t[reopen] = reopen_at
		relost_at = reopen_at + (rng.lognormal(np.log(10), 0.6, len(reopen)) * DAY).astype(np.int64)
		relost = (rng.random(len(reopen)) < 0.7) & (relost_at <= c.now)
		again = reopen[relost]
		walk.add(again, pos[again].copy(), lost_pos[again], relost_at[relost])
		self.lost[again] = True
		self.lost_reason[again] = np.array(m.LOST_REASONS, dtype=object)[
			_pick(rng, m.LOST_REASONS, m.LOST_REASON_WEIGHTS, len(again))
		]
		t[again] = relost_at[relost]

	def _mark_entered(self, position: int, deals: np.ndarray, at: np.ndarray) -> None:
		arr = self.entered_at.setdefault(position, np.full(self.n, -1, dtype=np.int64))
		arr[deals] = at

	def _entered(self, positions: np.ndarray) -> np.ndarray:
		"""Seconds at which each deal entered the given per-deal position, -1 if never."""
		out = np.full(self.n, -1, dtype=np.int64)
		for position, arr in self.entered_at.items():
			sel = positions == position
			out[sel] = arr[sel]
		return out

	# ---------------------------------------------------------------------------------------- parties
	def _leads(self) -> None:
		"""A lead for every new-business deal, and a quarter as many again that never became a deal."""
		c, rng, n = self.c, self.rng, self.n
		from_lead = ~self.existing
		self.lead = np.full(n, None, dtype=object)
		li = np.flatnonzero(from_lead)
		lead_created = self.created[li] - rng.integers(600, 5 * DAY, len(li))
		self.lead[li] = _yearly_names("CRM-LEAD-", lead_created, self.gid[li])
		won_lead = from_lead & self.won
		status = np.where(won_lead[li], "Converted", "Opportunity")
		leads = pd.DataFrame(
			{
				"name": self.lead[li],
				"naming_series": "CRM-LEAD-.YYYY.-",
				"lead_name": "Contact " + pd.Series(self.gid[li]).astype(str),
				"first_name": "Contact",
				"last_name": pd.Series(self.gid[li]).astype(str).to_numpy(),
				"company_name": "Prospect " + pd.Series(self.gid[li]).astype(str),
				"email_id": "lead" + pd.Series(self.gid[li]).astype(str) + "@prospect.example",
				"status": status,
				"source": self.channel[li],
				"lead_owner": self.owner[li],
				"territory": self.territory[li],
				"company": self.company_name[li],
				"type": "Client",
				"request_type": "Product Enquiry",
				"sf_temperature": np.array(m.TEMPERATURES, dtype=object)[self.temperature[li]],
			}
		)
		self.frames.append(("Lead", _std(leads, lead_created, self.owner[li])))
		# leads that never became a deal (a quarter as many again)
		extra = len(li) // 4
		if extra:
			pick = rng.choice(len(li), extra, replace=False)
			created = np.minimum(lead_created[pick] + rng.integers(DAY, 30 * DAY, extra), c.now - 3600)
			numbers = 10_000_000_000 + self.gid[li][pick]
			cold = pd.DataFrame(
				{
					"name": _yearly_names("CRM-LEAD-", created, numbers, 11),
					"naming_series": "CRM-LEAD-.YYYY.-",
					"lead_name": "Cold Contact " + pd.Series(numbers).astype(str),
					"status": np.where(rng.random(extra) < 0.5, "Open", "Do Not Contact"),
					"source": self.channel[li][pick],
					"lead_owner": self.owner[li][pick],
					"territory": self.territory[li][pick],
					"company": self.company_name[li][pick],
					"type": "Client",
					"sf_temperature": np.array(m.TEMPERATURES, dtype=object)[
						_pick(rng, m.TEMPERATURES, (70, 25, 5), extra)
					],
				}
			)
			self.frames.append(("Lead", _std(cold, created, self.owner[li][pick])))

	def _customers(self) -> None:
		"""The customer of each deal: an existing one, or a new one made from the lead once it has an order."""
		c, n = self.c, self.n
		from_lead = ~self.existing
		self.customer = np.full(n, None, dtype=object)
		ex = np.flatnonzero(self.existing)
		self.customer[ex] = _names("CUST-", self.base_customer[ex], 7)
		self.order_at = self._entered(c.order_pos[self.funnel])
		new = np.flatnonzero(from_lead & (self.order_at >= 0))
		self.customer[new] = _names("CUST-N", self.gid[new], 9)
		customers = pd.DataFrame(
			{
				"name": self.customer[new],
				"customer_name": "Prospect " + pd.Series(self.gid[new]).astype(str),
				"customer_type": np.where(self.group[new] == "Individual", "Individual", "Company"),
				"customer_group": self.group[new],
				"territory": self.territory[new],
				"lead_name": self.lead[new],
				"opportunity_name": None,  # filled below, once opportunity names exist
				"default_currency": self.currency[new],
			}
		)
		self._new_customers = (new, customers)

	# ----------------------------------------------------------------------------------- opportunities
	def _opportunities(self) -> None:
		self.opp = _yearly_names("CRM-OPP-", self.created, self.gid)
		new, customers = self._new_customers
		customers["opportunity_name"] = self.opp[new]
		self.frames.append(("Customer", _std(customers, self.order_at[new], self.owner[new])))
		self._opportunity_items()
		self._opportunity_frame()
		self._lost_details()
		self._transitions()

	def _opportunity_items(self) -> None:
		"""1..3 items per deal, from the funnel's product lines; the deal's amount is their sum."""
		c, rng, n = self.c, self.rng, self.n
		n_items = rng.choice([1, 2, 3], size=n, p=[0.5, 0.35, 0.15])
		deal_of_item = np.repeat(np.arange(n), n_items)
		k = len(deal_of_item)
		item_ix = rng.integers(0, len(c.items), k)
		groups = np.array([it[0] for it in c.items], dtype=object)
		codes = np.array([it[1] for it in c.items], dtype=object)
		list_rate = np.array([it[2] for it in c.items])
		self.valuation = np.array([it[3] for it in c.items])
		median = np.array([m.CUSTOMER_GROUP_PROFILE[g][1] for g in self.group[deal_of_item]])
		target_amount = rng.lognormal(np.log(median / n_items[deal_of_item]), 0.6)
		rate = np.round(list_rate[item_ix] * rng.uniform(0.9, 1.15, k) / self.rate[deal_of_item], 2)
		qty = np.maximum(1, np.round(target_amount / (rate * self.rate[deal_of_item]))).astype(int)
		amount = np.round(qty * rate, 2)
		self.item = {
			"deal": deal_of_item,
			"pos": _positions(n_items),
			"ix": item_ix,
			"code": codes[item_ix],
			"group": groups[item_ix],
			"qty": qty,
			"rate": rate,
			"amount": amount,
		}
		deal_amount = np.bincount(deal_of_item, weights=amount, minlength=n).round(2)
		self.amount = deal_amount
		self.base_amount = np.round(deal_amount * self.rate, 2)
		items = pd.DataFrame(
			{
				"name": _names("oppi-", self.offset * 3 + np.arange(k), 10),
				"item_code": self.item["code"],
				"item_name": self.item["code"],
				"item_group": self.item["group"],
				"qty": qty,
				"rate": rate,
				"amount": amount,
				"base_rate": np.round(rate * self.rate[deal_of_item], 2),
				"base_amount": np.round(amount * self.rate[deal_of_item], 2),
				"uom": "Nos",
			}
		)
		_child(items, self.opp[deal_of_item], "Opportunity", "items", self.item["pos"])
		self.frames.append(
			("Opportunity Item", _std(items, self.created[deal_of_item], self.owner[deal_of_item]))
		)

	def _opportunity_frame(self) -> None:
		c = self.c
		funnel_titles = np.array([f.title for f in c.funnels], dtype=object)
		quote_at = self._entered(c.quote_pos[self.funnel])
		self.quote_at = quote_at
		status = np.where(
			self.won,
			"Converted",
			np.where(self.lost, "Lost", np.where(quote_at >= 0, "Quotation", "Open")),
		)
		stage_at_pos = c.stage_name[self.funnel, self.pos]
		temperature = np.array(m.TEMPERATURES, dtype=object)[self.temperature]
		opp = pd.DataFrame(
			{
				"name": self.opp,
				"naming_series": "CRM-OPP-.YYYY.-",
				"title": np.where(
					self.existing, self.customer, "Prospect " + pd.Series(self.gid).astype(str)
				),
				"opportunity_from": np.where(self.existing, "Customer", "Lead"),
				"party_name": np.where(self.existing, self.customer, self.lead),
				"customer_name": np.where(self.existing, self.customer, None),
				"opportunity_type": "Sales",
				"status": status,
				"source": self.channel,
				"sales_stage": stage_at_pos,
				"expected_closing": _seconds_to_datetime(self.created + 45 * DAY).astype("datetime64[D]"),
				"probability": c.stage_probability[self.funnel, self.pos],
				"opportunity_amount": self.amount,
				"base_opportunity_amount": self.base_amount,
				"currency": self.currency,
				"conversion_rate": self.rate,
				"company": self.company_name,
				"transaction_date": _seconds_to_datetime(self.created).astype("datetime64[D]"),
				"territory": self.territory,
				"customer_group": self.group,
				"opportunity_owner": self.owner,
				"order_lost_reason": self.lost_reason,
				"sf_sales_funnel": funnel_titles[self.funnel],
				"sf_temperature": temperature,
				"sf_stage_entered_at": _seconds_to_datetime(self.last_at),
			}
		)
		_std(opp, self.created, self.owner)
		opp["modified"] = _seconds_to_datetime(self.last_at)
		self.frames.append(("Opportunity", opp))

	def _lost_details(self) -> None:
		lost = np.flatnonzero(self.lost)
		lost_detail = pd.DataFrame(
			{"name": _names("olrd-", self.gid[lost], 10), "lost_reason": self.lost_reason[lost]}
		)
		_child(lost_detail, self.opp[lost], "Opportunity", "lost_reasons", np.zeros(len(lost), dtype=int))
		self.frames.append(
			("Opportunity Lost Reason Detail", _std(lost_detail, self.last_at[lost], self.owner[lost]))
		)

	def _transitions(self) -> None:
		"""The stage transitions (the app's history table), with the columns the recorder derives."""
		c = self.c
		funnel_titles = np.array([f.title for f in c.funnels], dtype=object)
		temperature = np.array(m.TEMPERATURES, dtype=object)[self.temperature]
		d = self.tr_deal
		kind_of = np.where(
			self.tr_to == c.lost_pos[self.funnel[d]],
			"Lost",
			np.where(self.tr_to == c.won_pos[self.funnel[d]], "Won", "Open"),
		)
		lost_reason = np.where(kind_of == "Lost", self.lost_reason[d], None)
		progress_from, progress_to, last_of_deal, days_in_from = self._progress(kind_of)
		item_group = self._main_item_groups()
		first = c.transitions_written + 1
		c.transitions_written += len(d)
		transitions = pd.DataFrame(
			{
				"name": np.arange(first, first + len(d)),
				"deal_doctype": "Opportunity",
				"deal": self.opp[d],
				"funnel": funnel_titles[self.funnel[d]],
				"company": self.company_name[d],
				"from_stage": np.where(
					self.tr_from >= 0, c.stage_name[self.funnel[d], np.maximum(self.tr_from, 0)], None
				),
				"to_stage": c.stage_name[self.funnel[d], self.tr_to],
				"to_kind": kind_of,
				"transitioned_at": _seconds_to_datetime(self.tr_at),
				"by_user": self.owner[d],
				"deal_owner": self.owner[d],
				"amount": self.base_amount[d],
				"lost_reason": lost_reason,
				"recorded_via": "Manual",
				"progress_from": progress_from,
				"progress_to": progress_to,
				"from_position": np.where(
					self.tr_from < 0,
					0,
					np.where(self.tr_from == c.lost_pos[self.funnel[d]], -1, self.tr_from + 1),
				),
				"to_position": np.where(kind_of == "Lost", -1, self.tr_to + 1),
				"is_latest": last_of_deal.astype(int),
				"funnel_entered_at": _seconds_to_datetime(self.created[d]),
				"days_in_from_stage": days_in_from,
				"manager": self.owner[d],
				"department": c.managers.department[self.manager[d]],
				"territory": self.territory[d],
				"customer_group": self.group[d],
				"channel": self.channel[d],
				"item_group": item_group[d],
				"customer_kind": np.where(self.existing[d], "Existing", "New"),
				"temperature": temperature[d],
			}
		)
		self.frames.append(("Funnel Stage Transition", _std(transitions, self.tr_at, self.owner[d])))

	# ----------------------------------------------------------------------------------- documents
	def _progress(self, kind_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
		"""Per transition: the furthest position reached before and after it, whether it is the deal's latest,
		and the days spent in the stage it leaves."""
		d = self.tr_deal
		position = np.where(
			kind_of == "Lost", 0, self.tr_to + 1
		)  # Funnel.position: open and won stages, 1-based
		first_of_deal = np.r_[True, d[1:] != d[:-1]]
		last_of_deal = np.r_[d[1:] != d[:-1], True]
		progress_to = pd.Series(position).groupby(d).cummax().to_numpy()
		progress_from = np.where(first_of_deal, 0, np.r_[0, progress_to[:-1]])
		previous_at = np.r_[0, self.tr_at[:-1]]
		days_in_from = np.where(first_of_deal, 0.0, (self.tr_at - previous_at) / DAY).round(6)
		return progress_from, progress_to, last_of_deal, days_in_from

	def _main_item_groups(self) -> np.ndarray:
		"""Per deal, the item group with the biggest share of its amount (ties: the first by name)."""
		group_amount = pd.DataFrame(
			{"deal": self.item["deal"], "group": self.item["group"], "amount": self.item["amount"]}
		)
		main_group = (
			group_amount.groupby(["deal", "group"])["amount"].sum().reset_index()
			.sort_values(["deal", "amount", "group"], ascending=[True, False, True])
			.drop_duplicates("deal").set_index("deal")["group"]
		)  # fmt: skip
		return main_group.reindex(np.arange(self.n)).to_numpy(dtype=object)

	def _documents(self) -> None:
		"""Quotations, sales orders (with their sales team) and invoices of the deals that got that far."""
		it = self.item
		discount = self.rng.choice([0.0, 0.05, 0.10], size=self.n, p=[0.6, 0.25, 0.15])
		net_rate = np.round(it["rate"] * (1 - discount[it["deal"]]), 2)
		net_amount = np.round(net_rate * it["qty"], 2)
		net_total = np.bincount(it["deal"], weights=net_amount, minlength=self.n).round(2)
		self.totals = _Totals(net_rate, net_amount, net_total, np.round(net_total * (1 + self.vat), 2))
		self._quotations()
		invoiced, invoice_at, so_item_name = self._sales_orders()
		# Sales team: the owner's sales person, 5 % of orders split 60/40 with a department colleague
		o = np.flatnonzero(self.order_at >= 0)
		self._sales_team(o, self.sales_order, "Sales Order", self.order_at, net_total)
		# Sales Invoices with payment schedules, sales team, payments and some credit notes
		self._invoices(invoiced, invoice_at, so_item_name)

	def _party_totals(self, frame: pd.DataFrame, sel: np.ndarray) -> pd.DataFrame:
		"""A selling document's currency, company and totals (document and company currency)."""
		net_total, grand_total = self.totals.net_total, self.totals.grand_total
		rate = self.rate[sel]
		frame["currency"] = self.currency[sel]
		frame["conversion_rate"] = rate
		frame["company"] = self.company_name[sel]
		for prefix, scale in (("", 1.0), ("base_", rate)):
			frame[f"{prefix}total"] = np.round(net_total[sel] * scale, 2)
			frame[f"{prefix}net_total"] = np.round(net_total[sel] * scale, 2)
			frame[f"{prefix}grand_total"] = np.round(grand_total[sel] * scale, 2)
			frame[f"{prefix}rounded_total"] = np.round(grand_total[sel] * scale, 0)
		frame["territory"] = self.territory[sel]
		frame["customer_group"] = self.group[sel]
		return frame

	def _item_rows(self, sel: np.ndarray, names_prefix: str) -> tuple[pd.DataFrame, np.ndarray]:
		"""The item lines of the deals `sel` at their discounted rates; and the deal of each line."""
		it, net_rate, net_amount = self.item, self.totals.net_rate, self.totals.net_amount
		mask = np.isin(it["deal"], sel)
		deals = it["deal"][mask]
		rate = self.rate[deals]
		frame = pd.DataFrame(
			{
				"name": _names(names_prefix, self.offset * 3 + np.flatnonzero(mask), 10),
				"item_code": it["code"][mask],
				"item_name": it["code"][mask],
				"item_group": it["group"][mask],
				"qty": it["qty"][mask],
				"rate": net_rate[mask],
				"amount": net_amount[mask],
				"base_rate": np.round(net_rate[mask] * rate, 2),
				"base_amount": np.round(net_amount[mask] * rate, 2),
				"net_amount": net_amount[mask],
				"base_net_amount": np.round(net_amount[mask] * rate, 2),
			}
		)
		return frame, deals

	def _quotations(self) -> None:
		"""A quotation when the deal reached the stage that a submitted quotation triggers."""
		it = self.item
		q = np.flatnonzero(self.quote_at >= 0)
		self.quotation = np.full(self.n, None, dtype=object)
		self.quotation[q] = _yearly_names("SAL-QTN-", self.quote_at[q], self.gid[q])
		quotation = pd.DataFrame(
			{
				"name": self.quotation[q],
				"naming_series": "SAL-QTN-.YYYY.-",
				"title": np.where(self.existing[q], self.customer[q], self.lead[q]),
				"quotation_to": np.where(self.existing[q], "Customer", "Lead"),
				"party_name": np.where(self.existing[q], self.customer[q], self.lead[q]),
				"customer_name": self.customer[q],
				"transaction_date": _seconds_to_datetime(self.quote_at[q]).astype("datetime64[D]"),
				"valid_till": _seconds_to_datetime(self.quote_at[q] + 30 * DAY).astype("datetime64[D]"),
				"opportunity": self.opp[q],
				"status": np.where(self.order_at[q] >= 0, "Ordered", np.where(self.lost[q], "Lost", "Open")),
				"order_type": "Sales",
				"source": self.channel[q],
			}
		)
		self.frames.append(
			("Quotation", _std(self._party_totals(quotation, q), self.quote_at[q], self.owner[q], 1))
		)
		qi, qdeals = self._item_rows(q, "qtni-")
		qi["prevdoc_doctype"] = "Opportunity"
		qi["prevdoc_docname"] = self.opp[qdeals]
		qi["valuation_rate"] = self.valuation[it["ix"][np.isin(it["deal"], q)]]
		_child(qi, self.quotation[qdeals], "Quotation", "items", it["pos"][np.isin(it["deal"], q)])
		self.frames.append(("Quotation Item", _std(qi, self.quote_at[qdeals], self.owner[qdeals], 1)))

	def _sales_orders(self) -> tuple[np.ndarray, np.ndarray, dict]:
		"""A sales order when the deal reached the stage a submitted sales order triggers; returns which orders
		are invoiced, when each deal's invoice is made, and the order line of each (deal, position)."""
		c, rng, it = self.c, self.rng, self.item
		o = np.flatnonzero(self.order_at >= 0)
		so = np.full(self.n, None, dtype=object)
		so[o] = _yearly_names("SAL-ORD-", self.order_at[o], self.gid[o])
		self.sales_order = so
		invoiced = o[(rng.random(len(o)) < 0.95)]
		invoice_at = self.order_at + rng.integers(0, 8 * DAY, self.n)
		invoiced = invoiced[invoice_at[invoiced] <= c.now]
		orders = pd.DataFrame(
			{
				"name": so[o],
				"naming_series": "SAL-ORD-.YYYY.-",
				"customer": self.customer[o],
				"customer_name": self.customer[o],
				"transaction_date": _seconds_to_datetime(self.order_at[o]).astype("datetime64[D]"),
				"delivery_date": _seconds_to_datetime(self.order_at[o] + 14 * DAY).astype("datetime64[D]"),
				"order_type": "Sales",
				"status": np.where(np.isin(o, invoiced), "Completed", "To Deliver and Bill"),
				"per_billed": np.where(np.isin(o, invoiced), 100.0, 0.0),
				"billing_status": np.where(np.isin(o, invoiced), "Fully Billed", "Not Billed"),
				"source": self.channel[o],
			}
		)
		self.frames.append(
			("Sales Order", _std(self._party_totals(orders, o), self.order_at[o], self.owner[o], 1))
		)
		oi, odeals = self._item_rows(o, "soi-")
		omask = np.isin(it["deal"], o)
		oi["prevdoc_docname"] = self.quotation[odeals]
		oi["stock_qty"] = it["qty"][omask]
		oi["valuation_rate"] = self.valuation[it["ix"][omask]]
		_child(oi, so[odeals], "Sales Order", "items", it["pos"][omask])
		self.frames.append(("Sales Order Item", _std(oi, self.order_at[odeals], self.owner[odeals], 1)))
		so_item_name = dict(zip(zip(odeals, it["pos"][omask], strict=True), oi["name"], strict=True))
		return invoiced, invoice_at, so_item_name

	def _sales_team(
		self, sel: np.ndarray, parents: np.ndarray, parenttype: str, at: np.ndarray, net_total: np.ndarray
	) -> None:
		c, rng = self.c, np.random.default_rng([self.c.spec.seed, 3, self.offset])
		split = rng.random(len(sel)) < 0.05
		person = c.managers.sales_person[self.manager[sel]]
		members = [c.managers.by_department[d] for d in c.managers.department[self.manager[sel]]]
		other = np.array(
			[c.managers.sales_person[mm[(i * 7 + 1) % len(mm)]] for i, mm in enumerate(members)], dtype=object
		)
		other = np.where(
			other == person, np.array([c.managers.sales_person[mm[0]] for mm in members], dtype=object), other
		)
		split &= other != person
		first_pct = np.where(split, 60.0, 100.0)
		rows_parent = np.concatenate([parents[sel], parents[sel][split]])
		rows_person = np.concatenate([person, other[split]])
		rows_pct = np.concatenate([first_pct, np.full(int(split.sum()), 40.0)])
		rows_idx = np.concatenate([np.zeros(len(sel), dtype=int), np.ones(int(split.sum()), dtype=int)])
		rows_deal = np.concatenate([sel, sel[split]])
		base_net = net_total[rows_deal] * self.rate[rows_deal]
		team = pd.DataFrame(
			{
				"name": _names(
					f"st-{parenttype.lower().replace(' ', '-')}-",
					self.offset * 2 + np.arange(len(rows_parent)),
					10,
				),
				"sales_person": rows_person,
				"allocated_percentage": rows_pct,
				"allocated_amount": np.round(base_net * rows_pct / 100, 2),
			}
		)
		_child(team, rows_parent, parenttype, "sales_team", rows_idx)
		self.frames.append(("Sales Team", _std(team, at[rows_deal], self.owner[rows_deal], 1)))

	def _invoices(self, inv: np.ndarray, invoice_at: np.ndarray, so_item_name: dict) -> None:
		"""Sales Invoices with payment schedules, sales team, payments and some credit notes."""
		b = self._billing(inv, invoice_at)
		self._invoice_frame(b)
		self._invoice_items(b, invoice_at, so_item_name)
		self._sales_team(inv, b.names, "Sales Invoice", invoice_at, self.totals.net_total)
		self._schedule_frame(b)
		self._payment_frames(b)
		if len(b.ret):
			self._credit_notes(b)

	def _billing(self, inv: np.ndarray, invoice_at: np.ndarray) -> _Billing:
		"""The invoices' payment terms, what was paid when, the credit notes and each invoice's status."""
		c, rng = self.c, self.rng
		grand_total = self.totals.grand_total
		names = np.full(self.n, None, dtype=object)
		names[inv] = _yearly_names("ACC-SINV-", invoice_at[inv], self.gid[inv])
		posting = invoice_at[inv]
		rate = self.rate[inv]
		# payment schedule: one term (14 or 30 days) or two halves (now and in 30 days)
		two = rng.random(len(inv)) < 0.3
		term_days = np.where(rng.random(len(inv)) < 0.5, 14, 30)
		n_terms = np.where(two, 2, 1)
		sched_inv = np.repeat(np.arange(len(inv)), n_terms)
		sched_pos = _positions(n_terms)
		portion = np.where(two[sched_inv], 50.0, 100.0)
		due = posting[sched_inv] + np.where(two[sched_inv], sched_pos * 30 * DAY, term_days[sched_inv] * DAY)
		gt = grand_total[inv]
		amount = _schedule_amounts(two[sched_inv], sched_pos, gt[sched_inv])
		pay_at, paid = self._schedule_payments(posting[sched_inv], due, amount)
		sched_outstanding = np.round(amount - paid, 2)
		inv_paid = np.bincount(sched_inv, weights=paid, minlength=len(inv)).round(2)
		inv_outstanding = np.round(gt - inv_paid, 2)
		# credit notes: 2 % of invoices get 30 % returned
		ret = np.flatnonzero(rng.random(len(inv)) < 0.02)
		return_amount = np.round(gt[ret] * 0.3, 2)
		reduce = np.minimum(inv_outstanding[ret], return_amount)
		inv_outstanding[ret] = np.round(inv_outstanding[ret] - reduce, 2)
		due_first = posting + term_days * DAY
		overdue = (inv_outstanding > 0) & (due_first < c.now)
		status = np.where(
			inv_outstanding <= 0,
			"Paid",
			np.where(inv_paid > 0, "Partly Paid", np.where(overdue, "Overdue", "Unpaid")),
		)
		status = np.where(np.isin(np.arange(len(inv)), ret), "Credit Note Issued", status)
		return _Billing(
			inv=inv,
			names=names,
			posting=posting,
			rate=rate,
			gt=gt,
			two=two,
			due_first=due_first,
			sched_inv=sched_inv,
			sched_pos=sched_pos,
			portion=portion,
			due=due,
			amount=amount,
			pay_at=pay_at,
			paid=paid,
			sched_outstanding=sched_outstanding,
			inv_outstanding=inv_outstanding,
			status=status,
			ret=ret,
			return_amount=return_amount,
			reduce=reduce,
		)

	def _schedule_payments(
		self, posting: np.ndarray, due: np.ndarray, amount: np.ndarray
	) -> tuple[np.ndarray, np.ndarray]:
		"""When and how much of each schedule row is paid: on time, late, partial or never; nothing after now."""
		c, rng = self.c, self.rng
		u = rng.random(len(due))
		late_days = rng.integers(3, 45, len(due))
		early = rng.integers(-10, 1, len(due))
		pay_at = np.where(u < 0.6, due + early * DAY, due + late_days * DAY)
		pay_at = np.maximum(pay_at, posting + 3600) + rng.integers(0, 8 * 3600, len(due))
		paid_share = np.where(u < 0.85, 1.0, np.where(u < 0.93, 0.5, 0.0))
		paid = np.round(amount * paid_share, 2)
		return pay_at, np.where(pay_at <= c.now, paid, 0.0)

	def _invoice_frame(self, b: _Billing) -> None:
		net_total = self.totals.net_total
		inv, names, posting, rate, gt, two, due_first, inv_outstanding, status = (
			b.inv,
			b.names,
			b.posting,
			b.rate,
			b.gt,
			b.two,
			b.due_first,
			b.inv_outstanding,
			b.status,
		)
		frame = pd.DataFrame(
			{
				"name": names[inv],
				"naming_series": "ACC-SINV-.YYYY.-",
				"customer": self.customer[inv],
				"customer_name": self.customer[inv],
				"posting_date": _seconds_to_datetime(posting).astype("datetime64[D]"),
				"due_date": _seconds_to_datetime(np.where(two, posting + 30 * DAY, due_first)).astype(
					"datetime64[D]"
				),
				"currency": self.currency[inv],
				"conversion_rate": rate,
				"company": self.company_name[inv],
				"total": net_total[inv],
				"base_total": np.round(net_total[inv] * rate, 2),
				"net_total": net_total[inv],
				"base_net_total": np.round(net_total[inv] * rate, 2),
				"grand_total": gt,
				"base_grand_total": np.round(gt * rate, 2),
				"rounded_total": np.round(gt, 0),
				"base_rounded_total": np.round(gt * rate, 0),
				"outstanding_amount": inv_outstanding,
				"status": status,
				"is_return": 0,
				"territory": self.territory[inv],
				"customer_group": self.group[inv],
				"source": self.channel[inv],
			}
		)
		self.frames.append(("Sales Invoice", _std(frame, posting, self.owner[inv], 1)))
		self.invoice = names

	def _invoice_items(self, b: _Billing, invoice_at: np.ndarray, so_item_name: dict) -> None:
		it, net_rate, net_amount = self.item, self.totals.net_rate, self.totals.net_amount
		inv, names = b.inv, b.names
		imask = np.isin(it["deal"], inv)
		ideals = it["deal"][imask]
		irate = self.rate[ideals]
		items = pd.DataFrame(
			{
				"name": _names("sinvi-", self.offset * 3 + np.flatnonzero(imask), 10),
				"item_code": it["code"][imask],
				"item_name": it["code"][imask],
				"item_group": it["group"][imask],
				"qty": it["qty"][imask],
				"stock_qty": it["qty"][imask],
				"conversion_factor": 1.0,
				"rate": net_rate[imask],
				"amount": net_amount[imask],
				"base_rate": np.round(net_rate[imask] * irate, 2),
				"base_amount": np.round(net_amount[imask] * irate, 2),
				"net_rate": net_rate[imask],
				"net_amount": net_amount[imask],
				"base_net_rate": np.round(net_rate[imask] * irate, 2),
				"base_net_amount": np.round(net_amount[imask] * irate, 2),
				"incoming_rate": self.valuation[it["ix"][imask]],
				"sales_order": self.sales_order[ideals],
				"so_detail": [so_item_name[(d, p)] for d, p in zip(ideals, it["pos"][imask], strict=True)],
			}
		)
		_child(items, names[ideals], "Sales Invoice", "items", it["pos"][imask])
		self.frames.append(("Sales Invoice Item", _std(items, invoice_at[ideals], self.owner[ideals], 1)))

	def _schedule_frame(self, b: _Billing) -> None:
		inv, names, posting, rate, sched_inv, sched_pos, portion, due, amount, paid, sched_outstanding = (
			b.inv,
			b.names,
			b.posting,
			b.rate,
			b.sched_inv,
			b.sched_pos,
			b.portion,
			b.due,
			b.amount,
			b.paid,
			b.sched_outstanding,
		)
		sched = pd.DataFrame(
			{
				"name": _names("psch-", self.offset * 2 + np.arange(len(sched_inv)), 10),
				"payment_term": None,
				"due_date": _seconds_to_datetime(due).astype("datetime64[D]"),
				"invoice_portion": portion,
				"payment_amount": amount,
				"base_payment_amount": np.round(amount * rate[sched_inv], 2),
				"outstanding": sched_outstanding,
				"paid_amount": paid,
			}
		)
		_child(sched, names[inv][sched_inv], "Sales Invoice", "payment_schedule", sched_pos)
		self.frames.append(
			("Payment Schedule", _std(sched, posting[sched_inv], self.owner[inv][sched_inv], 1))
		)

	def _payment_frames(self, b: _Billing) -> None:
		"""A Payment Entry per paid schedule row, received into the company's bank, with its reference."""
		inv, rate, sched_inv, pay_at, paid = b.inv, b.rate, b.sched_inv, b.pay_at, b.paid
		p = np.flatnonzero(paid > 0)
		pinv = sched_inv[p]
		pe_names = _yearly_names("ACC-PAY-", pay_at[p], self.offset * 2 + p + 1, 8)
		company = self.company_name[inv][pinv]
		abbr = np.where(company == m.COMPANIES[0].name, m.COMPANIES[0].abbr, m.COMPANIES[1].abbr)
		company_currency = np.where(
			company == m.COMPANIES[0].name, m.COMPANIES[0].currency, m.COMPANIES[1].currency
		)
		payments = pd.DataFrame(
			{
				"name": pe_names,
				"naming_series": "ACC-PAY-.YYYY.-",
				"payment_type": "Receive",
				"party_type": "Customer",
				"party": self.customer[inv][pinv],
				"party_name": self.customer[inv][pinv],
				"posting_date": _seconds_to_datetime(pay_at[p]).astype("datetime64[D]"),
				"company": company,
				"mode_of_payment": "Wire Transfer",
				"paid_from": "Debtors - " + pd.Series(abbr).astype(str),
				"paid_to": "Bank - " + pd.Series(abbr).astype(str),
				"paid_from_account_currency": self.currency[inv][pinv],
				"paid_to_account_currency": company_currency,
				"paid_amount": paid[p],
				"base_paid_amount": np.round(paid[p] * rate[pinv], 2),
				"received_amount": np.round(paid[p] * rate[pinv], 2),
				"base_received_amount": np.round(paid[p] * rate[pinv], 2),
				"source_exchange_rate": rate[pinv],
				"target_exchange_rate": 1.0,
				"reference_no": pe_names,
				"reference_date": _seconds_to_datetime(pay_at[p]).astype("datetime64[D]"),
				"status": "Submitted",
				"unallocated_amount": 0.0,
			}
		)
		self.frames.append(("Payment Entry", _std(payments, pay_at[p], ACCOUNTANT, 1)))
		self._payment_references(b, p, pe_names)

	def _payment_references(self, b: _Billing, p: np.ndarray, pe_names: np.ndarray) -> None:
		"""Each Payment Entry's one reference: the invoice (and its schedule row's due date) it pays."""
		inv, names, rate, gt, due, amount, pay_at, paid = (
			b.inv,
			b.names,
			b.rate,
			b.gt,
			b.due,
			b.amount,
			b.pay_at,
			b.paid,
		)
		pinv = b.sched_inv[p]
		refs = pd.DataFrame(
			{
				"name": _names("per-", self.offset * 2 + p, 10),
				"reference_doctype": "Sales Invoice",
				"reference_name": names[inv][pinv],
				"due_date": _seconds_to_datetime(due[p]).astype("datetime64[D]"),
				"total_amount": gt[pinv],
				"outstanding_amount": amount[p],
				"allocated_amount": paid[p],
				"exchange_rate": rate[pinv],
			}
		)
		_child(refs, pe_names, "Payment Entry", "references", np.zeros(len(p), dtype=int))
		self.frames.append(("Payment Entry Reference", _std(refs, pay_at[p], ACCOUNTANT, 1)))

	def _credit_notes(self, b: _Billing) -> None:
		"""2 % of invoices get 30 % credited back, within 40 days."""
		c, rng, net_total = self.c, self.rng, self.totals.net_total
		inv, names, posting, rate, ret, return_amount, reduce = (
			b.inv,
			b.names,
			b.posting,
			b.rate,
			b.ret,
			b.return_amount,
			b.reduce,
		)
		ret_at = np.minimum(posting[ret] + rng.integers(5 * DAY, 40 * DAY, len(ret)), c.now - 3600)
		credit = pd.DataFrame(
			{
				"name": _yearly_names("ACC-SINV-RET-", ret_at, self.gid[inv][ret]),
				"naming_series": "ACC-SINV-RET-.YYYY.-",
				"customer": self.customer[inv][ret],
				"customer_name": self.customer[inv][ret],
				"posting_date": _seconds_to_datetime(ret_at).astype("datetime64[D]"),
				"due_date": _seconds_to_datetime(ret_at).astype("datetime64[D]"),
				"currency": self.currency[inv][ret],
				"conversion_rate": rate[ret],
				"company": self.company_name[inv][ret],
				"total": -np.round(net_total[inv][ret] * 0.3, 2),
				"base_total": -np.round(net_total[inv][ret] * 0.3 * rate[ret], 2),
				"net_total": -np.round(net_total[inv][ret] * 0.3, 2),
				"base_net_total": -np.round(net_total[inv][ret] * 0.3 * rate[ret], 2),
				"grand_total": -return_amount,
				"base_grand_total": -np.round(return_amount * rate[ret], 2),
				"rounded_total": -np.round(return_amount, 0),
				"base_rounded_total": -np.round(return_amount * rate[ret], 0),
				"outstanding_amount": -np.round(return_amount - reduce, 2),
				"status": "Return",
				"is_return": 1,
				"return_against": names[inv][ret],
				"territory": self.territory[inv][ret],
				"customer_group": self.group[inv][ret],
			}
		)
		self.frames.append(("Sales Invoice", _std(credit, ret_at, ACCOUNTANT, 1)))

	# ---------------------------------------------------------------------------------------- calls
	def _calls(self) -> None:
		"""The call that started each deal (most deals), plus calls that led nowhere.

		A manager whose first-stage skill is s turns about s of his calls into negotiations: for every
		deal started by a call he also took (1 - s) / s calls that ended without one.
		"""
		c, rng, n = self.c, self.rng, self.n
		mg = c.managers
		by_call = np.flatnonzero(rng.random(n) < 0.7)
		# the deals a call links to: the Call Log hook's `sf_from_call` on the Opportunity frame made before
		from_call = np.zeros(n, dtype=int)
		from_call[by_call] = 1
		next(frame for doctype, frame in self.frames if doctype == "Opportunity")["sf_from_call"] = from_call
		skill = mg.skill[self.manager[by_call]]
		extra_per_deal = (1 - skill) / skill
		n_extra = rng.poisson(extra_per_deal)
		extra_deal = np.repeat(by_call, n_extra)
		calls_deal = np.concatenate([by_call, extra_deal])
		is_deal_call = np.concatenate([np.ones(len(by_call), bool), np.zeros(len(extra_deal), bool)])
		ids, start = self._call_log(calls_deal, is_deal_call)
		self._call_links(ids, start, calls_deal, is_deal_call)

	def _call_log(self, calls_deal: np.ndarray, is_deal_call: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
		"""The Call Log rows (the deal's own call a little before the deal, the others days before); returns their
		ids and start times."""
		c, rng, mg = self.c, self.rng, self.c.managers
		k = len(calls_deal)
		manager = self.manager[calls_deal]
		start = self.created[calls_deal] - np.where(
			is_deal_call, rng.integers(60, 3600, k), rng.integers(3600, 20 * DAY, k)
		)
		start = np.maximum(start, c.start)
		incoming = np.isin(self.channel[calls_deal], m.INBOUND_CHANNELS) | (rng.random(k) < 0.2)
		answered = is_deal_call | (rng.random(k) < 0.75)
		status = np.where(answered, "Completed", np.where(rng.random(k) < 0.5, "No Answer", "Busy"))
		duration = np.where(answered, rng.integers(40, 1200, k), 0)
		outcome_titles = np.array([o[0] for o in m.CALL_OUTCOMES], dtype=object)
		deal_outcome = np.where(rng.random(k) < 0.7, "Negotiation Started", "Meeting Booked")
		other = outcome_titles[rng.choice([0, 1, 2, 5, 6, 7], size=k, p=[0.25, 0.3, 0.2, 0.15, 0.05, 0.05])]
		outcome = np.where(is_deal_call, deal_outcome, np.where(answered, other, "No Answer"))
		has_outcome = rng.random(k) < mg.discipline[manager]
		outcome = np.where(has_outcome, outcome, None)
		ids = _names("CALL-", self.offset * 4 + np.arange(k), 11)
		end = start + duration
		phone = "+48" + pd.Series(500_000_000 + (self.gid[calls_deal] * 7919) % 400_000_000).astype(str)
		line = "+48221234" + pd.Series(manager % 1000).astype(str).str.zfill(3)
		frame = pd.DataFrame(
			{
				"name": ids,
				"id": ids,
				"from": np.where(incoming, phone, line),
				"to": np.where(incoming, line, phone),
				"status": status,
				"type": np.where(incoming, "Incoming", "Outgoing"),
				"duration": duration,
				"recording_url": np.where(
					answered, "https://pbx.demo.example/rec/" + pd.Series(ids).astype(str) + ".mp3", None
				),
				"start_time": _seconds_to_datetime(start),
				"end_time": _seconds_to_datetime(end),
				"employee_user_id": mg.user[manager],
				"call_received_by": mg.employee[manager],
				"medium": np.where(incoming, line, phone),
				"customer": np.where(self.existing[calls_deal], self.customer[calls_deal], None),
				"type_of_call": None,
				"summary": None,
				"sf_outcome": outcome,
				"sf_outcome_set_by": np.where(has_outcome, mg.user[manager], None),
				"sf_outcome_set_at": _seconds_to_datetime(
					np.where(has_outcome, end + rng.integers(30, 7200, k), 0)
				),
			}
		)
		frame.loc[~has_outcome, "sf_outcome_set_at"] = pd.NaT
		self.frames.append(("Call Log", _std(frame, start, mg.user[manager])))
		return ids, start

	def _call_links(
		self, ids: np.ndarray, start: np.ndarray, calls_deal: np.ndarray, is_deal_call: np.ndarray
	) -> None:
		"""Every call links to its lead or customer; the deal's own call to its opportunity as well."""
		k = len(calls_deal)
		party_type = np.where(self.existing[calls_deal], "Customer", "Lead")
		party = np.where(self.existing[calls_deal], self.customer[calls_deal], self.lead[calls_deal])
		link_parent = np.concatenate([ids, ids[is_deal_call]])
		link_doctype = np.concatenate(
			[party_type, np.full(int(is_deal_call.sum()), "Opportunity", dtype=object)]
		)
		link_name = np.concatenate([party, self.opp[calls_deal][is_deal_call]])
		link_idx = np.concatenate([np.zeros(k, dtype=int), np.ones(int(is_deal_call.sum()), dtype=int)])
		link_at = np.concatenate([start, start[is_deal_call]])
		links = pd.DataFrame(
			{
				"name": _names("dl-call-", self.offset * 8 + np.arange(len(link_parent)), 12),
				"link_doctype": link_doctype,
				"link_name": link_name,
			}
		)
		_child(links, link_parent, "Call Log", "links", link_idx)
		self.frames.append(("Dynamic Link", _std(links, link_at, "Administrator")))

	# ---------------------------------------------------------------------------------------- todos
	def _todos(self) -> None:
		c, rng = self.c, self.rng
		open_deals = np.flatnonzero(~self.won & ~self.lost)
		with_task = open_deals[rng.random(len(open_deals)) < 0.4]
		due = self.last_at[with_task] + rng.integers(1, 20, len(with_task)) * DAY
		frame = pd.DataFrame(
			{
				"name": _names("todo-", self.gid[with_task], 10),
				"status": "Open",
				"priority": "Medium",
				"date": _seconds_to_datetime(due).astype("datetime64[D]"),
				"allocated_to": self.owner[with_task],
				"description": "Follow up on " + pd.Series(self.opp[with_task]).astype(str),
				"reference_type": "Opportunity",
				"reference_name": self.opp[with_task],
				"assigned_by": self.owner[with_task],
			}
		)
		self.frames.append(
			("ToDo", _std(frame, np.minimum(self.last_at[with_task] + 3600, c.now), self.owner[with_task]))
		)
		opp_frame = next(f for d, f in self.frames if d == "Opportunity")
		assigned = np.full(self.n, None, dtype=object)
		assigned[with_task] = [json.dumps([u]) for u in self.owner[with_task]]
		opp_frame["_assign"] = assigned


def describe(spec: DemoSpec) -> str:
	return f"{spec.deals:,} deals, seed {spec.seed}, {spec.days} days to {spec.now:%Y-%m-%d %H:%M}"


__all__ = ["DemoCompany", "DemoSpec", "Frame", "describe"]
