"""What every validator shares: the app's names, value coercion as Frappe does it, name/folder rules, and reading
Python files with `ast` (never importing them)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from .. import frappe_rules as R

APP_NAME = "sales_funnel"
APP_MODULE = "Sales Funnel"
CUSTOM_FIELD_PREFIX = "sf_"
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


def label(path: str, fallback: str) -> str:
	return path or fallback


def truthy(value: Any) -> bool:
	if isinstance(value, str):
		return value.strip() not in ("", "0")
	return bool(value)


def cint(value: Any) -> int | None:
	try:
		return int(str(value).strip())
	except (TypeError, ValueError):
		return None


def as_list(value: Any) -> list:
	if value is None:
		return []
	return list(value) if isinstance(value, list | tuple) else [value]


def is_title_case(name: str) -> bool:
	for index, word in enumerate(name.split(" ")):
		if not word:
			return False
		if word[0].islower() and not (index and word in TITLE_CASE_CONNECTORS):
			return False
	return True


def check_name_matches_folder(name: str, path: str, what: str) -> list[str]:
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


def check_standard_module(doc: dict, what: str, name: str) -> list[str]:
	"""A standard Number Card or Dashboard Chart of the app's module (exported to and synced from its folder)."""
	if truthy(doc.get("is_standard")) and doc.get("module") == APP_MODULE:
		return []
	return [f"{what} {name!r}: must be is_standard with module {APP_MODULE!r}"]


def check_json_text(doc: dict, key: str, where: str, required: bool = False) -> list[str]:
	"""A Code (JSON) field holds valid JSON text (an empty optional one is fine)."""
	import json

	value = doc.get(key)
	if not value and not required:
		return []
	try:
		json.loads(value or "")
	except (TypeError, json.JSONDecodeError):
		return [f"{where}: {key}{' (reqd)' if required else ''} is not valid JSON"]
	return []


# ---------------------------------------------------------------------------------------------------------
# Python files, read with ast
# ---------------------------------------------------------------------------------------------------------


def _defined_names(node: ast.stmt) -> set[str]:
	"""The names one top-level statement defines (a function, class, assignment or import)."""
	if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
		return {node.name}
	if isinstance(node, ast.Assign):
		return {sub.id for target in node.targets for sub in ast.walk(target) if isinstance(sub, ast.Name)}
	if isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
		return {node.target.id}
	if isinstance(node, ast.Import):
		return {alias.asname or alias.name.split(".")[0] for alias in node.names}
	if isinstance(node, ast.ImportFrom):
		return {alias.asname or alias.name for alias in node.names}
	return set()


def _nested_bodies(node: ast.stmt) -> list[list[ast.stmt]]:
	"""The statement lists of an `if` or `try` at top level, whose definitions are top-level names too."""
	if isinstance(node, ast.If):
		return [node.body, node.orelse]
	if isinstance(node, ast.Try):
		return [node.body, node.orelse, node.finalbody, *(handler.body for handler in node.handlers)]
	return []


def top_level_names(tree: ast.Module) -> set[str]:
	"""Names a module defines at top level (functions, classes, assignments, imports; also in if/try)."""
	names: set[str] = set()
	pending = [tree.body]
	while pending:
		for node in pending.pop():
			names |= _defined_names(node)
			pending.extend(_nested_bodies(node))
	return names


def parse_python(path: Path) -> tuple[ast.Module | None, str | None]:
	try:
		return ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), None
	except SyntaxError as exc:
		return None, f"{path} does not parse: {exc.msg} (line {exc.lineno})"
	except OSError as exc:
		return None, f"{path} cannot be read: {exc}"


def top_level_function(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
	for node in tree.body:
		if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
			return node
	return None


class ModuleIndex:
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
			self._cache[file] = parse_python(file)[0]
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
		if attr not in top_level_names(tree):
			return [f"{where}: {module!r} does not define {attr!r} ({dotted})"]
		if whitelisted and not _is_whitelisted(top_level_function(tree, attr)):
			return [f"{where}: {dotted} must be decorated with @frappe.whitelist()"]
		return []


def _is_whitelisted(function: ast.FunctionDef | ast.AsyncFunctionDef | None) -> bool:
	"""A name that is no function here (an import, an assignment) is taken as it is; a function needs the
	decorator."""
	return function is None or any("whitelist" in ast.unparse(d) for d in function.decorator_list)


def check_app_method(dotted: Any, where: str, app_root: str | None, app_name: str = APP_NAME) -> list[str]:
	"""A whitelisted method the Desk calls (a Custom card's or a chart source's): defined in the app when the
	path is the app's (other apps' paths are not checked)."""
	if not isinstance(dotted, str) or not dotted:
		return [f"{where}: method is missing"]
	if app_root is None or dotted.split(".")[0] != app_name:
		return []
	return ModuleIndex(Path(app_root)).check(dotted, where, whitelisted=True)
