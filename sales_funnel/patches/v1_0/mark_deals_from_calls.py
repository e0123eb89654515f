# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Sites that installed the app before `Opportunity.sf_from_call` existed: flag the deals their Call Logs link
to (a new installation does it in `install.after_sync`; Frappe marks patches done on install)."""

from sales_funnel.install import mark_deals_from_calls


def execute() -> None:
	mark_deals_from_calls()
