app_name = "sales_funnel"
app_title = "Sales Funnel"
app_publisher = "Sales Funnel contributors"
app_description = (
	"Configurable sales funnels, stage history, call outcomes, plan/fact and reassignment for ERPNext"
)
app_email = "sales-funnel@example.com"
app_license = "mit"

required_apps = ["erpnext"]

# Fixtures
# --------
# Custom Fields that the app adds to ERPNext doctypes, all prefixed `sf_`

fixtures = [
	{"dt": "Custom Field", "filters": [["module", "=", "Sales Funnel"]]},
]
