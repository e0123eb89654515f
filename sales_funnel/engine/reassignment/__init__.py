"""Scheduled reassignment and lead routing: which open deals go to which manager, and why. The engine plans; the
Frappe layer applies the plan with Frappe's document API.

- `model`: the Reassignment Rule (`Rule`), its trigger, pool and strategy names and bounds, the `Plan` of items.
- `rules`: loading the rules, resolving a rule's pool of managers, checking a rule before it is saved.
- `candidates`: which deals a rule's trigger fires on (`triggered_deals`), with the figures and why.
- `candidate_rows`: the SQL behind it (pages in `sf_open_now` order, the snapshot of the open deals).
- `history`: applied reassignments per deal and per hour, last activity, future Events and ToDos, open deals per
  manager.
- `ranking`: managers ranked by conversion, their tiers, a new Lead routed by temperature (`route_lead`).
- `chooser`: the new owner by the rule's strategy (round robin, least loaded, best converter, by temperature).
- `plan`: the planner (`plan_reassignments`): rules in order, limits, caps, one state object per run.
- `stale`: the data of the Stale Deals and Reassignment Preview reports.
- `report`: the columns and rows of the Stale Deals, Reassignment Preview and Manager Ranking reports.
"""
