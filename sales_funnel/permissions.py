"""Who sees which deals and figures: the DealScope for the app's reports, every permission hook of the app (hooks.py
`permission_query_conditions` and `has_permission`: Funnel Stage Transition, Reassignment Log, Sales Plan, Sales Plan
Target, Sales Credit Entry), and the Company user permissions of the money reports.

A Sales Manager, a System Manager and Administrator see every deal; anyone else sees the Opportunities they own
(`opportunity_owner` or the document's `owner`) or are assigned to (`_assign`). ERPNext user permissions
(Company, Territory, Customer Group, …) narrow both, as Frappe applies them to Opportunity.

Frappe contracts (v15, the same in v16):

- `permission_query_conditions` hooks are called as `method(user, doctype=doctype)` (frappe/model/db_query.py,
  `get_permission_query_conditions`) and return an SQL condition, or "" for no restriction;
- `has_permission` hooks are called as `method(doc=doc, ptype=ptype, user=user, debug=debug)`
  (frappe/permissions.py, `has_controller_permissions`). In v15 a hook decides by returning True or False and
  defers with None; from v16 only a truthy value allows. This hook always returns a bool, so both agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import frappe
import frappe.permissions
from frappe import _

from sales_funnel.engine.names import DEAL_DOCTYPE, MANAGER_ROLES, SEES_ALL_MONEY
from sales_funnel.engine.scope import PERMISSION_FIELDS, DealScope, like_literal

TRANSITION_TABLE = "`tabFunnel Stage Transition`"


def has_any_role(roles: Iterable[str], user: str | None = None) -> bool:
	"""`user` (the session user when None) has one of `roles`; Administrator has them all."""
	user = user or frappe.session.user
	return user == "Administrator" or not set(roles).isdisjoint(frappe.get_roles(user))


def require_any_role(roles: Iterable[str], message: str, user: str | None = None) -> None:
	"""A PermissionError with the translated `message` unless `user` has one of `roles`. Not `frappe.only_for`,
	which lets every user through while tests run (flags.in_test), so the rule could never be tested."""
	if not has_any_role(roles, user):
		frappe.throw(message, frappe.PermissionError, title=_("Not Permitted"))


def may_run_report(report: str) -> bool:
	"""What `frappe.desk.query_report.run` asks before it runs a report: one of the Report's roles and report
	permission on its ref_doctype (for a method that shows the report's figures outside the report)."""
	doc = frappe.get_cached_doc("Report", report)
	return bool(doc.is_permitted() and frappe.has_permission(doc.ref_doctype, "report"))


def is_funnel_manager(user: str | None = None) -> bool:
	"""Sees every deal (user permissions aside)."""
	return has_any_role(MANAGER_ROLES, user)


def deal_scope(user: str | None = None) -> DealScope:
	"""The deals `user` may see in the app's reports."""
	user = user or frappe.session.user
	allowed = opportunity_user_permissions(user)
	strict = bool(frappe.get_system_settings("apply_strict_user_permissions"))
	if is_funnel_manager(user):
		return DealScope(allowed=allowed, strict=strict)
	return DealScope(own_or_assigned_of=user, allowed=allowed, strict=strict)


def opportunity_user_permissions(user: str) -> dict[str, list[str]]:
	"""Opportunity field -> the values the user's User Permissions allow, as Frappe applies them to Opportunity.

	`frappe.permissions.get_user_permissions(user)` returns `{allow_doctype: [{"doc", "applicable_for",
	"is_default"}, …]}` with the descendants of tree values already added; a permission with no
	`applicable_for` ("apply to all doctypes") or with `applicable_for == "Opportunity"` applies. A doctype whose
	permissions all apply to other doctypes does not restrict Opportunity, and a link field marked
	`ignore_user_permissions` is not restricted (frappe/model/db_query.py, `add_user_permissions`)."""
	user_permissions = frappe.permissions.get_user_permissions(user) or {}
	if not user_permissions:
		return {}
	meta = frappe.get_meta(DEAL_DOCTYPE)
	allowed: dict[str, list[str]] = {}
	for doctype, fieldname in PERMISSION_FIELDS.items():
		if fieldname != "name":
			field = meta.get_field(fieldname)
			if not field or field.ignore_user_permissions:
				continue
		docs = {
			str(permission.get("doc"))
			for permission in user_permissions.get(doctype, [])
			if permission.get("doc")
			and (not permission.get("applicable_for") or permission.get("applicable_for") == DEAL_DOCTYPE)
		}
		if docs:
			allowed[fieldname] = sorted(docs)
	return allowed


def transition_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""List / report condition on `tabFunnel Stage Transition`: a non-manager sees the history of own deals."""
	user = user or frappe.session.user
	if is_funnel_manager(user):
		return ""
	name = frappe.db.escape(user)
	assigned = frappe.db.escape(f'%"{like_literal(user)}"%')
	return (
		f"({TRANSITION_TABLE}.`deal_doctype` = 'Opportunity' and {TRANSITION_TABLE}.`deal` in ("
		"select `tabOpportunity`.`name` from `tabOpportunity` where "
		f"`tabOpportunity`.`opportunity_owner` = {name} or `tabOpportunity`.`owner` = {name} "
		f"or `tabOpportunity`.`_assign` like {assigned}))"
	)


def transition_has_permission(
	doc: Any, ptype: str | None = None, user: str | None = None, debug: bool = False
) -> bool:
	"""Document check, the same rule as the list: the deal is the user's own or assigned, and readable."""
	user = user or frappe.session.user
	if is_funnel_manager(user):
		return True
	deal, deal_doctype = doc.get("deal"), doc.get("deal_doctype") or DEAL_DOCTYPE
	if not deal or deal_doctype != DEAL_DOCTYPE:
		return False
	opportunity = frappe.db.get_value(
		DEAL_DOCTYPE, deal, ["opportunity_owner", "owner", "_assign"], as_dict=True
	)
	if not opportunity:
		return False
	own = user in (opportunity.opportunity_owner, opportunity.owner)
	if not own and user not in (frappe.parse_json(opportunity._assign or "[]") or []):
		return False
	return bool(frappe.has_permission(DEAL_DOCTYPE, "read", deal, user=user))


# Reassignment Log: a Sales User sees the rows of deals taken from or given to them; a manager sees all
# -----------------------------------------------------------------------------------------------------


def log_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	if is_funnel_manager(user):
		return ""
	name = frappe.db.escape(user)
	return f"(`tabReassignment Log`.from_user = {name} OR `tabReassignment Log`.to_user = {name})"


def log_has_permission(
	doc: Any, ptype: str | None = None, user: str | None = None, debug: bool = False
) -> bool:
	user = user or frappe.session.user
	return is_funnel_manager(user) or user in (doc.get("from_user"), doc.get("to_user"))


# Money and plans: who sees whose figures
# ---------------------------------------
# Sales Managers, System Managers and Accounts see every Sales Person's figures; anyone else (a Sales User) sees
# those of their own Sales People (Employee.user_id -> Sales Person.employee) and of everyone under them in the
# Sales Person tree. The reports pass `own_sales_people(user)` to the engine as `within`; the list and form of
# Sales Plan and Sales Credit Entry follow the same rule through the hooks below.

PLAN_TABLE = "`tabSales Plan`"
TARGET_TABLE = "`tabSales Plan Target`"
CREDIT_TABLE = "`tabSales Credit Entry`"


def sees_all_money(user: str | None = None) -> bool:
	return has_any_role(SEES_ALL_MONEY, user)


def own_sales_people(user: str | None = None) -> list[str] | None:
	"""The Sales People whose figures `user` may see: None for everyone's, else their own (possibly none)."""
	from sales_funnel.engine.sales.sales_people import sales_people_of_user

	user = user or frappe.session.user
	if sees_all_money(user):
		return None
	return sales_people_of_user(frappe.db, user)


def own_sales_people_and_members(user: str | None = None) -> list[str] | None:
	"""`own_sales_people` with everyone under them in the tree (None for everyone's)."""
	own = own_sales_people(user)
	if not own:
		return own
	rows = frappe.db.sql(
		"""SELECT DISTINCT member.name FROM `tabSales Person` member
		JOIN `tabSales Person` own ON member.lft >= own.lft AND member.rgt <= own.rgt
		WHERE own.name IN %(own)s""",
		{"own": tuple(own)},
	)
	return sorted(row[0] for row in rows)


def _in_list(column: str, names: list[str]) -> str:
	if not names:
		return "1 = 0"
	return f"{column} in ({', '.join(frappe.db.escape(name) for name in names)})"


def plan_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""Sales Plan list: a Sales User sees the plans whose every target is for one of their own Sales People
	(a plan is one document: showing it shows all its rows, so a plan with anyone else's target, or a company
	target, is not theirs to read; their own targets in it show in Plan vs Fact)."""
	people = own_sales_people_and_members(user)
	if people is None:
		return ""
	mine = _in_list("t.sales_person", people)
	return (
		f"({PLAN_TABLE}.name in (select t.parent from {TARGET_TABLE} t where t.parenttype = 'Sales Plan' "
		f"and t.scope_type = 'Sales Person' and {mine}) "
		f"and {PLAN_TABLE}.name not in (select t.parent from {TARGET_TABLE} t where t.parenttype = 'Sales Plan' "
		f"and (t.scope_type != 'Sales Person' or ifnull(t.sales_person, '') = '' or not ({mine}))))"
	)


def plan_target_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""Sales Plan Target rows read on their own (a child table's list): a Sales User's own Sales People's."""
	people = own_sales_people_and_members(user)
	if people is None:
		return ""
	return (
		f"({TARGET_TABLE}.scope_type = 'Sales Person' and {_in_list(f'{TARGET_TABLE}.sales_person', people)})"
	)


def plan_has_permission(
	doc: Any, ptype: str | None = None, user: str | None = None, debug: bool = False
) -> bool:
	"""The document check of `plan_query_conditions`."""
	people = own_sales_people_and_members(user)
	if people is None:
		return True
	targets = doc.get("targets") or []
	return bool(targets) and all(
		row.get("scope_type") == "Sales Person" and row.get("sales_person") in people for row in targets
	)


def credit_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""Sales Credit Entry list: a Sales User sees the rows credited to their own Sales People."""
	people = own_sales_people_and_members(user)
	if people is None:
		return ""
	return f"({_in_list(f'{CREDIT_TABLE}.sales_person', people)})"


def credit_has_permission(
	doc: Any, ptype: str | None = None, user: str | None = None, debug: bool = False
) -> bool:
	people = own_sales_people_and_members(user)
	return people is None or doc.get("sales_person") in people


# Company user permissions in the reports
# ---------------------------------------


def company_permitted(company: str, doctypes: tuple[str, ...], user: str | None = None) -> bool:
	"""Whether the user's Company user permissions (if any apply to `doctypes`, the documents a report reads)
	allow `company`. A report's company is a filter, which Frappe does not check against user permissions
	(`frappe.desk.query_report.validate_filters_permissions` checks only the Report record's own filters)."""
	user = user or frappe.session.user
	if user == "Administrator":
		return True
	permissions = (frappe.permissions.get_user_permissions(user) or {}).get("Company") or []
	applying = {
		str(permission.get("doc"))
		for permission in permissions
		if not permission.get("applicable_for") or permission.get("applicable_for") in doctypes
	}
	return not applying or company in applying


def check_company_permission(company: str | None, doctypes: tuple[str, ...], user: str | None = None) -> None:
	if company and not company_permitted(company, doctypes, user):
		frappe.throw(
			_("You are not permitted to see the figures of Company {0}.").format(frappe.bold(company)),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
