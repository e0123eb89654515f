"""The Desk's standard records of the app's module: Workspace, Number Card, Dashboard Chart and Dashboard Chart
Source (frappe/desk/doctype/*: their JSON, controllers and the widgets that draw them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import frappe_rules as R
from .common import (
	APP_MODULE,
	check_app_method,
	check_json_text,
	check_name_matches_folder,
	check_standard_module,
	label,
	truthy,
)

# ---------------------------------------------------------------------------------------------------------
# Workspace
# ---------------------------------------------------------------------------------------------------------


def _check_workspace_head(doc: dict, name: str, path: str) -> list[str]:
	problems = []
	if doc.get("label") != name:
		problems.append(
			f"Workspace {name!r}: label {doc.get('label')!r} must equal name (autoname field:label)"
		)
	if not doc.get("title"):
		problems.append(f"Workspace {name!r}: missing title (reqd)")
	if doc.get("module") != APP_MODULE:
		problems.append(f"Workspace {name!r}: module must be {APP_MODULE!r}, got {doc.get('module')!r}")
	return problems + check_name_matches_folder(name, path, "Workspace")


def _check_target(
	kind: Any, target: Any, row: str, known_doctypes: set[str], known_reports: set[str]
) -> list[str]:
	"""A link's or a shortcut's target exists."""
	if kind == "DocType" and target not in known_doctypes:
		return [f"{row}: link_to {target!r} is not a known DocType"]
	if kind == "Report" and target not in known_reports:
		return [f"{row}: link_to {target!r} is not a known Report"]
	if kind in ("Page", "Dashboard") and not target:
		return [f"{row}: link_to is empty"]
	return []


def _check_workspace_links(
	doc: dict, name: str, known_doctypes: set[str], known_reports: set[str]
) -> tuple[list[str], set]:
	"""The problems of the link rows, and the labels of their Card Breaks (the cards of the content)."""
	problems: list[str] = []
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
			if link.get("link_type") not in R.WORKSPACE_LINK_TYPES:
				problems.append(f"{row}: link_type must be one of {', '.join(R.WORKSPACE_LINK_TYPES)}")
			problems += _check_target(
				link.get("link_type"), link.get("link_to"), row, known_doctypes, known_reports
			)
	return problems, card_labels


def _check_workspace_shortcuts(
	doc: dict, name: str, known_doctypes: set[str], known_reports: set[str]
) -> tuple[list[str], set]:
	problems: list[str] = []
	labels = set()
	for index, shortcut in enumerate(doc.get("shortcuts") or [], 1):
		row = f"Workspace {name!r} shortcuts row {index}"
		if not isinstance(shortcut, dict):
			problems.append(f"{row}: not an object")
			continue
		labels.add(shortcut.get("label"))
		kind = shortcut.get("type")
		if kind not in R.WORKSPACE_SHORTCUT_TYPES:
			problems.append(f"{row}: type {kind!r} is not a shortcut type")
		else:
			problems += _check_target(kind, shortcut.get("link_to"), row, known_doctypes, known_reports)
		if kind == "URL" and not shortcut.get("url"):
			problems.append(f"{row}: URL shortcut needs url")
	return problems, labels


def _widget_names(doc: dict, table: str, key: str) -> set:
	return {row.get(key) for row in doc.get(table) or [] if isinstance(row, dict)}


def _check_unknown(name: str, names: set, known: set[str] | None, what: str, doctype: str) -> list[str]:
	if known is None:
		return []
	return [f"Workspace {name!r}: {what} {item!r} is not a known {doctype}" for item in sorted(names - known)]


def _check_content(doc: dict, name: str, references: dict[str, tuple[str, set]]) -> list[str]:
	"""`content` is the JSON list of blocks; a block naming a shortcut, card, chart or number card names one of
	the workspace's."""
	content = doc.get("content")
	if not isinstance(content, str):
		return [f"Workspace {name!r}: content must be a JSON string"]
	try:
		blocks = json.loads(content)
	except json.JSONDecodeError as exc:
		return [f"Workspace {name!r}: content is not valid JSON ({exc.msg})"]
	if not isinstance(blocks, list):
		return [f"Workspace {name!r}: content must be a JSON list of blocks"]
	problems = []
	for index, block in enumerate(blocks, 1):
		if not isinstance(block, dict) or "type" not in block or not isinstance(block.get("data"), dict):
			problems.append(f"Workspace {name!r}: content block {index} needs 'type' and 'data'")
		elif block["type"] in references:
			key, available = references[block["type"]]
			value = block["data"].get(key)
			if value not in available:
				problems.append(f"Workspace {name!r}: content block {index} {key} {value!r} is not defined")
	return problems


