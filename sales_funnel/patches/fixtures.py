# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""What the app's patches share: the custom fields they fill must exist first.

`bench migrate` runs the post-model-sync patches before it syncs the app's fixtures (frappe/migrate.py: `run`
patches, then `sync_fixtures`), so on an upgrade a custom field added in the same release as its patch has no
column yet when the patch runs. A patch names the columns it reads or writes; when any is missing, the app's
fixtures are synced first (which alters the tables: MariaDB commits there)."""

from __future__ import annotations

import frappe
from frappe.utils.fixtures import sync_fixtures

APP = "sales_funnel"


def has_column(doctype: str, column: str) -> bool:
	"""Whether the table has the column now (read from the database, not Frappe's cache of table columns)."""
	return bool(
		frappe.db.sql(
			"""SELECT 1 FROM information_schema.columns
			WHERE table_schema = DATABASE() AND table_name = %(table)s AND column_name = %(column)s""",
			{"table": f"tab{doctype}", "column": column},
		)
	)


def ensure_custom_fields(*columns: tuple[str, str]) -> bool:
	"""Sync the app's fixtures when any of these (doctype, column) is missing; return whether it synced."""
	if all(has_column(doctype, column) for doctype, column in columns):
		return False
	sync_fixtures(APP)
	frappe.clear_cache()
	return True
