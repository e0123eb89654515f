"""Static validators for the declarative Frappe artifacts of the sales_funnel app.

Each public ``validate_*`` function returns a list of human-readable problems (empty when fine).
Nothing here imports frappe: the rules are the ones in ``frappe_rules.py``, read from Frappe's source.
Python files (controllers, hooks.py, patches) are parsed with ``ast``, never imported.
"""

from __future__ import annotations

import ast
import configparser
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import frappe_rules as R

APP_NAME = "sales_funnel"
APP_MODULE = "Sales Funnel"
CUSTOM_FIELD_PREFIX = "sf_"
ARTIFACT_KINDS = ("doctype", "report", "workspace", "number_card", "dashboard_chart")
FIELDNAME_PATTERN = re.compile(r"^[a-z_][a-z0-9_]*$")
# Words that may stay lowercase inside a Title Case name ("Opportunity Summary by Sales Stage").
TITLE_CASE_CONNECTORS = frozenset(
	("a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "per", "the", "to")
)
FORBIDDEN_FIELDNAMES = (
	frozenset(R.DEFAULT_FIELDS)
	| frozenset(R.CHILD_TABLE_FIELDS)
	| frozenset(R.OPTIONAL_FIELDS)
	| frozenset(R.RESTRICTED_FIELDNAMES)
	| R.RESERVED_KEYWORDS
)


# ---------------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------------


def _label(path: str, fallback: str) -> str:
	return path or fallback


def _truthy(value: Any) -> bool:
	if isinstance(value, str):
		return value.strip() not in ("", "0")
	return bool(value)


def _cint(value: Any) -> int | None:
	try:
		return int(str(value).strip())
	except (TypeError, ValueError):
		return None


def _is_title_case(name: str) -> bool:
	for index, word in enumerate(name.split(" ")):
		if not word:
			return False
		if word[0].islower() and not (index and word in TITLE_CASE_CONNECTORS):
			return False
	return True


def _check_name_matches_folder(name: str, path: str, what: str) -> list[str]:
	"""Standard documents live in <kind>/<scrub(name)>/<scrub(name)>.json (frappe.scrub)."""
	if not path or not isinstance(name, str):
		return []
	problems = []
	file = Path(path)
	folder = file.parent.name
	expected = R.scrub(name)
	if folder != expected:
		problems.append(f"{what} name {name!r} scrubs to {expected!r} but its folder is {folder!r}")
	if file.stem != folder:
		problems.append(f"{what} file {file.name!r} must be named {folder}.json")
	return problems


def _top_level_names(tree: ast.Module) -> set[str]:
	"""Names a module defines at top level (functions, classes, assignments, imports; also in if/try)."""
	names: set[str] = set()

	def visit(statements: list[ast.stmt]) -> None:
		for node in statements:
			if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
				names.add(node.name)
			elif isinstance(node, ast.Assign):
				for target in node.targets:
					for sub in ast.walk(target):
						if isinstance(sub, ast.Name):
							names.add(sub.id)
			elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
				names.add(node.target.id)
			elif isinstance(node, ast.Import):
				for alias in node.names:
					names.add(alias.asname or alias.name.split(".")[0])
			elif isinstance(node, ast.ImportFrom):
				for alias in node.names:
					names.add(alias.asname or alias.name)
			elif isinstance(node, ast.If):
				visit(node.body)
				visit(node.orelse)
			elif isinstance(node, ast.Try):
				visit(node.body)
				visit(node.orelse)
				visit(node.finalbody)
				for handler in node.handlers:
					visit(handler.body)

	visit(tree.body)
	return names


def _parse_python(path: Path) -> tuple[ast.Module | None, str | None]:
	try:
		return ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), None
	except SyntaxError as exc:
		return None, f"{path} does not parse: {exc.msg} (line {exc.lineno})"
	except OSError as exc:
		return None, f"{path} cannot be read: {exc}"


