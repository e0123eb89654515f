"""The app package ships to benches: no module under `sales_funnel/` may import PyMySQL (the engine reads through
the `db` port, `frappe.db` on a bench) or `devkit` (test and demo tooling, which a bench does not have)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP_PACKAGE = Path(__file__).resolve().parents[1] / "sales_funnel"
FORBIDDEN = ("pymysql", "devkit")


def forbidden_imports(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
	"""(line, module) of every import of a FORBIDDEN package (or a module inside one) in `source`: `import x`,
	`from x import y`, and `importlib.import_module("x")` / `__import__("x")` with a literal name."""
	found = []
	for node in ast.walk(ast.parse(source, filename)):
		if isinstance(node, ast.Import):
			names = [alias.name for alias in node.names]
		elif isinstance(node, ast.ImportFrom):
			names = [node.module] if node.level == 0 and node.module else []
		elif (
			isinstance(node, ast.Call)
			and (
				(isinstance(node.func, ast.Name) and node.func.id in ("__import__", "import_module"))
				or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
			)
			and node.args
			and isinstance(node.args[0], ast.Constant)
			and isinstance(node.args[0].value, str)
		):
			names = [node.args[0].value]
		else:
			continue
		found += [(node.lineno, name) for name in names if name.split(".")[0] in FORBIDDEN]
	return found


def app_modules() -> list[Path]:
	return sorted(APP_PACKAGE.rglob("*.py"))


def test_the_app_package_has_python_modules():
	assert APP_PACKAGE.is_dir() and len(app_modules()) > 50


def test_no_app_module_imports_pymysql_or_devkit():
	offenders = [
		f"{path.relative_to(APP_PACKAGE.parent)}:{line}: {name}"
		for path in app_modules()
		for line, name in forbidden_imports(path.read_text(encoding="utf-8"), str(path))
	]
	assert not offenders, "the app package must not import PyMySQL or devkit:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
	"source",
	[
		"import pymysql",
		"import pymysql.cursors as cursors",
		"import os, pymysql",
		"from pymysql.constants import ER",
		"def f():\n\tfrom devkit.mariadb import MariaDB",
		"from devkit import schema",
		"import importlib\nimportlib.import_module('devkit.demo')",
		"__import__('pymysql')",
	],
)
def test_the_check_finds_each_form_of_import(source):
	assert forbidden_imports(source)


@pytest.mark.parametrize(
	"source",
	[
		"from sales_funnel.engine.db import Database",
		"from . import db",
		"import pymysqlx",
		"import devkits",
		"name = 'pymysql'",
		"# import pymysql",
	],
)
def test_the_check_leaves_other_imports_alone(source):
	assert forbidden_imports(source) == []
