"""hooks.py: every dotted path it names resolves to a function of the app, every file it names exists, and the
fixtures and modules it needs are there (read with ast, never imported)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import frappe_rules as R
from .common import APP_MODULE, APP_NAME, ModuleIndex, as_list, parse_python

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

# (hook, dotted path, must be whitelisted, may be a whole module)
HookPath = tuple[str, Any, bool, bool]


def read_hooks(hooks_path: str) -> tuple[dict[str, Any], list[str]]:
	"""Top-level literal assignments of hooks.py (parsed with ast, never imported)."""
	tree, error = parse_python(Path(hooks_path))
	if error:
		return {}, [error]
	hooks: dict[str, Any] = {}
	for node in tree.body:
		targets: list[ast.expr] = []
		if isinstance(node, ast.Assign):
			targets = node.targets
		elif isinstance(node, ast.AnnAssign) and node.value is not None:
			targets = [node.target]
		for target in (t for t in targets if isinstance(t, ast.Name)):
			try:
				hooks[target.id] = ast.literal_eval(node.value)
			except ValueError:
				hooks[target.id] = ast.unparse(node.value)  # non-literal (e.g. _("...")): kept as text
	return hooks, []


class _Hooks:
	"""hooks.py's values, with the problems found while reading them."""

	def __init__(self, hooks: dict[str, Any], where: str, known_doctypes: set[str] | None) -> None:
		self.hooks, self.where, self.known_doctypes = hooks, where, known_doctypes
		self.problems: list[str] = []

	def mapping(self, hook: str, what: str = "a dict") -> dict:
		value = self.hooks.get(hook) or {}
		if isinstance(value, dict):
			return value
		self.problems.append(f"{self.where}: {hook} must be {what}")
		return {}

	def check_doctype_key(self, hook: str, doctype: Any) -> None:
		if self.known_doctypes is None or doctype == "*":
			return
		for name in doctype if isinstance(doctype, tuple) else (doctype,):
			if name not in self.known_doctypes:
				self.problems.append(f"{self.where}: {hook} key {name!r} is not a known DocType")


def _paths(hook: str, value: Any, whitelisted: bool = False, allow_module: bool = False) -> list[HookPath]:
	return [(hook, item, whitelisted, allow_module) for item in as_list(value)]


def _doc_event_paths(hooks: _Hooks) -> Iterator[HookPath]:
	for doctype, events in hooks.mapping("doc_events").items():
		hooks.check_doctype_key("doc_events", doctype)
		if not isinstance(events, dict):
			hooks.problems.append(
				f"{hooks.where}: doc_events[{doctype!r}] must be a dict of event -> path(s)"
			)
			continue
		for event, value in events.items():
			yield from _paths(f"doc_events[{doctype!r}][{event!r}]", value)


def _scheduler_paths(hooks: _Hooks) -> Iterator[HookPath]:
	for frequency, value in hooks.mapping("scheduler_events").items():
		if isinstance(value, dict):
			for cron, jobs in value.items():
				yield from _paths(f"scheduler_events[{frequency!r}][{cron!r}]", jobs)
		else:
			yield from _paths(f"scheduler_events[{frequency!r}]", value)


def _mapped_paths(hooks: _Hooks) -> Iterator[HookPath]:
	"""The doctype -> path hooks, overridden whitelisted methods and jinja methods/filters."""
	for hook in DOCTYPE_MAP_HOOKS:
		for doctype, value in hooks.mapping(hook).items():
			hooks.check_doctype_key(hook, doctype)
			yield from _paths(f"{hook}[{doctype!r}]", value)
	for original, value in hooks.mapping("override_whitelisted_methods").items():
		yield from _paths(f"override_whitelisted_methods[{original!r}]", value, whitelisted=True)
	jinja = hooks.hooks.get("jinja") or {}
	for kind, value in jinja.items() if isinstance(jinja, dict) else ():
		# frappe/utils/jinja.py accepts whole modules
		yield from _paths(f"jinja[{kind!r}]", value, allow_module=True)


def _hook_paths(hooks: _Hooks) -> list[HookPath]:
	single = [path for hook in SINGLE_PATH_HOOKS for path in _paths(hook, hooks.hooks.get(hook))]
	return [*single, *_doc_event_paths(hooks), *_scheduler_paths(hooks), *_mapped_paths(hooks)]


def _check_paths(paths: list[HookPath], where: str, root: Path, app_name: str) -> list[str]:
	index = ModuleIndex(root)
	problems = []
	for hook, dotted, whitelisted, allow_module in paths:
		if not isinstance(dotted, str):
			problems.append(f"{where}: {hook} value {dotted!r} is not a string")
		elif dotted.split(".")[0] == app_name:
			problems += index.check(dotted, f"{where}: {hook}", whitelisted, allow_module)
		# paths into frappe./erpnext./other apps are accepted as-is
	return problems


