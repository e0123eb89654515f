"""Bulk-load the synthetic company into a MariaDB database.

Frames become tab-separated files that MariaDB reads with `LOAD DATA LOCAL INFILE`, on a second connection in a
background thread, so drawing the next chunk of deals overlaps with loading the previous one.
"""

from __future__ import annotations

import contextlib
import queue
import secrets
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from devkit.demo.generator import DemoCompany, DemoSpec, Frame
from devkit.mariadb import ConnectionSettings, DatabaseConfigError, MariaDB
from devkit.schema.ddl import (
	add_indexes_sql,
	columns_of,
	create_schema,
	site_doctypes,
	table_name,
)
from sales_funnel.engine.sales.credit_ledger import rebuild_credits

DATE_TYPES = {"Date": "%Y-%m-%d", "Datetime": "%Y-%m-%d %H:%M:%S.%f"}


class LoadError(RuntimeError):
	"""MariaDB took a file with warnings (a duplicate key, a truncated value): the data is not what was generated."""


class SchemaDriftError(ValueError):
	"""The generator wrote a column the schema (doctype JSON, fixtures, ERPNext stubs) does not have."""


def _check_database_name(name: str) -> str:
	if not name.replace("_", "").isalnum() or len(name) > 64:
		raise DatabaseConfigError(
			f"Database name {name!r} must be letters, digits and underscores (at most 64)."
		)
	return name


