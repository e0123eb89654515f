"""Facts read from the Frappe / ERPNext sources (frappe/frappe, frappe/erpnext), used by validators.py.

Every constant names the file it was read from. Nothing here imports frappe.
"""

import re

# --- frappe/model/__init__.py -------------------------------------------------------------------------
# data_fieldtypes: fieldtypes that store a value in a column.
DATA_FIELDTYPES = (
	"Currency",
	"Int",
	"Long Int",
	"Float",
	"Percent",
	"Check",
	"Small Text",
	"Long Text",
	"Code",
	"Text Editor",
	"Markdown Editor",
	"HTML Editor",
	"Date",
	"Datetime",
	"Time",
	"Text",
	"Data",
	"Link",
	"Dynamic Link",
	"Password",
	"Select",
	"Rating",
	"Read Only",
	"Attach",
	"Attach Image",
	"Signature",
	"Color",
	"Barcode",
	"Geolocation",
	"Duration",
	"Icon",
	"Phone",
	"Autocomplete",
	"JSON",
)
# frappe/model/__init__.py: no_value_fields (layout and table fieldtypes: no column of their own)
NO_VALUE_FIELDS = (
	"Section Break",
	"Column Break",
	"Tab Break",
	"HTML",
	"Table",
	"Table MultiSelect",
	"Button",
	"Image",
	"Fold",
	"Heading",
)
# frappe/model/__init__.py: display_fieldtypes
DISPLAY_FIELDTYPES = (
	"Section Break",
	"Column Break",
	"Tab Break",
	"HTML",
	"Button",
	"Image",
	"Fold",
	"Heading",
)
# frappe/model/__init__.py: table_fields
TABLE_FIELDS = ("Table", "Table MultiSelect")
# frappe/model/__init__.py: attachment_fieldtypes
ATTACHMENT_FIELDTYPES = ("Attach", "Attach Image")
# frappe/model/__init__.py: data_field_options (the only options a Data field may have)
DATA_FIELD_OPTIONS = ("Email", "Name", "Phone", "URL", "Barcode")
# frappe/model/__init__.py: default_fields (standard columns of every table)
DEFAULT_FIELDS = ("doctype", "name", "owner", "creation", "modified", "modified_by", "docstatus", "idx")
# frappe/model/__init__.py: child_table_fields (extra standard columns of child tables)
CHILD_TABLE_FIELDS = ("parent", "parentfield", "parenttype")
# frappe/model/__init__.py: optional_fields (_user_tags ... columns added to every non-child table)
OPTIONAL_FIELDS = ("_user_tags", "_comments", "_assign", "_liked_by", "_seen")
# frappe/model/__init__.py: core_doctypes_list (custom fields cannot be added to these:
# frappe/custom/doctype/custom_field/custom_field.py get_fields_label)
CORE_DOCTYPES_LIST = (
	"DefaultValue",
	"DocType",
	"DocField",
	"DocPerm",
	"DocType Action",
	"DocType Link",
	"User",
	"Role",
	"Has Role",
	"Page",
	"Module Def",
	"Print Format",
	"Report",
	"Customize Form",
	"Customize Form Field",
	"Property Setter",
	"Custom Field",
	"Client Script",
)
# Every valid DocField.fieldtype = data_fieldtypes + no_value_fields (frappe/model/__init__.py; the
# DocField/Custom Field "fieldtype" Select options in docfield.json / custom_field.json are the same set).
VALID_FIELDTYPES = frozenset(DATA_FIELDTYPES) | frozenset(NO_VALUE_FIELDS)

# --- frappe/model/base_document.py ---------------------------------------------------------------------
# RESERVED_KEYWORDS (checked by check_invalid_fieldnames in doctype.py validate_fields)
RESERVED_KEYWORDS = frozenset(
	(
		"doctype",
		"meta",
		"flags",
		"_weakref",
		"_parent_doc",
		"_table_fields",
		"_doc_before_save",
		"_table_fieldnames",
		"permitted_fieldnames",
		"dont_update_if_missing",
	)
)
# Methods / properties of BaseDocument. DocType.validate_field_name_conflicts (doctype.py) rejects a
# value field whose fieldname equals a controller method or property (every controller inherits these).
BASE_DOCUMENT_ATTRIBUTES = frozenset(
	(
		"update",
		"update_if_missing",
		"get_db_value",
		"get",
		"getone",
		"set",
		"delete_key",
		"append",
		"parent_doc",
		"extend",
		"remove",
		"remove_unpicklable_values",
		"get_valid_dict",
		"init_child_tables",
		"init_valid_columns",
		"get_valid_columns",
		"is_new",
		"docstatus",
		"as_dict",
		"as_json",
		"get_table_field_doctype",
		"get_parentfield_of_doctype",
		"db_insert",
		"meta",
		"permitted_fieldnames",
	)
)


