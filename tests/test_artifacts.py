"""Static validation of the app's declarative Frappe artifacts (no Frappe needed).

1. Every DocType / Report / Workspace / Number Card / Dashboard Chart / Dashboard Chart Source JSON, every fixture
   file, hooks.py and patches.txt of the real app is validated against Frappe's rules
   (tests/artifacts/frappe_rules.py).
2. Each validator is shown to reject the deliberately broken artifacts in tests/artifacts/broken/ while a
   matching good minimal artifact passes, so the checks cannot pass vacuously.
"""

import copy
import json
from pathlib import Path

import pytest

try:
	from tests.artifacts import frappe_rules as R
	from tests.artifacts import validators as V
except ImportError:  # tests/ itself on sys.path (pytest rootdir-less import mode)
	from artifacts import frappe_rules as R
	from artifacts import validators as V

APP_ROOT = Path(__file__).resolve().parents[1]
HOOKS = APP_ROOT / "sales_funnel" / "hooks.py"
PATCHES = APP_ROOT / "sales_funnel" / "patches.txt"
BROKEN = Path(__file__).resolve().parent / "artifacts" / "broken"
FAKE_APP = BROKEN / "app"

ARTIFACTS = V.collect_app_artifacts(str(APP_ROOT))
APP_DOCTYPES = V.artifact_names(ARTIFACTS["doctype"])
KNOWN_DOCTYPES = V.known_doctypes(set(APP_DOCTYPES))
KNOWN_REPORTS = V.known_reports(set(V.artifact_names(ARTIFACTS["report"])))
KNOWN_CHARTS = set(V.artifact_names(ARTIFACTS["dashboard_chart"]))
KNOWN_CARDS = set(V.artifact_names(ARTIFACTS["number_card"]))
KNOWN_SOURCES = set(V.artifact_names(ARTIFACTS["dashboard_chart_source"]))


def _ids(artifacts: list) -> list[str]:
	return [str(Path(a.path).relative_to(APP_ROOT)) for a in artifacts]


def _data(artifact):
	if not HOOKS.exists():
		pytest.skip("sales_funnel/hooks.py does not exist yet")
	assert artifact.error is None, artifact.error
	return artifact.data


# ---------------------------------------------------------------------------------------------------------
# 1. the real app
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("artifact", ARTIFACTS["doctype"], ids=_ids(ARTIFACTS["doctype"]))
def test_app_doctype(artifact):
	doc = _data(artifact)
	assert V.validate_doctype(doc, KNOWN_DOCTYPES, artifact.path, app_doctypes=APP_DOCTYPES) == []


@pytest.mark.parametrize("artifact", ARTIFACTS["report"], ids=_ids(ARTIFACTS["report"]))
def test_app_report(artifact):
	assert V.validate_report(_data(artifact), KNOWN_DOCTYPES, artifact.path) == []


@pytest.mark.parametrize("artifact", ARTIFACTS["workspace"], ids=_ids(ARTIFACTS["workspace"]))
def test_app_workspace(artifact):
	problems = V.validate_workspace(
		_data(artifact),
		KNOWN_DOCTYPES,
		KNOWN_REPORTS,
		artifact.path,
		known_charts=KNOWN_CHARTS | {"Territory Wise Sales"},
		known_number_cards=KNOWN_CARDS,
	)
	assert problems == []


@pytest.mark.parametrize("artifact", ARTIFACTS["number_card"], ids=_ids(ARTIFACTS["number_card"]))
def test_app_number_card(artifact):
	problems = V.validate_number_card(
		_data(artifact), KNOWN_DOCTYPES, KNOWN_REPORTS, artifact.path, app_root=str(APP_ROOT)
	)
	assert problems == []


@pytest.mark.parametrize("artifact", ARTIFACTS["dashboard_chart"], ids=_ids(ARTIFACTS["dashboard_chart"]))
def test_app_dashboard_chart(artifact):
	problems = V.validate_dashboard_chart(
		_data(artifact), KNOWN_DOCTYPES, KNOWN_REPORTS, artifact.path, known_sources=KNOWN_SOURCES
	)
	assert problems == []


