"""Frappe's doctype → MariaDB table rules, applied to doctype metadata dicts.

Mirrors frappe/database/mariadb/database.py (`type_map`), frappe/database/mariadb/schema.py
(`MariaDBTable.create`) and frappe/database/schema.py (`DbColumn.get_definition`, `get_definition`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sales_funnel.engine.indexes import APP_INDEXES, named_index

VARCHAR_LEN = 140

# frappe.db.type_map for MariaDB: fieldtype -> (column type, size)
TYPE_MAP: dict[str, tuple[str, str]] = {
	"Currency": ("decimal", "21,9"),
	"Int": ("int", "11"),
	"Long Int": ("bigint", "20"),
	"Float": ("decimal", "21,9"),
	"Percent": ("decimal", "21,9"),
	"Check": ("int", "1"),
	"Small Text": ("text", ""),
	"Long Text": ("longtext", ""),
	"Code": ("longtext", ""),
	"Text Editor": ("longtext", ""),
	"Markdown Editor": ("longtext", ""),
	"HTML Editor": ("longtext", ""),
	"Date": ("date", ""),
	"Datetime": ("datetime", "6"),
	"Time": ("time", "6"),
	"Text": ("text", ""),
	"Data": ("varchar", str(VARCHAR_LEN)),
	"Link": ("varchar", str(VARCHAR_LEN)),
	"Dynamic Link": ("varchar", str(VARCHAR_LEN)),
	"Password": ("text", ""),
	"Select": ("varchar", str(VARCHAR_LEN)),
	"Rating": ("decimal", "3,2"),
	"Read Only": ("varchar", str(VARCHAR_LEN)),
	"Attach": ("text", ""),
	"Attach Image": ("text", ""),
	"Signature": ("longtext", ""),
	"Color": ("varchar", str(VARCHAR_LEN)),
	"Barcode": ("longtext", ""),
	"Geolocation": ("longtext", ""),
	"Duration": ("decimal", "21,9"),
	"Icon": ("varchar", str(VARCHAR_LEN)),
	"Phone": ("varchar", str(VARCHAR_LEN)),
	"Autocomplete": ("varchar", str(VARCHAR_LEN)),
	"JSON": ("json", ""),
}
NOT_NULL_TYPES = ("Check", "Int", "Currency", "Float", "Percent")
DECIMAL_TYPES = ("Currency", "Float", "Percent")
# frappe.db.OPTIONAL_COLUMNS: added as Text to every non-child table
OPTIONAL_COLUMNS = ("_user_tags", "_comments", "_assign", "_liked_by")
STANDARD_COLUMNS = ("name", "creation", "modified", "modified_by", "owner", "docstatus", "idx")
CHILD_TABLE_COLUMNS = ("parent", "parentfield", "parenttype")
# Defaults Frappe resolves per document, never written into the column
DYNAMIC_DEFAULTS = ("Today", "__user", "Now", "__today", "now", "today")


def table_name(doctype: str) -> str:
	return f"tab{doctype}"


def column_type(field: Mapping[str, Any]) -> str | None:
	"""The column type Frappe gives a docfield, or None when the fieldtype has no column."""
	fieldtype = field.get("fieldtype")
	mapped = TYPE_MAP.get(fieldtype)
	if not mapped:
		return None
	length = int(field.get("length") or 0)
	if fieldtype == "Int" and length > 11:
		mapped = TYPE_MAP["Long Int"]
	coltype, size = mapped
	if size and fieldtype in DECIMAL_TYPES:
		width = length or 21
		precision = field.get("precision")
		precision = 9 if precision in (None, "") else min(int(precision), width)
		size = f"{width},{precision}"
	elif size and length:
		if coltype == "varchar":
			size = str(max(length, 64))
		elif coltype == "int" and length < 11:
			size = str(length)
	return f"{coltype}({size})" if size else coltype


def _sql_literal(value: Any) -> str:
	text = str(value).replace("\\", "\\\\").replace("'", "\\'")
	return f"'{text}'"


def column_definition(field: Mapping[str, Any]) -> str | None:
	"""`DbColumn.get_definition`: type, NOT NULL and DEFAULT as Frappe writes them."""
	coltype = column_type(field)
	if coltype is None:
		return None
	fieldtype = field["fieldtype"]
	default = field.get("default")
	null = fieldtype not in NOT_NULL_TYPES
	if fieldtype in ("Check", "Int"):
		literal = str(int(float(default or 0)))
	elif fieldtype in DECIMAL_TYPES:
		literal = repr(float(default or 0))
	elif (
		default not in (None, "")
		and str(default) not in DYNAMIC_DEFAULTS
		and not str(default).startswith(":")
	):
		literal = _sql_literal(default)
	else:
		literal = None
	definition = coltype
	if not null:
		definition += " NOT NULL"
	if literal is not None:
		definition += f" DEFAULT {literal}"
	if field.get("unique") and coltype not in ("text", "longtext"):
		definition += " UNIQUE"
	return definition


def index_definitions(meta: Mapping[str, Any]) -> list[str]:
	"""The secondary indexes Frappe gives a doctype's table: `search_index` fields, `parent` on child tables,
	`creation` on the others, and the composite ones (`indexes`)."""
	definitions = []
	for field in meta.get("fields", []):
		coltype = column_type(field)
		if (
			field.get("search_index")
			and not field.get("unique")
			and coltype
			and coltype.split("(")[0]
			not in (
				"text",
				"longtext",
			)
		):
			definitions.append(f"index `{field['fieldname']}`(`{field['fieldname']}`)")
	definitions.append("index parent(parent)" if meta.get("istable") else "index creation(creation)")
	for index_name, columns in map(named_index, meta.get("indexes", [])):
		definitions.append(f"index `{index_name}`(" + ", ".join(f"`{c}`" for c in columns) + ")")
	return definitions


def create_table_sql(doctype: str, meta: Mapping[str, Any], *, with_indexes: bool = True) -> str:
	"""`MariaDBTable.create` for one doctype's metadata (fields, istable, autoname, indexes).

	`with_indexes=False` leaves out the secondary indexes, for bulk loading (`add_indexes_sql` adds them after)."""
	istable = bool(meta.get("istable"))
	name_column = (
		"name bigint primary key"
		if meta.get("autoname") == "autoincrement"
		else (f"name varchar({VARCHAR_LEN}) primary key")
	)
	definitions: list[str] = []
	seen = set(STANDARD_COLUMNS)
	fields = list(meta.get("fields", []))
	if not istable:
		fields += [{"fieldname": name, "fieldtype": "Text"} for name in OPTIONAL_COLUMNS]
	for field in fields:
		fieldname = field.get("fieldname")
		if not fieldname or fieldname in seen:
			continue
		definition = column_definition(field)
		if definition:
			definitions.append(f"`{fieldname}` {definition}")
			seen.add(fieldname)
	if istable:
		definitions += [
			f"parent varchar({VARCHAR_LEN})",
			f"parentfield varchar({VARCHAR_LEN})",
			f"parenttype varchar({VARCHAR_LEN})",
		]
	if with_indexes:
		definitions += index_definitions(meta)
	body = ",\n\t".join(
		[
			name_column,
			"creation datetime(6)",
			"modified datetime(6)",
			f"modified_by varchar({VARCHAR_LEN})",
			f"owner varchar({VARCHAR_LEN})",
			"docstatus int(1) not null default '0'",
			"idx int(8) not null default '0'",
			*definitions,
		]
	)
	return (
		f"create table `{table_name(doctype)}` (\n\t{body})\n"
		"ENGINE=InnoDB ROW_FORMAT=DYNAMIC CHARACTER SET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
	)


def add_indexes_sql(doctype: str, meta: Mapping[str, Any]) -> str:
	"""One ALTER TABLE that builds all of a table's secondary indexes (a sorted build, faster than keeping them
	up to date row by row during a bulk load)."""
	return f"ALTER TABLE `{table_name(doctype)}` " + ", ".join(f"ADD {d}" for d in index_definitions(meta))


APP_ROOT = Path(__file__).resolve().parents[2] / "sales_funnel"  # the `sales_funnel` package folder


def app_doctypes(app_root: Path = APP_ROOT) -> dict[str, dict[str, Any]]:
	"""The app's own doctype JSON, by doctype name."""
	found: dict[str, dict[str, Any]] = {}
	for path in sorted((app_root / "sales_funnel" / "doctype").glob("*/*.json")):
		doc = json.loads(path.read_text())
		if doc.get("doctype") == "DocType":
			found[doc["name"]] = doc
	return found