# frappe/model/base_document.py import_controller: the controller class name of a DocType.
def controller_class_name(doctype: str) -> str:
	return doctype.replace(" ", "").replace("-", "")


# --- frappe/__init__.py ---------------------------------------------------------------------------------
def scrub(txt: str) -> str:
	"""frappe.scrub: `Sales Order` -> `sales_order` (folder / file names of standard documents)."""
	return str(txt).replace(" ", "_").replace("-", "_").lower()


# --- frappe/database/schema.py --------------------------------------------------------------------------
# validate_column_name: anything that isn't a unicode word character is rejected
SPECIAL_CHAR_PATTERN = re.compile(r"[\W]", flags=re.UNICODE)
# validate_column_length: frappe.db.MAX_COLUMN_LENGTH ("Fieldname is limited to 64 characters")
MAX_COLUMN_LENGTH = 64

# --- frappe/core/doctype/doctype/doctype.py -------------------------------------------------------------
# DocType.validate_name: table name `tab<name>` must fit in MAX_COLUMN_LENGTH
MAX_DOCTYPE_NAME_LENGTH = MAX_COLUMN_LENGTH - 3
WHITESPACE_PADDING_PATTERN = re.compile(r"^[ \t\n\r]+|[ \t\n\r]+$", flags=re.ASCII)
START_WITH_LETTERS_PATTERN = re.compile(r"^(?![\W])[^\d_\s][\w -]+$", flags=re.ASCII)
ILLEGAL_FIELDNAME_PATTERN = re.compile("""['",./%@()<>{}]""")
DEPENDS_ON_PATTERN = re.compile(r'[\w\.:_]+\s*={1}\s*[\w\.@\'"]+')
FIELD_PATTERN = re.compile("{(.*?)}", flags=re.UNICODE)
# DocType.scrub_field_names: "Fieldname {0} is restricted"
RESTRICTED_FIELDNAMES = (
	"name",
	"parent",
	"creation",
	"modified",
	"modified_by",
	"parentfield",
	"parenttype",
	"file_list",
	"flags",
	"docstatus",
)
# validate_fields.check_illegal_depends_on_conditions
DEPENDS_ON_PROPERTIES = (
	"depends_on",
	"collapsible_depends_on",
	"mandatory_depends_on",
	"read_only_depends_on",
)
# validate_fields.check_unique_and_text
UNIQUE_ALLOWED_FIELDTYPES = ("Data", "Link", "Read Only")
NON_INDEXABLE_FIELDTYPES = ("Text", "Long Text", "Small Text", "Code", "Text Editor")
# validate_fields.check_precision
PRECISION_FIELDTYPES = ("Currency", "Float", "Percent")
PRECISION_MIN, PRECISION_MAX = 1, 6
# validate_fields.check_no_of_ratings
RATING_MIN, RATING_MAX = 3, 10
# validate_fields.check_dynamic_link_options: the options field must be Link (to DocType) or Select
DYNAMIC_LINK_POINTER_FIELDTYPES = ("Link", "Select")
# validate_fields.check_timeline_field
TIMELINE_FIELDTYPES = ("Link", "Dynamic Link")
# validate_fields.check_max_height
MAX_HEIGHT_UNITS = ("px", "em")
# check_email_append_to
SUBJECT_FIELDTYPES = ("Data", "Text", "Long Text", "Small Text", "Text Editor")
# validate_series: autoname forms accepted without a series prefix
AUTONAME_KEYWORDS = ("prompt", "hash")
AUTONAME_PREFIXES = ("field:", "eval:", "naming_series:", "format:")
# validate_series sets autoname "naming_series:" when this field exists; the field must exist for it
NAMING_SERIES_FIELD = "naming_series"
# validate_permissions.check_atleast_one_set
BASIC_PERMISSIONS = ("select", "read", "write", "submit", "cancel", "create")

# --- frappe/public/js/frappe/doctype/index.js (DocTypeController.naming_rule / autoname) -----------------
NAMING_RULES = (
	"Set by user",
	"Autoincrement",
	"By fieldname",
	'By "Naming Series" field',
	"Expression",
	"Expression (old style)",
	"Random",
	"UUID",
	"By script",
)