@pytest.mark.parametrize(
	"artifact", ARTIFACTS["dashboard_chart_source"], ids=_ids(ARTIFACTS["dashboard_chart_source"])
)
def test_app_dashboard_chart_source(artifact):
	assert V.validate_dashboard_chart_source(_data(artifact), artifact.path, app_root=str(APP_ROOT)) == []


def test_the_app_ships_its_dashboards():
	"""The Funnels workspace's cards and charts are there, so the checks above are not vacuous."""
	assert len(ARTIFACTS["number_card"]) >= 9
	assert len(ARTIFACTS["dashboard_chart"]) >= 3
	assert {
		chart["source"] for chart in V.artifact_names(ARTIFACTS["dashboard_chart"]).values()
	} <= KNOWN_SOURCES


@pytest.mark.parametrize("artifact", ARTIFACTS["fixture"], ids=_ids(ARTIFACTS["fixture"]))
def test_app_fixture(artifact):
	fields = V.app_doctype_fields(APP_DOCTYPES)
	assert V.validate_fixture(_data(artifact), artifact.path, KNOWN_DOCTYPES, fields) == []


def test_app_hooks():
	if not HOOKS.exists():
		pytest.skip("sales_funnel/hooks.py does not exist yet")
	assert V.validate_hooks(str(HOOKS), str(APP_ROOT), KNOWN_DOCTYPES) == []


def test_app_patches():
	if not HOOKS.exists():
		pytest.skip("sales_funnel/hooks.py does not exist yet")
	assert V.validate_patches(str(PATCHES), str(APP_ROOT)) == []


# ---------------------------------------------------------------------------------------------------------
# 2. the validators reject broken artifacts (and accept the matching good ones)
# ---------------------------------------------------------------------------------------------------------

