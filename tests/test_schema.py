"""The test schema follows Frappe's rules and the app's own JSON: checked against what MariaDB actually built."""

from __future__ import annotations

import json

import pytest

from devkit.schema import erpnext_v15
from devkit.schema.ddl import (
	APP_ROOT,
	app_doctypes,
	column_definition,
	column_type,
	create_table_sql,
	custom_fields,
	site_doctypes,
	table_name,
)

# Frappe's MariaDB type_map (frappe/database/mariadb/database.py) and get_definition (frappe/database/schema.py)
FRAPPE_COLUMN_TYPES = [
	({"fieldtype": "Currency"}, "decimal(21,9)"),
	({"fieldtype": "Float"}, "decimal(21,9)"),
	({"fieldtype": "Percent"}, "decimal(21,9)"),
	({"fieldtype": "Int"}, "int(11)"),
	({"fieldtype": "Int", "length": 20}, "bigint(20)"),
	({"fieldtype": "Check"}, "int(1)"),
	({"fieldtype": "Data"}, "varchar(140)"),
	({"fieldtype": "Data", "length": 30}, "varchar(64)"),
	({"fieldtype": "Data", "length": 255}, "varchar(255)"),
	({"fieldtype": "Link"}, "varchar(140)"),
	({"fieldtype": "Dynamic Link"}, "varchar(140)"),
	({"fieldtype": "Select"}, "varchar(140)"),
	({"fieldtype": "Date"}, "date"),
	({"fieldtype": "Datetime"}, "datetime(6)"),
	({"fieldtype": "Time"}, "time(6)"),
	({"fieldtype": "Text"}, "text"),
	({"fieldtype": "Small Text"}, "text"),
	({"fieldtype": "Long Text"}, "longtext"),
	({"fieldtype": "Code"}, "longtext"),
	({"fieldtype": "Text Editor"}, "longtext"),
	({"fieldtype": "Duration"}, "decimal(21,9)"),
	({"fieldtype": "Rating"}, "decimal(3,2)"),
	({"fieldtype": "Currency", "precision": "2"}, "decimal(21,2)"),
	({"fieldtype": "Section Break"}, None),
	({"fieldtype": "Table"}, None),
	({"fieldtype": "Table MultiSelect"}, None),
	({"fieldtype": "HTML"}, None),
]


@pytest.mark.parametrize(
	("field", "expected"), FRAPPE_COLUMN_TYPES, ids=[str(f) for f, _ in FRAPPE_COLUMN_TYPES]
)
def test_column_types_follow_frappe(field, expected):
	assert column_type(field) == expected


def test_numbers_are_not_null_with_a_default_and_text_defaults_are_quoted():
	assert column_definition({"fieldtype": "Check", "default": "1"}) == "int(1) NOT NULL DEFAULT 1"
	assert column_definition({"fieldtype": "Currency"}) == "decimal(21,9) NOT NULL DEFAULT 0.0"
	assert column_definition({"fieldtype": "Select", "default": "Open"}) == "varchar(140) DEFAULT 'Open'"
	assert column_definition({"fieldtype": "Date", "default": "Today"}) == "date"  # resolved per document
	assert column_definition({"fieldtype": "Data", "unique": 1}) == "varchar(140) UNIQUE"


def live_columns(db, doctype: str) -> dict[str, dict]:
	rows = db.sql(
		"""SELECT column_name AS name, column_type AS type, is_nullable AS nullable, column_default AS dflt
		FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = %s""",
		(table_name(doctype),),
		as_dict=True,
	)
	return {r["name"]: r for r in rows}


def test_every_site_doctype_has_its_table_with_frappes_columns(db):
	for doctype, meta in site_doctypes().items():
		columns = live_columns(db, doctype)
		assert columns, f"no table for {doctype}"
		for standard in ("name", "creation", "modified", "modified_by", "owner", "docstatus", "idx"):
			assert standard in columns, (doctype, standard)
		extra = ("parent", "parentfield", "parenttype") if meta.get("istable") else ("_assign", "_comments")
		for column in extra:
			assert column in columns, (doctype, column)
		for field in meta["fields"]:
			expected = column_type(field)
			if expected is None:
				assert field["fieldname"] not in columns, (doctype, field["fieldname"])
			else:
				assert columns[field["fieldname"]]["type"] == expected, (doctype, field["fieldname"])


