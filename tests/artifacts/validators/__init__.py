"""Static validators for the declarative Frappe artifacts of the sales_funnel app.

Each public ``validate_*`` function returns a list of human-readable problems (empty when fine).
Nothing here imports frappe: the rules are the ones in ``frappe_rules.py``, read from Frappe's source.
Python files (controllers, hooks.py, patches) are parsed with ``ast``, never imported.

- ``doctype`` and ``fields``: DocType JSON and its fields (``fields`` also serves Custom Fields);
- ``report``: Script Reports; ``desk``: Workspace, Number Card, Dashboard Chart, Dashboard Chart Source;
- ``fixtures``: Custom Field and Property Setter fixtures; ``hooks``: hooks.py; ``patches``: patches.txt;
- ``collect``: finding the app's artifacts and the names they may reference; ``common``: what they share.
"""

from .collect import (
	ARTIFACT_KINDS,
	Artifact,
	app_doctype_fields,
	artifact_names,
	collect_app_artifacts,
	known_doctypes,
	known_reports,
)
from .common import APP_MODULE, APP_NAME, CUSTOM_FIELD_PREFIX
from .desk import (
	validate_dashboard_chart,
	validate_dashboard_chart_source,
	validate_number_card,
	validate_workspace,
)
from .doctype import validate_doctype
from .fields import check_field_properties, check_fieldname
from .fixtures import validate_fixture
from .hooks import read_hooks, validate_hooks
from .patches import validate_patches
from .report import validate_report

__all__ = [
	"APP_MODULE",
	"APP_NAME",
	"ARTIFACT_KINDS",
	"CUSTOM_FIELD_PREFIX",
	"Artifact",
	"app_doctype_fields",
	"artifact_names",
	"check_field_properties",
	"check_fieldname",
	"collect_app_artifacts",
	"known_doctypes",
	"known_reports",
	"read_hooks",
	"validate_dashboard_chart",
	"validate_dashboard_chart_source",
	"validate_doctype",
	"validate_fixture",
	"validate_hooks",
	"validate_number_card",
	"validate_patches",
	"validate_report",
	"validate_workspace",
]