GOOD_CHILD = {
	"doctype": "DocType",
	"name": "Funnel Test Item",
	"module": "Sales Funnel",
	"istable": 1,
	"editable_grid": 1,
	"fields": [
		{"fieldname": "item", "fieldtype": "Link", "label": "Item", "options": "Item", "in_list_view": 1}
	],
}
GOOD_MASTER = {
	"doctype": "DocType",
	"name": "Funnel Test Master",
	"module": "Sales Funnel",
	"autoname": "field:title",
	"naming_rule": "By fieldname",
	"fields": [{"fieldname": "title", "fieldtype": "Data", "label": "Title", "reqd": 1, "unique": 1}],
	"permissions": [{"role": "System Manager", "read": 1, "write": 1, "create": 1, "delete": 1}],
}
GOOD_DOCTYPE = {
	"doctype": "DocType",
	"name": "Funnel Test Record",
	"module": "Sales Funnel",
	"engine": "InnoDB",
	"autoname": "hash",
	"naming_rule": "Random",
	"field_order": [
		"title",
		"status",
		"reference_doctype",
		"reference_name",
		"opportunity",
		"customer_name",
		"items",
	],
	"fields": [
		{"fieldname": "title", "fieldtype": "Data", "label": "Title", "reqd": 1, "in_list_view": 1},
		{
			"fieldname": "status",
			"fieldtype": "Select",
			"label": "Status",
			"options": "Open\nClosed",
			"default": "Open",
		},
		{
			"fieldname": "reference_doctype",
			"fieldtype": "Link",
			"label": "Reference DocType",
			"options": "DocType",
		},
		{
			"fieldname": "reference_name",
			"fieldtype": "Dynamic Link",
			"label": "Reference Name",
			"options": "reference_doctype",
		},
		{"fieldname": "opportunity", "fieldtype": "Link", "label": "Opportunity", "options": "Opportunity"},
		{
			"fieldname": "customer_name",
			"fieldtype": "Data",
			"label": "Customer Name",
			"fetch_from": "opportunity.customer_name",
			"read_only": 1,
		},
		{"fieldname": "items", "fieldtype": "Table", "label": "Items", "options": "Funnel Test Item"},
	],
	"permissions": [{"role": "Sales Manager", "read": 1, "write": 1, "create": 1}],
	"title_field": "title",
	"search_fields": "title,status",
	"sort_field": "modified",
	"sort_order": "DESC",
}
TEST_APP_DOCTYPES = {d["name"]: d for d in (GOOD_CHILD, GOOD_MASTER, GOOD_DOCTYPE)}
TEST_KNOWN = V.known_doctypes(set(TEST_APP_DOCTYPES))
GOOD_REPORT = {
	"doctype": "Report",
	"is_standard": "Yes",
	"module": "Sales Funnel",
	"name": "Funnel Test Report",
	"ref_doctype": "Opportunity",
	"report_name": "Funnel Test Report",
	"report_type": "Script Report",
	"roles": [{"role": "Sales Manager"}],
}
GOOD_CUSTOM_FIELD = {
	"doctype": "Custom Field",
	"name": "Opportunity-sf_funnel",
	"dt": "Opportunity",
	"fieldname": "sf_funnel",
	"fieldtype": "Link",
	"options": "Funnel Test Master",
	"label": "Funnel",
	"insert_after": "sales_stage",
	"module": "Sales Funnel",
}
GOOD_PROPERTY_SETTER = {
	"doctype": "Property Setter",
	"name": "Opportunity-status-options",
	"doc_type": "Opportunity",
	"doctype_or_field": "DocField",
	"field_name": "status",
	"property": "options",
	"property_type": "Text",
	"value": "Open\nQuotation\nConverted\nLost\nClosed",
	"module": "Sales Funnel",
}
GOOD_WORKSPACE = {
	"doctype": "Workspace",
	"name": "Sales Funnel",
	"label": "Sales Funnel",
	"title": "Sales Funnel",
	"module": "Sales Funnel",
	"public": 1,
	"content": json.dumps(
		[
			{"id": "a", "type": "shortcut", "data": {"shortcut_name": "Opportunity", "col": 3}},
			{"id": "b", "type": "card", "data": {"card_name": "Funnel", "col": 4}},
		]
	),
	"links": [
		{"type": "Card Break", "label": "Funnel"},
		{"type": "Link", "link_type": "DocType", "link_to": "Funnel Test Record", "label": "Records"},
		{"type": "Link", "link_type": "Report", "link_to": "Funnel Test Report", "label": "Report"},
	],
	"shortcuts": [{"type": "DocType", "link_to": "Opportunity", "label": "Opportunity"}],
}
GOOD_NUMBER_CARD = {
	"doctype": "Number Card",
	"name": "Open Deals",
	"label": "Open Deals",
	"is_standard": 1,
	"module": "Sales Funnel",
	"type": "Document Type",
	"document_type": "Opportunity",
	"function": "Count",
	"filters_json": "[]",
}
GOOD_CUSTOM_NUMBER_CARD = {
	"doctype": "Number Card",
	"name": "Open Deals",
	"label": "Open Deals",
	"is_standard": 1,
	"module": "Sales Funnel",
	"type": "Custom",
	"method": "sales_funnel.dashboards.open_deals",
	"document_type": "Opportunity",
	"filters_json": "{}",
	"dynamic_filters_json": json.dumps({"company": "frappe.defaults.get_user_default('Company')"}),
}
GOOD_REPORT_NUMBER_CARD = {
	"doctype": "Number Card",
	"name": "Report Total",
	"label": "Report Total",
	"is_standard": 1,
	"module": "Sales Funnel",
	"type": "Report",
	"report_name": "Funnel Test Report",
	"report_field": "amount",
	"report_function": "Sum",
	"filters_json": "{}",
}
GOOD_DASHBOARD_CHART = {
	"doctype": "Dashboard Chart",
	"name": "Deals by Stage",
	"chart_name": "Deals by Stage",
	"is_standard": 1,
	"module": "Sales Funnel",
	"chart_type": "Group By",
	"document_type": "Opportunity",
	"group_by_based_on": "sales_stage",
	"type": "Bar",
	"filters_json": "[]",
}
GOOD_CUSTOM_CHART = {
	"doctype": "Dashboard Chart",
	"name": "Deals by Stage",
	"chart_name": "Deals by Stage",
	"is_standard": 1,
	"module": "Sales Funnel",
	"chart_type": "Custom",
	"source": "Deals by Stage",
	"type": "Bar",
	"custom_options": json.dumps({"colors": ["#2490EF"]}),
	"roles": [{"role": "Sales User"}],
	"filters_json": "{}",
}
TEST_REPORTS = V.known_reports({"Funnel Test Report"})
TEST_SOURCES = {"Deals by Stage"}
CHART_SOURCES = FAKE_APP / "sales_funnel" / "sales_funnel" / "dashboard_chart_source"


