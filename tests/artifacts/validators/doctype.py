"""DocType JSON (frappe/core/doctype/doctype/doctype.py: validate, validate_fields, validate_permissions,
validate_series; base_document.py import_controller)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from .. import frappe_rules as R
from .common import (
	APP_MODULE,
	FIELDNAME_PATTERN,
	check_name_matches_folder,
	cint,
	is_title_case,
	label,
	parse_python,
	truthy,
)
from .fields import check_field_properties, check_fieldname, fields_by_name

# ---------------------------------------------------------------------------------------------------------
# one field against the rest of the DocType
# ---------------------------------------------------------------------------------------------------------


def _check_link_target(
	field: dict, label: str, doc_name: str, known_doctypes: set[str], app_doctypes: dict[str, dict]
) -> list[str]:
	fieldtype = field.get("fieldtype")
	options = field.get("options")
	if fieldtype not in ("Link", *R.TABLE_FIELDS) or not isinstance(options, str) or not options.strip():
		return []
	if options == "[Select]" or options == doc_name:
		return []
	if options not in known_doctypes:
		return [f"{label}: {fieldtype} options {options!r} is not a known DocType"]
	target = app_doctypes.get(options)
	if fieldtype not in R.TABLE_FIELDS or target is None:
		return []
	problems = []
	# check_child_table_option
	if not truthy(target.get("istable")):
		problems.append(f"{label}: {fieldtype} options {options!r} is not a child table (istable)")
	# check_table_multiselect_option
	if fieldtype == "Table MultiSelect" and not any(
		isinstance(f, dict) and f.get("fieldtype") == "Link" for f in target.get("fields") or []
	):
		problems.append(f"{label}: Table MultiSelect options {options!r} must have at least one Link field")
	return problems


def _check_dynamic_link(field: dict, label: str, fields_map: dict[str, dict]) -> list[str]:
	"""check_dynamic_link_options: the options name a Link to DocType (or a Select) of the same DocType."""
	if field.get("fieldtype") != "Dynamic Link":
		return []
	pointer = fields_map.get(field.get("options") or "")
	if (
		pointer is None
		or pointer.get("fieldtype") not in R.DYNAMIC_LINK_POINTER_FIELDTYPES
		or (pointer.get("fieldtype") == "Link" and pointer.get("options") != "DocType")
	):
		return [
			f"{label}: Dynamic Link options {field.get('options')!r} must name a Link field"
			" with options 'DocType' (or a Select) in the same DocType"
		]
	return []


def _check_in_list_view(field: dict, label: str, istable: bool) -> list[str]:
	"""check_in_list_view (Button is allowed in grids of child tables)."""
	not_in_list = set(R.NO_VALUE_FIELDS) | {"Attach Image"}
	if istable:
		not_in_list.discard("Button")
	fieldtype = field.get("fieldtype")
	if truthy(field.get("in_list_view")) and fieldtype in not_in_list:
		view = "In Grid View" if istable else "In List View"
		return [f"{label}: '{view}' not allowed for fieldtype {fieldtype}"]
	return []


def _check_fetch_source(
	field: dict, label: str, fields_map: dict[str, dict], app_doctypes: dict[str, dict]
) -> list[str]:
	"""fetch_from source: a link field of this DocType, and the target field of an app DocType."""
	fetch_from = field.get("fetch_from")
	if not isinstance(fetch_from, str) or "." not in fetch_from:
		return []
	link_fieldname, source = fetch_from.strip().split(".", 1)
	link_df = fields_map.get(link_fieldname)
	if link_df is None:
		return [f"{label}: fetch_from link field {link_fieldname!r} does not exist"]
	if link_df.get("fieldtype") not in ("Link", "Dynamic Link"):
		return [f"{label}: fetch_from field {link_fieldname!r} is not a Link field"]
	if link_df.get("options") in app_doctypes:
		target_fields = fields_by_name(app_doctypes[link_df["options"]].get("fields") or [])
		if source not in target_fields and source not in R.DEFAULT_FIELDS:
			return [f"{label}: fetch_from source {link_df['options']}.{source} does not exist"]
	return []


class _DocTypeContext:
	"""What the field checks need of the DocType being validated."""

	def __init__(
		self, doc: dict, name: str, known_doctypes: set[str], app_doctypes: dict[str, dict], fields: list
	) -> None:
		self.doc, self.name = doc, name
		self.known_doctypes, self.app_doctypes = known_doctypes, app_doctypes
		self.istable = truthy(doc.get("istable"))
		self.fields_map = fields_by_name(fields)

	def field_problems(self, field: dict, row: str) -> list[str]:
		fieldtype = field.get("fieldtype")
		label = f"DocType {self.name!r} field {field.get('fieldname')!r}"
		return [
			*check_fieldname(field.get("fieldname"), row, fieldtype),
			*check_field_properties(field, f"DocType {self.name!r}"),
			*_check_link_target(field, label, self.name, self.known_doctypes, self.app_doctypes),
			*_check_dynamic_link(field, label, self.fields_map),
			*_check_in_list_view(field, label, self.istable),
			*_check_fetch_source(field, label, self.fields_map, self.app_doctypes),
		]


def _check_fields(context: _DocTypeContext, fields: list) -> tuple[list[str], list[str]]:
	"""The problems of every field row, and the fieldnames in order."""
	problems: list[str] = []
	fieldnames: list[str] = []
	for index, field in enumerate(fields, 1):
		row = f"DocType {context.name!r} row {index}"
		if not isinstance(field, dict):
			problems.append(f"{row}: field is not an object")
			continue
		fieldname = field.get("fieldname")
		problems += context.field_problems(field, row)
		if isinstance(fieldname, str):
			if fieldname in fieldnames:
				problems.append(f"DocType {context.name!r}: fieldname {fieldname!r} appears multiple times")
			fieldnames.append(fieldname)
	return problems, fieldnames


def _check_grid_columns(doc: dict, name: str, fields: list) -> list[str]:
	"""custom_field.json "columns": the grid's columns should add up to less than 11."""
	if not truthy(doc.get("istable")):
		return []
	columns = sum(
		cint(f.get("columns")) or 0
		for f in fields
		if isinstance(f, dict) and truthy(f.get("in_list_view")) and f.get("columns")
	)
	if columns > 10:
		return [f"DocType {name!r}: in_list_view columns add up to {columns}, more than 10"]
	return []


