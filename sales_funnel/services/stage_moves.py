# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""One deal's stage move made for a document (`Move`): advance it by the document's triggers, step it back when the
document is cancelled, or reconcile its history with a status ERPNext set behind its hooks.

A move is made by saving the Opportunity with a new `sales_stage` and `flags.sf_move`, so the Opportunity's own
`on_update` (`sales_funnel.overrides.opportunity`) records it once, with the document as its source; a reconcile,
whose stage ERPNext already wrote, is recorded directly (`services.history.record_move`). A deal without a funnel
is left alone. Which documents move which deals: `services.document_moves`; a move that fails is kept by
`services.pending_moves`, which makes it later with a `Repair` (when it first failed and by whom).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import frappe

from sales_funnel.engine.funnels.deal_rules import furthest, move_time, won_by_conversion
from sales_funnel.engine.funnels.history import (
	Transition,
	latest_transition,
	reconcile_target,
	step_back_target,
	transition_moved_by,
	trigger_target,
)
from sales_funnel.services.funnels import get_funnel
from sales_funnel.services.history import record_move

ADVANCE, STEP_BACK, RECONCILE = "Advance", "Step Back", "Reconcile"


@dataclass(frozen=True)
class Move:
	"""One deal's bookkeeping for one document: what a Pending Stage Move stores when it fails."""

	action: str  # ADVANCE, STEP_BACK or RECONCILE
	opportunity: str
	reference: tuple[str, str]  # the document (doctype, name)
	triggers: tuple[str, ...] = ()  # ADVANCE: the document triggers it fires
	won_if_converted: bool = False  # ADVANCE of a Sales Order: a Converted deal is Won


@dataclass(frozen=True)
class Repair:
	"""A pending move applied later is recorded as made when it first failed, by the user whose document made it."""

	at: datetime
	by_user: str | None


def make_move(move: Move, repair: Repair | None = None) -> None:
	"""Make the move now, as it would have been made when the document was submitted or cancelled."""
	if move.action == ADVANCE:
		_advance(move, repair)
	elif move.action == STEP_BACK:
		_step_back(move, repair)
	elif move.action == RECONCILE:
		_reconcile(move, repair)


def _advance(move: Move, repair: Repair | None) -> None:
	deal = frappe.db.get_value("Opportunity", move.opportunity, ["sf_sales_funnel", "status"], as_dict=True)
	if not deal or not deal.sf_sales_funnel:
		return
	funnel = get_funnel(deal.sf_sales_funnel)
	latest = latest_transition(frappe.db, "Opportunity", move.opportunity)
	targets = [trigger_target(funnel, latest, trigger) for trigger in move.triggers]
	if move.won_if_converted and deal.status == "Converted":
		targets.append(won_by_conversion(funnel, latest))
	target = furthest(funnel, targets)
	if target:
		_save_at_stage(move, target, latest, repair)


def _reconcile(move: Move, repair: Repair | None) -> None:
	funnel_name = frappe.db.get_value("Opportunity", move.opportunity, "sf_sales_funnel")
	if not funnel_name:
		return
	deal = frappe.get_doc("Opportunity", move.opportunity)
	funnel = get_funnel(funnel_name)
	latest = latest_transition(frappe.db, "Opportunity", move.opportunity)
	target = reconcile_target(funnel, latest, deal.status)
	if target:
		record_move(
			deal,
			target,
			at=move_time(repair.at, latest) if repair else None,
			by_user=repair.by_user if repair else None,
			recorded_via="Document Trigger",
			reference=move.reference,
			funnel=funnel,
		)


def _step_back(move: Move, repair: Repair | None) -> None:
	if not frappe.db.get_value("Opportunity", move.opportunity, "sf_sales_funnel"):
		return
	latest = latest_transition(frappe.db, "Opportunity", move.opportunity)
	target = step_back_target(latest, transition_moved_by(frappe.db, *move.reference))
	if target:
		_save_at_stage(move, target, latest, repair)


def _save_at_stage(move: Move, to_stage: str, latest: Transition | None, repair: Repair | None) -> None:
	"""Save the Opportunity at `to_stage`; its on_update records the move with the document as the reference."""
	deal = frappe.get_doc("Opportunity", move.opportunity)
	deal.sales_stage = to_stage
	deal.flags.sf_move = {
		"to_stage": to_stage,
		"recorded_via": "Document Trigger",
		"reference": move.reference,
		"at": move_time(repair.at, latest) if repair else None,
		"by_user": repair.by_user if repair else None,
	}
	deal.flags.ignore_mandatory = True
	deal.save(ignore_permissions=True)