def _doctype(doc, path=""):
	return V.validate_doctype(doc, TEST_KNOWN, path, app_doctypes=TEST_APP_DOCTYPES)


def _report(doc, path=""):
	return V.validate_report(doc, TEST_KNOWN, path)


def _fixture(records, path="fixture.json"):
	return V.validate_fixture(records, path, TEST_KNOWN, V.app_doctype_fields(TEST_APP_DOCTYPES))


def _workspace(doc, path=""):
	return V.validate_workspace(doc, TEST_KNOWN, TEST_REPORTS, path)


def _number_card(doc, path=""):
	return V.validate_number_card(doc, TEST_KNOWN, TEST_REPORTS, path, app_root=str(FAKE_APP))


def _dashboard_chart(doc, path=""):
	return V.validate_dashboard_chart(doc, TEST_KNOWN, TEST_REPORTS, path, known_sources=TEST_SOURCES)


# (broken file, validator, good inline artifact, substrings the problems must mention)
BROKEN_CASES = [
	("doctype_duplicate_fieldname.json", _doctype, GOOD_DOCTYPE, ["'title' appears multiple times"]),
	("doctype_invalid_fieldtype.json", _doctype, GOOD_DOCTYPE, ["invalid fieldtype 'Textt'"]),
	(
		"doctype_link_unknown_doctype.json",
		_doctype,
		GOOD_DOCTYPE,
		["'Nonexistent DocType' is not a known DocType"],
	),
	("doctype_table_not_child.json", _doctype, GOOD_DOCTYPE, ["'Funnel Test Master' is not a child table"]),
	("doctype_missing_permissions.json", _doctype, GOOD_DOCTYPE, ["missing permissions"]),
	("doctype_wrong_module.json", _doctype, GOOD_DOCTYPE, ["module must be 'Sales Funnel', got 'CRM'"]),
	(
		"child_doctype_with_permissions.json",
		_doctype,
		GOOD_CHILD,
		["child table (istable) must not have permissions"],
	),
	(
		"doctype_dynamic_link_missing_options_field.json",
		_doctype,
		GOOD_DOCTYPE,
		["Dynamic Link options 'missing_doctype_field'"],
	),
	("doctype_reserved_fieldname.json", _doctype, GOOD_DOCTYPE, ["'docstatus' is a reserved"]),
	(
		"doctype_bad_fetch_from.json",
		_doctype,
		GOOD_DOCTYPE,
		["fetch_from link field 'no_link' does not exist"],
	),
	("doctype_autoname_unknown_field.json", _doctype, GOOD_DOCTYPE, ["invalid fieldname 'missing_title'"]),
	("doctype_naming_rule_mismatch.json", _doctype, GOOD_DOCTYPE, ["naming_rule 'Random' does not match"]),
	(
		"doctype_field_order_mismatch.json",
		_doctype,
		GOOD_DOCTYPE,
		["field_order lists unknown fields ghost_field"],
	),
	("doctype_select_default_not_in_options.json", _doctype, GOOD_DOCTYPE, ["Select default 'Pending'"]),
	("doctype_title_field_missing.json", _doctype, GOOD_DOCTYPE, ["title_field 'subject' is not a field"]),
	("doctype_bad_fieldname.json", _doctype, GOOD_DOCTYPE, ["fieldname 'Bad-Name' has special characters"]),
	("report_wrong_type.json", _report, GOOD_REPORT, ["report_type must be 'Script Report'"]),
	("report_unknown_ref_doctype.json", _report, GOOD_REPORT, ["ref_doctype 'Funnel Ghost' is not a known"]),
	("report_no_roles.json", _report, GOOD_REPORT, ["roles must be a non-empty list"]),
	(
		"custom_field_no_prefix.json",
		_fixture,
		[GOOD_CUSTOM_FIELD],
		["fieldname 'funnel' must start with 'sf_'"],
	),
	(
		"custom_field_name_mismatch.json",
		_fixture,
		[GOOD_CUSTOM_FIELD],
		["name 'Opportunity-funnel' must be 'Opportunity-sf_funnel'"],
	),
	("custom_field_invalid_fieldtype.json", _fixture, [GOOD_CUSTOM_FIELD], ["invalid fieldtype 'Textt'"]),
	(
		"property_setter_bad_name.json",
		_fixture,
		[GOOD_PROPERTY_SETTER],
		["name must be 'Opportunity-status-options'"],
	),
	(
		"fixture_unknown_doctype.json",
		_fixture,
		[GOOD_CUSTOM_FIELD],
		["doctype 'Funnel Ghost' is not a known"],
	),
	(
		"workspace_bad_links.json",
		_workspace,
		GOOD_WORKSPACE,
		["link_to 'Funnel Ghost' is not a known DocType", "content is not valid JSON"],
	),
	("number_card_unknown_doctype.json", _number_card, GOOD_NUMBER_CARD, ["document_type 'Funnel Ghost'"]),
	(
		"number_card_custom_broken.json",
		_number_card,
		GOOD_CUSTOM_NUMBER_CARD,
		[
			"sales_funnel.dashboards.not_whitelisted must be decorated with @frappe.whitelist()",
			"Custom card needs a document_type",
			"show_percentage_stats is drawn for Document Type cards only",
			"dynamic_filters_json must be of the kind of filters_json",
		],
	),
	(
		"number_card_report_without_field.json",
		_number_card,
		GOOD_REPORT_NUMBER_CARD,
		["a Report card needs report_field", "report_function 'Count' is not valid"],
	),
	(
		"dashboard_chart_bad_chart_type.json",
		_dashboard_chart,
		GOOD_DASHBOARD_CHART,
		["chart_type 'Pie Chart'"],
	),
	(
		"dashboard_chart_custom_unknown_source.json",
		_dashboard_chart,
		GOOD_CUSTOM_CHART,
		[
			"source 'Ghost Source' is not a known Dashboard Chart Source",
			"Custom chart needs roles or a document_type",
			"type 'Pie Chart' is not one of Line, Bar",
			"custom_options is not valid JSON",
		],
	),
]


