// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

// The accountant's way to the ledger rebuild (Sales Funnel Settings, where the other long jobs are, is a Sales
// Manager's form): the job's state and progress are on its Sales Funnel Job record.
frappe.listview_settings["Sales Credit Entry"] = {
	onload(listview) {
		if (!frappe.user.has_role(["Accounts Manager", "System Manager"])) return;
		listview.page.add_inner_button(__("Rebuild Credit Ledger"), () =>
			frappe.confirm(__("Write the credit ledger again from the submitted invoices and payments?"), () =>
				frappe
					.call({ method: "sales_funnel.api.rebuild_credit_ledger", freeze: true })
					.then(() => frappe.set_route("Form", "Sales Funnel Job", "Credit Ledger Rebuild"))
			)
		);
	},
};