def _check_field_order(doc: dict, name: str, fieldnames: list[str]) -> list[str]:
	field_order = doc.get("field_order")
	if field_order is None:
		return []
	if not isinstance(field_order, list):
		return [f"DocType {name!r}: field_order must be a list"]
	problems = []
	if len(set(field_order)) != len(field_order):
		problems.append(f"DocType {name!r}: field_order has duplicates")
	missing = [f for f in fieldnames if f not in field_order]
	extra = [f for f in field_order if f not in fieldnames]
	if missing:
		problems.append(f"DocType {name!r}: field_order is missing {', '.join(missing)}")
	if extra:
		problems.append(f"DocType {name!r}: field_order lists unknown fields {', '.join(map(str, extra))}")
	return problems


# ---------------------------------------------------------------------------------------------------------
# permissions
# ---------------------------------------------------------------------------------------------------------


def _permission_row_problems(doc: dict, perm: dict, where: str, level_zero_roles: set) -> list[str]:
	"""One row of doctype.py validate_permissions."""
	role = perm.get("role")
	level = cint(perm.get("permlevel") or 0) or 0
	rules = (
		(not role, "missing role"),
		(not any(truthy(perm.get(p)) for p in R.BASIC_PERMISSIONS), f"no basic permissions set ({role})"),
		(
			level > 0 and role != "All" and role not in level_zero_roles,
			f"role {role!r} needs a level 0 permission before level {level}",
		),
		(
			truthy(perm.get("cancel")) and not truthy(perm.get("submit")),
			f"cannot set cancel without submit ({role})",
		),
		(
			any(truthy(perm.get(p)) for p in ("submit", "cancel", "amend")) and not truthy(perm.get("write")),
			f"cannot set submit, cancel, amend without write ({role})",
		),
		(
			truthy(perm.get("import")) and not truthy(perm.get("create")),
			f"cannot set import without create ({role})",
		),
		(
			(truthy(perm.get("submit")) or truthy(perm.get("amend")))
			and not truthy(doc.get("is_submittable")),
			f"submit/amend set but the DocType is not submittable ({role})",
		),
		(
			truthy(perm.get("import")) and not truthy(doc.get("allow_import")),
			f"import set but the DocType does not allow import ({role})",
		),
	)
	return [f"{where}: {message}" for broken, message in rules if broken]


