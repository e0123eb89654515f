"""Who sees which deals: the DealScope for the app's reports, and the permission hooks of Funnel Stage Transition.

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

from typing import Any

import frappe
import frappe.permissions

from sales_funnel.engine.scope import PERMISSION_FIELDS, DealScope, like_literal

MANAGER_ROLES = frozenset({"Sales Manager", "System Manager"})
DEAL_DOCTYPE = "Opportunity"
TRANSITION_TABLE = "`tabFunnel Stage Transition`"


def is_funnel_manager(user: str | None = None) -> bool:
	"""Sees every deal (user permissions aside)."""
	user = user or frappe.session.user
	return user == "Administrator" or not MANAGER_ROLES.isdisjoint(frappe.get_roles(user))


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