def _top_level_function(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
	for node in tree.body:
		if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
			return node
	return None


# ---------------------------------------------------------------------------------------------------------
# DocType
# ---------------------------------------------------------------------------------------------------------


def _fields_by_name(fields: list[Any]) -> dict[str, dict]:
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


def check_field_properties(field: dict, where: str) -> list[str]:
	"""Per-field rules of doctype.py validate_fields that need no other document (also used for Custom Fields)."""
	problems = []
	fieldname = field.get("fieldname")
	fieldtype = field.get("fieldtype")
	options = field.get("options")
	label = f"{where} field {fieldname!r}"

	if fieldtype not in R.VALID_FIELDTYPES:
		problems.append(f"{label}: invalid fieldtype {fieldtype!r}")
		return problems

	# check_illegal_mandatory
	if fieldtype in R.NO_VALUE_FIELDS and fieldtype not in R.TABLE_FIELDS and _truthy(field.get("reqd")):
		problems.append(f"{label}: fieldtype {fieldtype} cannot be mandatory (reqd)")
	# check_link_table_options (presence)
	if fieldtype in ("Link", "Dynamic Link", *R.TABLE_FIELDS) and not (
		isinstance(options, str) and options.strip()
	):
		problems.append(f"{label}: {fieldtype} field needs options")
	# check_hidden_and_mandatory
	if _truthy(field.get("hidden")) and _truthy(field.get("reqd")) and not field.get("default"):
		problems.append(f"{label}: cannot be hidden and mandatory without a default")
	# check_in_global_search
	if _truthy(field.get("in_global_search")) and fieldtype in R.NO_VALUE_FIELDS:
		problems.append(f"{label}: 'In Global Search' is not allowed for fieldtype {fieldtype}")
	# check_illegal_default
	default = field.get("default")
	if fieldtype == "Check" and default not in (None, "") and _cint(default) not in (0, 1):
		problems.append(f"{label}: default of a Check field must be 0 or 1")
	if fieldtype == "Select" and default not in (None, ""):
		if not isinstance(options, str) or not options:
			problems.append(f"{label}: Select default {default!r} set but the field has no options")
		elif str(default) not in [o.strip() for o in options.split("\n")]:
			problems.append(f"{label}: Select default {default!r} is not one of its options")
	if fieldtype == "Select" and options is not None and not isinstance(options, str):
		problems.append(f"{label}: Select options must be a newline separated string")
	# check_precision
	precision = field.get("precision")
	if fieldtype in R.PRECISION_FIELDTYPES and precision not in (None, ""):
		value = _cint(precision)
		if value is None or not R.PRECISION_MIN <= value <= R.PRECISION_MAX:
			problems.append(f"{label}: precision should be between {R.PRECISION_MIN} and {R.PRECISION_MAX}")
	# check_unique_and_text
	if _truthy(field.get("unique")) and fieldtype not in R.UNIQUE_ALLOWED_FIELDTYPES:
		problems.append(f"{label}: fieldtype {fieldtype} cannot be unique")
	if _truthy(field.get("search_index")) and fieldtype in R.NON_INDEXABLE_FIELDTYPES:
		problems.append(f"{label}: fieldtype {fieldtype} cannot be indexed (search_index)")
	# check_illegal_depends_on_conditions
	for prop in R.DEPENDS_ON_PROPERTIES:
		condition = field.get(prop)
		if isinstance(condition, str) and "=" in condition and R.DEPENDS_ON_PATTERN.match(condition):
			problems.append(f"{label}: {prop} {condition!r} is an assignment, not a condition")
	# validate_data_field_type
	if fieldtype == "Data" and options and not field.get("is_virtual"):
		old = field.get("oldfieldtype")
		if not (old and old != "Data") and options not in R.DATA_FIELD_OPTIONS:
			problems.append(f"{label}: Data options must be one of {', '.join(R.DATA_FIELD_OPTIONS)}")
	# check_max_height
	max_height = field.get("max_height")
	if max_height and str(max_height)[-2:] not in R.MAX_HEIGHT_UNITS:
		problems.append(f"{label}: max_height must be in px or em")
	# check_no_of_ratings
	if fieldtype == "Rating" and options not in (None, ""):
		value = _cint(options)
		if value is None or not R.RATING_MIN <= value <= R.RATING_MAX:
			problems.append(f"{label}: Rating options must be between {R.RATING_MIN} and {R.RATING_MAX}")
	# fetch_from format
	fetch_from = field.get("fetch_from")
	if fetch_from:
		parts = str(fetch_from).strip().split(".", 1)
		if len(parts) != 2 or not all(FIELDNAME_PATTERN.match(p) for p in parts):
			problems.append(f"{label}: fetch_from {fetch_from!r} must look like 'link_field.fieldname'")
	return problems


def _check_link_target(
	field: dict,
	label: str,
	doc_name: str,
	known_doctypes: set[str],
	app_doctypes: dict[str, dict],
) -> list[str]:
	fieldtype = field.get("fieldtype")
	options = field.get("options")
	if fieldtype not in ("Link", *R.TABLE_FIELDS) or not isinstance(options, str) or not options.strip():
		return []
	if options == "[Select]" or options == doc_name:
		return []
	if options not in known_doctypes:
		return [f"{label}: {fieldtype} options {options!r} is not a known DocType"]
	problems = []
	target = app_doctypes.get(options)
	if fieldtype in R.TABLE_FIELDS and target is not None:
		# check_child_table_option
		if not _truthy(target.get("istable")):
			problems.append(f"{label}: {fieldtype} options {options!r} is not a child table (istable)")
		# check_table_multiselect_option
		if fieldtype == "Table MultiSelect" and not any(
			isinstance(f, dict) and f.get("fieldtype") == "Link" for f in target.get("fields") or []
		):
			problems.append(
				f"{label}: Table MultiSelect options {options!r} must have at least one Link field"
			)
	return problems


def _check_permissions(doc: dict, name: str) -> list[str]:
	"""doctype.py validate_permissions (+ "at least one row with a role and read")."""
	permissions = doc.get("permissions")
	if not isinstance(permissions, list):
		return [f"DocType {name!r}: permissions must be a list"]
	problems = []
	if not any(isinstance(p, dict) and p.get("role") and _truthy(p.get("read")) for p in permissions):
		problems.append(f"DocType {name!r}: needs at least one permission row with a role and read")
	seen: set[tuple] = set()
	level_zero_roles = {
		p.get("role") for p in permissions if isinstance(p, dict) and not _cint(p.get("permlevel") or 0)
	}
	for index, perm in enumerate(permissions, 1):
		where = f"DocType {name!r} permission row {index}"
		if not isinstance(perm, dict):
			problems.append(f"{where}: not an object")
			continue
		role = perm.get("role")
		if not role:
			problems.append(f"{where}: missing role")
		if not any(_truthy(perm.get(p)) for p in R.BASIC_PERMISSIONS):
			problems.append(f"{where}: no basic permissions set ({role})")
		level = _cint(perm.get("permlevel") or 0) or 0
		key = (role, level, _truthy(perm.get("if_owner")))
		if key in seen:
			problems.append(f"{where}: only one rule allowed with the same role {role!r}, level and if_owner")
		seen.add(key)
		if level > 0 and role != "All" and role not in level_zero_roles:
			problems.append(f"{where}: role {role!r} needs a level 0 permission before level {level}")
		if _truthy(perm.get("cancel")) and not _truthy(perm.get("submit")):
			problems.append(f"{where}: cannot set cancel without submit ({role})")
		if any(_truthy(perm.get(p)) for p in ("submit", "cancel", "amend")) and not _truthy(
			perm.get("write")
		):
			problems.append(f"{where}: cannot set submit, cancel, amend without write ({role})")
		if _truthy(perm.get("import")) and not _truthy(perm.get("create")):
			problems.append(f"{where}: cannot set import without create ({role})")
		if (_truthy(perm.get("submit")) or _truthy(perm.get("amend"))) and not _truthy(
			doc.get("is_submittable")
		):
			problems.append(f"{where}: submit/amend set but the DocType is not submittable ({role})")
		if _truthy(perm.get("import")) and not _truthy(doc.get("allow_import")):
			problems.append(f"{where}: import set but the DocType does not allow import ({role})")
	return problems


def _check_autoname(doc: dict, name: str, fieldnames: set[str]) -> list[str]:
	"""doctype.py validate_series + naming_rule mapping of frappe/public/js/frappe/doctype/index.js."""
	problems = []
	autoname = doc.get("autoname") or ""
	naming_rule = doc.get("naming_rule") or ""
	if not isinstance(autoname, str):
		return [f"DocType {name!r}: autoname must be a string"]
	lowered = autoname.lower()
	if autoname:
		if lowered in R.AUTONAME_KEYWORDS or lowered in ("autoincrement", "uuid"):
			pass
		elif lowered.startswith("field:"):
			target = autoname.split(":", 1)[1].strip()
			if target not in fieldnames:
				problems.append(f"DocType {name!r}: invalid fieldname {target!r} in autoname {autoname!r}")
		elif lowered.startswith("naming_series:"):
			if R.NAMING_SERIES_FIELD not in fieldnames:
				problems.append(f"DocType {name!r}: autoname naming_series: needs a 'naming_series' field")
		elif lowered.startswith("format:"):
			pattern = autoname.split(":", 1)[1]
			if not pattern.strip():
				problems.append(f"DocType {name!r}: autoname {autoname!r} has an empty format")
			for word in R.FIELD_PATTERN.findall(pattern):
				if (
					FIELDNAME_PATTERN.match(word)
					and word not in fieldnames
					and word not in ("timestamp", "hash")
				):
					problems.append(f"DocType {name!r}: autoname {autoname!r} uses unknown field {{{word}}}")
		elif lowered.startswith("eval:"):
			pass
		elif not R.OLD_STYLE_SERIES_PATTERN.match(autoname):
			problems.append(f"DocType {name!r}: unsupported autoname {autoname!r}")
	if naming_rule:
		if naming_rule not in R.NAMING_RULES:
			problems.append(f"DocType {name!r}: unknown naming_rule {naming_rule!r}")
		elif naming_rule != "By script":
			expected = R.naming_rule_for_autoname(autoname) if autoname else None
			if expected != naming_rule:
				problems.append(
					f"DocType {name!r}: naming_rule {naming_rule!r} does not match autoname {autoname!r}"
					f" (expected {expected!r})"
				)
	return problems


def _check_meta_fields(doc: dict, name: str, fields_map: dict[str, dict], fieldnames: list[str]) -> list[str]:
	"""title_field, search_fields, sort_field, image_field, timeline_field, ... (doctype.py validate_fields)."""
	problems = []
	title_field = doc.get("title_field")
	if title_field:
		if title_field not in fields_map:
			problems.append(f"DocType {name!r}: title_field {title_field!r} is not a field")
		else:
			df = fields_map[title_field]
			for value in (df.get("options"), df.get("default")):
				if isinstance(value, str):
					for word in R.FIELD_PATTERN.findall(value):
						if not word.startswith("{") and word not in fields_map:
							problems.append(f"DocType {name!r}: title pattern {{{word}}} is not a field")
	search_fields = doc.get("search_fields")
	if search_fields:
		for word in (w.strip() for w in str(search_fields).split(",")):
			if word not in fields_map or fields_map[word].get("fieldtype") in R.NO_VALUE_FIELDS:
				problems.append(f"DocType {name!r}: search field {word!r} is not valid")
	sort_field = doc.get("sort_field")
	if sort_field:
		sort_fields = [sort_field] if "," not in sort_field else [d.split()[0] for d in sort_field.split(",")]
		allowed = set(fieldnames) | set(R.DEFAULT_FIELDS) | set(R.CHILD_TABLE_FIELDS)
		for word in sort_fields:
			if word not in allowed:
				problems.append(f"DocType {name!r}: sort_field {word!r} must be a valid fieldname")
	sort_order = doc.get("sort_order")
	if sort_order and sort_order not in ("ASC", "DESC"):
		problems.append(f"DocType {name!r}: sort_order must be ASC or DESC")
	image_field = doc.get("image_field")
	if image_field:
		if image_field not in fields_map:
			problems.append(f"DocType {name!r}: image_field {image_field!r} is not a field")
		elif fields_map[image_field].get("fieldtype") != "Attach Image":
			problems.append(f"DocType {name!r}: image_field {image_field!r} must be of type Attach Image")
	timeline_field = doc.get("timeline_field")
	if timeline_field:
		if timeline_field not in fields_map:
			problems.append(f"DocType {name!r}: timeline_field {timeline_field!r} is not a field")
		elif fields_map[timeline_field].get("fieldtype") not in R.TIMELINE_FIELDTYPES:
			problems.append(
				f"DocType {name!r}: timeline_field {timeline_field!r} must be a Link or Dynamic Link"
			)
	for prop in ("is_published_field", "website_search_field", "nsm_parent_field"):
		value = doc.get(prop)
		if value and value not in fields_map:
			problems.append(f"DocType {name!r}: {prop} {value!r} is not a field")
	if doc.get("website_search_field") and "title" not in fields_map:
		problems.append(f"DocType {name!r}: field 'title' is mandatory when website_search_field is set")
	if _truthy(doc.get("has_web_view")) and "route" not in fields_map:
		problems.append(f"DocType {name!r}: field 'route' is mandatory for web views")
	if _truthy(doc.get("email_append_to")):
		subject = doc.get("subject_field")
		if subject and (
			subject not in fields_map or fields_map[subject].get("fieldtype") not in R.SUBJECT_FIELDTYPES
		):
			problems.append(f"DocType {name!r}: subject_field {subject!r} is not a valid text field")
		sender = doc.get("sender_field")
		if not sender or sender not in fields_map or fields_map[sender].get("options") != "Email":
			problems.append(f"DocType {name!r}: sender_field {sender!r} must be a field with options Email")
	# check_fold
	fields = doc.get("fields") or []
	folds = [i for i, f in enumerate(fields) if isinstance(f, dict) and f.get("fieldtype") == "Fold"]
	if len(folds) > 1:
		problems.append(f"DocType {name!r}: there can be only one Fold in a form")
	for index in folds:
		if index == len(fields) - 1:
			problems.append(f"DocType {name!r}: Fold can not be at the end of the form")
		elif not isinstance(fields[index + 1], dict) or fields[index + 1].get("fieldtype") != "Section Break":
			problems.append(f"DocType {name!r}: Fold must come before a Section Break")
	return problems


def _check_controller(name: str, path: str) -> list[str]:
	"""base_document.py import_controller: <scrub>.py next to the JSON defines class <NameWithoutSpaces>."""
	if not path or not isinstance(name, str):
		return []
	json_path = Path(path)
	controller = json_path.with_suffix(".py")
	if not controller.exists():
		return [f"DocType {name!r}: controller {controller.name} is missing next to {json_path.name}"]
	tree, error = _parse_python(controller)
	if error:
		return [error]
	classname = R.controller_class_name(name)
	if not any(isinstance(n, ast.ClassDef) and n.name == classname for n in tree.body):
		return [f"DocType {name!r}: {controller.name} does not define class {classname}"]
	return []


def validate_doctype(
	doc: dict,
	known_doctypes: set[str],
	path: str = "",
	*,
	app_doctypes: dict[str, dict] | None = None,
	check_controller: bool = True,
) -> list[str]:
	"""Validate one DocType JSON.

	``app_doctypes`` maps the app's own DocType names to their JSON (to check Table targets are child
	tables, Table MultiSelect targets have a Link field and fetch_from sources exist).
	"""
	where = _label(path, "DocType")
	if not isinstance(doc, dict):
		return [f"{where}: not a JSON object"]
	app_doctypes = app_doctypes or {}
	problems: list[str] = []
	if doc.get("doctype") != "DocType":
		problems.append(f"{where}: doctype must be 'DocType', got {doc.get('doctype')!r}")
	name = doc.get("name")
	if not isinstance(name, str) or not name:
		problems.append(f"{where}: missing name")
		name = ""
	else:
		if len(name) > R.MAX_DOCTYPE_NAME_LENGTH:
			problems.append(f"DocType {name!r}: name is longer than {R.MAX_DOCTYPE_NAME_LENGTH} characters")
		if R.WHITESPACE_PADDING_PATTERN.search(name):
			problems.append(f"DocType {name!r}: name should not start or end with whitespace")
		if not R.START_WITH_LETTERS_PATTERN.match(name):
			problems.append(
				f"DocType {name!r}: name must start with a letter; letters, numbers, spaces, _ and -"
			)
		if not _is_title_case(name):
			problems.append(f"DocType {name!r}: name should be Title Case")
		problems += _check_name_matches_folder(name, path, "DocType")
		if check_controller:
			problems += _check_controller(name, path)
	if doc.get("module") != APP_MODULE:
		problems.append(f"DocType {name!r}: module must be {APP_MODULE!r}, got {doc.get('module')!r}")
	if "engine" in doc and doc.get("engine") != "InnoDB":
		problems.append(f"DocType {name!r}: engine must be InnoDB, got {doc.get('engine')!r}")
	istable = _truthy(doc.get("istable"))
	if istable and _truthy(doc.get("issingle")):
		problems.append(f"DocType {name!r}: cannot be both a child table (istable) and single (issingle)")

	fields = doc.get("fields")
	if not isinstance(fields, list) or not fields:
		problems.append(f"DocType {name!r}: fields must be a non-empty list")
		fields = []
	fields_map = _fields_by_name(fields)
	fieldnames: list[str] = []
	for index, field in enumerate(fields, 1):
		row = f"DocType {name!r} row {index}"
		if not isinstance(field, dict):
			problems.append(f"{row}: field is not an object")
			continue
		fieldname = field.get("fieldname")
		fieldtype = field.get("fieldtype")
		problems += check_fieldname(fieldname, row, fieldtype)
		if isinstance(fieldname, str):
			if fieldname in fieldnames:
				problems.append(f"DocType {name!r}: fieldname {fieldname!r} appears multiple times")
			fieldnames.append(fieldname)
		label = f"DocType {name!r} field {fieldname!r}"
		problems += check_field_properties(field, f"DocType {name!r}")
		problems += _check_link_target(field, label, name, known_doctypes, app_doctypes)
		# check_dynamic_link_options
		if fieldtype == "Dynamic Link":
			pointer = fields_map.get(field.get("options") or "")
			if (
				pointer is None
				or pointer.get("fieldtype") not in R.DYNAMIC_LINK_POINTER_FIELDTYPES
				or (pointer.get("fieldtype") == "Link" and pointer.get("options") != "DocType")
			):
				problems.append(
					f"{label}: Dynamic Link options {field.get('options')!r} must name a Link field"
					" with options 'DocType' (or a Select) in the same DocType"
				)
		# check_in_list_view (Button is allowed in grids of child tables)
		not_in_list = set(R.NO_VALUE_FIELDS) | {"Attach Image"}
		if istable:
			not_in_list.discard("Button")
		if _truthy(field.get("in_list_view")) and fieldtype in not_in_list:
			view = "In Grid View" if istable else "In List View"
			problems.append(f"{label}: '{view}' not allowed for fieldtype {fieldtype}")
		# fetch_from source: link field of this DocType, target field of app DocTypes
		fetch_from = field.get("fetch_from")
		if isinstance(fetch_from, str) and "." in fetch_from:
			link_fieldname, source = fetch_from.strip().split(".", 1)
			link_df = fields_map.get(link_fieldname)
			if link_df is None:
				problems.append(f"{label}: fetch_from link field {link_fieldname!r} does not exist")
			elif link_df.get("fieldtype") not in ("Link", "Dynamic Link"):
				problems.append(f"{label}: fetch_from field {link_fieldname!r} is not a Link field")
			elif link_df.get("options") in app_doctypes:
				target_fields = _fields_by_name(app_doctypes[link_df["options"]].get("fields") or [])
				if source not in target_fields and source not in R.DEFAULT_FIELDS:
					problems.append(
						f"{label}: fetch_from source {link_df['options']}.{source} does not exist"
					)
	# grid column budget (custom_field.json "columns": total columns should be less than 11)
	if istable:
		columns = sum(
			_cint(f.get("columns")) or 0
			for f in fields
			if isinstance(f, dict) and _truthy(f.get("in_list_view")) and f.get("columns")
		)
		if columns > 10:
			problems.append(f"DocType {name!r}: in_list_view columns add up to {columns}, more than 10")

	field_order = doc.get("field_order")
	if field_order is not None:
		if not isinstance(field_order, list):
			problems.append(f"DocType {name!r}: field_order must be a list")
		else:
			if len(set(field_order)) != len(field_order):
				problems.append(f"DocType {name!r}: field_order has duplicates")
			missing = [f for f in fieldnames if f not in field_order]
			extra = [f for f in field_order if f not in fieldnames]
			if missing:
				problems.append(f"DocType {name!r}: field_order is missing {', '.join(missing)}")
			if extra:
				problems.append(
					f"DocType {name!r}: field_order lists unknown fields {', '.join(map(str, extra))}"
				)

	if istable:
		if doc.get("permissions"):
			problems.append(f"DocType {name!r}: child table (istable) must not have permissions")
	elif "permissions" not in doc:
		problems.append(f"DocType {name!r}: missing permissions")
	else:
		problems += _check_permissions(doc, name)

	problems += _check_autoname(doc, name, set(fieldnames))
	problems += _check_meta_fields(doc, name, fields_map, fieldnames)

	# DocType Links (validate_links_table_fieldnames)
	for index, link in enumerate(doc.get("links") or [], 1):
		row = f"DocType {name!r} links row {index}"
		if not isinstance(link, dict):
			problems.append(f"{row}: not an object")
			continue
		link_doctype = link.get("link_doctype")
		if link_doctype not in known_doctypes:
			problems.append(f"{row}: link_doctype {link_doctype!r} is not a known DocType")
		link_fieldname = link.get("link_fieldname")
		if not link_fieldname:
			problems.append(f"{row}: missing link_fieldname")
		elif link_doctype in app_doctypes and not _truthy(link.get("is_child_table")):
			target_fields = _fields_by_name(app_doctypes[link_doctype].get("fields") or [])
			if link_fieldname not in target_fields:
				problems.append(f"{row}: {link_doctype} has no field {link_fieldname!r}")
		if _truthy(link.get("is_child_table")) and not link.get("parent_doctype"):
			problems.append(f"{row}: parent_doctype is mandatory for internal links")
	return problems


# ---------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------


def validate_report(doc: dict, known_doctypes: set[str], path: str = "") -> list[str]:
	where = _label(path, "Report")
	if not isinstance(doc, dict):
		return [f"{where}: not a JSON object"]
	problems = []
	for key in R.REPORT_REQUIRED_KEYS:
		if key not in doc:
			problems.append(f"{where}: missing key {key!r}")
	if doc.get("doctype") != "Report":
		problems.append(f"{where}: doctype must be 'Report', got {doc.get('doctype')!r}")
	name = doc.get("name")
	if not isinstance(name, str) or not name:
		problems.append(f"{where}: missing name")
		name = ""
	if doc.get("report_name") != name:
		problems.append(f"Report {name!r}: report_name {doc.get('report_name')!r} must equal name")
	if doc.get("report_type") != "Script Report":
		problems.append(
			f"Report {name!r}: report_type must be 'Script Report', got {doc.get('report_type')!r}"
		)
	if doc.get("ref_doctype") not in known_doctypes:
		problems.append(f"Report {name!r}: ref_doctype {doc.get('ref_doctype')!r} is not a known DocType")
	if doc.get("is_standard") != "Yes":
		problems.append(f"Report {name!r}: is_standard must be 'Yes'")
	if doc.get("module") != APP_MODULE:
		problems.append(f"Report {name!r}: module must be {APP_MODULE!r}, got {doc.get('module')!r}")
	roles = doc.get("roles")
	if not isinstance(roles, list) or not roles:
		problems.append(f"Report {name!r}: roles must be a non-empty list of {{'role': ...}}")
	else:
		for index, row in enumerate(roles, 1):
			if not isinstance(row, dict) or not isinstance(row.get("role"), str) or not row.get("role"):
				problems.append(f"Report {name!r}: roles row {index} has no role")
	if _truthy(doc.get("disabled")):
		problems.append(f"Report {name!r}: standard report is disabled")
	if path and name:
		problems += _check_name_matches_folder(name, path, "Report")
		json_path = Path(path)
		py = json_path.with_suffix(".py")
		js = json_path.with_suffix(".js")
		if not py.exists():
			problems.append(f"Report {name!r}: {py.name} (execute) is missing")
		else:
			tree, error = _parse_python(py)
			if error:
				problems.append(error)
			elif _top_level_function(tree, "execute") is None and "execute" not in _top_level_names(tree):
				problems.append(f"Report {name!r}: {py.name} does not define execute")
		if not js.exists():
			problems.append(f"Report {name!r}: {js.name} (filters) is missing")
	return problems


# ---------------------------------------------------------------------------------------------------------
# Workspace, Number Card, Dashboard Chart
# ---------------------------------------------------------------------------------------------------------


def validate_workspace(
	doc: dict,
	known_doctypes: set[str],
	known_reports: set[str],
	path: str = "",
	*,
	known_charts: set[str] | None = None,
	known_number_cards: set[str] | None = None,
) -> list[str]:
	where = _label(path, "Workspace")
	if not isinstance(doc, dict):
		return [f"{where}: not a JSON object"]
	problems = []
	if doc.get("doctype") != "Workspace":
		problems.append(f"{where}: doctype must be 'Workspace', got {doc.get('doctype')!r}")
	name = doc.get("name")
	if not isinstance(name, str) or not name:
		problems.append(f"{where}: missing name")
		name = ""
	if doc.get("label") != name:
		problems.append(
			f"Workspace {name!r}: label {doc.get('label')!r} must equal name (autoname field:label)"
		)
	if not doc.get("title"):
		problems.append(f"Workspace {name!r}: missing title (reqd)")
	if doc.get("module") != APP_MODULE:
		problems.append(f"Workspace {name!r}: module must be {APP_MODULE!r}, got {doc.get('module')!r}")
	problems += _check_name_matches_folder(name, path, "Workspace")

	def check_target(kind: str, target: Any, row: str) -> None:
		if kind == "DocType" and target not in known_doctypes:
			problems.append(f"{row}: link_to {target!r} is not a known DocType")
		elif kind == "Report" and target not in known_reports:
			problems.append(f"{row}: link_to {target!r} is not a known Report")
		elif kind in ("Page", "Dashboard") and not target:
			problems.append(f"{row}: link_to is empty")

	card_labels = set()
	for index, link in enumerate(doc.get("links") or [], 1):
		row = f"Workspace {name!r} links row {index}"
		if not isinstance(link, dict):
			problems.append(f"{row}: not an object")
			continue
		row_type = link.get("type") or "Link"
		if row_type not in R.WORKSPACE_LINK_ROW_TYPES:
			problems.append(f"{row}: type must be Link or Card Break, got {row_type!r}")
		elif row_type == "Card Break":
			card_labels.add(link.get("label"))
		else:
			link_type = link.get("link_type")
			if link_type not in R.WORKSPACE_LINK_TYPES:
				problems.append(f"{row}: link_type must be one of {', '.join(R.WORKSPACE_LINK_TYPES)}")
			check_target(link_type, link.get("link_to"), row)
	shortcut_labels = set()
	for index, shortcut in enumerate(doc.get("shortcuts") or [], 1):
		row = f"Workspace {name!r} shortcuts row {index}"
		if not isinstance(shortcut, dict):
			problems.append(f"{row}: not an object")
			continue
		shortcut_labels.add(shortcut.get("label"))
		kind = shortcut.get("type")
		if kind not in R.WORKSPACE_SHORTCUT_TYPES:
			problems.append(f"{row}: type {kind!r} is not a shortcut type")
		else:
			check_target(kind, shortcut.get("link_to"), row)
		if kind == "URL" and not shortcut.get("url"):
			problems.append(f"{row}: URL shortcut needs url")
	chart_names = {c.get("chart_name") for c in doc.get("charts") or [] if isinstance(c, dict)}
	card_names = {c.get("number_card_name") for c in doc.get("number_cards") or [] if isinstance(c, dict)}
	if known_charts is not None:
		for chart in sorted(n for n in chart_names if n not in known_charts):
			problems.append(f"Workspace {name!r}: chart {chart!r} is not a known Dashboard Chart")
	if known_number_cards is not None:
		for card in sorted(n for n in card_names if n not in known_number_cards):
			problems.append(f"Workspace {name!r}: number card {card!r} is not a known Number Card")

	content = doc.get("content")
	if not isinstance(content, str):
		problems.append(f"Workspace {name!r}: content must be a JSON string")
		return problems
	try:
		blocks = json.loads(content)
	except json.JSONDecodeError as exc:
		problems.append(f"Workspace {name!r}: content is not valid JSON ({exc.msg})")
		return problems
	if not isinstance(blocks, list):
		problems.append(f"Workspace {name!r}: content must be a JSON list of blocks")
		return problems
	references = {
		"shortcut": ("shortcut_name", shortcut_labels),
		"card": ("card_name", card_labels),
		"chart": ("chart_name", chart_names),
		"number_card": ("number_card_name", card_names),
	}
	for index, block in enumerate(blocks, 1):
		if not isinstance(block, dict) or "type" not in block or not isinstance(block.get("data"), dict):
			problems.append(f"Workspace {name!r}: content block {index} needs 'type' and 'data'")
			continue
		if block["type"] in references:
			key, available = references[block["type"]]
			value = block["data"].get(key)
			if value not in available:
				problems.append(f"Workspace {name!r}: content block {index} {key} {value!r} is not defined")
	return problems


def validate_number_card(
	doc: dict, known_doctypes: set[str], known_reports: set[str], path: str = ""
) -> list[str]:
	where = _label(path, "Number Card")
	if not isinstance(doc, dict):
		return [f"{where}: not a JSON object"]
	problems = []
	name = doc.get("name") or ""
	if doc.get("doctype") != "Number Card":
		problems.append(f"{where}: doctype must be 'Number Card', got {doc.get('doctype')!r}")
	if not name:
		problems.append(f"{where}: missing name")
	if not doc.get("label"):
		problems.append(f"Number Card {name!r}: missing label (reqd)")
	if not _truthy(doc.get("is_standard")) or doc.get("module") != APP_MODULE:
		problems.append(f"Number Card {name!r}: must be is_standard with module {APP_MODULE!r}")
	card_type = doc.get("type") or "Document Type"
	if card_type not in R.NUMBER_CARD_TYPES:
		problems.append(
			f"Number Card {name!r}: type {card_type!r} is not one of {', '.join(R.NUMBER_CARD_TYPES)}"
		)
	if card_type == "Document Type":
		if doc.get("document_type") not in known_doctypes:
			problems.append(f"Number Card {name!r}: document_type {doc.get('document_type')!r} is not known")
		if doc.get("function") not in R.NUMBER_CARD_FUNCTIONS:
			problems.append(f"Number Card {name!r}: function {doc.get('function')!r} is not valid")
		if doc.get("function") not in (None, "Count") and not doc.get("aggregate_function_based_on"):
			problems.append(f"Number Card {name!r}: aggregate_function_based_on is required")
	elif card_type == "Report" and doc.get("report_name") not in known_reports:
		problems.append(f"Number Card {name!r}: report_name {doc.get('report_name')!r} is not a known Report")
	elif card_type == "Custom" and not doc.get("method"):
		problems.append(f"Number Card {name!r}: Custom card needs method")
	for key in ("filters_json", "dynamic_filters_json"):
		if doc.get(key):
			try:
				json.loads(doc[key])
			except (TypeError, json.JSONDecodeError):
				problems.append(f"Number Card {name!r}: {key} is not valid JSON")
	problems += _check_name_matches_folder(name, path, "Number Card")
	return problems


def validate_dashboard_chart(
	doc: dict, known_doctypes: set[str], known_reports: set[str], path: str = ""
) -> list[str]:
	where = _label(path, "Dashboard Chart")
	if not isinstance(doc, dict):
		return [f"{where}: not a JSON object"]
	problems = []
	name = doc.get("name") or ""
	if doc.get("doctype") != "Dashboard Chart":
		problems.append(f"{where}: doctype must be 'Dashboard Chart', got {doc.get('doctype')!r}")
	if not name or doc.get("chart_name") != name:
		problems.append(f"Dashboard Chart {name!r}: chart_name must equal name (autoname field:chart_name)")
	if not _truthy(doc.get("is_standard")) or doc.get("module") != APP_MODULE:
		problems.append(f"Dashboard Chart {name!r}: must be is_standard with module {APP_MODULE!r}")
	chart_type = doc.get("chart_type")
	if chart_type not in R.DASHBOARD_CHART_TYPES:
		problems.append(f"Dashboard Chart {name!r}: chart_type {chart_type!r} is not valid")
	elif chart_type in R.DASHBOARD_CHART_DOCTYPE_TYPES and doc.get("document_type") not in known_doctypes:
		problems.append(f"Dashboard Chart {name!r}: document_type {doc.get('document_type')!r} is not known")
	elif chart_type == "Report" and doc.get("report_name") not in known_reports:
		problems.append(f"Dashboard Chart {name!r}: report_name {doc.get('report_name')!r} is not known")
	elif chart_type == "Custom" and not doc.get("source"):
		problems.append(f"Dashboard Chart {name!r}: Custom chart needs a source")
	if not doc.get("type"):
		problems.append(f"Dashboard Chart {name!r}: missing type (reqd)")
	try:
		json.loads(doc.get("filters_json") or "")
	except (TypeError, json.JSONDecodeError):
		problems.append(f"Dashboard Chart {name!r}: filters_json (reqd) is not valid JSON")
	problems += _check_name_matches_folder(name, path, "Dashboard Chart")
	return problems


# ---------------------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------------------


def validate_fixture(
	records: list[dict],
	path: str,
	known_doctypes: set[str],
	app_doctype_fields: dict[str, set[str]] | None = None,
) -> list[str]:
	where = _label(path, "fixture")
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


def _check_custom_field(
	record: dict,
	row: str,
	known_doctypes: set[str],
	app_doctype_fields: dict[str, set[str]],
	custom_fields: dict[str, dict[str, dict]],
) -> list[str]:
	problems = []
	dt = record.get("dt")
	fieldname = record.get("fieldname")
	fieldtype = record.get("fieldtype")
	label = f"{row} Custom Field {fieldname!r}"
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
	problems += check_field_properties(record, label)
	options = record.get("options")
	if fieldtype in ("Link", *R.TABLE_FIELDS) and isinstance(options, str) and options:
		if options not in known_doctypes:
			problems.append(f"{label}: {fieldtype} options {options!r} is not a known DocType")
	siblings = custom_fields.get(dt, {})
	existing = app_doctype_fields.get(dt)
	if fieldtype == "Dynamic Link" and isinstance(options, str):
		pointer = siblings.get(options)
		if options.startswith(CUSTOM_FIELD_PREFIX) and pointer is None:
			problems.append(f"{label}: Dynamic Link options {options!r} is not a custom field of {dt}")
		elif existing is not None and pointer is None and options not in existing:
			problems.append(f"{label}: Dynamic Link options {options!r} is not a field of {dt}")
	insert_after = record.get("insert_after")
	if not insert_after:
		problems.append(f"{label}: missing insert_after")
	elif insert_after == fieldname:
		problems.append(f"{label}: insert_after cannot be the field itself")
	elif str(insert_after).startswith(CUSTOM_FIELD_PREFIX) and insert_after not in siblings:
		problems.append(f"{label}: insert_after {insert_after!r} is not a custom field of {dt}")
	elif existing is not None and insert_after not in existing and insert_after not in siblings:
		problems.append(f"{label}: insert_after {insert_after!r} is not a field of {dt}")
	fetch_from = record.get("fetch_from")
	if isinstance(fetch_from, str) and "." in fetch_from:
		link_field = fetch_from.split(".", 1)[0]
		if link_field.startswith(CUSTOM_FIELD_PREFIX):
			link_df = siblings.get(link_field)
			if link_df is None or link_df.get("fieldtype") not in ("Link", "Dynamic Link"):
				problems.append(
					f"{label}: fetch_from link field {link_field!r} is not a Link custom field of {dt}"
				)
	if "module" in record and record.get("module") != APP_MODULE:
		problems.append(f"{label}: module must be {APP_MODULE!r}, got {record.get('module')!r}")
	return problems


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


# ---------------------------------------------------------------------------------------------------------
# hooks.py
# ---------------------------------------------------------------------------------------------------------

REQUIRED_HOOK_VARIABLES = ("app_name", "app_title", "app_publisher", "app_description", "app_license")
SINGLE_PATH_HOOKS = (
	"after_install",
	"before_install",
	"after_uninstall",
	"before_uninstall",
	"after_migrate",
	"before_migrate",
	"after_sync",
	"boot_session",
	"on_session_creation",
	"on_login",
	"on_logout",
	"before_tests",
	"notification_config",
)
DOCTYPE_MAP_HOOKS = (
	"permission_query_conditions",
	"has_permission",
	"has_website_permission",
	"override_doctype_class",
	"extend_doctype_class",
	"standard_queries",
	"override_doctype_dashboards",
)
ASSET_HOOKS = ("app_include_js", "app_include_css", "web_include_js", "web_include_css")


def _as_list(value: Any) -> list:
	if value is None:
		return []
	return list(value) if isinstance(value, list | tuple) else [value]


def read_hooks(hooks_path: str) -> tuple[dict[str, Any], list[str]]:
	"""Top-level literal assignments of hooks.py (parsed with ast, never imported)."""
	tree, error = _parse_python(Path(hooks_path))
	if error:
		return {}, [error]
	hooks: dict[str, Any] = {}
	for node in tree.body:
		targets: list[ast.expr] = []
		if isinstance(node, ast.Assign):
			targets = node.targets
		elif isinstance(node, ast.AnnAssign) and node.value is not None:
			targets = [node.target]
		for target in targets:
			if isinstance(target, ast.Name):
				try:
					hooks[target.id] = ast.literal_eval(node.value)
				except ValueError:
					hooks[target.id] = ast.unparse(node.value)  # non-literal (e.g. _("...")): kept as text
	return hooks, []


class _ModuleIndex:
	"""Resolves `app.module.attr` dotted paths against files under app_root (ast only)."""

	def __init__(self, app_root: Path) -> None:
		self.app_root = app_root
		self._cache: dict[Path, ast.Module | None] = {}

	def module_file(self, dotted_module: str) -> Path | None:
		base = self.app_root.joinpath(*dotted_module.split("."))
		for candidate in (base.with_suffix(".py"), base / "__init__.py"):
			if candidate.is_file():
				return candidate
		return None

	def tree(self, file: Path) -> ast.Module | None:
		if file not in self._cache:
			self._cache[file] = _parse_python(file)[0]
		return self._cache[file]

	def check(
		self, dotted: str, where: str, whitelisted: bool = False, allow_module: bool = False
	) -> list[str]:
		if not isinstance(dotted, str) or "." not in dotted:
			return [f"{where}: {dotted!r} is not a dotted path"]
		if allow_module and self.module_file(dotted) is not None:
			return []
		module, attr = dotted.rsplit(".", 1)
		file = self.module_file(module)
		if file is None:
			return [f"{where}: module {module!r} of {dotted!r} does not exist"]
		tree = self.tree(file)
		if tree is None:
			return [f"{where}: {file} does not parse"]
		if attr not in _top_level_names(tree):
			return [f"{where}: {module!r} does not define {attr!r} ({dotted})"]
		if whitelisted:
			function = _top_level_function(tree, attr)
			if function is not None and not any(
				"whitelist" in ast.unparse(d) for d in function.decorator_list
			):
				return [f"{where}: {dotted} must be decorated with @frappe.whitelist()"]
		return []


def _asset_exists(asset: str, package: Path, app_name: str) -> bool:
	if asset.startswith(("http://", "https://", "//")):
		return True
	prefix = f"/assets/{app_name}/"
	stripped = asset.lstrip("/")
	if ("/" + stripped).startswith(prefix):
		return (package / "public" / ("/" + stripped)[len(prefix) :]).is_file()
	# esbuild bundle names ("sales_funnel.bundle.js") live anywhere under public/
	public = package / "public"
	return public.is_dir() and any(p.is_file() for p in public.rglob(Path(stripped).name))


def validate_hooks(hooks_path: str, app_root: str, known_doctypes: set[str] | None = None) -> list[str]:
	hooks_file = Path(hooks_path)
	if not hooks_file.is_file():
		return [f"{hooks_path}: hooks.py does not exist"]
	hooks, problems = read_hooks(hooks_path)
	if problems:
		return problems
	where = hooks_file.name
	for key in REQUIRED_HOOK_VARIABLES:
		if not hooks.get(key):
			problems.append(f"{where}: required variable {key!r} is missing or empty")
	app_name = hooks.get("app_name")
	root = Path(app_root)
	if isinstance(app_name, str) and app_name:
		if not (root / app_name / "__init__.py").is_file():
			problems.append(f"{where}: app_name {app_name!r} is not a package under {app_root}")
	else:
		app_name = APP_NAME
	package = root / app_name
	required_apps = _as_list(hooks.get("required_apps"))
	if not any(isinstance(a, str) and a.rstrip("/").split("/")[-1] == "erpnext" for a in required_apps):
		problems.append(f"{where}: required_apps must contain 'erpnext'")

	paths: list[tuple[str, str, bool, bool]] = []  # (hook, dotted path, must be whitelisted, may be a module)

	def add(hook: str, value: Any, whitelisted: bool = False, allow_module: bool = False) -> None:
		for item in _as_list(value):
			paths.append((hook, item, whitelisted, allow_module))

	def check_doctype_key(hook: str, doctype: Any) -> None:
		if known_doctypes is None or doctype == "*":
			return
		for name in doctype if isinstance(doctype, tuple) else (doctype,):
			if name not in known_doctypes:
				problems.append(f"{where}: {hook} key {name!r} is not a known DocType")

	for hook in SINGLE_PATH_HOOKS:
		add(hook, hooks.get(hook))
	doc_events = hooks.get("doc_events") or {}
	if not isinstance(doc_events, dict):
		problems.append(f"{where}: doc_events must be a dict")
	else:
		for doctype, events in doc_events.items():
			check_doctype_key("doc_events", doctype)
			if not isinstance(events, dict):
				problems.append(f"{where}: doc_events[{doctype!r}] must be a dict of event -> path(s)")
				continue
			for event, value in events.items():
				add(f"doc_events[{doctype!r}][{event!r}]", value)
	scheduler = hooks.get("scheduler_events") or {}
	if not isinstance(scheduler, dict):
		problems.append(f"{where}: scheduler_events must be a dict")
	else:
		for frequency, value in scheduler.items():
			if isinstance(value, dict):
				for cron, jobs in value.items():
					add(f"scheduler_events[{frequency!r}][{cron!r}]", jobs)
			else:
				add(f"scheduler_events[{frequency!r}]", value)
	for hook in DOCTYPE_MAP_HOOKS:
		mapping = hooks.get(hook) or {}
		if not isinstance(mapping, dict):
			problems.append(f"{where}: {hook} must be a dict")
			continue
		for doctype, value in mapping.items():
			check_doctype_key(hook, doctype)
			add(f"{hook}[{doctype!r}]", value)
	overrides = hooks.get("override_whitelisted_methods") or {}
	if not isinstance(overrides, dict):
		problems.append(f"{where}: override_whitelisted_methods must be a dict")
	else:
		for original, value in overrides.items():
			add(f"override_whitelisted_methods[{original!r}]", value, whitelisted=True)
	jinja = hooks.get("jinja") or {}
	if isinstance(jinja, dict):
		for kind, value in jinja.items():
			add(f"jinja[{kind!r}]", value, allow_module=True)  # frappe/utils/jinja.py accepts whole modules

	index = _ModuleIndex(root)
	for hook, dotted, whitelisted, allow_module in paths:
		if not isinstance(dotted, str):
			problems.append(f"{where}: {hook} value {dotted!r} is not a string")
		elif dotted.split(".")[0] == app_name:
			problems += index.check(dotted, f"{where}: {hook}", whitelisted, allow_module)
		# paths into frappe./erpnext./other apps are accepted as-is

	for hook in R.DOCTYPE_JS_HOOKS:
		mapping = hooks.get(hook) or {}
		if not isinstance(mapping, dict):
			problems.append(f"{where}: {hook} must be a dict of doctype -> path")
			continue
		for doctype, value in mapping.items():
			check_doctype_key(hook, doctype)
			for file in _as_list(value):
				if not isinstance(file, str) or not package.joinpath(*file.strip("/").split("/")).is_file():
					problems.append(
						f"{where}: {hook}[{doctype!r}] file {file!r} does not exist in {app_name}/"
					)
	for hook in ASSET_HOOKS:
		for asset in _as_list(hooks.get(hook)):
			if not isinstance(asset, str) or not _asset_exists(asset, package, app_name):
				problems.append(f"{where}: {hook} asset {asset!r} does not exist")

	fixtures = hooks.get("fixtures")
	if fixtures is not None and not isinstance(fixtures, list):
		problems.append(f"{where}: fixtures must be a list")
		fixtures = []
	for entry in fixtures or []:
		if isinstance(entry, dict):
			doctype = entry.get("dt") or entry.get("doctype")
			if not doctype:
				problems.append(f"{where}: fixtures entry {entry!r} needs 'dt' or 'doctype'")
				continue
			filters = entry.get("filters")
			if filters is not None and not isinstance(filters, list | dict):
				problems.append(f"{where}: fixtures entry for {doctype!r} has invalid filters")
		elif isinstance(entry, str):
			doctype = entry
		else:
			problems.append(f"{where}: fixtures entry {entry!r} must be a doctype name or a dict")
			continue
		if known_doctypes is not None and doctype not in known_doctypes:
			problems.append(f"{where}: fixtures doctype {doctype!r} is not a known DocType")
		fixture_file = package / "fixtures" / f"{R.scrub(doctype)}.json"
		if not fixture_file.is_file():
			problems.append(f"{where}: fixtures entry {doctype!r} has no file fixtures/{fixture_file.name}")

	modules_txt = package / "modules.txt"
	if not modules_txt.is_file():
		problems.append(f"{where}: {app_name}/modules.txt is missing")
	else:
		modules = [m.strip() for m in modules_txt.read_text(encoding="utf-8").splitlines() if m.strip()]
		if APP_MODULE not in modules:
			problems.append(f"{where}: modules.txt must list {APP_MODULE!r}")
		for module in modules:
			if not (package / R.scrub(module) / "__init__.py").is_file():
				problems.append(f"{where}: module {module!r} has no package {app_name}/{R.scrub(module)}/")
	return problems


# ---------------------------------------------------------------------------------------------------------
# patches.txt
# ---------------------------------------------------------------------------------------------------------


def validate_patches(patches_path: str, app_root: str, app_name: str = APP_NAME) -> list[str]:
	file = Path(patches_path)
	where = file.name
	if not file.is_file():
		return [f"{patches_path}: patches.txt does not exist"]
	lines = file.read_text(encoding="utf-8").splitlines()
	problems = []
	meaningful = [
		(n, line)
		for n, line in enumerate(lines, 1)
		if line.strip() and not line.strip().startswith(("#", ";"))
	]
	headers = [(n, line.strip()) for n, line in meaningful if re.fullmatch(r"\[.*\]", line.strip())]
	entries: list[tuple[int, str]] = []
	if headers:
		# INI format (patch_handler.parse_as_configfile)
		if meaningful and meaningful[0][0] != headers[0][0]:
			problems.append(f"{where} line {meaningful[0][0]}: patch before the first [section] header")
		section_names = [h[1:-1] for _, h in headers]
		for n, header in headers:
			if header[1:-1] not in R.PATCH_SECTIONS:
				problems.append(
					f"{where} line {n}: unknown section {header} (use {', '.join(R.PATCH_SECTIONS)})"
				)
		for section in R.PATCH_SECTIONS:
			if section not in section_names:
				problems.append(f"{where}: section [{section}] is missing")
			elif section_names.count(section) > 1:
				problems.append(f"{where}: section [{section}] appears more than once")
		parser = configparser.ConfigParser(allow_no_value=True, delimiters="\n")
		parser.optionxform = str  # type: ignore[assignment,method-assign]
		try:
			parser.read_string(file.read_text(encoding="utf-8"))
		except configparser.Error as exc:
			problems.append(f"{where}: not a valid patches file: {exc.message.splitlines()[0]}")
		for n, line in meaningful:
			if line[:1].isspace():
				problems.append(
					f"{where} line {n}: indented lines are read as a continuation of the previous patch"
				)
			if not re.fullmatch(r"\[.*\]", line.strip()):
				entries.append((n, line.strip()))
	else:
		entries = [(n, line.strip()) for n, line in meaningful]

	seen: set[str] = set()
	index = _ModuleIndex(Path(app_root))
	for n, patch in entries:
		if patch in seen:
			problems.append(f"{where} line {n}: duplicate patch {patch!r} (it only runs once)")
		seen.add(patch)
		if patch.startswith("execute:"):
			code = patch.split("execute:", 1)[1]
			try:
				ast.parse(code)
			except SyntaxError as exc:
				problems.append(f"{where} line {n}: execute: code does not parse ({exc.msg})")
			continue
		module = patch.removeprefix("finally:").split(maxsplit=1)[0]
		if module.split(".")[0] != app_name:
			problems.append(f"{where} line {n}: patch {module!r} is not a module of {app_name}")
			continue
		problems += index.check(f"{module}.execute", f"{where} line {n}")
	return problems


# ---------------------------------------------------------------------------------------------------------
# collecting the app's artifacts
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Artifact:
	kind: str
	path: str
	data: Any = None
	error: str | None = None

	@property
	def id(self) -> str:
		return self.path


def _load(kind: str, file: Path) -> Artifact:
	try:
		return Artifact(kind, str(file), json.loads(file.read_text(encoding="utf-8")))
	except (OSError, json.JSONDecodeError) as exc:
		return Artifact(kind, str(file), error=f"{file}: invalid JSON ({exc})")


def collect_app_artifacts(
	app_root: str, app_name: str = APP_NAME, module: str = APP_MODULE
) -> dict[str, list[Artifact]]:
	"""Find <app_root>/<app>/<module>/{doctype,report,...}/*/*.json and <app_root>/<app>/fixtures/*.json."""
	package = Path(app_root) / app_name
	module_dir = package / R.scrub(module)
	found: dict[str, list[Artifact]] = {kind: [] for kind in (*ARTIFACT_KINDS, "fixture")}
	for kind in ARTIFACT_KINDS:
		for file in sorted((module_dir / kind).glob("*/*.json")):
			found[kind].append(_load(kind, file))
	for file in sorted((package / "fixtures").glob("*.json")):
		found["fixture"].append(_load("fixture", file))
	return found


def known_doctypes(app_doctypes: set[str]) -> set[str]:
	"""The app's doctypes, the verified Frappe/ERPNext names, and the ERPNext stubs the test schema mirrors."""
	from devkit.schema.erpnext_v15 import DOCTYPES

	return set(app_doctypes) | set(R.FRAPPE_ERPNEXT_DOCTYPES) | set(DOCTYPES)


def known_reports(app_reports: set[str]) -> set[str]:
	return set(app_reports) | set(R.FRAPPE_ERPNEXT_REPORTS)


def artifact_names(artifacts: list[Artifact]) -> dict[str, dict]:
	"""name -> JSON of every artifact that parsed."""
	return {a.data["name"]: a.data for a in artifacts if isinstance(a.data, dict) and a.data.get("name")}


def app_doctype_fields(doctypes: dict[str, dict]) -> dict[str, set[str]]:
	return {name: set(_fields_by_name(doc.get("fields") or [])) for name, doc in doctypes.items()}
