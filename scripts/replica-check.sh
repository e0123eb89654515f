#!/usr/bin/env bash
# Proves the app's reports read from a MariaDB replica while writes go to the primary (issue 16, part 3).
#
# The shared MariaDB at 127.0.0.1:3306 runs without a binary log, and `log_bin` cannot be switched on without
# restarting it (it serves every bench on this machine), so this script makes BOTH ends privately:
#   1. a private primary (mariadbd, port SF_REPLICA_PRIMARY_PORT, default 3307, binary log on, server-id 1) holding
#      a copy of a site's database (the first bench site with sales_funnel installed, or SF_REPLICA_SOURCE_SITE);
#   2. a replica (port SF_REPLICA_PORT, default 3308, server-id 2, read_only) seeded from
#      `mariadb-dump --master-data --gtid` of the primary and started with CHANGE MASTER TO ... MASTER_USE_GTID;
#   3. a bench site `sf-replica-check.local` whose site_config points db_host/db_port to the private primary and
#      sets read_from_replica / replica_host / replica_db_port to the replica (frappe/__init__.py, connect_replica);
#   4. scripts/replica_check.py on the bench: every app report through frappe.desk.query_report.run, counting
#      Com_select on both instances, then an Opportunity saved on the primary and read back from the replica.
# Everything it starts is stopped and every file it made is removed on exit, on failure too (trap). Rerunnable:
# leftovers of an interrupted run are cleaned first.
#
#   export SF_BENCH_DIR=/var/cache/sales_funnel/bench-h4 SF_BENCH_PORT=8400 SF_TEST_SITE=sf-test-h4.local
#   bash scripts/replica-check.sh            # exit 0 on PASS, 1 on FAIL
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${SF_BENCH_DIR:?set SF_BENCH_DIR to your bench}
PRIMARY_PORT=${SF_REPLICA_PRIMARY_PORT:-3307}
REPLICA_PORT=${SF_REPLICA_PORT:-3308}
WORK="${SF_REPLICA_TMPDIR:-${TMPDIR:-/tmp}}/sf-replica-check-$PRIMARY_PORT"
SITE=${SF_REPLICA_SITE:-sf-replica-check.local}
SITE_DIR="$BENCH_DIR/sites/$SITE"
DB_NAME="_sfrc$PRIMARY_PORT"
DB_PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
CHECK_PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
REPL_PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
RUN_AS=$(id -u mysql >/dev/null 2>&1 && echo mysql || id -un)

