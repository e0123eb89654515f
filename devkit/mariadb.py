"""The `db` port off a bench: `MariaDB`, a small PyMySQL adapter behind the engine's `Database` protocol
(`sales_funnel.engine.db`) that behaves the way `frappe.db.sql` does for what the engine uses: `%(name)s` / `%s`
parameters, tuples of tuples by default, a list of `Row` (frappe's `_dict`) with `as_dict=True`, DECIMAL columns
converted to float (Frappe's CONVERSION_MAP).

A `Row` answers None for any attribute it lacks, so numpy and pandas take it for an array-like
(`__array_struct__` is None) and `pd.DataFrame(rows, columns=...)` raises "invalid __array_struct__".
Build frames from such rows with `sales_funnel.engine.frames`, never by handing the rows to pandas.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pymysql
from pymysql.constants import ER, FIELD_TYPE
from pymysql.converters import conversions

from sales_funnel.engine.db import Values


class Row(dict):
	"""A row of `db.sql(..., as_dict=True)`: a copy of the behaviour of `frappe._dict` (Frappe v15,
	`frappe/types/frappedict.py`), which is what `frappe.db.sql` returns on a bench.

	Keys are attributes too, and a missing attribute is None rather than an AttributeError.
	"""

	__slots__ = ()
	__getattr__ = dict.get
	__setattr__ = dict.__setitem__
	__delattr__ = dict.__delitem__
	__setstate__ = dict.update

	def __getstate__(self):
		return self

	def update(self, *args, **kwargs):
		"""update and return self -- the missing dict feature in python"""

		super().update(*args, **kwargs)
		return self

	def copy(self):
		return Row(self)


class DatabaseConfigError(RuntimeError):
	"""The database cannot be used as configured; the message is one line that says how to fix it."""


@dataclass(frozen=True)
class ConnectionSettings:
	host: str = "127.0.0.1"
	port: int = 3306
	user: str = "root"
	password: str = ""
	database: str | None = None

	@classmethod
	def from_env(cls, environ: Mapping[str, str] | None = None) -> ConnectionSettings:
		"""Read MARIADB_HOST, MARIADB_PORT, MARIADB_USER, MARIADB_PASSWORD, MARIADB_DATABASE."""
		env = os.environ if environ is None else environ
		port = env.get("MARIADB_PORT", "3306")
		if not port.isdigit():
			raise DatabaseConfigError(f"MARIADB_PORT must be a port number, not {port!r}.")
		return cls(
			host=env.get("MARIADB_HOST", "127.0.0.1"),
			port=int(port),
			user=env.get("MARIADB_USER", "root"),
			password=env.get("MARIADB_PASSWORD", ""),
			database=env.get("MARIADB_DATABASE") or None,
		)

	def with_database(self, database: str | None) -> ConnectionSettings:
		return replace(self, database=database)

	@property
	def where(self) -> str:
		return f"{self.user}@{self.host}:{self.port}"


# Frappe's MariaDB CONVERSION_MAP turns DECIMAL into float; the engine relies on that.
_CONVERSIONS = {**conversions, FIELD_TYPE.NEWDECIMAL: float, FIELD_TYPE.DECIMAL: float}


def explain_connection_error(exc: pymysql.Error, settings: ConnectionSettings) -> str:
	"""One line saying what is wrong with the connection and how to fix it."""
	code = exc.args[0] if exc.args else None
	if code in (2002, 2003, 2005, 2006, 2013):
		return (
			f"MariaDB is not reachable at {settings.host}:{settings.port}. Start it "
			"(scripts/setup.sh installs and starts it) or point MARIADB_HOST / MARIADB_PORT at a running server."
		)
	if code in (ER.ACCESS_DENIED_ERROR, 1698):  # 1698: access denied without a usable password plugin
		return (
			f"MariaDB refused the login {settings.where} (wrong user or password). "
			"Set MARIADB_USER / MARIADB_PASSWORD to an account that may create databases."
		)
	if code == ER.BAD_DB_ERROR:
		return f"MariaDB has no database {settings.database!r} at {settings.where}. Create it or unset MARIADB_DATABASE."
	if code == ER.DBACCESS_DENIED_ERROR:
		return f"MariaDB user {settings.user!r} may not use or create database {settings.database!r}. Grant it or use root."
	return f"MariaDB error at {settings.where}: {exc.args[-1] if exc.args else exc}"


class MariaDB:
	"""A PyMySQL connection behind Frappe's `db.sql` contract."""

	def __init__(self, settings: ConnectionSettings, *, local_infile: bool = False, autocommit: bool = False):
		self.settings = settings
		try:
			self._conn = pymysql.connect(
				host=settings.host,
				port=settings.port,
				user=settings.user,
				password=settings.password,
				database=settings.database,
				charset="utf8mb4",
				conv=_CONVERSIONS,
				local_infile=local_infile,
				autocommit=autocommit,
				connect_timeout=5,
			)
		except pymysql.Error as exc:
			raise DatabaseConfigError(explain_connection_error(exc, settings)) from exc

	def sql(self, query: str, values: Values = None, as_dict: bool = False) -> Any:
		with self._conn.cursor() as cursor:
			cursor.execute(query, values)
			rows = cursor.fetchall()
			description = cursor.description
		if not description:  # no result set (an INSERT, UPDATE, ...): () as Frappe returns, as_dict or not
			return ()
		if as_dict:
			# as Frappe's fetch_as_dict: one Row per row, keyed by the column labels (a repeated label keeps
			# the last value, where PyMySQL's DictCursor would have prefixed the table name)
			keys = [column[0] for column in description]
			return [Row(zip(keys, row, strict=False)) for row in rows]
		return tuple(rows)

	def executemany(self, query: str, rows: Sequence[Sequence[Any]]) -> int:
		with self._conn.cursor() as cursor:
			return cursor.executemany(query, rows)

	def commit(self) -> None:
		self._conn.commit()

	def rollback(self) -> None:
		self._conn.rollback()

	def close(self) -> None:
		if self._conn.open:
			self._conn.close()

	def __enter__(self) -> MariaDB:
		return self

	def __exit__(self, *exc: object) -> None:
		self.close()
