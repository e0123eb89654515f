// Copyright (c) 2026, Sales Funnel contributors
// For license information, please see license.txt

// The long jobs: a button starts each (for the roles its method allows), and the Long Jobs table shows the last
// run of each (Sales Funnel Job, written by the job: sales_funnel/services/jobs.py), redrawn whenever a job's
// record changes (Frappe's list_update), so a running job's progress is seen here as it goes.
const SF_JOBS = [
	{
		job: "Stage History Backfill",
		label: __("Rebuild Stage History"),
		method: "sales_funnel.api.backfill_history",
		roles: ["Sales Manager", "System Manager"],
		confirm: __("Rebuild the stage history of every deal that has none, from its saved versions?"),
	},
	{
		job: "Credit Ledger Rebuild",
		label: __("Rebuild Credit Ledger"),
		method: "sales_funnel.api.rebuild_credit_ledger",
		roles: ["Accounts Manager", "System Manager"],
		confirm: __("Write the credit ledger again from the submitted invoices and payments?"),
	},
	{
		job: "Call Rollup Reseal",
		label: __("Reseal Call Rollup"),
		method: "sales_funnel.api.reseal_call_rollup",
		roles: ["Sales Manager", "System Manager"],
		confirm: __("Count every past day's calls of the Call Outcomes report again?"),
	},
];
const SF_JOB_COLORS = { Queued: "orange", Running: "blue", Finished: "green", Failed: "red" };

frappe.ui.form.on("Sales Funnel Settings", {
	onload(frm) {
		frappe.realtime.doctype_subscribe("Sales Funnel Job");
		frm._sf_jobs_listener = (data) => {
			if (data && data.doctype === "Sales Funnel Job" && frm.doc.doctype === "Sales Funnel Settings") {
				sf_render_jobs(frm);
			}
		};
		frappe.realtime.on("list_update", frm._sf_jobs_listener);
	},

	refresh(frm) {
		for (const job of SF_JOBS) {
			if (frappe.user.has_role(job.roles) || frappe.session.user === "Administrator") {
				frm.add_custom_button(job.label, () => sf_start_job(frm, job), __("Long Jobs"));
			}
		}
		sf_render_jobs(frm);
	},
});

function sf_start_job(frm, job) {
	frappe.confirm(job.confirm, () =>
		frappe.call({ method: job.method, freeze: true, freeze_message: __("Starting {0}", [__(job.job)]) }).then(
			() => sf_render_jobs(frm)
		)
	);
}

function sf_render_jobs(frm) {
	const wrapper = frm.get_field("jobs_html").$wrapper;
	frappe.db
		.get_list("Sales Funnel Job", {
			fields: ["name", "job", "status", "progress", "processed", "total", "started_by", "finished_at", "error"],
			limit: 10,
		})
		.then((rows) => {
			const by_job = Object.fromEntries(rows.map((row) => [row.job, row]));
			wrapper.html(sf_jobs_table(by_job));
		});
}

function sf_jobs_table(by_job) {
	const esc = frappe.utils.escape_html;
	const lines = SF_JOBS.map(({ job }) => {
		const row = by_job[job];
		if (!row) {
			return `<tr><td>${esc(__(job))}</td><td colspan="4" class="text-muted">${__("Never run")}</td></tr>`;
		}
		const color = SF_JOB_COLORS[row.status] || "gray";
		const percent = flt(row.progress, 1);
		const bar = `<div class="progress" style="height: 8px; margin: 6px 0;">
			<div class="progress-bar" role="progressbar" style="width: ${percent}%"></div></div>
			<span class="text-muted small">${format_number(percent, null, 1)}% · ${cint(row.processed)} / ${cint(row.total)}</span>`;
		const when = row.finished_at ? frappe.datetime.comment_when(row.finished_at) : "";
		const error = row.error ? `<div class="text-danger small">${esc(row.error)}</div>` : "";
		return `<tr>
			<td><a href="/app/sales-funnel-job/${encodeURIComponent(row.name)}">${esc(__(job))}</a></td>
			<td><span class="indicator-pill ${color}">${esc(__(row.status))}</span></td>
			<td style="min-width: 180px;">${bar}${error}</td>
			<td>${esc(row.started_by || "")}</td>
			<td>${when}</td>
		</tr>`;
	});
	return `<table class="table table-bordered table-sm sf-long-jobs">
		<thead><tr><th>${__("Job")}</th><th>${__("Status")}</th><th>${__("Progress")}</th>
			<th>${__("Started By")}</th><th>${__("Finished At")}</th></tr></thead>
		<tbody>${lines.join("")}</tbody></table>`;
}
