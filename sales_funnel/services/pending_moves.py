# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Document-driven stage moves never fail the document and are never lost silently.

`move_safely` makes one deal's move (`services.stage_moves`) in a savepoint: a failed move is rolled back and tried
once more after a fresh read (a stale document, a lock wait); failing again, it is written to the Error Log and
left as a `Pending Stage Move` (deal, action, document, triggers). `apply_pending_moves` (the hourly job
`tasks.apply_pending_stage_moves`; the history backfill may call it too) makes them later, recorded at the time
and by the user of the first failure.
"""

from __future__ import annotations

from collections.abc import Sequence

import frappe
from frappe import _
from frappe.utils import now_datetime

from sales_funnel.services.stage_moves import STEP_BACK, Move, Repair, make_move

SAVEPOINT = "sales_funnel_move"
ATTEMPTS = 2  # a failed move is tried once more before it is left pending
PENDING_DOCTYPE = "Pending Stage Move"
PENDING_BATCH = 500  # pending moves applied in one run


def move_safely(move: Move) -> None:
	"""Make one deal's move so that it cannot fail the document: on an error, undo it (savepoint), drop the
	messages it queued and try once more after a fresh read (a stale document, a lock wait); if that fails
	too, write the traceback to the Error Log and leave a Pending Stage Move that the hourly job applies."""
	for attempt in range(1, ATTEMPTS + 1):
		messages = len(getattr(frappe.local, "message_log", None) or [])
		frappe.db.savepoint(SAVEPOINT)
		try:
			make_move(move)
		except Exception as error:
			frappe.db.rollback(save_point=SAVEPOINT)
			if getattr(frappe.local, "message_log", None):
				frappe.local.message_log = frappe.local.message_log[:messages]
			if attempt == ATTEMPTS:
				frappe.log_error(
					title=_("Sales Funnel: could not update the stage of Opportunity {0}").format(
						move.opportunity
					),
					reference_doctype=move.reference[0],
					reference_name=move.reference[1],
				)
				_leave_pending(move, attempt, error)
		else:
			frappe.db.release_savepoint(SAVEPOINT)
			return


def _leave_pending(move: Move, attempts: int, error: Exception) -> None:
	"""Record the move for a later run (one row per deal, action and document)."""
	values = {
		"deal": move.opportunity,
		"action": move.action,
		"reference_doctype": move.reference[0],
		"reference_name": move.reference[1],
	}
	try:
		name = frappe.db.get_value(PENDING_DOCTYPE, values, "name")
		if name:
			frappe.db.set_value(
				PENDING_DOCTYPE,
				name,
				{"attempts": attempts, "error": _error_text(error)},
				update_modified=False,
			)
			return
		frappe.get_doc(
			{
				"doctype": PENDING_DOCTYPE,
				**values,
				"triggers": "\n".join(move.triggers),
				"won_if_converted": int(move.won_if_converted),
				"failed_at": now_datetime(),
				"attempts": attempts,
				"error": _error_text(error),
			}
		).insert(ignore_permissions=True, ignore_links=True)
	except Exception:
		frappe.log_error(title=_("Sales Funnel: could not keep the failed stage move for a later run"))


def _error_text(error: Exception) -> str:
	return f"{type(error).__name__}: {error}"[:1000]


def apply_pending_moves(deals: Sequence[str] | None = None, limit: int = PENDING_BATCH) -> dict[str, int]:
	"""Apply the moves left pending (oldest first; all, or those of `deals`), each recorded at the time it first
	failed (never before the deal's last recorded move), by the user whose document made it. A move whose
	document has since been cancelled (or, for a step back, submitted again) is dropped; one that fails again
	stays pending with one more attempt. The hourly job runs this; the history backfill may call it too (after
	its own run, with the deals it touched or none). Nothing is committed here."""
	filters = {"deal": ("in", list(deals))} if deals is not None else {}
	counts = {"applied": 0, "dropped": 0, "failed": 0}
	for row in frappe.get_all(
		PENDING_DOCTYPE, filters=filters, fields=["*"], order_by="failed_at asc, name asc", limit=limit
	):
		counts[_apply_pending(row)] += 1
	return counts


def _apply_pending(row: frappe._dict) -> str:
	"""Make one pending move again, or drop it; returns "applied", "dropped" or "failed"."""
	move = Move(
		row.action,
		row.deal,
		(row.reference_doctype, row.reference_name),
		tuple(t for t in (row.triggers or "").splitlines() if t),
		bool(row.won_if_converted),
	)
	status = _docstatus(move.reference)
	if status != (2 if move.action == STEP_BACK else 1) or not frappe.db.exists(
		"Opportunity", move.opportunity
	):
		frappe.delete_doc(PENDING_DOCTYPE, row.name, ignore_permissions=True, force=True)
		return "dropped"
	frappe.db.savepoint(SAVEPOINT)
	try:
		make_move(move, Repair(row.failed_at, row.owner))
	except Exception as error:
		frappe.db.rollback(save_point=SAVEPOINT)
		frappe.db.set_value(
			PENDING_DOCTYPE,
			row.name,
			{"attempts": (row.attempts or 0) + 1, "error": _error_text(error)},
			update_modified=False,
		)
		return "failed"
	frappe.db.release_savepoint(SAVEPOINT)
	frappe.delete_doc(PENDING_DOCTYPE, row.name, ignore_permissions=True, force=True)
	return "applied"


def _docstatus(reference: tuple[str, str]) -> int | None:
	doctype, name = reference
	if not doctype or not name or not frappe.db.exists("DocType", doctype):
		return None
	status = frappe.db.get_value(doctype, name, "docstatus")
	return None if status is None else int(status)
