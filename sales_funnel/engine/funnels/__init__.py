"""Funnels and the stage history of deals.

- `stages`: a funnel and its stages (the model), checking a stage list, loading funnels.
- `choice`: which funnel a new deal goes to.
- `history`: the `Funnel Stage Transition` row a move records, and reading a deal's history.
- `deal_rules`: the rules of a deal's stage the doc events apply (entry stage, Won by conversion, triggers,
  amount, item group, move time, probability).
- `call_funnel`: the funnel a call belongs to (`Call Log.sf_funnel`).
- `backfill/`: rebuilding the history of deals that have none, from ERPNext's own records.
"""
