# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Sales Funnel Settings (single): how call outcomes are enforced."""

from __future__ import annotations

from dataclasses import dataclass

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, flt

from sales_funnel.engine.calls.overdue import DEFAULT_GRACE_HOURS, DEFAULT_STATUSES

SETTINGS = "Sales Funnel Settings"


class SalesFunnelSettings(Document):
	def validate(self) -> None:
		if flt(self.grace_period_hours) < 0:
			frappe.throw(_("The grace period must be zero or more hours."))
		allowed = set((frappe.get_meta("Call Log").get_field("status").options or "").split("\n")) - {""}
		statuses = parse_statuses(self.statuses_needing_outcome)
		if not statuses:
			frappe.throw(_("Choose at least one call status that needs an outcome."))
		unknown = [s for s in statuses if allowed and s not in allowed]
		if unknown:
			frappe.throw(
				_("Unknown Call Log status {0}. Use one of: {1}.").format(
					", ".join(unknown), ", ".join(sorted(allowed))
				)
			)
		self.statuses_needing_outcome = "\n".join(statuses)


@dataclass(frozen=True)
class CallSettings:
	grace_period_hours: float
	statuses: tuple[str, ...]
	reminder_lookback_days: int
	send_daily_digest: bool


def parse_statuses(text: str | None) -> list[str]:
	seen: list[str] = []
	for part in (text or "").replace(",", "\n").split("\n"):
		status = part.strip()
		if status and status not in seen:
			seen.append(status)
	return seen


def call_settings() -> CallSettings:
	"""The settings, with the defaults when they were never saved."""
	doc = frappe.get_cached_doc(SETTINGS)
	grace = doc.get("grace_period_hours")
	return CallSettings(
		grace_period_hours=DEFAULT_GRACE_HOURS if grace in (None, "") else flt(grace),
		statuses=tuple(parse_statuses(doc.get("statuses_needing_outcome"))) or DEFAULT_STATUSES,
		reminder_lookback_days=cint(doc.get("reminder_lookback_days") or 7),
		send_daily_digest=bool(
			cint(doc.get("send_daily_digest") if doc.get("send_daily_digest") is not None else 1)
		),
	)