@pytest.mark.parametrize(
	("filename", "validate", "good", "expected"),
	BROKEN_CASES,
	ids=[case[0].removesuffix(".json") for case in BROKEN_CASES],
)
def test_validator_rejects_broken_artifact(filename, validate, good, expected):
	assert validate(copy.deepcopy(good)) == [], "the matching good artifact must pass"
	broken = json.loads((BROKEN / filename).read_text(encoding="utf-8"))
	problems = validate(broken)
	for text in expected:
		assert any(text in problem for problem in problems), f"{text!r} not reported in {problems}"


def test_every_broken_file_is_used():
	used = {case[0] for case in BROKEN_CASES}
	on_disk = {p.name for p in BROKEN.glob("*.json")}
	assert on_disk == used


def test_number_card_method_must_exist_in_the_app():
	missing = {**GOOD_CUSTOM_NUMBER_CARD, "method": "sales_funnel.dashboards.nothing_here"}
	problems = _number_card(missing)
	assert any("does not define 'nothing_here'" in p for p in problems), problems
	elsewhere = {**GOOD_CUSTOM_NUMBER_CARD, "method": "sales_funnel.no_such_module.open_deals"}
	assert any("module 'sales_funnel.no_such_module'" in p for p in _number_card(elsewhere))
	assert _number_card({**GOOD_CUSTOM_NUMBER_CARD, "method": "erpnext.some.method"}) == []  # not the app's
	assert any(
		"Custom card needs method" in p for p in _number_card({**GOOD_CUSTOM_NUMBER_CARD, "method": ""})
	)


