"""The app package ships to benches: no module under `sales_funnel/` may import PyMySQL (the engine reads through
the `db` port, `frappe.db` on a bench) or `devkit` (test and demo tooling, which a bench does not have). And the
Frappe layer keeps its rooms: a doc event is a handler in `overrides/<doctype>.py`, a scheduler entry a function of
`tasks.py`, a permission hook a function of `permissions.py`; the work they share is in `services/`. Every path into
the app (an import, a hook, a queued job's method, a Desk call's method) leads to a module or a name that exists:
checked statically, since a wrong one otherwise shows only on a bench."""

from __future__ import annotations

import ast
import re
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


# The Frappe layer's rooms: where a doc event, a scheduler entry and a permission hook go
# ----------------------------------------------------------------------------------------


def hook(name: str):
	"""A top-level literal of hooks.py (read without importing it: it is plain data)."""
	tree = ast.parse((APP_PACKAGE / "hooks.py").read_text(encoding="utf-8"))
	for node in tree.body:
		if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
			return ast.literal_eval(node.value)
	raise AssertionError(f"hooks.py has no {name}")


def defined(module: Path) -> set[str]:
	tree = ast.parse(module.read_text(encoding="utf-8"))
	return {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)}


def scrub(name: str) -> str:
	"""frappe.scrub: a doctype's module name."""
	return name.replace(" ", "_").replace("-", "_").lower()


def imported_modules(module: Path) -> set[str]:
	return {
		node.module
		for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
		if isinstance(node, ast.ImportFrom) and node.module
	}


def test_each_doc_event_is_a_handler_in_the_override_module_of_its_doctype():
	overrides = APP_PACKAGE / "overrides"
	for doctype, events in hook("doc_events").items():
		module = overrides / f"{scrub(doctype)}.py"
		assert module.is_file(), f"{doctype}: no overrides/{module.name}"
		for event, handler in events.items():
			assert handler == f"sales_funnel.overrides.{scrub(doctype)}.{event}", (doctype, event, handler)
			assert event in defined(module), f"overrides/{module.name} does not define {event}"
	hooked = {scrub(doctype) for doctype in hook("doc_events")}
	modules = {path.stem for path in overrides.glob("*.py") if path.stem != "__init__"}
	assert modules == hooked, "overrides/ holds one module per hooked doctype, and nothing else"
	assert not (APP_PACKAGE / "events").exists()


def test_overrides_share_their_work_through_services_only():
	for module in (APP_PACKAGE / "overrides").glob("*.py"):
		assert not any(name.startswith("sales_funnel.overrides") for name in imported_modules(module)), module
	for module in (APP_PACKAGE / "services").glob("*.py"):
		assert not any(
			name.startswith(("sales_funnel.overrides", "sales_funnel.tasks", "sales_funnel.api"))
			for name in imported_modules(module)
		), f"{module.name} imports an entry point"


def test_tasks_holds_exactly_the_scheduler_entries():
	entries = {entry for events in hook("scheduler_events").values() for entry in events}
	assert all(entry.startswith("sales_funnel.tasks.") for entry in entries), entries
	public = {name for name in defined(APP_PACKAGE / "tasks.py") if not name.startswith("_")}
	assert {entry.rsplit(".", 1)[1] for entry in entries} == public


def test_every_permission_hook_is_in_permissions():
	paths = [*hook("permission_query_conditions").values(), *hook("has_permission").values()]
	functions = defined(APP_PACKAGE / "permissions.py")
	for path in paths:
		module, function = path.rsplit(".", 1)
		assert module == "sales_funnel.permissions" and function in functions, path


# Every path into the app resolves (moves of modules between packages break these only on a bench otherwise)
# --------------------------------------------------------------------------------------------------------


def _module_file(dotted: str) -> Path | None:
	path = APP_PACKAGE.parent.joinpath(*dotted.split("."))
	for candidate in (path.with_suffix(".py"), path / "__init__.py"):
		if candidate.is_file():
			return candidate
	return None


def _top_level_names(module: Path) -> set[str]:
	names = set()
	for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
		if isinstance(node, ast.FunctionDef | ast.ClassDef) or (
			isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
		):
			names.add(node.name if not isinstance(node, ast.Name) else node.id)
		elif isinstance(node, ast.Import | ast.ImportFrom):
			names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
	return names


def resolves(dotted: str) -> bool:
	"""`sales_funnel.a.b.name`: a module of the app, or a name defined (or imported) in one."""
	parts = dotted.split(".")
	for cut in range(len(parts), 0, -1):
		module = _module_file(".".join(parts[:cut]))
		if module is not None:
			rest = parts[cut:]
			return not rest or (len(rest) == 1 and rest[0] in _top_level_names(module))
	return False


def app_paths(path: Path) -> list[tuple[int, str]]:
	"""(line, dotted path) of every import from the app in `path`, and of every string that is a dotted path into
	the app (hooks, frappe.enqueue, patch targets); test modules may name old paths on purpose."""
	found = []
	for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
		if (
			isinstance(node, ast.ImportFrom)
			and node.level == 0
			and (node.module or "").startswith("sales_funnel")
		):
			found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
		elif isinstance(node, ast.Import):
			found += [(node.lineno, a.name) for a in node.names if a.name.startswith("sales_funnel")]
		elif (
			isinstance(node, ast.Constant)
			and isinstance(node.value, str)
			and re.fullmatch(r"sales_funnel(\.\w+){2,}", node.value)
			and not path.name.startswith("test_")
		):
			found.append((node.lineno, node.value))
	return found


def test_every_path_into_the_app_resolves():
	missing = [
		f"{path.relative_to(APP_PACKAGE.parent)}:{line}: {dotted}"
		for path in app_modules()
		for line, dotted in app_paths(path)
		if not resolves(dotted)
	]
	for script in APP_PACKAGE.rglob("*.js"):
		for dotted in re.findall(r"method: \"(sales_funnel(?:\.\w+)+)\"", script.read_text(encoding="utf-8")):
			if not resolves(dotted):
				missing.append(f"{script.relative_to(APP_PACKAGE.parent)}: {dotted}")
	assert not missing, "paths into the app that lead nowhere:\n" + "\n".join(missing)


def test_the_path_check_finds_a_broken_path():
	assert resolves("sales_funnel.tasks.seal_call_days")
	assert resolves("sales_funnel.services")
	assert not resolves("sales_funnel.tasks.hourly")
	assert not resolves("sales_funnel.events.documents.apply_pending_moves")
	assert not resolves("sales_funnel.services.history.no_such_name")
