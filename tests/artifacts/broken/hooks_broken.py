app_name = "sales_funnel"
app_title = "Sales Funnel"
app_publisher = "Tests"
app_description = "Broken hooks for validator tests"
app_license = "mit"
required_apps = ["frappe"]

after_install = "sales_funnel.api.missing_function"
doc_events = {"Opportunity": {"on_update": "sales_funnel.no_such_module.handler"}}
doctype_js = {"Opportunity": "public/js/missing.js"}
fixtures = ["Property Setter"]