def create_database(settings: ConnectionSettings, name: str, *, drop_existing: bool = True) -> None:
	name = _check_database_name(name)
	with MariaDB(settings.with_database(None), autocommit=True) as server:
		if drop_existing:
			server.sql(f"DROP DATABASE IF EXISTS `{name}`")
		server.sql(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")


def drop_database(settings: ConnectionSettings, name: str) -> None:
	name = _check_database_name(name)
	with MariaDB(settings.with_database(None), autocommit=True) as server:
		server.sql(f"DROP DATABASE IF EXISTS `{name}`")


def write_tsv(frame: pd.DataFrame, meta: Mapping[str, Any], path: Path) -> list[str]:
	"""Write `frame` as MariaDB's default LOAD DATA text format; return the column list in file order."""
	types = {f["fieldname"]: f["fieldtype"] for f in meta.get("fields", [])}
	types.update({"creation": "Datetime", "modified": "Datetime"})
	out = frame.copy(deep=False)
	for column in out.columns:
		fmt = DATE_TYPES.get(types.get(column, ""))
		if fmt and pd.api.types.is_datetime64_any_dtype(out[column]):
			out[column] = out[column].dt.strftime(fmt)
	out.to_csv(path, sep="\t", header=False, index=False, na_rep="\\N", lineterminator="\n")
	return list(out.columns)


@dataclass
class LoadReport:
	database: str
	rows: Counter = field(default_factory=Counter)
	seconds_generating: float = 0.0
	seconds_total: float = 0.0  # the load: generation, files, indexes
	# derived after the load (`credit_ledger.rebuild_credits`), kept apart so the load's figures stay comparable
	credit_ledger_rows: int = 0
	seconds_credit_ledger: float = 0.0


class BulkLoader:
	"""Accepts frames, writes them to files, and loads them on `workers` background connections."""

	def __init__(
		self,
		settings: ConnectionSettings,
		metas: Mapping[str, Mapping[str, Any]],
		depth: int = 24,
		workers: int = 2,
	):
		self.settings = settings
		self.metas = metas
		self.rows: Counter = Counter()
		self._dir = Path(tempfile.mkdtemp(prefix="sales_funnel_load_"))
		self._queue: queue.Queue[tuple[str, Path, list[str], int] | None] = queue.Queue(maxsize=depth)
		self._error: BaseException | None = None
		self._serial = 0
		self._threads = [
			threading.Thread(target=self._run, name=f"bulk-loader-{i}", daemon=True) for i in range(workers)
		]
		self._lock = threading.Lock()
		for thread in self._threads:
			thread.start()

	def submit(self, doctype: str, frame: pd.DataFrame) -> None:
		self._raise_if_failed()
		if frame.empty:
			return
		meta = self.metas.get(doctype)
		if meta is None:
			raise SchemaDriftError(f"The generator wrote {doctype!r}, which the schema does not define.")
		unknown = sorted(set(frame.columns) - set(columns_of(meta)))
		if unknown:
			raise SchemaDriftError(
				f"The generator wrote columns {unknown} that `{table_name(doctype)}` does not have."
			)
		self._serial += 1
		path = self._dir / f"{self._serial:06d}.tsv"
		columns = write_tsv(frame, meta, path)
		self._queue.put((doctype, path, columns, len(frame)))

	def _run(self) -> None:
		try:
			with MariaDB(self.settings, local_infile=True, autocommit=True) as db:
				db.sql("SET SESSION unique_checks = 0, foreign_key_checks = 0")
				while (job := self._queue.get()) is not None:
					doctype, path, columns, count = job
					column_list = ", ".join(f"`{c}`" for c in columns)
					db.sql(
						f"LOAD DATA LOCAL INFILE %s INTO TABLE `{table_name(doctype)}` CHARACTER SET utf8mb4 "
						f"FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' ({column_list})",
						(str(path),),
					)
					warnings = db.sql("SHOW COUNT(*) WARNINGS")[0][0]
					if warnings:
						detail = db.sql("SHOW WARNINGS LIMIT 3")
						raise LoadError(f"Loading {doctype}: {warnings} warnings, e.g. {detail}")
					with self._lock:
						self.rows[doctype] += count
					path.unlink()
		except BaseException as exc:  # handed to the submitting thread, which always ends with close()
			self._error = exc
			while self._queue.get() is not None:
				pass

	def _raise_if_failed(self) -> None:
		if self._error is not None:
			raise self._error

	def close(self) -> Counter:
		for _ in self._threads:
			self._queue.put(None)
		for thread in self._threads:
			thread.join()
		shutil.rmtree(self._dir, ignore_errors=True)
		self._raise_if_failed()
		return self.rows


def load_frames(loader: BulkLoader, frames: Iterable[Frame]) -> None:
	for doctype, frame in frames:
		loader.submit(doctype, frame)


def load_company(
	settings: ConnectionSettings,
	database: str,
	spec: DemoSpec,
	*,
	progress: Callable[[str], None] | None = None,
	drop_existing: bool = True,
) -> LoadReport:
	"""Create `database`, its schema, and load the demo company described by `spec` into it; then write its credit
	ledger (Sales Credit Entry) from the loaded invoices and payments, as installing the app on such a site does."""
	started = time.perf_counter()
	create_database(settings, database, drop_existing=drop_existing)
	target = settings.with_database(database)
	metas = site_doctypes()
	with MariaDB(target, autocommit=True) as db:
		create_schema(db, metas, with_indexes=False)
	company = DemoCompany(spec)
	loader = BulkLoader(target, metas)
	generating = 0.0
	try:
		load_frames(loader, company.reference_frames())
		for number, chunk in enumerate(_timed(company.deal_frames()), start=1):
			frames, seconds = chunk
			generating += seconds
			load_frames(loader, frames)
			if progress:
				progress(
					f"chunk {number}: {min(number * spec.chunk, spec.deals):,} of {spec.deals:,} deals generated"
				)
	finally:
		rows = loader.close()
	if progress:
		progress("building indexes")
	build_indexes(target, metas, rows)
	report = LoadReport(database, rows, generating, time.perf_counter() - started)
	if progress:
		progress("writing the credit ledger")
	ledger_started = time.perf_counter()
	with MariaDB(target) as db:
		report.credit_ledger_rows = rebuild_credits(db, now=spec.now)
		db.commit()
	report.seconds_credit_ledger = time.perf_counter() - ledger_started
	return report


def build_indexes(
	settings: ConnectionSettings, metas: Mapping[str, Mapping[str, Any]], rows: Counter
) -> None:
	"""Add every table's secondary indexes after the load, biggest tables first, on two connections."""
	order = sorted(metas, key=lambda doctype: -rows.get(doctype, 0))

	def build(doctypes: list[str]) -> None:
		with MariaDB(settings, autocommit=True) as db:
			for doctype in doctypes:
				db.sql(add_indexes_sql(doctype, metas[doctype]))

	halves = [order[0::2], order[1::2]]
	with ThreadPoolExecutor(max_workers=2) as pool:
		for future in [pool.submit(build, half) for half in halves]:
			future.result()


def _timed(iterator: Iterable[list[Frame]]) -> Iterable[tuple[list[Frame], float]]:
	it = iter(iterator)
	while True:
		started = time.perf_counter()
		try:
			frames = next(it)
		except StopIteration:
			return
		yield frames, time.perf_counter() - started


@contextlib.contextmanager
def throwaway_database(settings: ConnectionSettings, prefix: str = "sf_test") -> Iterator[str]:
	"""A database with a random name that is dropped on exit, whatever happened inside."""
	name = f"{prefix}_{secrets.token_hex(5)}"
	create_database(settings, name, drop_existing=False)
	try:
		yield name
	finally:
		drop_database(settings, name)