def naming_rule_for_autoname(autoname: str) -> str:
	"""DocTypeController.autoname(): the naming_rule the form derives from an autoname value."""
	value = autoname.lower()
	if value == "prompt":
		return "Set by user"
	if value == "autoincrement":
		return "Autoincrement"
	if value.startswith("field:"):
		return "By fieldname"
	if value.startswith("naming_series:"):
		return 'By "Naming Series" field'
	if value.startswith("format:"):
		return "Expression"
	if value == "hash":
		return "Random"
	if value == "uuid":
		# frappe/database/schema.py get_definition: autoname == "UUID" gives a uuid name column
		return "UUID"
	return "Expression (old style)"


# "Expression (old style)" description in index.js: "Format: EXAMPLE-.##### Series by prefix (separated by a dot)"
OLD_STYLE_SERIES_PATTERN = re.compile(r"^[^\s#.][^\s]*\.#+$")

# --- Report JSON (erpnext/crm/report/lead_details/lead_details.json,
#     erpnext/crm/report/sales_pipeline_analytics/sales_pipeline_analytics.json) -------------------------
REPORT_REQUIRED_KEYS = (
	"doctype",
	"name",
	"report_name",
	"report_type",
	"ref_doctype",
	"is_standard",
	"module",
	"roles",
)

# --- frappe/desk/doctype/workspace/workspace.json + erpnext/crm/workspace/crm/crm.json -------------------
# Workspace autoname is "field:label" -> name == label; "title" is reqd; "content" is Long Text (JSON).
WORKSPACE_LINK_ROW_TYPES = ("Link", "Card Break")
WORKSPACE_LINK_TYPES = ("DocType", "Page", "Report")
WORKSPACE_SHORTCUT_TYPES = ("DocType", "Report", "Page", "Dashboard", "URL")

# --- frappe/desk/doctype/number_card/number_card.json, number_card.py -------------------------------------
NUMBER_CARD_TYPES = ("Document Type", "Report", "Custom")
NUMBER_CARD_FUNCTIONS = ("Count", "Sum", "Average", "Minimum", "Maximum")
NUMBER_CARD_REPORT_FUNCTIONS = ("Sum", "Average", "Minimum", "Maximum")  # report_function
# number_card.py has_permission: a user who is no System Manager sees a card other than a Report card only when
# they may read its document_type. number_card_widget.js render_stats: percentage stats for Document Type cards
# only. frappe/public/js/frappe/utils/dashboard_utils.js get_all_filters: a list of dynamic filters is appended
# to a list of filters ([...filters, ...dynamic]), an object of them assigned to an object of filters.

# --- frappe/desk/doctype/dashboard_chart/dashboard_chart.json (autoname "field:chart_name"), .py ----------
DASHBOARD_CHART_TYPES = ("Count", "Sum", "Average", "Group By", "Custom", "Report")
DASHBOARD_CHART_DOCTYPE_TYPES = ("Count", "Sum", "Average", "Group By")
DASHBOARD_CHART_DISPLAY_TYPES = ("Line", "Bar", "Percentage", "Pie", "Donut", "Heatmap")  # `type`
# dashboard_chart.py has_permission: a chart's roles when it has any, else its report (Report charts) or its
# document_type; without either, only System Managers see a Custom chart.

# --- frappe/desk/doctype/dashboard_chart_source/dashboard_chart_source.py get_config --------------------------
# The chart widget evaluates <module>/dashboard_chart_source/<scrub(name)>/<scrub(name)>.js, which registers
# frappe.dashboards.chart_sources["<name>"] = {method: "<whitelisted dotted path>", filters: [...]}.
CHART_SOURCE_JS_PATTERN = re.compile(
	r"""frappe\.dashboards\.chart_sources\[\s*(["'])(?P<name>.+?)\1\s*\]\s*=\s*\{.*?method:\s*(["'])(?P<method>[\w.]+)\3""",
	flags=re.DOTALL,
)

# --- frappe/custom/doctype/custom_field/custom_field.py ---------------------------------------------------
# CustomField.autoname: name = dt + "-" + fieldname
# --- frappe/custom/doctype/property_setter/property_setter.py ---------------------------------------------
# PropertySetter.autoname: name = f"{doc_type}-{field_name or row_name or 'main'}-{property}"
PROPERTY_SETTER_DOCTYPE_OR_FIELD = (
	"",
	"DocField",
	"DocType",
	"DocType Link",
	"DocType Action",
	"DocType State",
)

# --- frappe/modules/patch_handler.py -----------------------------------------------------------------------
# patches.txt: INI sections parsed by configparser(allow_no_value=True, delimiters="\n"); both sections
# are read when no patch type is given; `execute:` one-liners; `finally:` patches; a patch line is
# `module.path [anything]` -> `module.path.execute` is called.
PATCH_SECTIONS = ("pre_model_sync", "post_model_sync")