log() { printf '[replica-check] %s\n' "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}
sql() { # sql primary|replica [mariadb args...]: root over the instance's own socket
	local name=$1
	shift
	mariadb --no-defaults -S "$WORK/$name.sock" -u root -N -B "$@"
}
shared_sql() { mariadb -N -B "$@"; }

stop_instance() {
	local name=$1 pid
	[ -f "$WORK/$name.pid" ] || return 0
	pid=$(cat "$WORK/$name.pid" 2>/dev/null || true)
	mariadb-admin --no-defaults -S "$WORK/$name.sock" -u root shutdown >/dev/null 2>&1 || true
	for _ in $(seq 1 30); do
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
	rm -f "$WORK/$name.pid"
}

cleanup() {
	stop_instance replica
	stop_instance primary
	rm -rf "$WORK"
	# only a site folder this script made (its marker file), never a real site of the same name
	if [ -f "$SITE_DIR/.sf-replica-check" ]; then rm -rf "$SITE_DIR"; fi
}

start_instance() { # start_instance name server_id [extra mariadbd options...]
	local name=$1 server_id=$2 port
	shift 2
	port=$([ "$name" = primary ] && echo "$PRIMARY_PORT" || echo "$REPLICA_PORT")
	mkdir -p "$WORK/$name"
	mariadb-install-db --no-defaults --datadir="$WORK/$name" --user="$RUN_AS" --skip-test-db \
		--auth-root-authentication-method=socket >"$WORK/$name-install.log" 2>&1 ||
		die "mariadb-install-db failed for the $name (see $WORK/$name-install.log)"
	# setsid: the server leaves this script's process group, so it outlives nothing but is stopped by cleanup
	setsid mariadbd --no-defaults --user="$RUN_AS" --datadir="$WORK/$name" --port="$port" \
		--bind-address=127.0.0.1 --socket="$WORK/$name.sock" --pid-file="$WORK/$name.pid" \
		--log-error="$WORK/$name.err" --server-id="$server_id" --skip-name-resolve \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		--innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 "$@" </dev/null >/dev/null 2>&1 &
	for _ in $(seq 1 60); do
		mariadb-admin --no-defaults -S "$WORK/$name.sock" -u root ping >/dev/null 2>&1 && return 0
		sleep 1
	done
	die "the $name did not start on port $port (see $WORK/$name.err)"
}

source_site() { # the first bench site with sales_funnel installed (SF_REPLICA_SOURCE_SITE wins)
	local config db
	if [ -n "${SF_REPLICA_SOURCE_SITE:-}" ]; then
		echo "$SF_REPLICA_SOURCE_SITE"
		return
	fi
	for config in "$BENCH_DIR"/sites/*/site_config.json; do
		db=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("db_name", ""))' "$config")
		[ -n "$db" ] || continue
		if [ "$(shared_sql -e "SELECT COUNT(*) FROM \`$db\`.\`tabInstalled Application\` WHERE app_name = 'sales_funnel'" 2>/dev/null)" = 1 ]; then
			basename "$(dirname "$config")"
			return
		fi
	done
	die "no site of $BENCH_DIR has sales_funnel installed (run scripts/bench.sh first, or set SF_REPLICA_SOURCE_SITE)"
}

for tool in mariadb mariadbd mariadb-install-db mariadb-dump mariadb-admin setsid; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ -d "$BENCH_DIR/sites" ] || die "$BENCH_DIR is not a bench"

cleanup # leftovers of an interrupted run
[ ! -e "$SITE_DIR" ] || die "$SITE_DIR exists and was not made by this script; set SF_REPLICA_SITE to another name"
trap cleanup EXIT
mkdir -p "$WORK"
chown "$RUN_AS" "$WORK"

log "shared server: log_bin=$(shared_sql -e 'SELECT @@log_bin') (not dynamic: a private primary is made instead)"
SOURCE=$(source_site)
SOURCE_DB=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["db_name"])' "$BENCH_DIR/sites/$SOURCE/site_config.json")
log "source site $SOURCE (database $SOURCE_DB)"

log "starting the private primary on 127.0.0.1:$PRIMARY_PORT (binary log, server-id 1)"
start_instance primary 1 --log-bin="$WORK/primary/binlog" --binlog-format=ROW
sql primary -e "CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
	CREATE USER '$DB_NAME'@'%' IDENTIFIED BY '$DB_PASSWORD';
	GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_NAME'@'%';
	CREATE USER 'sf_repl'@'%' IDENTIFIED BY '$REPL_PASSWORD';
	GRANT REPLICATION SLAVE ON *.* TO 'sf_repl'@'%';
	CREATE USER 'sf_check'@'%' IDENTIFIED BY '$CHECK_PASSWORD';
	GRANT SELECT ON \`$DB_NAME\`.* TO 'sf_check'@'%';
	GRANT BINLOG MONITOR, SLAVE MONITOR ON *.* TO 'sf_check'@'%';"
log "copying $SOURCE_DB into it"
mariadb-dump --single-transaction --quick --routines --triggers "$SOURCE_DB" | sql primary "$DB_NAME"

log "starting the replica on 127.0.0.1:$REPLICA_PORT (server-id 2, read_only)"
start_instance replica 2 --read-only=ON --relay-log="$WORK/replica/relay" --skip-slave-start
# the replica's own users (CREATE USER above ran before the dump's position, so it is not replicated): Frappe's
# user may only read here; sf_check counts statements and reads the replicated row
sql replica -e "CREATE USER '$DB_NAME'@'%' IDENTIFIED BY '$DB_PASSWORD';
	GRANT SELECT ON \`$DB_NAME\`.* TO '$DB_NAME'@'%';
	CREATE USER 'sf_check'@'%' IDENTIFIED BY '$CHECK_PASSWORD';
	GRANT SELECT ON \`$DB_NAME\`.* TO 'sf_check'@'%';
	GRANT BINLOG MONITOR, SLAVE MONITOR ON *.* TO 'sf_check'@'%';"
log "seeding it with mariadb-dump --master-data --gtid of the primary"
mariadb-dump --no-defaults -S "$WORK/primary.sock" -u root --single-transaction --quick --routines --triggers \
	--master-data=1 --gtid --databases "$DB_NAME" | sql replica
sql replica -e "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PRIMARY_PORT, MASTER_USER='sf_repl',
	MASTER_PASSWORD='$REPL_PASSWORD', MASTER_USE_GTID=slave_pos; START SLAVE;"
sleep 1
state=$(mariadb --no-defaults -S "$WORK/replica.sock" -u root -e 'SHOW SLAVE STATUS\G' |
	grep -E 'Slave_(IO|SQL)_Running:|Gtid_IO_Pos' | tr -s ' ' | tr '\n' ' ' || true)
log "replication: $state"

log "site $SITE: db on the primary, read_from_replica on the replica"
mkdir -p "$SITE_DIR/logs" "$SITE_DIR/private/files" "$SITE_DIR/public/files"
touch "$SITE_DIR/.sf-replica-check"
python3 - "$BENCH_DIR/sites/$SOURCE/site_config.json" "$SITE_DIR/site_config.json" <<EOF
import json, sys
source = json.load(open(sys.argv[1]))
config = {
	"db_name": "$DB_NAME",
	"db_password": "$DB_PASSWORD",
	"db_type": "mariadb",
	"db_host": "127.0.0.1",
	"db_port": $PRIMARY_PORT,
	**({"encryption_key": source["encryption_key"]} if "encryption_key" in source else {}),
	"read_from_replica": 1,
	"replica_host": "127.0.0.1",
	"replica_db_port": $REPLICA_PORT,
}
json.dump(config, open(sys.argv[2], "w"), indent=1)
EOF
chown -R --reference="$BENCH_DIR/sites" "$SITE_DIR"

set +e
bash "$ROOT/scripts/bench.sh" python "$ROOT/scripts/replica_check.py" "$SITE" "$PRIMARY_PORT" "$REPLICA_PORT" \
	"$CHECK_PASSWORD"
rc=$?
set -e
log "stopping both instances and removing $WORK and $SITE_DIR"
exit "$rc"