def test_dashboard_chart_source_needs_its_script_and_a_whitelisted_method(tmp_path):
	good = CHART_SOURCES / "deals_by_stage" / "deals_by_stage.json"
	doc = json.loads(good.read_text())
	assert V.validate_dashboard_chart_source(doc, str(good), app_root=str(FAKE_APP)) == []

	folder = tmp_path / "dashboard_chart_source" / "deals_by_stage"
	folder.mkdir(parents=True)
	path = str(folder / "deals_by_stage.json")
	problems = V.validate_dashboard_chart_source(doc, path, app_root=str(FAKE_APP))
	assert any("deals_by_stage.js (the source's method and filters) is missing" in p for p in problems), (
		problems
	)
	script = folder / "deals_by_stage.js"
	script.write_text(
		'frappe.dashboards.chart_sources["Other"] = {method: "sales_funnel.dashboards.deals_chart"};'
	)
	problems = V.validate_dashboard_chart_source(doc, path, app_root=str(FAKE_APP))
	assert any('does not register frappe.dashboards.chart_sources["Deals by Stage"]' in p for p in problems)
	script.write_text(
		'frappe.dashboards.chart_sources["Deals by Stage"] = {\n\tmethod: "sales_funnel.dashboards.not_whitelisted",\n};'
	)
	problems = V.validate_dashboard_chart_source(doc, path, app_root=str(FAKE_APP))
	assert any("not_whitelisted must be decorated with @frappe.whitelist()" in p for p in problems), problems

	broken = {**doc, "source_name": "Deals", "module": "CRM"}
	problems = V.validate_dashboard_chart_source(broken, str(good), app_root=str(FAKE_APP))
	assert any("source_name must equal name" in p for p in problems), problems
	assert any("module must be 'Sales Funnel', got 'CRM'" in p for p in problems), problems
	renamed = {**doc, "name": "Deals per Stage", "source_name": "Deals per Stage"}
	problems = V.validate_dashboard_chart_source(renamed, str(good), app_root=str(FAKE_APP))
	assert any("scrubs to 'deals_per_stage' but its folder is 'deals_by_stage'" in p for p in problems)


def test_report_sibling_python_must_define_execute():
	report_dir = FAKE_APP / "sales_funnel" / "sales_funnel" / "report"
	good = report_dir / "good_report" / "good_report.json"
	broken = report_dir / "broken_report" / "broken_report.json"
	assert _report(json.loads(good.read_text()), str(good)) == []
	problems = _report(json.loads(broken.read_text()), str(broken))
	assert any("broken_report.py does not define execute" in p for p in problems), problems


def test_report_needs_py_and_js_files(tmp_path):
	folder = tmp_path / "report" / "funnel_test_report"
	folder.mkdir(parents=True)
	path = str(folder / "funnel_test_report.json")
	problems = _report(copy.deepcopy(GOOD_REPORT), path)
	assert any("funnel_test_report.py (execute) is missing" in p for p in problems), problems
	assert any("funnel_test_report.js (filters) is missing" in p for p in problems), problems
	(folder / "funnel_test_report.py").write_text("def execute(filters=None):\n\treturn [], []\n")
	(folder / "funnel_test_report.js").write_text("frappe.query_reports['Funnel Test Report'] = {};\n")
	assert _report(copy.deepcopy(GOOD_REPORT), path) == []


def test_doctype_folder_and_controller(tmp_path):
	folder = tmp_path / "doctype" / "funnel_test_record"
	folder.mkdir(parents=True)
	path = str(folder / "funnel_test_record.json")
	problems = _doctype(copy.deepcopy(GOOD_DOCTYPE), path)
	assert any("controller funnel_test_record.py is missing" in p for p in problems), problems
	(folder / "funnel_test_record.py").write_text("class Other:\n\tpass\n")
	problems = _doctype(copy.deepcopy(GOOD_DOCTYPE), path)
	assert any("does not define class FunnelTestRecord" in p for p in problems), problems
	(folder / "funnel_test_record.py").write_text(
		"from frappe.model.document import Document\n\n\nclass FunnelTestRecord(Document):\n\tpass\n"
	)
	assert _doctype(copy.deepcopy(GOOD_DOCTYPE), path) == []
	wrong = tmp_path / "doctype" / "funnel_record"
	wrong.mkdir()
	problems = _doctype(copy.deepcopy(GOOD_DOCTYPE), str(wrong / "funnel_record.json"))
	assert any("scrubs to 'funnel_test_record' but its folder is 'funnel_record'" in p for p in problems), (
		problems
	)


