"""Hand-built data for engine tests: funnels, opportunities and stage histories written through the same
planning code (`history.replay`) that live recording uses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sales_funnel.engine.funnels.history import TRANSITION_COLUMNS, DealSnapshot, Transition, replay
from sales_funnel.engine.funnels.stages import Funnel, Stage, load_funnel

COMPANY = "Test Co"


def insert(db, doctype: str, rows: Sequence[dict[str, Any]]) -> None:
	for row in rows:
		columns = ", ".join(f"`{c}`" for c in row)
		placeholders = ", ".join(f"%({c})s" for c in row)
		db.sql(f"INSERT INTO `tab{doctype}` ({columns}) VALUES ({placeholders})", row)


def make_funnel(db, name: str, stages: Sequence[Stage], company: str = COMPANY, **head: Any) -> Funnel:
	for stage in stages:
		db.sql(
			"INSERT IGNORE INTO `tabSales Stage` (name, stage_name) VALUES (%s, %s)",
			(stage.stage, stage.stage),
		)
	insert(db, "Sales Funnel", [{"name": name, "title": name, "company": company, "enabled": 1, **head}])
	insert(
		db,
		"Sales Funnel Stage",
		[
			{
				"name": f"{name}-{i}",
				"parent": name,
				"parenttype": "Sales Funnel",
				"parentfield": "stages",
				"idx": i,
				"stage": s.stage,
				"kind": s.kind,
				"probability": s.probability,
				"target_conversion": s.target_conversion,
				"time_limit_days": s.time_limit_days,
				"trigger": s.trigger,
			}
			for i, s in enumerate(stages, start=1)
		],
	)
	return load_funnel(db, name)


def make_opportunity(db, name: str, funnel: Funnel | None, **fields: Any) -> None:
	row = {
		"name": name,
		"company": COMPANY,
		"opportunity_from": "Lead",
		"status": "Open",
		"sf_sales_funnel": funnel.name if funnel else None,
		"creation": datetime(2026, 1, 1),
		"owner": "owner@example.com",
		"opportunity_owner": "owner@example.com",
		**fields,
	}
	insert(db, "Opportunity", [row])


def snapshot(name: str, **attrs: Any) -> DealSnapshot:
	return DealSnapshot(
		doctype="Opportunity",
		name=name,
		company=COMPANY,
		owner=attrs.pop("owner", "owner@example.com"),
		**attrs,
	)


_next_name = [0]


def write_history(db, rows: Sequence[Transition]) -> None:
	"""Insert planned rows as the Frappe layer would (autoincrement names in insertion order)."""
	for row in rows:
		_next_name[0] += 1
		values = {c: getattr(row, c) for c in TRANSITION_COLUMNS}
		values["name"] = _next_name[0]
		insert(db, "Funnel Stage Transition", [values])


def write_transitions(db: Any, transitions: Sequence[Transition], *, user: str = "Administrator") -> int:
	"""Insert rows into `tabFunnel Stage Transition` with one parameterised executemany (on a bench the Frappe
	layer inserts each row with `frappe.get_doc(...).insert()`). `db` must offer `executemany`
	(devkit.mariadb.MariaDB). Names continue the autoincrement sequence from the largest name."""
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


def history(
	db,
	funnel: Funnel,
	deal: str,
	moves: Sequence[tuple[datetime, str] | tuple[datetime, str, str | None]],
	*,
	amount: float = 0.0,
	opportunity: dict[str, Any] | None = None,
	**attrs: Any,
) -> list[Transition]:
	"""Record a deal's whole history: moves are (at, stage) or (at, stage, lost_reason). The Opportunity row is
	created too, in the state the history ends in."""
	deal_snapshot = snapshot(deal, amount=amount, **attrs)
	rows = replay(
		funnel,
		deal_snapshot,
		[(m[0], m[1], "user@example.com", m[2] if len(m) > 2 else None) for m in moves],
		recorded_via="Manual",
	)
	write_history(db, rows)
	last = rows[-1]
	status = {"Won": "Converted", "Lost": "Lost"}.get(last.to_kind, "Open")
	make_opportunity(
		db,
		deal,
		funnel,
		status=status,
		sales_stage=last.from_stage if last.to_kind == "Lost" else last.to_stage,
		sf_stage_entered_at=last.transitioned_at,
		creation=rows[0].transitioned_at,
		base_opportunity_amount=amount,
		opportunity_owner=deal_snapshot.owner,
		owner=deal_snapshot.owner,
		**(opportunity or {}),
	)
	return rows