def validate_workspace(
	doc: dict,
	known_doctypes: set[str],
	known_reports: set[str],
	path: str = "",
	*,
	known_charts: set[str] | None = None,
	known_number_cards: set[str] | None = None,
) -> list[str]:
	where = label(path, "Workspace")
	if not isinstance(doc, dict):
		return [f"{where}: not a JSON object"]
	problems = []
	if doc.get("doctype") != "Workspace":
		problems.append(f"{where}: doctype must be 'Workspace', got {doc.get('doctype')!r}")
	name = doc.get("name")
	if not isinstance(name, str) or not name:
		problems.append(f"{where}: missing name")
		name = ""
	problems += _check_workspace_head(doc, name, path)
	link_problems, card_labels = _check_workspace_links(doc, name, known_doctypes, known_reports)
	shortcut_problems, shortcut_labels = _check_workspace_shortcuts(doc, name, known_doctypes, known_reports)
	chart_names = _widget_names(doc, "charts", "chart_name")
	card_names = _widget_names(doc, "number_cards", "number_card_name")
	references = {
		"shortcut": ("shortcut_name", shortcut_labels),
		"card": ("card_name", card_labels),
		"chart": ("chart_name", chart_names),
		"number_card": ("number_card_name", card_names),
	}
	return [
		*problems,
		*link_problems,
		*shortcut_problems,
		*_check_unknown(name, chart_names, known_charts, "chart", "Dashboard Chart"),
		*_check_unknown(name, card_names, known_number_cards, "number card", "Number Card"),
		*_check_content(doc, name, references),
	]


# ---------------------------------------------------------------------------------------------------------
# Number Card
# ---------------------------------------------------------------------------------------------------------


def _json_value(text: Any) -> Any:
	try:
		return json.loads(text) if text else None
	except (TypeError, json.JSONDecodeError):
		return None  # reported as invalid JSON by check_json_text


def _check_filter_kinds(doc: dict, where: str) -> list[str]:
	"""dashboard_utils.js get_all_filters joins dynamic filters to the static ones: a list to a list
	(`[...filters, ...dynamic]`), an object to an object (`Object.assign`); any other pair breaks the widget."""
	static, dynamic = (_json_value(doc.get(key)) for key in ("filters_json", "dynamic_filters_json"))
	if not dynamic:
		return []
	if not isinstance(dynamic, list | dict) or type(static) is not type(dynamic):
		return [
			f"{where}: dynamic_filters_json must be of the kind of filters_json (both lists or both objects)"
		]
	return []


def _check_document_type_card(
	doc: dict, where: str, known_doctypes: set[str], known_reports: set[str]
) -> list[str]:
	problems = []
	if doc.get("document_type") not in known_doctypes:
		problems.append(f"{where}: document_type {doc.get('document_type')!r} is not known")
	if doc.get("function") not in R.NUMBER_CARD_FUNCTIONS:
		problems.append(f"{where}: function {doc.get('function')!r} is not valid")
	if doc.get("function") not in (None, "Count") and not doc.get("aggregate_function_based_on"):
		problems.append(f"{where}: aggregate_function_based_on is required")
	return problems


def _check_report_card(doc: dict, where: str, known_doctypes: set[str], known_reports: set[str]) -> list[str]:
	"""number_card.py validate: report_name, report_field and the function over the field's values."""
	problems = []
	if doc.get("report_name") not in known_reports:
		problems.append(f"{where}: report_name {doc.get('report_name')!r} is not a known Report")
	if not doc.get("report_field"):
		problems.append(f"{where}: a Report card needs report_field")
	if doc.get("report_function") not in R.NUMBER_CARD_REPORT_FUNCTIONS:
		problems.append(f"{where}: report_function {doc.get('report_function')!r} is not valid")
	return problems


