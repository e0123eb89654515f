"""Script Report JSON and its .py / .js files (erpnext/crm/report/*/ as the model)."""

from __future__ import annotations

from pathlib import Path

from .. import frappe_rules as R
from .common import (
	APP_MODULE,
	check_name_matches_folder,
	label,
	parse_python,
	top_level_function,
	top_level_names,
	truthy,
)


def _check_report_head(doc: dict, name: str, known_doctypes: set[str]) -> list[str]:
	rules = (
		(
			doc.get("report_name") != name,
			f"report_name {doc.get('report_name')!r} must equal name",
		),
		(
			doc.get("report_type") != "Script Report",
			f"report_type must be 'Script Report', got {doc.get('report_type')!r}",
		),
		(
			doc.get("ref_doctype") not in known_doctypes,
			f"ref_doctype {doc.get('ref_doctype')!r} is not a known DocType",
		),
		(doc.get("is_standard") != "Yes", "is_standard must be 'Yes'"),
		(doc.get("module") != APP_MODULE, f"module must be {APP_MODULE!r}, got {doc.get('module')!r}"),
		(truthy(doc.get("disabled")), "standard report is disabled"),
	)
	return [f"Report {name!r}: {message}" for broken, message in rules if broken]


def _check_report_roles(doc: dict, name: str) -> list[str]:
	roles = doc.get("roles")
	if not isinstance(roles, list) or not roles:
		return [f"Report {name!r}: roles must be a non-empty list of {{'role': ...}}"]
	return [
		f"Report {name!r}: roles row {index} has no role"
		for index, row in enumerate(roles, 1)
		if not isinstance(row, dict) or not isinstance(row.get("role"), str) or not row.get("role")
	]


def _check_report_files(name: str, path: str) -> list[str]:
	"""<name>.py next to the JSON defines execute; <name>.js holds the filters."""
	problems = check_name_matches_folder(name, path, "Report")
	json_path = Path(path)
	py, js = json_path.with_suffix(".py"), json_path.with_suffix(".js")
	if not py.exists():
		problems.append(f"Report {name!r}: {py.name} (execute) is missing")
	else:
		tree, error = parse_python(py)
		if error:
			problems.append(error)
		elif top_level_function(tree, "execute") is None and "execute" not in top_level_names(tree):
			problems.append(f"Report {name!r}: {py.name} does not define execute")
	if not js.exists():
		problems.append(f"Report {name!r}: {js.name} (filters) is missing")
	return problems


def validate_report(doc: dict, known_doctypes: set[str], path: str = "") -> list[str]:
	where = label(path, "Report")
	if not isinstance(doc, dict):
		return [f"{where}: not a JSON object"]
	problems = [f"{where}: missing key {key!r}" for key in R.REPORT_REQUIRED_KEYS if key not in doc]
	if doc.get("doctype") != "Report":
		problems.append(f"{where}: doctype must be 'Report', got {doc.get('doctype')!r}")
	name = doc.get("name")
	if not isinstance(name, str) or not name:
		problems.append(f"{where}: missing name")
		name = ""
	problems += _check_report_head(doc, name, known_doctypes)
	problems += _check_report_roles(doc, name)
	if path and name:
		problems += _check_report_files(name, path)
	return problems
