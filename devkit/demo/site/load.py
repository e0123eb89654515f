"""Load the demo company into a bench site's own database with the devkit's bulk loader (LOAD DATA).

The site's credentials come from its `site_config.json` (db_name, db_password; the host from the bench's
common_site_config.json). The schema is the site's: column types are read from information_schema, so a column
the generator writes that the site's table lacks is refused (`SchemaDriftError`) instead of being lost.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devkit.demo.generator import DemoCompany, Frame
from devkit.demo.loader import BulkLoader
from devkit.demo.site.frames import SiteContext, SiteFrames
from devkit.mariadb import ConnectionSettings, MariaDB

DATE_TYPES = {"date": "Date", "datetime": "Datetime"}


def site_config(bench_dir: Path, site: str) -> dict[str, Any]:
	common = bench_dir / "sites" / "common_site_config.json"
	config = json.loads(common.read_text()) if common.exists() else {}
	config.update(json.loads((bench_dir / "sites" / site / "site_config.json").read_text()))
	return config


def site_settings(bench_dir: Path, site: str) -> ConnectionSettings:
	"""The site's own MariaDB user and database, as Frappe connects to it."""
	config = site_config(bench_dir, site)
	return ConnectionSettings(
		host=config.get("db_host") or "127.0.0.1",
		port=int(config.get("db_port") or 3306),
		user=config.get("db_user") or config["db_name"],
		password=config["db_password"],
		database=config["db_name"],
	)


def site_metas(db: MariaDB, doctypes: Iterable[str]) -> dict[str, dict[str, Any]]:
	"""A metadata dict per doctype with one field per column of its table (dates typed, the rest Data), in the
	shape `devkit.schema.ddl.columns_of` and the loader's file writer read."""
	tables = {f"tab{d}": d for d in doctypes}
	placeholders = ", ".join(["%s"] * len(tables))
	rows = db.sql(
		f"""SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = DATABASE() AND table_name IN ({placeholders}) ORDER BY ordinal_position""",
		tuple(tables),
	)
	metas: dict[str, dict[str, Any]] = {}
	for table, column, data_type in rows:
		meta = metas.setdefault(tables[table], {"fields": [], "istable": 0})
		meta["fields"].append({"fieldname": column, "fieldtype": DATE_TYPES.get(data_type, "Data")})
		if column == "parenttype":
			meta["istable"] = 1
	return metas


@dataclass
class SiteLoad:
	rows: Counter = field(default_factory=Counter)
	seconds: float = 0.0


def load_site(
	settings: ConnectionSettings,
	company: DemoCompany,
	context: SiteContext,
	*,
	progress: Callable[[str], None] | None = None,
) -> SiteLoad:
	"""Bulk-load the base customers and every chunk of deals (adapted by `SiteFrames`) into the site."""
	started = time.perf_counter()
	adapt = SiteFrames(company, context)
	reference = adapt.reference(company.reference_frames())
	chunks = iter(company.deal_frames())
	first_chunk = adapt.chunk(next(chunks))
	doctypes = {d for d, _ in reference} | {d for d, _ in first_chunk}
	with MariaDB(settings) as db:
		metas = site_metas(db, doctypes)
	loader = BulkLoader(settings, metas)
	try:
		_submit(loader, reference)
		for number, frames in enumerate(_chain(first_chunk, chunks, adapt), start=1):
			_submit(loader, frames)
			if progress:
				done = min(number * company.spec.chunk, company.spec.deals)
				progress(f"chunk {number}: {done:,} of {company.spec.deals:,} deals loaded")
	finally:
		rows = loader.close()
	return SiteLoad(rows, time.perf_counter() - started)


def _chain(first: list[Frame], rest: Iterator[list[Frame]], adapt: SiteFrames) -> Iterator[list[Frame]]:
	yield first
	for chunk in rest:
		yield adapt.chunk(chunk)


def _submit(loader: BulkLoader, frames: list[Frame]) -> None:
	for doctype, frame in frames:
		loader.submit(doctype, frame)
