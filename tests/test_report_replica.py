"""Every report of the app reads from the replica on a site that has one: a report's `execute` and every Desk
method (`@frappe.whitelist()`) in a report folder carry `@frappe.read_only()`, which switches `frappe.db` to the
replica when site_config sets `read_from_replica` (frappe/__init__.py, read_only / connect_replica; proven on a
real replica by scripts/replica-check.sh). And the heavy reports ship their Prepared Report job's timeout in
their JSON. Checked statically: a missing decorator otherwise shows only on a site with a replica."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

REPORTS = Path(__file__).resolve().parents[1] / "sales_funnel" / "sales_funnel" / "report"
HEAVY = ("stage_conversion", "plan_vs_fact", "call_outcomes")


def decorator_names(node: ast.FunctionDef) -> set[str]:
	"""`frappe.read_only` for `@frappe.read_only()`, `frappe.whitelist` for `@frappe.whitelist(...)` or `@frappe.whitelist`."""
	names = set()
	for decorator in node.decorator_list:
		target = decorator.func if isinstance(decorator, ast.Call) else decorator
		names.add(ast.unparse(target))
	return names


def not_read_only(source: str) -> list[str]:
	"""The top-level functions of a report module that should read from the replica and do not: `execute` and
	every whitelisted function without `@frappe.read_only()`."""
	missing = []
	for node in ast.parse(source).body:
		if not isinstance(node, ast.FunctionDef):
			continue
		names = decorator_names(node)
		if (node.name == "execute" or "frappe.whitelist" in names) and "frappe.read_only" not in names:
			missing.append(node.name)
	return missing


def report_modules() -> list[Path]:
	return sorted(
		folder / f"{folder.name}.py"
		for folder in REPORTS.iterdir()
		if (folder / f"{folder.name}.json").exists()
	)


def test_there_are_reports():
	assert len(report_modules()) >= 8


@pytest.mark.parametrize("module", report_modules(), ids=lambda p: p.stem)
def test_every_report_reads_from_the_replica(module):
	source = module.read_text(encoding="utf-8")
	assert "def execute(" in source
	assert not_read_only(source) == []


@pytest.mark.parametrize(
	"source, missing",
	[
		("@frappe.whitelist()\ndef get_rows(filters):\n\tpass\n", ["get_rows"]),
		("@frappe.whitelist\n@frappe.read_only()\ndef get_rows(filters):\n\tpass\n", []),
		("def execute(filters=None):\n\tpass\n", ["execute"]),
		("@frappe.read_only()\ndef execute(filters=None):\n\tpass\n", []),
		("def helper(filters):\n\tpass\n", []),
	],
)
def test_the_check_finds_a_missing_read_only(source, missing):
	assert not_read_only(source) == missing


@pytest.mark.parametrize("name", HEAVY)
def test_the_heavy_reports_ship_a_prepared_report_timeout(name):
	"""`timeout` syncs on every migrate (frappe/modules/import_file.py keeps only `disabled`, `prepared_report`
	and `add_total_row` of a site); `prepared_report` is left to the site (see the README, Large sites)."""
	report = json.loads((REPORTS / name / f"{name}.json").read_text(encoding="utf-8"))
	assert report["timeout"] == 600
	assert report["prepared_report"] == 0
