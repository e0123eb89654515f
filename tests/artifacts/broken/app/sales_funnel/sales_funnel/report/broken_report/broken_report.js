frappe.query_reports["Broken Report"] = {filters: []};
