"""The test harness: throwaway MariaDB databases with ERPNext-shaped tables and the app's own.

Connection: MARIADB_HOST / MARIADB_PORT / MARIADB_USER / MARIADB_PASSWORD (default root@127.0.0.1:3306, no
password). Every database gets a random name and is dropped at the end of the session, even on failure.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devkit.demo.generator import DemoSpec
from devkit.demo.loader import load_company, throwaway_database
from devkit.mariadb import ConnectionSettings, DatabaseConfigError, MariaDB
from devkit.schema.ddl import create_schema

DEMO_DEALS = 10_000


@pytest.fixture(scope="session")
def db_settings() -> ConnectionSettings:
	settings = ConnectionSettings.from_env()
	try:
		MariaDB(settings.with_database(None)).close()
	except DatabaseConfigError as exc:
		pytest.exit(f"error: {exc}", returncode=2)
	return settings


@pytest.fixture(scope="session")
def demo_spec() -> DemoSpec:
	return DemoSpec(deals=DEMO_DEALS)


@pytest.fixture(scope="session")
def demo_database(db_settings: ConnectionSettings, demo_spec: DemoSpec) -> Iterator[str]:
	"""A database holding the synthetic company (10,000 deals), shared by the session's tests."""
	with throwaway_database(db_settings, "sf_test_demo") as name:
		load_company(db_settings, name, demo_spec, drop_existing=False)
		yield name


@pytest.fixture
def demo_db(db_settings: ConnectionSettings, demo_database: str) -> Iterator[MariaDB]:
	"""A read connection to the demo company; whatever a test writes is rolled back."""
	with MariaDB(db_settings.with_database(demo_database)) as db:
		try:
			yield db
		finally:
			db.rollback()


@pytest.fixture(scope="session")
def scratch_database(db_settings: ConnectionSettings) -> Iterator[str]:
	"""An empty database with the full schema, for hand-built cases."""
	with throwaway_database(db_settings, "sf_test_scratch") as name:
		with MariaDB(db_settings.with_database(name), autocommit=True) as db:
			create_schema(db)
		yield name


@pytest.fixture
def db(db_settings: ConnectionSettings, scratch_database: str) -> Iterator[MariaDB]:
	"""The empty schema inside a transaction that is rolled back after the test: rows never leak between tests."""
	with MariaDB(db_settings.with_database(scratch_database)) as conn:
		try:
			yield conn
		finally:
			conn.rollback()
