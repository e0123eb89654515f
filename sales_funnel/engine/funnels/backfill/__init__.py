"""Backfill of stage history from ERPNext's own records (the rules: `plan`).

- `versions`: Frappe's `Version` data of an Opportunity (changes, lost reasons added, translated statuses).
- `scan`: reading the Opportunities without history, in batches, and their Versions.
- `moves`: a deal's moves rebuilt from its Opportunity and Versions.
- `plan`: the backfill plan, batch by batch, and claiming a deal before writing it.
"""