def test_hooks_validator():
	good = V.validate_hooks(str(FAKE_APP / "sales_funnel" / "hooks.py"), str(FAKE_APP), TEST_KNOWN)
	assert good == []
	problems = V.validate_hooks(str(BROKEN / "hooks_broken.py"), str(FAKE_APP), TEST_KNOWN)
	for text in (
		"required_apps must contain 'erpnext'",
		"does not define 'missing_function'",
		"module 'sales_funnel.no_such_module' of 'sales_funnel.no_such_module.handler' does not exist",
		"file 'public/js/missing.js' does not exist",
		"fixtures entry 'Property Setter' has no file fixtures/property_setter.json",
	):
		assert any(text in p for p in problems), f"{text!r} not reported in {problems}"


def test_patches_validator():
	assert V.validate_patches(str(FAKE_APP / "sales_funnel" / "patches.txt"), str(FAKE_APP)) == []
	problems = V.validate_patches(str(BROKEN / "patches_broken.txt"), str(FAKE_APP))
	for text in (
		"module 'sales_funnel.patches.v1_0.missing_patch' of 'sales_funnel.patches.v1_0.missing_patch.execute'",
		"'sales_funnel.patches.v1_0.patch_without_execute' does not define 'execute'",
		"execute: code does not parse",
	):
		assert any(text in p for p in problems), f"{text!r} not reported in {problems}"


def test_patches_sections(tmp_path):
	path = tmp_path / "patches.txt"
	path.write_text("[pre_model_sync]\nexecute:print(1)\nexecute:print(1)\n")
	problems = V.validate_patches(str(path), str(FAKE_APP))
	assert any("section [post_model_sync] is missing" in p for p in problems), problems
	assert any("duplicate patch" in p for p in problems), problems


def test_known_doctypes_cover_the_required_list():
	required = {
		"DocType", "User", "Role", "Has Role", "Company", "Currency", "Department", "Employee", "Sales Person",
		"Sales Team", "Territory", "Customer", "Customer Group", "Lead", "Opportunity", "Opportunity Item",
		"Opportunity Lost Reason", "Opportunity Lost Reason Detail", "Opportunity Type", "Sales Stage",
		"Quotation", "Quotation Item", "Sales Order", "Sales Order Item", "Sales Invoice", "Sales Invoice Item",
		"Payment Schedule", "Payment Entry", "Payment Entry Reference", "Call Log", "Dynamic Link", "ToDo",
		"Version", "Comment", "Communication", "Event", "Event Participants", "Item", "Item Group", "UTM Source",
		"UTM Medium", "UTM Campaign", "Contact", "Address", "Error Log", "Notification Log", "User Permission",
		"Custom Field", "Property Setter", "Report", "Workspace", "Number Card", "Dashboard Chart",
		"Print Format", "Email Template", "Assignment Rule", "Brand", "Mode of Payment", "Payment Term",
		"Account", "Cost Center", "Fiscal Year", "Project", "Task", "Prospect", "Campaign", "Market Segment",
		"Industry Type",
	}  # fmt: skip
	assert required - R.FRAPPE_ERPNEXT_DOCTYPES == set()
	assert V.known_doctypes({"Sales Funnel"}) >= required | {"Sales Funnel"}


def test_frappe_rule_helpers():
	assert R.scrub("Sales Funnel-Stage Transition") == "sales_funnel_stage_transition"
	assert R.naming_rule_for_autoname("field:title") == "By fieldname"
	assert R.naming_rule_for_autoname("SFT-.#####") == "Expression (old style)"
	assert R.OLD_STYLE_SERIES_PATTERN.match("SFT-.#####")
	assert R.controller_class_name("Funnel Stage-Transition") == "FunnelStageTransition"
	assert "Tab Break" in R.VALID_FIELDTYPES and "Textt" not in R.VALID_FIELDTYPES