def _check_doctype_js(hooks: _Hooks, package: Path, app_name: str) -> None:
	for hook in R.DOCTYPE_JS_HOOKS:
		for doctype, value in hooks.mapping(hook, "a dict of doctype -> path").items():
			hooks.check_doctype_key(hook, doctype)
			for file in as_list(value):
				if not isinstance(file, str) or not package.joinpath(*file.strip("/").split("/")).is_file():
					hooks.problems.append(
						f"{hooks.where}: {hook}[{doctype!r}] file {file!r} does not exist in {app_name}/"
					)


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


def _check_assets(hooks: dict[str, Any], where: str, package: Path, app_name: str) -> list[str]:
	return [
		f"{where}: {hook} asset {asset!r} does not exist"
		for hook in ASSET_HOOKS
		for asset in as_list(hooks.get(hook))
		if not isinstance(asset, str) or not _asset_exists(asset, package, app_name)
	]


def _fixture_doctype(entry: Any, where: str, problems: list[str]) -> str | None:
	"""The doctype a fixtures entry exports (a name, or a dict with dt / doctype and optional filters)."""
	if isinstance(entry, str):
		return entry
	if not isinstance(entry, dict):
		problems.append(f"{where}: fixtures entry {entry!r} must be a doctype name or a dict")
		return None
	doctype = entry.get("dt") or entry.get("doctype")
	if not doctype:
		problems.append(f"{where}: fixtures entry {entry!r} needs 'dt' or 'doctype'")
		return None
	filters = entry.get("filters")
	if filters is not None and not isinstance(filters, list | dict):
		problems.append(f"{where}: fixtures entry for {doctype!r} has invalid filters")
	return doctype


def _check_fixtures(
	hooks: dict[str, Any], where: str, package: Path, known_doctypes: set[str] | None
) -> list[str]:
	fixtures = hooks.get("fixtures")
	if fixtures is not None and not isinstance(fixtures, list):
		return [f"{where}: fixtures must be a list"]
	problems: list[str] = []
	for entry in fixtures or []:
		doctype = _fixture_doctype(entry, where, problems)
		if doctype is None:
			continue
		if known_doctypes is not None and doctype not in known_doctypes:
			problems.append(f"{where}: fixtures doctype {doctype!r} is not a known DocType")
		fixture_file = package / "fixtures" / f"{R.scrub(doctype)}.json"
		if not fixture_file.is_file():
			problems.append(f"{where}: fixtures entry {doctype!r} has no file fixtures/{fixture_file.name}")
	return problems


def _check_modules_txt(where: str, package: Path, app_name: str) -> list[str]:
	modules_txt = package / "modules.txt"
	if not modules_txt.is_file():
		return [f"{where}: {app_name}/modules.txt is missing"]
	modules = [m.strip() for m in modules_txt.read_text(encoding="utf-8").splitlines() if m.strip()]
	problems = [] if APP_MODULE in modules else [f"{where}: modules.txt must list {APP_MODULE!r}"]
	return problems + [
		f"{where}: module {module!r} has no package {app_name}/{R.scrub(module)}/"
		for module in modules
		if not (package / R.scrub(module) / "__init__.py").is_file()
	]


def _check_app(hooks: dict[str, Any], where: str, root: Path) -> tuple[list[str], str]:
	"""The required variables, app_name (a package under the root) and the erpnext dependency."""
	problems = [
		f"{where}: required variable {key!r} is missing or empty"
		for key in REQUIRED_HOOK_VARIABLES
		if not hooks.get(key)
	]
	app_name = hooks.get("app_name")
	if not isinstance(app_name, str) or not app_name:
		app_name = APP_NAME
	elif not (root / app_name / "__init__.py").is_file():
		problems.append(f"{where}: app_name {app_name!r} is not a package under {root}")
	required_apps = as_list(hooks.get("required_apps"))
	if not any(isinstance(a, str) and a.rstrip("/").split("/")[-1] == "erpnext" for a in required_apps):
		problems.append(f"{where}: required_apps must contain 'erpnext'")
	return problems, app_name


def validate_hooks(hooks_path: str, app_root: str, known_doctypes: set[str] | None = None) -> list[str]:
	hooks_file = Path(hooks_path)
	if not hooks_file.is_file():
		return [f"{hooks_path}: hooks.py does not exist"]
	values, problems = read_hooks(hooks_path)
	if problems:
		return problems
	where, root = hooks_file.name, Path(app_root)
	problems, app_name = _check_app(values, where, root)
	package = root / app_name
	hooks = _Hooks(values, where, known_doctypes)
	paths = _hook_paths(hooks)
	_check_doctype_js(hooks, package, app_name)
	return [
		*problems,
		*hooks.problems,
		*_check_paths(paths, where, root, app_name),
		*_check_assets(values, where, package, app_name),
		*_check_fixtures(values, where, package, known_doctypes),
		*_check_modules_txt(where, package, app_name),
	]
