"""Finding the app's artifacts on disk, and the names the validators check references against."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import frappe_rules as R
from .common import APP_MODULE, APP_NAME
from .fields import fields_by_name

ARTIFACT_KINDS = (
	"doctype",
	"report",
	"workspace",
	"number_card",
	"dashboard_chart",
	"dashboard_chart_source",
)


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
	return {name: set(fields_by_name(doc.get("fields") or [])) for name, doc in doctypes.items()}
