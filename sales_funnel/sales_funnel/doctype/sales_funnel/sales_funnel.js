// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

frappe.ui.form.on("Sales Funnel", {
	setup(frm) {
		// A stage appears once in a funnel: offer only the Sales Stages not used by another row.
		frm.set_query("stage", "stages", (doc, cdt, cdn) => {
			const row = locals[cdt][cdn];
			const used = (doc.stages || [])
				.filter((other) => other.name !== row.name && other.stage)
				.map((other) => other.stage);
			return used.length ? { filters: [["Sales Stage", "name", "not in", used]] } : {};
		});
	},

	refresh(frm) {
		if (!frm.is_new() && !frm.doc.enabled) {
			frm.set_intro(__("This funnel is disabled: new deals do not go to it."), "orange");
		} else {
			frm.set_intro("");
		}
	},
});