def _check_permissions(doc: dict, name: str) -> list[str]:
	"""doctype.py validate_permissions (+ "at least one row with a role and read")."""
	permissions = doc.get("permissions")
	if not isinstance(permissions, list):
		return [f"DocType {name!r}: permissions must be a list"]
	problems = []
	if not any(isinstance(p, dict) and p.get("role") and truthy(p.get("read")) for p in permissions):
		problems.append(f"DocType {name!r}: needs at least one permission row with a role and read")
	level_zero_roles = {
		p.get("role") for p in permissions if isinstance(p, dict) and not cint(p.get("permlevel") or 0)
	}
	seen: set[tuple] = set()
	for index, perm in enumerate(permissions, 1):
		where = f"DocType {name!r} permission row {index}"
		if not isinstance(perm, dict):
			problems.append(f"{where}: not an object")
			continue
		key = (perm.get("role"), cint(perm.get("permlevel") or 0) or 0, truthy(perm.get("if_owner")))
		problems += _permission_row_problems(doc, perm, where, level_zero_roles)
		if key in seen:
			problems.append(
				f"{where}: only one rule allowed with the same role {perm.get('role')!r}, level and if_owner"
			)
		seen.add(key)
	return problems


def _check_permissions_section(doc: dict, name: str) -> list[str]:
	if truthy(doc.get("istable")):
		return (
			[f"DocType {name!r}: child table (istable) must not have permissions"]
			if doc.get("permissions")
			else []
		)
	if "permissions" not in doc:
		return [f"DocType {name!r}: missing permissions"]
	return _check_permissions(doc, name)


# ---------------------------------------------------------------------------------------------------------
# naming
# ---------------------------------------------------------------------------------------------------------


def _check_format_autoname(autoname: str, name: str, fieldnames: set[str]) -> list[str]:
	pattern = autoname.split(":", 1)[1]
	problems = []
	if not pattern.strip():
		problems.append(f"DocType {name!r}: autoname {autoname!r} has an empty format")
	for word in R.FIELD_PATTERN.findall(pattern):
		if FIELDNAME_PATTERN.match(word) and word not in fieldnames and word not in ("timestamp", "hash"):
			problems.append(f"DocType {name!r}: autoname {autoname!r} uses unknown field {{{word}}}")
	return problems


def _check_autoname_value(autoname: str, name: str, fieldnames: set[str]) -> list[str]:
	"""doctype.py validate_series: the autoname's kind and what it names."""
	lowered = autoname.lower()
	if not autoname or lowered in R.AUTONAME_KEYWORDS or lowered in ("autoincrement", "uuid"):
		return []
	if lowered.startswith("field:"):
		target = autoname.split(":", 1)[1].strip()
		if target not in fieldnames:
			return [f"DocType {name!r}: invalid fieldname {target!r} in autoname {autoname!r}"]
		return []
	if lowered.startswith("naming_series:"):
		if R.NAMING_SERIES_FIELD not in fieldnames:
			return [f"DocType {name!r}: autoname naming_series: needs a 'naming_series' field"]
		return []
	if lowered.startswith("format:"):
		return _check_format_autoname(autoname, name, fieldnames)
	if lowered.startswith("eval:") or R.OLD_STYLE_SERIES_PATTERN.match(autoname):
		return []
	return [f"DocType {name!r}: unsupported autoname {autoname!r}"]


def _check_autoname(doc: dict, name: str, fieldnames: set[str]) -> list[str]:
	"""doctype.py validate_series + naming_rule mapping of frappe/public/js/frappe/doctype/index.js."""
	autoname = doc.get("autoname") or ""
	naming_rule = doc.get("naming_rule") or ""
	if not isinstance(autoname, str):
		return [f"DocType {name!r}: autoname must be a string"]
	problems = _check_autoname_value(autoname, name, fieldnames)
	if not naming_rule:
		return problems
	if naming_rule not in R.NAMING_RULES:
		return [*problems, f"DocType {name!r}: unknown naming_rule {naming_rule!r}"]
	expected = R.naming_rule_for_autoname(autoname) if autoname else None
	if naming_rule != "By script" and expected != naming_rule:
		problems.append(
			f"DocType {name!r}: naming_rule {naming_rule!r} does not match autoname {autoname!r}"
			f" (expected {expected!r})"
		)
	return problems


# ---------------------------------------------------------------------------------------------------------
# meta fields (doctype.py validate_fields: title, search, sort, image, timeline, web, email, fold)
# ---------------------------------------------------------------------------------------------------------


def _check_title_and_search(doc: dict, name: str, fields_map: dict[str, dict]) -> list[str]:
	problems = []
	title_field = doc.get("title_field")
	if title_field and title_field not in fields_map:
		problems.append(f"DocType {name!r}: title_field {title_field!r} is not a field")
	elif title_field:
		df = fields_map[title_field]
		for value in (df.get("options"), df.get("default")):
			words = R.FIELD_PATTERN.findall(value) if isinstance(value, str) else []
			problems += [
				f"DocType {name!r}: title pattern {{{word}}} is not a field"
				for word in words
				if not word.startswith("{") and word not in fields_map
			]
	search_fields = doc.get("search_fields")
	for word in (w.strip() for w in str(search_fields).split(",")) if search_fields else ():
		if word not in fields_map or fields_map[word].get("fieldtype") in R.NO_VALUE_FIELDS:
			problems.append(f"DocType {name!r}: search field {word!r} is not valid")
	return problems


