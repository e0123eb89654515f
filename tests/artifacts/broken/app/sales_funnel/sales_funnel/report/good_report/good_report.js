frappe.query_reports["Good Report"] = {filters: []};
