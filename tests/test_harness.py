"""The harness itself: throwaway databases, the connection errors people will actually hit, the main job."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devkit.demo.loader import throwaway_database
from devkit.mariadb import ConnectionSettings, DatabaseConfigError, MariaDB


def database_exists(settings: ConnectionSettings, name: str) -> bool:
	with MariaDB(settings.with_database(None)) as server:
		return bool(server.sql("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (name,)))


def test_throwaway_database_is_dropped_even_when_the_body_fails(db_settings):
	with pytest.raises(RuntimeError, match="boom"):
		with throwaway_database(db_settings, "sf_test_harness") as name:
			assert database_exists(db_settings, name)
			raise RuntimeError("boom")
	assert not database_exists(db_settings, name)


def test_session_databases_have_random_names(demo_database, scratch_database, db_settings):
	assert demo_database.startswith("sf_test_demo_") and scratch_database.startswith("sf_test_scratch_")
	assert database_exists(db_settings, demo_database) and database_exists(db_settings, scratch_database)
	with throwaway_database(db_settings, "sf_test_demo") as other:
		assert other != demo_database


def test_sql_follows_frappe_db_sql_contract(db):
	db.sql(
		"INSERT INTO `tabUTM Source` (name, description) VALUES (%(name)s, %(text)s)",
		{"name": "Fair", "text": "x"},
	)
	assert db.sql("SELECT name, description FROM `tabUTM Source` WHERE name = %s", ("Fair",)) == (
		("Fair", "x"),
	)
	rows = db.sql("SELECT name FROM `tabUTM Source` WHERE name = %(name)s", {"name": "Fair"}, as_dict=True)
	assert rows == [{"name": "Fair"}]
	# DECIMAL comes back as float, as Frappe's CONVERSION_MAP makes it
	value = db.sql("SELECT CAST(12.5 AS DECIMAL(21, 9))")[0][0]
	assert isinstance(value, float) and value == 12.5


def test_values_are_parameters_never_sql(db):
	hostile = "x'); DROP TABLE `tabLead`; --"
	db.sql("INSERT INTO `tabUTM Source` (name) VALUES (%s)", (hostile,))
	assert db.sql("SELECT name FROM `tabUTM Source` WHERE name = %s", (hostile,))[0][0] == hostile
	assert db.sql("SHOW TABLES LIKE 'tabLead'")


def test_unreachable_server_is_one_clear_line():
	settings = ConnectionSettings(host="127.0.0.1", port=1)
	with pytest.raises(DatabaseConfigError) as info:
		MariaDB(settings)
	message = str(info.value)
	assert "not reachable at 127.0.0.1:1" in message and "MARIADB_HOST" in message and "\n" not in message


def test_wrong_credentials_are_one_clear_line(db_settings):
	settings = ConnectionSettings(
		host=db_settings.host, port=db_settings.port, user="sf_no_such_user", password="nope"
	)
	with pytest.raises(DatabaseConfigError) as info:
		MariaDB(settings)
	message = str(info.value)
	assert (
		"refused the login sf_no_such_user@" in message
		and "MARIADB_PASSWORD" in message
		and "\n" not in message
	)


def test_bad_port_variable_is_one_clear_line():
	with pytest.raises(DatabaseConfigError, match="MARIADB_PORT must be a port number"):
		ConnectionSettings.from_env({"MARIADB_PORT": "abc"})


def run_demo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
	return subprocess.run(
		[sys.executable, "-m", "devkit.demo", *args],
		# devkit is not an installed package: it is imported from the repository root
		cwd=Path(__file__).resolve().parents[1],
		capture_output=True,
		text=True,
		env={**os.environ, **(env or {})},
		timeout=300,
	)


def test_main_job_without_a_server_says_so_in_one_line_and_exits_2():
	result = run_demo("--deals", "10", env={"MARIADB_PORT": "1"})
	assert result.returncode == 2
	assert result.stderr.strip().count("\n") == 0
	assert result.stderr.startswith("error: MariaDB is not reachable at 127.0.0.1:1")
	assert "Traceback" not in result.stderr


def test_main_job_prints_the_demo_company(db_settings, tmp_path):
	with throwaway_database(db_settings, "sf_test_main") as name:
		env = {
			"MARIADB_HOST": db_settings.host,
			"MARIADB_PORT": str(db_settings.port),
			"MARIADB_USER": db_settings.user,
			"MARIADB_PASSWORD": db_settings.password,
		}
		result = run_demo("--deals", "3000", "--database", name, "--out", str(tmp_path), env=env)
	assert result.returncode == 0, result.stderr
	out = result.stdout
	assert "Rows per table" in out and "tabOpportunity" in out and "tabFunnel Stage Transition" in out
	assert "Deals per funnel and current stage" in out
	for funnel in ("B2B New Customers", "Inbound Retail", "Existing Customers", "Services B2B"):
		assert funnel in out