def _check_sorting(doc: dict, name: str, fieldnames: list[str]) -> list[str]:
	problems = []
	sort_field = doc.get("sort_field")
	if sort_field:
		sort_fields = [sort_field] if "," not in sort_field else [d.split()[0] for d in sort_field.split(",")]
		allowed = set(fieldnames) | set(R.DEFAULT_FIELDS) | set(R.CHILD_TABLE_FIELDS)
		problems += [
			f"DocType {name!r}: sort_field {word!r} must be a valid fieldname"
			for word in sort_fields
			if word not in allowed
		]
	sort_order = doc.get("sort_order")
	if sort_order and sort_order not in ("ASC", "DESC"):
		problems.append(f"DocType {name!r}: sort_order must be ASC or DESC")
	return problems


def _check_typed_field(
	doc: dict, name: str, fields_map: dict[str, dict], prop: str, fieldtypes: tuple, what: str
) -> list[str]:
	"""`prop` names a field of this DocType of one of `fieldtypes` (image_field, timeline_field)."""
	value = doc.get(prop)
	if not value:
		return []
	if value not in fields_map:
		return [f"DocType {name!r}: {prop} {value!r} is not a field"]
	if fields_map[value].get("fieldtype") not in fieldtypes:
		return [f"DocType {name!r}: {prop} {value!r} must be {what}"]
	return []


def _check_web_and_email(doc: dict, name: str, fields_map: dict[str, dict]) -> list[str]:
	problems = [
		f"DocType {name!r}: {prop} {doc.get(prop)!r} is not a field"
		for prop in ("is_published_field", "website_search_field", "nsm_parent_field")
		if doc.get(prop) and doc.get(prop) not in fields_map
	]
	if doc.get("website_search_field") and "title" not in fields_map:
		problems.append(f"DocType {name!r}: field 'title' is mandatory when website_search_field is set")
	if truthy(doc.get("has_web_view")) and "route" not in fields_map:
		problems.append(f"DocType {name!r}: field 'route' is mandatory for web views")
	if not truthy(doc.get("email_append_to")):
		return problems
	subject = doc.get("subject_field")
	if subject and (
		subject not in fields_map or fields_map[subject].get("fieldtype") not in R.SUBJECT_FIELDTYPES
	):
		problems.append(f"DocType {name!r}: subject_field {subject!r} is not a valid text field")
	sender = doc.get("sender_field")
	if not sender or sender not in fields_map or fields_map[sender].get("options") != "Email":
		problems.append(f"DocType {name!r}: sender_field {sender!r} must be a field with options Email")
	return problems


def _check_fold(doc: dict, name: str) -> list[str]:
	"""check_fold: one Fold, not last, before a Section Break."""
	fields = doc.get("fields") or []
	folds = [i for i, f in enumerate(fields) if isinstance(f, dict) and f.get("fieldtype") == "Fold"]
	problems = [f"DocType {name!r}: there can be only one Fold in a form"] if len(folds) > 1 else []
	for index in folds:
		if index == len(fields) - 1:
			problems.append(f"DocType {name!r}: Fold can not be at the end of the form")
		elif not isinstance(fields[index + 1], dict) or fields[index + 1].get("fieldtype") != "Section Break":
			problems.append(f"DocType {name!r}: Fold must come before a Section Break")
	return problems


def _check_meta_fields(doc: dict, name: str, fields_map: dict[str, dict], fieldnames: list[str]) -> list[str]:
	"""title_field, search_fields, sort_field, image_field, timeline_field, ... (doctype.py validate_fields)."""
	return [
		*_check_title_and_search(doc, name, fields_map),
		*_check_sorting(doc, name, fieldnames),
		*_check_typed_field(doc, name, fields_map, "image_field", ("Attach Image",), "of type Attach Image"),
		*_check_typed_field(
			doc, name, fields_map, "timeline_field", R.TIMELINE_FIELDTYPES, "a Link or Dynamic Link"
		),
		*_check_web_and_email(doc, name, fields_map),
		*_check_fold(doc, name),
	]


# ---------------------------------------------------------------------------------------------------------
# the DocType
# ---------------------------------------------------------------------------------------------------------