# --- frappe/desk/form/meta.py get_code_files_via_hooks ------------------------------------------------------
# doctype_js / doctype_list_js / ... values are paths relative to the app package (frappe.get_app_path).
DOCTYPE_JS_HOOKS = ("doctype_js", "doctype_list_js", "doctype_tree_js", "doctype_calendar_js")

# --- frappe/utils/fixtures.py export_fixtures --------------------------------------------------------------
# A fixtures entry is a doctype name or a dict with "doctype" or "dt" (and optional "filters");
# it is exported to <app>/fixtures/<scrub(doctype)>.json.

# --- DocTypes verified to exist in frappe/frappe or frappe/erpnext (doctype folder / JSON found) ----------
FRAPPE_ERPNEXT_DOCTYPES = frozenset(
	(
		# frappe/core/doctype/<scrub>/<scrub>.json
		"DocType",
		"User",
		"Role",
		"Has Role",
		"Version",
		"Comment",
		"Communication",
		"Error Log",
		"User Permission",
		"Report",
		"Dynamic Link",
		"Module Def",
		# frappe/model/__init__.py core_doctypes_list + base_document.py DOCTYPE_TABLE_FIELDS
		"DefaultValue",
		"DocField",
		"DocPerm",
		"DocType Action",
		"DocType Link",
		"DocType State",
		"Page",
		"Customize Form",
		"Customize Form Field",
		"Client Script",
		# frappe/desk/doctype/<scrub>/<scrub>.json
		"ToDo",
		"Event",
		"Event Participants",
		"Notification Log",
		"Number Card",
		"Dashboard Chart",
		"Dashboard",
		"Workspace",
		# frappe/desk/doctype/workspace/workspace.json (Table / Link options)
		"Workspace Link",
		"Workspace Shortcut",
		"Workspace Chart",
		"Workspace Number Card",
		"Domain",
		# frappe/desk/doctype/dashboard_chart/dashboard_chart.json (Link options)
		"Dashboard Chart Source",
		# frappe/custom/doctype/<scrub>/<scrub>.json
		"Custom Field",
		"Property Setter",
		# frappe/contacts/doctype/<scrub>/<scrub>.json
		"Contact",
		"Address",
		# frappe/printing/doctype/print_format/print_format.json
		"Print Format",
		# frappe/email/doctype/email_template/email_template.json
		"Email Template",
		# frappe/automation/doctype/assignment_rule/assignment_rule.json
		"Assignment Rule",
		# frappe/geo/doctype/<scrub>/<scrub>.json
		"Currency",
		"Country",
		# frappe/website/doctype/<scrub>/<scrub>.json
		"UTM Source",
		"UTM Medium",
		"UTM Campaign",
		# erpnext/setup/doctype/<scrub>/<scrub>.json
		"Company",
		"Department",
		"Designation",
		"Employee",
		"Sales Person",
		"Sales Partner",
		"Territory",
		"Customer Group",
		"Item Group",
		"Brand",
		# erpnext/selling/doctype/<scrub>/<scrub>.json
		"Customer",
		"Quotation",
		"Quotation Item",
		"Sales Order",
		"Sales Order Item",
		"Sales Team",
		"Industry Type",
		# erpnext/crm/doctype/<scrub>/<scrub>.json
		"Lead",
		"Opportunity",
		"Opportunity Item",
		"Opportunity Lost Reason",
		"Opportunity Lost Reason Detail",
		"Opportunity Type",
		"Sales Stage",
		"Prospect",
		"Campaign",
		"Market Segment",
		"Competitor",
		"Contract",
		"Appointment",
		# erpnext/accounts/doctype/<scrub>/<scrub>.json
		"Sales Invoice",
		"Sales Invoice Item",
		"Payment Schedule",
		"Payment Entry",
		"Payment Entry Reference",
		"Mode of Payment",
		"Payment Term",
		"Account",
		"Cost Center",
		"Fiscal Year",
		# erpnext/telephony/doctype/call_log/call_log.json
		"Call Log",
		# erpnext/stock/doctype/item/item.json
		"Item",
		# erpnext/projects/doctype/<scrub>/<scrub>.json
		"Project",
		"Task",
	)
)

# Standard reports that exist in ERPNext: lead_details.json and sales_pipeline_analytics.json were read;
# the others are linked as Reports from erpnext/crm/workspace/crm/crm.json.
FRAPPE_ERPNEXT_REPORTS = frozenset(
	(
		"Lead Details",
		"Sales Pipeline Analytics",
		"Opportunity Summary by Sales Stage",
		"Prospects Engaged But Not Converted",
		"First Response Time for Opportunity",
		"Inactive Customers",
		"Campaign Efficiency",
		"Lead Owner Efficiency",
		"Sales Analytics",
	)
)
