# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Lead routing: a new Lead with a temperature goes to a manager of the matching tier of the first lead-routing
Reassignment Rule (Hot -> the best converters, Warm -> the middle, Cold -> the rest; `engine.reassignment`
ranks and chooses).

`refresh_manager_tiers` (the daily job `tasks.refresh_manager_tiers`, on the long queue): the managers' conversion
ranking per lead-routing rule, cached for `route_new_lead` (Lead after_insert); a rule missing from the cache (new,
or changed: saving a rule clears the cache) is ranked when its first Lead arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import frappe
from frappe.desk.form import assign_to
from frappe.utils import now_datetime

from sales_funnel.engine.reassignment.history import open_deal_load
from sales_funnel.engine.reassignment.ranking import manager_ranking, route_lead
from sales_funnel.engine.reassignment.rules import load_rules
from sales_funnel.utils import translate

if TYPE_CHECKING:
	from frappe.model.document import Document

TIERS_CACHE_KEY = "sales_funnel:manager_tiers"
TIERS_CACHE_SECONDS = 2 * 86_400


def refresh_manager_tiers() -> None:
	"""Daily: rank the pool of every enabled lead-routing rule and cache the tiers."""
	now = now_datetime()
	tiers: dict[str, dict[str, str]] = {}
	for rule in load_rules(frappe.db):
		if rule.route_new_leads:
			ranking = manager_ranking(frappe.db, rule, now)
			tiers[rule.name] = dict(zip(ranking["user"], ranking["tier"], strict=True))
	frappe.cache.set_value(TIERS_CACHE_KEY, tiers, expires_in_sec=TIERS_CACHE_SECONDS)


def cached_tiers(rule: str) -> dict[str, str]:
	"""The tiers of routing rule `rule` from the daily job's cache; ranked now when the cache lacks the rule (a
	new or changed rule, or an expired cache)."""
	tiers = frappe.cache.get_value(TIERS_CACHE_KEY, expires=True) or {}
	if rule not in tiers:
		refresh_manager_tiers()
		tiers = frappe.cache.get_value(TIERS_CACHE_KEY, expires=True) or {}
	return tiers.get(rule) or {}


def clear_cached_tiers() -> None:
	"""A rule was saved or deleted: its pool or ranking settings may have changed."""
	frappe.cache.delete_value(TIERS_CACHE_KEY)


def route_new_lead(doc: Document) -> None:
	"""Give a new Lead with a temperature to a manager of the matching tier of the first routing rule."""
	rules = [r for r in load_rules(frappe.db) if r.route_new_leads]
	if not rules:
		return
	rule = rules[0]
	tiers = cached_tiers(rule.name)
	user, why = route_lead(tiers, open_deal_load(frappe.db), doc.get("sf_temperature"))
	if not user:
		return
	doc.db_set("lead_owner", user)
	assign_to.add(
		{
			"assign_to": [user],
			"doctype": doc.doctype,
			"name": doc.name,
			"description": translate(why),
			"assigned_by": "Administrator",
		},
		ignore_permissions=True,
	)
