# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Manager Ranking: a Reassignment Rule's pool ranked by conversion over its funnel (entered → won in the rule's
window), with the tier each manager is in (Hot leads → top, Warm → middle, Cold → rest) and their open deals.
Sales Managers see the whole pool; anyone else their own row (their rank and tier among the pool). Thin over
`sales_funnel.engine.reassignment.report.ranking_report`."""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import get_fullname, now_datetime

from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.reassignment.report import ranking_report
from sales_funnel.permissions import is_funnel_manager
from sales_funnel.utils import throw_invalid


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	user = frappe.session.user
	only_user = None if is_funnel_manager(user) else user
	try:
		return ranking_report(frappe.db, now_datetime(), filters or {}, _, get_fullname, only_user)
	except InvalidInput as error:
		throw_invalid(error, title=_("Manager Ranking"))
