#!/usr/bin/env bash
# Set up everything the engine, its tests and the demo need on a Debian machine; safe to run again.
#   - MariaDB: installed with apt if missing, started if not answering, a TCP login that can create databases
#   - .venv with the package and its test extras (reinstalled only when pyproject.toml changes)
# Source it (". scripts/setup.sh") to get MARIADB_* and the venv on PATH; scripts/demo.sh and test.sh do.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
. "$ROOT/scripts/lib/services.sh"

# credentials made by an earlier run of this script, unless the caller set their own
if [ -z "${MARIADB_USER:-}" ] && [ -f "$ROOT/.mariadb.env" ]; then . "$ROOT/.mariadb.env"; fi
export MARIADB_USER=${MARIADB_USER:-root}
export MARIADB_PASSWORD=${MARIADB_PASSWORD:-}

tcp_login() {
	MYSQL_PWD="$MARIADB_PASSWORD" mariadb --protocol=TCP -h "$MARIADB_HOST" -P "$MARIADB_PORT" -u "$MARIADB_USER" \
		-e 'SELECT 1' >/dev/null 2>&1
}

ensure_mariadb

if ! tcp_login && mariadb_local && [ "$MARIADB_USER" = root ] && as_root mariadb -e 'SELECT 1' >/dev/null 2>&1; then
	# Debian's root logs in through the unix socket only: make a TCP account for the tests and the demo
	say "creating MariaDB user sales_funnel for TCP logins"
	as_root mariadb -e "CREATE USER IF NOT EXISTS 'sales_funnel'@'localhost' IDENTIFIED BY 'sales_funnel';
		CREATE USER IF NOT EXISTS 'sales_funnel'@'127.0.0.1' IDENTIFIED BY 'sales_funnel';
		GRANT ALL PRIVILEGES ON *.* TO 'sales_funnel'@'localhost'; GRANT ALL PRIVILEGES ON *.* TO 'sales_funnel'@'127.0.0.1';"
	printf 'export MARIADB_USER=sales_funnel\nexport MARIADB_PASSWORD=sales_funnel\n' >"$ROOT/.mariadb.env"
	. "$ROOT/.mariadb.env"
fi
tcp_login || say "warning: cannot log in to MariaDB as $MARIADB_USER@$MARIADB_HOST:$MARIADB_PORT; the tests will say why"

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
	if ! "$PYTHON" -m venv .venv >/dev/null 2>&1; then
		say "installing python3-venv (apt)"
		rm -rf .venv
		apt_install python3-venv python3-pip
		"$PYTHON" -m venv .venv
	fi
fi
stamp=".venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
	say "installing sales_funnel with its test extras into .venv"
	.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
	rm -f .venv/.installed-*
	touch "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"