def custom_fields(app_root: Path = APP_ROOT) -> list[dict[str, Any]]:
	"""The app's Custom Field fixtures (fields it adds to ERPNext doctypes)."""
	path = app_root / "fixtures" / "custom_field.json"
	if not path.exists():
		return []
	return [record for record in json.loads(path.read_text()) if record.get("doctype") == "Custom Field"]


def site_doctypes(app_root: Path = APP_ROOT) -> dict[str, dict[str, Any]]:
	"""Every table a site with ERPNext and this app has, as far as the app reads them.

	ERPNext stubs, with the app's custom fields added to them, plus the app's own doctypes.
	"""
	from devkit.schema.erpnext_v15 import DOCTYPES

	metas = {name: {**meta, "fields": list(meta["fields"])} for name, meta in DOCTYPES.items()}
	for field in custom_fields(app_root):
		target = metas.get(field["dt"])
		if target is None:
			raise ValueError(
				f"Custom Field {field['name']} targets {field['dt']}, which the schema does not mirror"
			)
		target["fields"].append(field)
	for name in set(APP_INDEXES) & set(metas):
		metas[name]["indexes"] = list(metas[name].get("indexes", [])) + APP_INDEXES[name]
	for name, meta in app_doctypes(app_root).items():
		metas[name] = {**meta, "indexes": APP_INDEXES.get(name, [])}
	return metas


def create_schema(
	db: Any, metas: Mapping[str, Mapping[str, Any]] | None = None, *, with_indexes: bool = True
) -> list[str]:
	"""Create every table in `metas` (default: `site_doctypes()`) through `db.sql`; return the table names."""
	metas = site_doctypes() if metas is None else metas
	created = []
	for doctype, meta in metas.items():
		db.sql(create_table_sql(doctype, meta, with_indexes=with_indexes))
		created.append(table_name(doctype))
	return created


def columns_of(meta: Mapping[str, Any]) -> list[str]:
	"""Every column a doctype's table has, in table order."""
	names = list(STANDARD_COLUMNS)
	fields: Iterable[Mapping[str, Any]] = meta.get("fields", [])
	names += [f["fieldname"] for f in fields if column_type(f) and f["fieldname"] not in names]
	if meta.get("istable"):
		names += list(CHILD_TABLE_COLUMNS)
	else:
		names += [c for c in OPTIONAL_COLUMNS if c not in names]
	return names