def _check_custom_card(
	doc: dict, where: str, known_doctypes: set[str], known_reports: set[str], app_root: str | None = None
) -> list[str]:
	"""A whitelisted method of the app gives the value; the card shows to the users who may read its
	document_type (number_card.py has_permission), so one is needed, or only System Managers see it."""
	if not doc.get("method"):
		return [f"{where}: Custom card needs method"]
	problems = check_app_method(doc["method"], where, app_root)
	document_type = doc.get("document_type")
	if not document_type:
		problems.append(f"{where}: Custom card needs a document_type (who may read it sees the card)")
	elif document_type not in known_doctypes:
		problems.append(f"{where}: document_type {document_type!r} is not known")
	return problems


def _card_type_problems(
	doc: dict, card_type: str, where: str, known_doctypes, known_reports, app_root
) -> list[str]:
	if card_type == "Document Type":
		return _check_document_type_card(doc, where, known_doctypes, known_reports)
	if card_type == "Report":
		return _check_report_card(doc, where, known_doctypes, known_reports)
	if card_type == "Custom":
		return _check_custom_card(doc, where, known_doctypes, known_reports, app_root)
	return [f"{where}: type {card_type!r} is not one of {', '.join(R.NUMBER_CARD_TYPES)}"]


def validate_number_card(
	doc: dict,
	known_doctypes: set[str],
	known_reports: set[str],
	path: str = "",
	*,
	app_root: str | None = None,
) -> list[str]:
	"""`app_root`: the checkout holding the app, to find a Custom card's method (not checked without it)."""
	where = label(path, "Number Card")
	if not isinstance(doc, dict):
		return [f"{where}: not a JSON object"]
	problems = []
	name = doc.get("name") or ""
	card = f"Number Card {name!r}"
	if doc.get("doctype") != "Number Card":
		problems.append(f"{where}: doctype must be 'Number Card', got {doc.get('doctype')!r}")
	if not name:
		problems.append(f"{where}: missing name")
	if not doc.get("label"):
		problems.append(f"{card}: missing label (reqd)")
	problems += check_standard_module(doc, "Number Card", name)
	card_type = doc.get("type") or "Document Type"
	problems += _card_type_problems(doc, card_type, card, known_doctypes, known_reports, app_root)
	if truthy(doc.get("show_percentage_stats")) and card_type != "Document Type":
		problems.append(f"{card}: show_percentage_stats is drawn for Document Type cards only")
	for key in ("filters_json", "dynamic_filters_json"):
		problems += check_json_text(doc, key, card)
	problems += _check_filter_kinds(doc, card)
	return problems + check_name_matches_folder(name, path, "Number Card")


# ---------------------------------------------------------------------------------------------------------
# Dashboard Chart
# ---------------------------------------------------------------------------------------------------------


def _check_chart_source(doc: dict, where: str, known_sources: set[str] | None) -> list[str]:
	"""A Custom chart's data come from its Dashboard Chart Source; it shows to its roles, else to those who
	may read its document_type (dashboard_chart.py has_permission): without either only to System Managers."""
	source = doc.get("source")
	if not source:
		return [f"{where}: Custom chart needs a source"]
	problems = []
	if known_sources is not None and source not in known_sources:
		problems.append(f"{where}: source {source!r} is not a known Dashboard Chart Source")
	if not doc.get("roles") and not doc.get("document_type"):
		problems.append(f"{where}: Custom chart needs roles or a document_type (who may see it)")
	return problems


def _check_chart_type(
	doc: dict, where: str, known_doctypes: set[str], known_reports: set[str], known_sources: set[str] | None
) -> list[str]:
	chart_type = doc.get("chart_type")
	if chart_type not in R.DASHBOARD_CHART_TYPES:
		return [f"{where}: chart_type {chart_type!r} is not valid"]
	if chart_type in R.DASHBOARD_CHART_DOCTYPE_TYPES and doc.get("document_type") not in known_doctypes:
		return [f"{where}: document_type {doc.get('document_type')!r} is not known"]
	if chart_type == "Report" and doc.get("report_name") not in known_reports:
		return [f"{where}: report_name {doc.get('report_name')!r} is not known"]
	if chart_type == "Custom":
		return _check_chart_source(doc, where, known_sources)
	return []


