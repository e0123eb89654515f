# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The funnels (`Sales Funnel` and its stages, loaded by `sales_funnel.engine.funnels.stages`), read once per request: a
document event may need a deal's funnel several times (its own hooks, then a document trigger's move), and a save of
a Sales Funnel clears them (its controller's on_update / on_trash)."""

from __future__ import annotations

from typing import Any

import frappe

from sales_funnel.engine.funnels.stages import Funnel, load_funnel, load_funnels
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.utils import throw_invalid

_CACHE_KEY = "sales_funnel_cache"


def _cache() -> dict[str, Any]:
	cache = getattr(frappe.local, _CACHE_KEY, None)
	if cache is None:
		cache = {"funnel": {}, "company": {}}
		setattr(frappe.local, _CACHE_KEY, cache)
	return cache


def clear_funnel_cache() -> None:
	"""Forget the funnels read in this request (a Sales Funnel was saved or deleted)."""
	if getattr(frappe.local, _CACHE_KEY, None) is not None:
		setattr(frappe.local, _CACHE_KEY, None)


def get_funnel(name: str) -> Funnel:
	"""The Sales Funnel and its stages, read once per request."""
	funnels = _cache()["funnel"]
	if name not in funnels:
		try:
			funnels[name] = load_funnel(frappe.db, name)
		except InvalidInput as error:
			throw_invalid(error)
	return funnels[name]


def get_company_funnels(company: str | None) -> list[Funnel]:
	"""The enabled funnels of a company, highest priority first, read once per request."""
	by_company = _cache()["company"]
	if company not in by_company:
		funnels = load_funnels(frappe.db, company)
		_cache()["funnel"].update({funnel.name: funnel for funnel in funnels})
		by_company[company] = funnels
	return by_company[company]
