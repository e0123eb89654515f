app_name = "sales_funnel"
app_title = "Sales Funnel"
app_publisher = "Tests"
app_description = "Fake app for validator tests"
app_license = "mit"
required_apps = ["erpnext"]

after_install = "sales_funnel.api.after_install"
doc_events = {"Opportunity": {"on_update": "sales_funnel.api.on_opportunity_update"}}
scheduler_events = {"daily": ["sales_funnel.api.daily"], "cron": {"0 * * * *": ["frappe.utils.now"]}}
doctype_js = {"Opportunity": "public/js/opportunity.js"}
fixtures = [{"dt": "Custom Field", "filters": [["module", "=", "Sales Funnel"]]}]