def test_erpnext_tables_have_the_columns_the_app_reads(db):
	opportunity = live_columns(db, "Opportunity")
	assert opportunity["base_opportunity_amount"]["type"] == "decimal(21,9)"
	assert opportunity["base_opportunity_amount"]["nullable"] == "NO"
	assert opportunity["sales_stage"]["type"] == "varchar(140)"
	assert opportunity["transaction_date"]["type"] == "date"
	call_log = live_columns(db, "Call Log")
	assert {"from", "to", "employee_user_id", "start_time", "recording_url"} <= set(call_log)
	assert call_log["start_time"]["type"] == "datetime(6)"
	invoice_item = live_columns(db, "Sales Invoice Item")
	assert {"sales_order", "so_detail", "incoming_rate", "base_net_amount", "parent"} <= set(invoice_item)
	assert "_assign" not in invoice_item  # child tables have no optional columns


def test_custom_fields_from_the_fixtures_become_columns_and_layout_fields_do_not(db):
	fields = custom_fields()
	assert fields and all(f["fieldname"].startswith("sf_") for f in fields)
	opportunity = live_columns(db, "Opportunity")
	assert opportunity["sf_sales_funnel"]["type"] == "varchar(140)"
	assert opportunity["sf_stage_entered_at"]["type"] == "datetime(6)"
	call_log = live_columns(db, "Call Log")
	assert "sf_outcome" in call_log and "sf_section_outcome" not in call_log


def test_the_apps_doctype_json_drives_its_tables(db):
	metas = app_doctypes()
	assert {"Sales Funnel", "Sales Funnel Stage", "Funnel Stage Transition", "Call Outcome"} <= set(metas)
	transition = live_columns(db, "Funnel Stage Transition")
	assert transition["name"]["type"] == "bigint(20)"  # autoname: autoincrement
	assert transition["transitioned_at"]["type"] == "datetime(6)"
	indexes = {
		r[0]
		for r in db.sql(
			"""SELECT column_name FROM information_schema.statistics
			WHERE table_schema = DATABASE() AND table_name = 'tabFunnel Stage Transition'"""
		)
	}
	assert {"deal", "transitioned_at", "funnel"} <= indexes  # search_index in the JSON


def test_a_changed_doctype_json_changes_the_table_definition():
	path = APP_ROOT / "sales_funnel" / "doctype" / "sales_funnel_stage" / "sales_funnel_stage.json"
	meta = json.loads(path.read_text())
	before = create_table_sql("Sales Funnel Stage", meta)
	meta["fields"].append({"fieldname": "sf_probe", "fieldtype": "Currency"})
	after = create_table_sql("Sales Funnel Stage", meta)
	assert "`sf_probe` decimal(21,9) NOT NULL DEFAULT 0.0" in after and "sf_probe" not in before


def test_stubs_name_the_versions_they_mirror_and_use_only_known_fieldtypes():
	assert "version-15" in erpnext_v15.MIRRORS["erpnext"] and "version-15" in erpnext_v15.MIRRORS["frappe"]
	layout = {"Table", "Table MultiSelect", "Section Break", "Column Break", "Tab Break", "HTML", "Button"}
	for doctype, meta in erpnext_v15.DOCTYPES.items():
		for field in meta["fields"]:
			assert column_type(field) is not None or field["fieldtype"] in layout, (doctype, field)
			if (
				field["fieldtype"] in ("Table", "Table MultiSelect")
				and field["options"] in erpnext_v15.DOCTYPES
			):
				assert erpnext_v15.DOCTYPES[field["options"]]["istable"], (doctype, field["fieldname"])


def _indexes(db) -> set[tuple]:
	return set(
		db.sql(
			"""SELECT table_name, index_name, seq_in_index, column_name, non_unique FROM information_schema.statistics
			WHERE table_schema = DATABASE()"""
		)
	)


def test_a_bulk_loaded_database_ends_with_the_same_indexes_as_a_created_one(db, demo_db):
	# the loader creates tables without secondary indexes and builds them after the load
	created, loaded = _indexes(db), _indexes(demo_db)
	assert loaded == created
	assert ("tabFunnel Stage Transition", "sf_cohort", 1, "funnel", 1) in loaded
