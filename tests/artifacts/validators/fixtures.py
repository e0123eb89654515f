"""Fixture files (`<app>/fixtures/*.json`): Custom Fields and Property Setters on other apps' doctypes
(frappe/custom/doctype/custom_field/custom_field.py, property_setter/property_setter.py)."""

from __future__ import annotations

from .. import frappe_rules as R
from .common import APP_MODULE, CUSTOM_FIELD_PREFIX, label
from .fields import check_field_properties, check_fieldname


def validate_fixture(
	records: list[dict],
	path: str,
	known_doctypes: set[str],
	app_doctype_fields: dict[str, set[str]] | None = None,
) -> list[str]:
	where = label(path, "fixture")
	if not isinstance(records, list):
		return [f"{where}: a fixture file must hold a JSON list of documents"]
	app_doctype_fields = app_doctype_fields or {}
	problems = []
	custom_fields: dict[str, dict[str, dict]] = {}
	for record in records:
		if isinstance(record, dict) and record.get("doctype") == "Custom Field":
			custom_fields.setdefault(record.get("dt"), {})[record.get("fieldname")] = record
	names: set[tuple[str, str]] = set()
	for index, record in enumerate(records, 1):
		row = f"{where} record {index}"
		if not isinstance(record, dict):
			problems.append(f"{row}: not an object")
			continue
		doctype = record.get("doctype")
		if not doctype:
			problems.append(f"{row}: missing doctype")
			continue
		key = (doctype, record.get("name"))
		if record.get("name") and key in names:
			problems.append(f"{row}: duplicate {doctype} {record.get('name')!r}")
		names.add(key)
		if doctype == "Custom Field":
			problems += _check_custom_field(record, row, known_doctypes, app_doctype_fields, custom_fields)
		elif doctype == "Property Setter":
			problems += _check_property_setter(record, row, known_doctypes)
		elif doctype not in known_doctypes:
			problems.append(f"{row}: doctype {doctype!r} is not a known DocType")
	return problems


def _check_custom_field_head(record: dict, label: str, known_doctypes: set[str]) -> list[str]:
	"""Where the field goes, its name (dt-fieldname, prefixed), and its Link target and module."""
	dt, fieldname, fieldtype = record.get("dt"), record.get("fieldname"), record.get("fieldtype")
	problems = []
	if dt not in known_doctypes:
		problems.append(f"{label}: dt {dt!r} is not a known DocType")
	if dt in R.CORE_DOCTYPES_LIST:
		problems.append(f"{label}: custom fields cannot be added to core DocType {dt!r}")
	problems += check_fieldname(fieldname, label, fieldtype)
	if isinstance(fieldname, str) and not fieldname.startswith(CUSTOM_FIELD_PREFIX):
		problems.append(f"{label}: fieldname {fieldname!r} must start with {CUSTOM_FIELD_PREFIX!r}")
	expected = f"{dt}-{fieldname}"
	if record.get("name") != expected:
		problems.append(f"{label}: name {record.get('name')!r} must be {expected!r} (dt-fieldname)")
	options = record.get("options")
	if fieldtype in ("Link", *R.TABLE_FIELDS) and isinstance(options, str) and options:
		if options not in known_doctypes:
			problems.append(f"{label}: {fieldtype} options {options!r} is not a known DocType")
	if "module" in record and record.get("module") != APP_MODULE:
		problems.append(f"{label}: module must be {APP_MODULE!r}, got {record.get('module')!r}")
	return problems


def _check_dynamic_link_pointer(
	record: dict, label: str, siblings: dict[str, dict], existing: set[str] | None
) -> list[str]:
	options = record.get("options")
	if record.get("fieldtype") != "Dynamic Link" or not isinstance(options, str):
		return []
	pointer = siblings.get(options)
	if options.startswith(CUSTOM_FIELD_PREFIX) and pointer is None:
		return [f"{label}: Dynamic Link options {options!r} is not a custom field of {record.get('dt')}"]
	if existing is not None and pointer is None and options not in existing:
		return [f"{label}: Dynamic Link options {options!r} is not a field of {record.get('dt')}"]
	return []


def _check_insert_after(
	record: dict, label: str, siblings: dict[str, dict], existing: set[str] | None
) -> list[str]:
	insert_after, dt = record.get("insert_after"), record.get("dt")
	if not insert_after:
		return [f"{label}: missing insert_after"]
	if insert_after == record.get("fieldname"):
		return [f"{label}: insert_after cannot be the field itself"]
	if str(insert_after).startswith(CUSTOM_FIELD_PREFIX) and insert_after not in siblings:
		return [f"{label}: insert_after {insert_after!r} is not a custom field of {dt}"]
	if existing is not None and insert_after not in existing and insert_after not in siblings:
		return [f"{label}: insert_after {insert_after!r} is not a field of {dt}"]
	return []


def _check_fetch_from_link(record: dict, label: str, siblings: dict[str, dict]) -> list[str]:
	fetch_from = record.get("fetch_from")
	if not isinstance(fetch_from, str) or "." not in fetch_from:
		return []
	link_field = fetch_from.split(".", 1)[0]
	if not link_field.startswith(CUSTOM_FIELD_PREFIX):
		return []
	link_df = siblings.get(link_field)
	if link_df is None or link_df.get("fieldtype") not in ("Link", "Dynamic Link"):
		return [
			f"{label}: fetch_from link field {link_field!r} is not a Link custom field of {record.get('dt')}"
		]
	return []


def _check_custom_field(
	record: dict,
	row: str,
	known_doctypes: set[str],
	app_doctype_fields: dict[str, set[str]],
	custom_fields: dict[str, dict[str, dict]],
) -> list[str]:
	label = f"{row} Custom Field {record.get('fieldname')!r}"
	siblings = custom_fields.get(record.get("dt"), {})
	existing = app_doctype_fields.get(record.get("dt"))
	return [
		*_check_custom_field_head(record, label, known_doctypes),
		*check_field_properties(record, label),
		*_check_dynamic_link_pointer(record, label, siblings, existing),
		*_check_insert_after(record, label, siblings, existing),
		*_check_fetch_from_link(record, label, siblings),
	]


def _check_property_setter(record: dict, row: str, known_doctypes: set[str]) -> list[str]:
	problems = []
	label = f"{row} Property Setter {record.get('name')!r}"
	for key in ("doc_type", "property", "value", "name"):
		if key not in record:
			problems.append(f"{label}: missing {key}")
	doc_type = record.get("doc_type")
	if "doc_type" in record and doc_type not in known_doctypes:
		problems.append(f"{label}: doc_type {doc_type!r} is not a known DocType")
	doctype_or_field = record.get("doctype_or_field", "")
	if doctype_or_field not in R.PROPERTY_SETTER_DOCTYPE_OR_FIELD:
		problems.append(f"{label}: doctype_or_field {doctype_or_field!r} is not valid")
	if doctype_or_field == "DocField" and not record.get("field_name"):
		problems.append(f"{label}: a DocField property setter needs field_name")
	if "name" in record and "doc_type" in record and "property" in record:
		field = record.get("field_name") or record.get("row_name") or "main"
		expected = f"{doc_type}-{field}-{record.get('property')}"
		if record.get("name") != expected:
			problems.append(f"{label}: name must be {expected!r}")
	if "module" in record and record.get("module") != APP_MODULE:
		problems.append(f"{label}: module must be {APP_MODULE!r}, got {record.get('module')!r}")
	return problems
