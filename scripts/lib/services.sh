# Shared by scripts/setup.sh and scripts/bench.sh (sourced, not run): the services the tests and the bench need
# on a Debian machine, installed with apt and started when they are missing. Every function is safe to call again.

say() { printf '[%s] %s\n' "${SF_SAY:-setup}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${SF_SAY:-setup}" "$*" >&2; exit 1; }
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
		say "need root for: $*"; return 1; fi
}
apt_install() {
	if [ -z "${SF_APT_UPDATED:-}" ]; then as_root apt-get update -qq; SF_APT_UPDATED=1; fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

export MARIADB_HOST=${MARIADB_HOST:-127.0.0.1}
export MARIADB_PORT=${MARIADB_PORT:-3306}

mariadb_local() { [ "$MARIADB_HOST" = 127.0.0.1 ] || [ "$MARIADB_HOST" = localhost ]; }
mariadb_ping() { mariadb-admin --protocol=TCP -h "$MARIADB_HOST" -P "$MARIADB_PORT" ping >/dev/null 2>&1; }

# ensure_mariadb: the client is installed; a local server is installed and started when none answers
ensure_mariadb() {
	if ! command -v mariadb >/dev/null 2>&1 || ! command -v mariadb-admin >/dev/null 2>&1; then
		say "installing the MariaDB client (apt)"
		apt_install mariadb-client
	fi
	mariadb_ping && return 0
	mariadb_local || die "MariaDB is not answering at $MARIADB_HOST:$MARIADB_PORT; start it or set MARIADB_HOST/MARIADB_PORT."
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
		mariadb_ping && return 0
		sleep 1
	done
	die "MariaDB did not start at $MARIADB_HOST:$MARIADB_PORT (see /var/log/mysql or run /usr/sbin/mariadbd by hand)."
}

# ensure_redis HOST PORT: a local Redis answering PING (installed with apt and started when missing)
redis_ping() { (exec 3<>"/dev/tcp/$1/$2" && printf 'PING\r\n' >&3 && read -r -t 3 reply <&3 && [[ $reply == +PONG* ]]) 2>/dev/null; }
ensure_redis() {
	local host=$1 port=$2
	redis_ping "$host" "$port" && return 0
	[ "$host" = 127.0.0.1 ] || [ "$host" = localhost ] || die "Redis is not answering at $host:$port; start it or set SF_REDIS_URL."
	command -v redis-server >/dev/null 2>&1 || { say "installing Redis (apt)"; apt_install redis-server; }
	say "starting Redis on port $port"
	as_root service redis-server start >/dev/null 2>&1 || true
	redis_ping "$host" "$port" || as_root redis-server --port "$port" --daemonize yes --save "" --appendonly no >/dev/null
	for _ in $(seq 20); do
		redis_ping "$host" "$port" && return 0
		sleep 0.5
	done
	die "Redis did not start on $host:$port."
}