def _check_chart_display(doc: dict, where: str) -> list[str]:
	problems = []
	if not doc.get("type"):
		problems.append(f"{where}: missing type (reqd)")
	elif doc["type"] not in R.DASHBOARD_CHART_DISPLAY_TYPES:
		problems.append(
			f"{where}: type {doc['type']!r} is not one of {', '.join(R.DASHBOARD_CHART_DISPLAY_TYPES)}"
		)
	for index, row in enumerate(doc.get("roles") or [], 1):
		if not isinstance(row, dict) or not row.get("role"):
			problems.append(f"{where}: roles row {index} has no role")
	return problems


def validate_dashboard_chart(
	doc: dict,
	known_doctypes: set[str],
	known_reports: set[str],
	path: str = "",
	*,
	known_sources: set[str] | None = None,
) -> list[str]:
	"""`known_sources`: the Dashboard Chart Sources a Custom chart may name (not checked without them)."""
	where = label(path, "Dashboard Chart")
	if not isinstance(doc, dict):
		return [f"{where}: not a JSON object"]
	problems = []
	name = doc.get("name") or ""
	chart = f"Dashboard Chart {name!r}"
	if doc.get("doctype") != "Dashboard Chart":
		problems.append(f"{where}: doctype must be 'Dashboard Chart', got {doc.get('doctype')!r}")
	if not name or doc.get("chart_name") != name:
		problems.append(f"{chart}: chart_name must equal name (autoname field:chart_name)")
	problems += check_standard_module(doc, "Dashboard Chart", name)
	problems += _check_chart_type(doc, chart, known_doctypes, known_reports, known_sources)
	problems += _check_chart_display(doc, chart)
	problems += check_json_text(doc, "filters_json", chart, required=True)
	for key in ("dynamic_filters_json", "custom_options"):
		problems += check_json_text(doc, key, chart)
	problems += _check_filter_kinds(doc, chart)
	return problems + check_name_matches_folder(name, path, "Dashboard Chart")


# ---------------------------------------------------------------------------------------------------------
# Dashboard Chart Source
# ---------------------------------------------------------------------------------------------------------


def _check_source_script(name: str, path: str, where: str, app_root: str | None) -> list[str]:
	"""dashboard_chart_source.py get_config reads <folder>/<scrub(name)>.js, which the chart widget evaluates:
	it registers frappe.dashboards.chart_sources[name] with the method that returns the chart's data."""
	script = Path(path).with_suffix(".js")
	if not script.is_file():
		return [f"{where}: {script.name} (the source's method and filters) is missing"]
	match = R.CHART_SOURCE_JS_PATTERN.search(script.read_text(encoding="utf-8"))
	if match is None or match.group("name") != name:
		return [
			f'{where}: {script.name} does not register frappe.dashboards.chart_sources["{name}"] with a method'
		]
	return check_app_method(match.group("method"), where, app_root)


def validate_dashboard_chart_source(doc: dict, path: str = "", *, app_root: str | None = None) -> list[str]:
	where = label(path, "Dashboard Chart Source")
	if not isinstance(doc, dict):
		return [f"{where}: not a JSON object"]
	problems = []
	name = doc.get("name") or ""
	source = f"Dashboard Chart Source {name!r}"
	if doc.get("doctype") != "Dashboard Chart Source":
		problems.append(f"{where}: doctype must be 'Dashboard Chart Source', got {doc.get('doctype')!r}")
	if not name or doc.get("source_name") != name:
		problems.append(f"{source}: source_name must equal name (autoname field:source_name)")
	if doc.get("module") != APP_MODULE:
		problems.append(f"{source}: module must be {APP_MODULE!r}, got {doc.get('module')!r}")
	problems += check_name_matches_folder(name, path, "Dashboard Chart Source")
	if path and name:
		problems += _check_source_script(name, path, source, app_root)
	return problems
