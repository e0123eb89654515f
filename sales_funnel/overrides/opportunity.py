# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Opportunity doc_events: put a new deal into a funnel and record every change of its stage.

Frappe runs these after the Opportunity controller's own method of the same name. During `insert`,
`after_insert` runs first and then `on_update` (with `flags.in_insert` set): the entry is recorded once, in
`after_insert`. A document trigger (`sales_funnel.services.stage_moves`) saves the Opportunity with
`flags.sf_move = {"to_stage", "recorded_via", "reference", "at", "by_user"}`, so its move is recorded here,
once, with its source (`at` and `by_user`: when and by whom a repaired move is recorded; None for now and the
session user). `validate` gives the deal the probability of the stage the save moves it to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import frappe
from frappe import _

from sales_funnel.engine.funnels.call_funnel import calls_linking
from sales_funnel.engine.funnels.choice import DealAttributes, choose_funnel
from sales_funnel.engine.funnels.deal_rules import entry_stage, stage_probability
from sales_funnel.engine.funnels.history import target_stage
from sales_funnel.engine.funnels.stages import Funnel
from sales_funnel.sales_funnel.doctype.reassignment_log.reassignment_log import delete_logs_of_deal
from sales_funnel.services.call_links import keep_call_funnels
from sales_funnel.services.funnels import get_company_funnels, get_funnel
from sales_funnel.services.history import TRANSITION_DOCTYPE, channel, customer_kind, record_move

if TYPE_CHECKING:
	from frappe.model.document import Document


def before_insert(doc: Document, method: str | None = None) -> None:
	"""Choose the new deal's funnel (unless one is set) and start it at a stage of that funnel."""
	if doc.get("sf_sales_funnel"):
		funnel = get_funnel(doc.sf_sales_funnel)
	else:
		funnel = choose_funnel(get_company_funnels(doc.get("company")), deal_attributes(doc))
		if funnel is None:
			return  # no funnel configured for this deal: left alone
		doc.sf_sales_funnel = funnel.name
	doc.sales_stage = entry_stage(funnel, doc.get("sales_stage"))


def validate(doc: Document, method: str | None = None) -> None:
	"""The stage this save moves the deal to gives the deal that stage's probability. ERPNext's Opportunity never
	sets `probability` itself (its JSON defaults it to 100, and `update_prospect` copies it to the Prospect in
	on_update), so it is set here, before the write. Moves made behind the hooks get it from `record_move`."""
	if not doc.get("sf_sales_funnel"):
		return
	funnel = get_funnel(doc.sf_sales_funnel)
	probability = stage_probability(funnel, _target_of_save(doc, funnel))
	if probability is not None:
		doc.probability = probability


def _target_of_save(doc: Document, funnel: Funnel) -> str | None:
	"""The stage the save under way moves the deal to (what after_insert / on_update will record), or None."""
	move = doc.flags.get("sf_move")
	if move:
		return move["to_stage"]
	if doc.is_new():
		return target_stage(funnel, None, None, doc.get("sales_stage"), doc.get("status"), is_new=True)
	before = doc.get_doc_before_save()
	if before is None:
		return None
	if before.get("sf_sales_funnel") != doc.sf_sales_funnel:
		return target_stage(funnel, None, None, doc.get("sales_stage"), doc.get("status"), is_new=True)
	return target_stage(
		funnel, before.get("sales_stage"), before.get("status"), doc.get("sales_stage"), doc.get("status")
	)


def after_insert(doc: Document, method: str | None = None) -> None:
	"""Record the deal's entry into its funnel."""
	if not doc.get("sf_sales_funnel"):
		return
	funnel = get_funnel(doc.sf_sales_funnel)
	target = target_stage(funnel, None, None, doc.get("sales_stage"), doc.get("status"), is_new=True)
	if target:
		record_move(doc, target, funnel=funnel)


def on_update(doc: Document, method: str | None = None) -> None:
	"""Record the move a save makes: a trigger's move, a new funnel, a changed stage or status."""
	move: dict[str, Any] | None = doc.flags.pop("sf_move", None)
	if doc.flags.in_insert:
		return  # recorded by after_insert
	before = doc.get_doc_before_save()
	if before is not None and (before.get("sf_sales_funnel") or None) != (doc.get("sf_sales_funnel") or None):
		keep_call_funnels(calls_linking(frappe.db, [doc.name]))  # the calls' funnel follows their first deal
	if before is None or not doc.get("sf_sales_funnel"):
		return
	funnel = get_funnel(doc.sf_sales_funnel)
	if move:
		record_move(
			doc,
			move["to_stage"],
			at=move.get("at"),
			by_user=move.get("by_user"),
			recorded_via=move.get("recorded_via") or "Document Trigger",
			reference=move.get("reference"),
			funnel=funnel,
		)
		return
	if before.get("sf_sales_funnel") != doc.sf_sales_funnel:
		target = target_stage(funnel, None, None, doc.get("sales_stage"), doc.get("status"), is_new=True)
		if target and funnel.stage(doc.get("sales_stage")) is None and funnel.kind(target) == "Open":
			doc.db_set("sales_stage", target, update_modified=False)
	else:
		target = target_stage(
			funnel,
			before.get("sales_stage"),
			before.get("status"),
			doc.get("sales_stage"),
			doc.get("status"),
		)
	if target:
		record_move(doc, target, funnel=funnel)


def deal_attributes(doc: Document) -> DealAttributes:
	"""What the funnel rules look at. `before_insert` runs before Opportunity.validate copies the party's
	fields (`map_fields`) and sets the type, so missing values are read from the party the same way."""
	return DealAttributes(
		company=doc.get("company"),
		customer_kind=customer_kind(doc),
		source=channel(doc) or _party_value(doc, "source") or _party_value(doc, "utm_source"),
		opportunity_type=doc.get("opportunity_type") or _("Sales"),  # Opportunity.set_opportunity_type
		customer_group=doc.get("customer_group") or _party_value(doc, "customer_group"),
	)


def _party_value(doc: Document, fieldname: str) -> str | None:
	party_type, party = doc.get("opportunity_from"), doc.get("party_name")
	if not party_type or not party or not frappe.get_meta(party_type).has_field(fieldname):
		return None
	return frappe.db.get_value(party_type, party, fieldname) or None


def on_trash(doc: Document, method: str | None = None) -> None:
	"""A deleted deal takes its stage history with it, so reports never count a deal that no longer exists; calls
	kept in its funnel because of it move to the funnel of their next deal (or none); its Reassignment Log rows go
	too (`delete_logs_of_deal`: a new deal given its name would inherit them)."""
	frappe.db.delete(TRANSITION_DOCTYPE, {"deal_doctype": doc.doctype, "deal": doc.name})
	keep_call_funnels(calls_linking(frappe.db, [doc.name]), without_deal=doc.name)
	delete_logs_of_deal(doc)
