# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Sites that had the app before the credit ledger existed: write the ledger of their submitted invoices and
payments once (inline when small, else a background job). A new install marks this patch as done and builds the
ledger in `install.after_sync` instead.

The ledger reads `Sales Invoice.sf_opportunity` (the invoice's deal), a custom field of the same release: `bench
migrate` runs this patch before it syncs the fixtures, so they are synced here first when it is missing."""

from sales_funnel.patches.fixtures import ensure_custom_fields
from sales_funnel.services.credits import start_rebuild


def execute() -> None:
	ensure_custom_fields(("Sales Invoice", "sf_opportunity"), ("Sales Invoice", "sf_deal_ambiguous"))
	start_rebuild()
