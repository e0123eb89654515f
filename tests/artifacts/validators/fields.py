"""Rules of one field that need no other document: its fieldname and its properties (frappe/core/doctype/doctype/
doctype.py validate_fields, database/schema.py). Used for DocType fields and for Custom Fields."""

from __future__ import annotations

from typing import Any

from .. import frappe_rules as R
from .common import FIELDNAME_PATTERN, FORBIDDEN_FIELDNAMES, cint, truthy


def fields_by_name(fields: list[Any]) -> dict[str, dict]:
	return {f["fieldname"]: f for f in fields if isinstance(f, dict) and isinstance(f.get("fieldname"), str)}


def check_fieldname(fieldname: Any, where: str, fieldtype: str | None = None) -> list[str]:
	"""Frappe's fieldname rules (doctype.py validate_fields / scrub_field_names, database/schema.py)."""
	if not isinstance(fieldname, str) or not fieldname:
		return [f"{where}: field without a fieldname"]
	problems = []
	if R.SPECIAL_CHAR_PATTERN.search(fieldname) or R.ILLEGAL_FIELDNAME_PATTERN.search(fieldname):
		problems.append(f"{where}: fieldname {fieldname!r} has special characters")
	elif not FIELDNAME_PATTERN.match(fieldname):
		problems.append(f"{where}: fieldname {fieldname!r} must be a lowercase identifier")
	if len(fieldname) > R.MAX_COLUMN_LENGTH:
		problems.append(f"{where}: fieldname {fieldname!r} is longer than {R.MAX_COLUMN_LENGTH} characters")
	if fieldname in FORBIDDEN_FIELDNAMES:
		problems.append(f"{where}: fieldname {fieldname!r} is a reserved / standard column name")
	elif fieldtype not in R.NO_VALUE_FIELDS and fieldname in R.BASE_DOCUMENT_ATTRIBUTES:
		problems.append(f"{where}: fieldname {fieldname!r} conflicts with a Document method/property")
	return problems


def _mandatory_and_options(field: dict, label: str) -> list[str]:
	"""check_illegal_mandatory, check_link_table_options (presence), check_hidden_and_mandatory,
	check_in_global_search."""
	fieldtype, options = field.get("fieldtype"), field.get("options")
	problems = []
	if fieldtype in R.NO_VALUE_FIELDS and fieldtype not in R.TABLE_FIELDS and truthy(field.get("reqd")):
		problems.append(f"{label}: fieldtype {fieldtype} cannot be mandatory (reqd)")
	if fieldtype in ("Link", "Dynamic Link", *R.TABLE_FIELDS) and not (
		isinstance(options, str) and options.strip()
	):
		problems.append(f"{label}: {fieldtype} field needs options")
	if truthy(field.get("hidden")) and truthy(field.get("reqd")) and not field.get("default"):
		problems.append(f"{label}: cannot be hidden and mandatory without a default")
	if truthy(field.get("in_global_search")) and fieldtype in R.NO_VALUE_FIELDS:
		problems.append(f"{label}: 'In Global Search' is not allowed for fieldtype {fieldtype}")
	return problems


def _defaults(field: dict, label: str) -> list[str]:
	"""check_illegal_default, and Select options as a newline separated string."""
	fieldtype, options, default = field.get("fieldtype"), field.get("options"), field.get("default")
	problems = []
	if fieldtype == "Check" and default not in (None, "") and cint(default) not in (0, 1):
		problems.append(f"{label}: default of a Check field must be 0 or 1")
	if fieldtype != "Select":
		return problems
	if default not in (None, ""):
		if not isinstance(options, str) or not options:
			problems.append(f"{label}: Select default {default!r} set but the field has no options")
		elif str(default) not in [o.strip() for o in options.split("\n")]:
			problems.append(f"{label}: Select default {default!r} is not one of its options")
	if options is not None and not isinstance(options, str):
		problems.append(f"{label}: Select options must be a newline separated string")
	return problems


def _precision_and_indexes(field: dict, label: str) -> list[str]:
	"""check_precision, check_unique_and_text."""
	fieldtype, precision = field.get("fieldtype"), field.get("precision")
	problems = []
	if fieldtype in R.PRECISION_FIELDTYPES and precision not in (None, ""):
		value = cint(precision)
		if value is None or not R.PRECISION_MIN <= value <= R.PRECISION_MAX:
			problems.append(f"{label}: precision should be between {R.PRECISION_MIN} and {R.PRECISION_MAX}")
	if truthy(field.get("unique")) and fieldtype not in R.UNIQUE_ALLOWED_FIELDTYPES:
		problems.append(f"{label}: fieldtype {fieldtype} cannot be unique")
	if truthy(field.get("search_index")) and fieldtype in R.NON_INDEXABLE_FIELDTYPES:
		problems.append(f"{label}: fieldtype {fieldtype} cannot be indexed (search_index)")
	return problems


def _conditions(field: dict, label: str) -> list[str]:
	"""check_illegal_depends_on_conditions: `a = b` is an assignment, not a condition."""
	problems = []
	for prop in R.DEPENDS_ON_PROPERTIES:
		condition = field.get(prop)
		if isinstance(condition, str) and "=" in condition and R.DEPENDS_ON_PATTERN.match(condition):
			problems.append(f"{label}: {prop} {condition!r} is an assignment, not a condition")
	return problems


def _display(field: dict, label: str) -> list[str]:
	"""validate_data_field_type, check_max_height, check_no_of_ratings."""
	fieldtype, options = field.get("fieldtype"), field.get("options")
	problems = []
	if fieldtype == "Data" and options and not field.get("is_virtual"):
		old = field.get("oldfieldtype")
		if not (old and old != "Data") and options not in R.DATA_FIELD_OPTIONS:
			problems.append(f"{label}: Data options must be one of {', '.join(R.DATA_FIELD_OPTIONS)}")
	max_height = field.get("max_height")
	if max_height and str(max_height)[-2:] not in R.MAX_HEIGHT_UNITS:
		problems.append(f"{label}: max_height must be in px or em")
	if fieldtype == "Rating" and options not in (None, ""):
		value = cint(options)
		if value is None or not R.RATING_MIN <= value <= R.RATING_MAX:
			problems.append(f"{label}: Rating options must be between {R.RATING_MIN} and {R.RATING_MAX}")
	return problems


def _fetch_from_format(field: dict, label: str) -> list[str]:
	fetch_from = field.get("fetch_from")
	if not fetch_from:
		return []
	parts = str(fetch_from).strip().split(".", 1)
	if len(parts) != 2 or not all(FIELDNAME_PATTERN.match(p) for p in parts):
		return [f"{label}: fetch_from {fetch_from!r} must look like 'link_field.fieldname'"]
	return []


FIELD_RULES = (
	_mandatory_and_options,
	_defaults,
	_precision_and_indexes,
	_conditions,
	_display,
	_fetch_from_format,
)


def check_field_properties(field: dict, where: str) -> list[str]:
	"""Per-field rules of doctype.py validate_fields that need no other document (also used for Custom Fields)."""
	fieldtype = field.get("fieldtype")
	label = f"{where} field {field.get('fieldname')!r}"
	if fieldtype not in R.VALID_FIELDTYPES:
		return [f"{label}: invalid fieldtype {fieldtype!r}"]
	return [problem for rule in FIELD_RULES for problem in rule(field, label)]
