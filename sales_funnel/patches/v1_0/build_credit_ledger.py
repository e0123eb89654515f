# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Sites that had the app before the credit ledger existed: write the ledger of their submitted invoices and
payments once (inline when small, else a background job). A new install marks this patch as done and builds the
ledger in `install.after_sync` instead."""

from sales_funnel.credit_ledger import start_rebuild


def execute() -> None:
	start_rebuild()