def _check_controller(name: str, path: str) -> list[str]:
	"""base_document.py import_controller: <scrub>.py next to the JSON defines class <NameWithoutSpaces>."""
	if not path or not isinstance(name, str):
		return []
	json_path = Path(path)
	controller = json_path.with_suffix(".py")
	if not controller.exists():
		return [f"DocType {name!r}: controller {controller.name} is missing next to {json_path.name}"]
	tree, error = parse_python(controller)
	if error:
		return [error]
	classname = R.controller_class_name(name)
	if not any(isinstance(n, ast.ClassDef) and n.name == classname for n in tree.body):
		return [f"DocType {name!r}: {controller.name} does not define class {classname}"]
	return []


def _check_doctype_name(name: str, path: str, check_controller: bool) -> list[str]:
	rules = (
		(
			len(name) > R.MAX_DOCTYPE_NAME_LENGTH,
			f"name is longer than {R.MAX_DOCTYPE_NAME_LENGTH} characters",
		),
		(bool(R.WHITESPACE_PADDING_PATTERN.search(name)), "name should not start or end with whitespace"),
		(
			not R.START_WITH_LETTERS_PATTERN.match(name),
			"name must start with a letter; letters, numbers, spaces, _ and -",
		),
		(not is_title_case(name), "name should be Title Case"),
	)
	problems = [f"DocType {name!r}: {message}" for broken, message in rules if broken]
	problems += check_name_matches_folder(name, path, "DocType")
	return problems + (_check_controller(name, path) if check_controller else [])


def _check_doctype_head(doc: dict, name: str) -> list[str]:
	problems = []
	if doc.get("module") != APP_MODULE:
		problems.append(f"DocType {name!r}: module must be {APP_MODULE!r}, got {doc.get('module')!r}")
	if "engine" in doc and doc.get("engine") != "InnoDB":
		problems.append(f"DocType {name!r}: engine must be InnoDB, got {doc.get('engine')!r}")
	if truthy(doc.get("istable")) and truthy(doc.get("issingle")):
		problems.append(f"DocType {name!r}: cannot be both a child table (istable) and single (issingle)")
	return problems


def _check_doctype_links(
	doc: dict, name: str, known_doctypes: set[str], app_doctypes: dict[str, dict]
) -> list[str]:
	"""DocType Links (validate_links_table_fieldnames)."""
	problems = []
	for index, link in enumerate(doc.get("links") or [], 1):
		row = f"DocType {name!r} links row {index}"
		if not isinstance(link, dict):
			problems.append(f"{row}: not an object")
			continue
		link_doctype, link_fieldname = link.get("link_doctype"), link.get("link_fieldname")
		internal = truthy(link.get("is_child_table"))
		if link_doctype not in known_doctypes:
			problems.append(f"{row}: link_doctype {link_doctype!r} is not a known DocType")
		if not link_fieldname:
			problems.append(f"{row}: missing link_fieldname")
		elif link_doctype in app_doctypes and not internal:
			if link_fieldname not in fields_by_name(app_doctypes[link_doctype].get("fields") or []):
				problems.append(f"{row}: {link_doctype} has no field {link_fieldname!r}")
		if internal and not link.get("parent_doctype"):
			problems.append(f"{row}: parent_doctype is mandatory for internal links")
	return problems


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
	where = label(path, "DocType")
	if not isinstance(doc, dict):
		return [f"{where}: not a JSON object"]
	problems: list[str] = []
	if doc.get("doctype") != "DocType":
		problems.append(f"{where}: doctype must be 'DocType', got {doc.get('doctype')!r}")
	name: Any = doc.get("name")
	if not isinstance(name, str) or not name:
		problems.append(f"{where}: missing name")
		name = ""
	else:
		problems += _check_doctype_name(name, path, check_controller)
	problems += _check_doctype_head(doc, name)
	fields = doc.get("fields")
	if not isinstance(fields, list) or not fields:
		problems.append(f"DocType {name!r}: fields must be a non-empty list")
		fields = []
	context = _DocTypeContext(doc, name, known_doctypes, app_doctypes or {}, fields)
	field_problems, fieldnames = _check_fields(context, fields)
	return [
		*problems,
		*field_problems,
		*_check_grid_columns(doc, name, fields),
		*_check_field_order(doc, name, fieldnames),
		*_check_permissions_section(doc, name),
		*_check_autoname(doc, name, set(fieldnames)),
		*_check_meta_fields(doc, name, context.fields_map, fieldnames),
		*_check_doctype_links(doc, name, known_doctypes, context.app_doctypes),
	]
