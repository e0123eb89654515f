frappe.ui.form.on("Opportunity", {});
