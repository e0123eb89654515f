#!/usr/bin/env bash
# Set up everything the engine, its tests and the demo need on a Debian machine; safe to run again.
#   - MariaDB: installed with apt if missing, started if not answering, a TCP login that can create databases
#   - .venv with the package and its test extras (reinstalled only when pyproject.toml changes)
# Source it (". scripts/setup.sh") to get MARIADB_* and the venv on PATH; scripts/demo.sh and test.sh do.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
say() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
	say "need root for: $*"; return 1; fi; }

export MARIADB_HOST=${MARIADB_HOST:-127.0.0.1}
export MARIADB_PORT=${MARIADB_PORT:-3306}
# credentials made by an earlier run of this script, unless the caller set their own
if [ -z "${MARIADB_USER:-}" ] && [ -f "$ROOT/.mariadb.env" ]; then . "$ROOT/.mariadb.env"; fi
export MARIADB_USER=${MARIADB_USER:-root}
export MARIADB_PASSWORD=${MARIADB_PASSWORD:-}

tcp_login() {
	MYSQL_PWD="$MARIADB_PASSWORD" mariadb --protocol=TCP -h "$MARIADB_HOST" -P "$MARIADB_PORT" -u "$MARIADB_USER" \
		-e 'SELECT 1' >/dev/null 2>&1
}
local_server() { [ "$MARIADB_HOST" = 127.0.0.1 ] || [ "$MARIADB_HOST" = localhost ]; }

ping_server() { mariadb-admin --protocol=TCP -h "$MARIADB_HOST" -P "$MARIADB_PORT" ping >/dev/null 2>&1; }
apt_install() {
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v mariadb >/dev/null 2>&1 || ! command -v mariadb-admin >/dev/null 2>&1; then
	say "installing the MariaDB client (apt)"
	apt_install mariadb-client
fi

# a server is installed and started here only when none answers at MARIADB_HOST:MARIADB_PORT
if local_server && ! ping_server; then
	if [ ! -x /usr/sbin/mariadbd ]; then
		say "installing MariaDB (apt)"
		apt_install mariadb-server
	fi
	say "starting MariaDB"
	as_root mkdir -p /run/mysqld
	as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
	as_root service mariadb start >/dev/null 2>&1 ||
		as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
	for _ in $(seq 60); do
		ping_server && break
		sleep 1
	done
fi

if ! tcp_login && local_server && [ "$MARIADB_USER" = root ] && as_root mariadb -e 'SELECT 1' >/dev/null 2>&1; then
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
