# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Reminders about calls left without an outcome (the scheduler entries `tasks.remind_calls_without_outcome` and
`tasks.send_outcome_digest`): the engine selects (`sales_funnel.engine.calls.overdue`), Frappe's document API acts."""

from __future__ import annotations

from datetime import timedelta

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import make_notification_logs
from frappe.desk.form import assign_to
from frappe.email.doctype.email_account.email_account import EmailAccount
from frappe.utils import escape_html, format_datetime, get_fullname, now_datetime

from sales_funnel.engine.calls.overdue import missing_outcome_digest, overdue_calls
from sales_funnel.engine.names import CALL_LOG_DOCTYPE as CALL_LOG
from sales_funnel.sales_funnel.doctype.sales_funnel_settings.sales_funnel_settings import call_settings

REMINDERS_PER_RUN = 5000
DIGEST_DAYS = 1
MANAGER_ROLE = "Sales Manager"


def remind_calls_without_outcome() -> None:
	"""A ToDo for the employee of every call past its grace period without an outcome (at most
	REMINDERS_PER_RUN a run); the engine never selects a call that already has a ToDo, so no call is reminded about
	twice."""
	settings = call_settings()
	now = now_datetime()
	overdue = overdue_calls(
		frappe.db,
		now,
		grace_hours=settings.grace_period_hours,
		statuses=settings.statuses,
		since=now - timedelta(days=settings.reminder_lookback_days),
		limit=REMINDERS_PER_RUN,
	)
	for call in overdue.with_employee:
		try:
			assign_to.add(
				{
					"assign_to": [call.employee],
					"doctype": CALL_LOG,
					"name": call.call,
					"description": _("Set the outcome of call {0} of {1}.").format(
						call.call, format_datetime(call.start_time)
					),
					"priority": "High",
					"assigned_by": "Administrator",
				},
				ignore_permissions=True,  # the job decided the reminder; Call Log is given to few roles
			)
			frappe.db.commit()  # each reminder stands on its own: one failure does not undo the others
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title=_("Call outcome reminder failed for {0}").format(call.call))


def send_outcome_digest() -> None:
	"""The Sales Managers' digest of the last day's calls left without an outcome, when the settings ask for it: a
	Notification Log each (always) and an e-mail (when the site has an outgoing email account)."""
	settings = call_settings()
	if not settings.send_daily_digest:
		return
	now = now_datetime()
	digest = missing_outcome_digest(
		frappe.db,
		now,
		grace_hours=settings.grace_period_hours,
		statuses=settings.statuses,
		since=now - timedelta(days=DIGEST_DAYS),
	)
	if digest.empty:
		return
	managers = sales_managers()
	if not managers:
		return
	total = int(digest["missing"].sum())
	subject = _("{0} calls of the last day have no outcome").format(total)
	lines = "".join(
		f"<li>{escape_html(get_fullname(row.employee) if row.employee else _('(no employee)'))}: "
		f"{_('{0} of {1} calls without an outcome').format(row.missing, row.due)}</li>"
		for row in digest.itertuples()
	)
	body = f"<p>{escape_html(subject)}</p><ul>{lines}</ul>"
	# written here, in the job's own transaction (the job is already in the background): a Notification Log
	# per manager, committed before the e-mail is tried, so no e-mail problem can take the digest away
	make_notification_logs(
		frappe._dict(
			{
				"type": "Alert",
				"document_type": CALL_LOG,
				"subject": subject,
				"email_content": body,
				"from_user": "Administrator",
			}
		),
		managers,
	)
	frappe.db.commit()
	mail_digest(managers, subject, body)


def mail_digest(managers: list[str], subject: str, body: str) -> bool:
	"""Queue the digest e-mail when the site can send mail. Frappe never e-mails Notification Logs of type Alert,
	so it is mailed explicitly; `frappe.sendmail` needs an outgoing Email Account (or mail settings in the site
	config) and raises OutgoingEmailError without one, which is a site without e-mail, not a failed digest."""
	if not EmailAccount.find_outgoing():  # what frappe.sendmail looks for, without raising
		frappe.logger("sales_funnel").info(
			"call outcome digest: no outgoing email account, notifications only"
		)
		return False
	try:
		frappe.sendmail(recipients=managers, subject=subject, message=body)
	except frappe.OutgoingEmailError:
		frappe.log_error(title=_("The call outcome digest could not be e-mailed"))
		return False
	return True


def sales_managers() -> list[str]:
	"""Enabled users with the Sales Manager role."""
	users = frappe.get_all(
		"Has Role", filters={"role": MANAGER_ROLE, "parenttype": "User"}, pluck="parent", distinct=True
	)
	return [
		u for u in users if u not in ("Administrator", "Guest") and frappe.db.get_value("User", u, "enabled")
	]
