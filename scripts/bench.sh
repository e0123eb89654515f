#!/usr/bin/env bash
# A real Frappe v15 + ERPNext v15 bench with this checkout installed as the app `sales_funnel`; safe to run again.
#
#   bash scripts/bench.sh [setup] [--fresh] [--link]   build the bench (or reuse it) and install this checkout in it
#   bash scripts/bench.sh site NAME [--fresh]          a site with payments, ERPNext and the app (--fresh: new one)
#   bash scripts/bench.sh bench ARGS...                run `bench ARGS...` inside the bench, as the bench user
#   bash scripts/bench.sh python ARGS...               run the bench's Python (for scripts that frappe.init a site)
#   bash scripts/bench.sh env                          print BENCH_DIR, BENCH_USER, the bench's Python
#   bash scripts/bench.sh tests [--link] [--keep-site] [run-tests options]
#                                                      the bench tier: install / migrate / uninstall and bench tests
#
# Where the bench comes from: ../shared/frappe-bench/setup-bench.sh when it is there (an offline kit with the
# sources of frappe 15.86.0, erpnext 15.84.0 and payments), otherwise GitHub (`bench init --frappe-branch
# version-15`, `bench get-app` of payments and erpnext version-15). The bench lives outside the checkout, in a cache
# folder that is reused while its sources match (SF_BENCH_DIR; default /var/cache/sales_funnel/bench-v15 for root,
# ~/.cache/sales_funnel/bench-v15 otherwise); --fresh builds it again. The app in it is always this checkout: its
# files are copied into apps/sales_funnel on every run (--link makes it a symlink instead, for development).
#
# Environment: SF_BENCH_DIR, SF_BENCH_USER (frappe when run as root, else you), SF_BENCH_PORT (8000),
# SF_BENCH_KIT (../shared/frappe-bench), DB_ROOT_USER (root), DB_ROOT_PASSWORD (empty), SF_REDIS_URL
# (redis://127.0.0.1:6379), ADMIN_PASSWORD (admin). Bench output goes to $BENCH_DIR/logs/sales_funnel-*.log.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SF_SAY=bench
. "$ROOT/scripts/lib/services.sh"

APP=sales_funnel
BRANCH=version-15
PY=${PYTHON311:-/usr/bin/python3.11}
KIT=${SF_BENCH_KIT:-$ROOT/../shared/frappe-bench}
PORT=${SF_BENCH_PORT:-8000}
REDIS_URL=${SF_REDIS_URL:-redis://127.0.0.1:6379}
DB_ROOT_USER=${DB_ROOT_USER:-root}
DB_ROOT_PASSWORD=${DB_ROOT_PASSWORD:-}
ADMIN_PASSWORD=${ADMIN_PASSWORD:-admin}
CLI=${BENCH_CLI_VENV:-/opt/frappe-bench-cli}
if [ "$(id -u)" = 0 ]; then
	BENCH_USER=${SF_BENCH_USER:-frappe}
	BENCH_DIR=${SF_BENCH_DIR:-/var/cache/sales_funnel/bench-v15}
else
	BENCH_USER=${SF_BENCH_USER:-$(id -un)}
	BENCH_DIR=${SF_BENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sales_funnel/bench-v15}
	CLI=${BENCH_CLI_VENV:-$HOME/.local/share/frappe-bench-cli}
fi
BASE_SITE=sf-base.local # the site setup-bench.sh makes; the app is never installed on it
NEED_GIB=5              # free disk a new bench needs (the bench ~1.3 GiB, uv and yarn caches ~1.5 GiB, sites)

# Running bench commands
# ----------------------

bench_home() { getent passwd "$BENCH_USER" | cut -d: -f6; }
# as_bench DIR CMD...: run CMD as the bench user in DIR with a clean environment (bench refuses root)
as_bench() {
	local dir=$1
	shift
	local envs=(HOME="$(bench_home)" USER="$BENCH_USER" LOGNAME="$BENCH_USER" SHELL=/bin/bash LANG=C.UTF-8
		LC_ALL=C.UTF-8 PATH="$CLI/bin:$BENCH_DIR/env/bin:/usr/local/bin:/usr/bin:/bin" PIP_DISABLE_PIP_VERSION_CHECK=1)
	local v
	for v in CI PIP_INDEX_URL UV_INDEX_URL npm_config_registry SSL_CERT_FILE NODE_EXTRA_CA_CERTS http_proxy \
		https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY SF_TEST_SITE SF_REPO; do
		[ -n "${!v:-}" ] && envs+=("$v=${!v}")
	done
	if [ "$(id -un)" = "$BENCH_USER" ]; then
		env -i "${envs[@]}" bash -c 'cd "$1" && shift && exec "$@"' _ "$dir" "$@"
	else
		as_root runuser -u "$BENCH_USER" -- env -i "${envs[@]}" bash -c 'cd "$1" && shift && exec "$@"' _ "$dir" "$@"
	fi
}
run_bench() { as_bench "$BENCH_DIR" "$CLI/bin/bench" "$@"; }
LOG_DIR=$BENCH_DIR/logs
log_file() { printf '%s/sales_funnel-%s.log' "$LOG_DIR" "$1"; }
# quietly NAME CMD...: run CMD with its output in a log; on failure print the log's tail and stop
quietly() {
	local name=$1 log
	shift
	log=$(log_file "$name")
	mkdir -p "$LOG_DIR"
	if ! "$@" >"$log" 2>&1; then
		tr '\r' '\n' <"$log" | grep -v '^Updating DocTypes' | tail -n 30 >&2
		die "$name failed; full log: $log"
	fi
}

# Checks a user can act on
# ------------------------

check_disk() {
	local dir=$1 free
	mkdir -p "$dir" 2>/dev/null || as_root mkdir -p "$dir"
	free=$(df -Pk "$dir" | awk 'NR==2 {print int($4 / 1048576)}')
	[ "$free" -ge "$NEED_GIB" ] || die "only ${free} GiB free at $dir; a bench needs about ${NEED_GIB} GiB (free some, or set SF_BENCH_DIR)."
}

mysql_root() { MYSQL_PWD="$DB_ROOT_PASSWORD" mariadb --protocol=TCP -h "$MARIADB_HOST" -P "$MARIADB_PORT" -u "$DB_ROOT_USER" -N -B "$@"; }

check_mariadb() {
	ensure_mariadb
	mysql_root -e 'SELECT 1' >/dev/null 2>&1 ||
		die "MariaDB refused $DB_ROOT_USER@$MARIADB_HOST:$MARIADB_PORT; Frappe needs a user that may create databases and users (set DB_ROOT_USER / DB_ROOT_PASSWORD)."
	local collation
	collation=$(mysql_root -e "SELECT CONCAT(@@character_set_server, ' ', @@collation_server)")
	if [ "$collation" != "utf8mb4 utf8mb4_unicode_ci" ]; then
		# Frappe needs it (frappe/database/mariadb/setup_db.py checks it); setup-bench.sh also writes a drop-in
		mysql_root -e "SET GLOBAL character_set_server = 'utf8mb4'; SET GLOBAL collation_server = 'utf8mb4_unicode_ci'" ||
			die "MariaDB's collation is '$collation'; Frappe needs utf8mb4 / utf8mb4_unicode_ci: set character-set-server and collation-server in my.cnf."
	fi
}

check_tools() {
	local missing=()
	command -v git >/dev/null || missing+=(git)
	command -v rsync >/dev/null || missing+=(rsync)
	command -v node >/dev/null || missing+=(nodejs npm)
	[ -x "$PY" ] || missing+=(python3.11 python3.11-venv python3.11-dev)
	"$PY" -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3.11-venv)
	command -v pkg-config >/dev/null || missing+=(pkg-config libmariadb-dev build-essential)
	if [ ${#missing[@]} -gt 0 ]; then
		say "installing ${missing[*]} (apt)"
		apt_install "${missing[@]}"
	fi
	node -e 'process.exit(parseInt(process.versions.node) >= 18 ? 0 : 1)' ||
		die "Frappe v15 needs Node 18 or newer; this machine has $(node --version)."
}

# The bench
# ---------

source_id() {
	if [ -x "$KIT/setup-bench.sh" ] || [ -f "$KIT/setup-bench.sh" ]; then
		printf 'kit %s\n' "$(cd "$KIT" && sha256sum setup-bench.sh ./*.tar.gz | sha256sum | cut -c1-16)"
	else
		printf 'github %s\n' "$BRANCH"
	fi
}

build_from_kit() {
	say "building the bench from $KIT (offline sources; log: /tmp/setup-bench.$BENCH_USER.$(basename "$BENCH_DIR").log)"
	[ "$(id -u)" = 0 ] || say "setup-bench.sh needs root: asking sudo"
	as_root env DB_HOST="$MARIADB_HOST" DB_ROOT_USER="$DB_ROOT_USER" DB_ROOT_PASSWORD="$DB_ROOT_PASSWORD" \
		REDIS_URL="$REDIS_URL" ADMIN_PASSWORD="$ADMIN_PASSWORD" PYTHON="$PY" BENCH_CLI_VENV="$CLI" \
		bash "$KIT/setup-bench.sh" "$BENCH_DIR" --site "$BASE_SITE" --port "$PORT" --user "$BENCH_USER" >&2
}

build_from_github() {
	say "building the bench from GitHub (frappe, payments and erpnext $BRANCH)"
	if ! id "$BENCH_USER" >/dev/null 2>&1; then as_root useradd -m -s /bin/bash "$BENCH_USER"; fi
	if ! [ -x "$CLI/bin/bench" ]; then
		local maybe_root=()
		[ "$(id -u)" = 0 ] || [ -w "$(dirname "$CLI")" ] || maybe_root=(as_root)
		"${maybe_root[@]}" bash -c "'$PY' -m venv '$CLI' && '$CLI/bin/pip' install -q 'frappe-bench>=5.22,<6'"
	fi
	command -v yarn >/dev/null || as_root npm install -g -s yarn@1
	as_root mkdir -p "$(dirname "$BENCH_DIR")"
	as_root chown "$BENCH_USER:" "$(dirname "$BENCH_DIR")"
	quietly bench-init as_bench "$(dirname "$BENCH_DIR")" "$CLI/bin/bench" init --frappe-branch "$BRANCH" \
		--python "$PY" --skip-redis-config-generation --no-backups "$BENCH_DIR"
	as_bench "$BENCH_DIR" env/bin/python -m pip install -q 'setuptools<81' # dropbox's SDK imports pkg_resources
	local key
	for key in redis_cache redis_queue redis_socketio; do run_bench set-config -g "$key" "$REDIS_URL" >/dev/null; done
	run_bench set-config -g db_host "$MARIADB_HOST" >/dev/null
	run_bench set-config -g -p webserver_port "$PORT" >/dev/null
	quietly get-app-payments run_bench get-app --branch "$BRANCH" --skip-assets payments
	quietly get-app-erpnext run_bench get-app --branch "$BRANCH" --skip-assets erpnext
	quietly dev-requirements run_bench setup requirements --dev
	quietly build run_bench build --force
	sed -i '/^redis_/d' "$BENCH_DIR/Procfile" # the system Redis serves the bench
}

ensure_bench() {
	local fresh=$1 want
	want=$(source_id)
	if [ -d "$BENCH_DIR" ] && [ "$fresh" = 1 ]; then
		say "removing $BENCH_DIR (--fresh)"
		drop_site_databases
		as_root rm -rf "$BENCH_DIR"
	elif [ -f "$BENCH_DIR/.sales_funnel-source" ] && [ "$(cat "$BENCH_DIR/.sales_funnel-source")" != "$want" ]; then
		say "the bench's sources changed ($(cat "$BENCH_DIR/.sales_funnel-source") -> $want): building it again"
		drop_site_databases
		as_root rm -rf "$BENCH_DIR"
	fi
	if [ -f "$BENCH_DIR/.sales_funnel-source" ] && [ -x "$BENCH_DIR/env/bin/python" ] && [ -d "$BENCH_DIR/apps/erpnext" ]; then
		return 0
	fi
	check_disk "$(dirname "$BENCH_DIR")"
	if [ "${want%% *}" = kit ]; then build_from_kit; else build_from_github; fi
	[ -x "$BENCH_DIR/env/bin/python" ] && [ -d "$BENCH_DIR/apps/erpnext" ] || die "the bench at $BENCH_DIR is incomplete (see its logs)."
	printf '%s\n' "$want" | as_bench "$BENCH_DIR" tee .sales_funnel-source >/dev/null
}

# the databases of the bench's sites (dropped with the bench, so a rebuilt bench can create them again)
drop_site_databases() {
	local config db
	for config in "$BENCH_DIR"/sites/*/site_config.json; do
		[ -f "$config" ] || continue
		db=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("db_name", ""))' "$config")
		[ -n "$db" ] && mysql_root -e "DROP DATABASE IF EXISTS \`$db\`; DROP USER IF EXISTS '$db'@'%'; DROP USER IF EXISTS '$db'@'localhost'" || true
	done
}

# The app: this checkout
# ----------------------

sync_app() {
	local link=$1 dst=$BENCH_DIR/apps/$APP stamp
	if [ "$link" = 1 ]; then
		[ -L "$dst" ] || as_root rm -rf "$dst"
		ln -sfn "$ROOT" "$dst"
	else
		[ ! -L "$dst" ] || rm -f "$dst"
		as_root mkdir -p "$dst"
		# tracked and untracked files, minus what git ignores; the bench owns the copy
		as_root rsync -a --delete --exclude=.git --exclude=.venv --filter=':- .gitignore' "$ROOT/" "$dst/"
		as_root chown -R "$BENCH_USER:" "$dst"
	fi
	stamp=$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)
	if [ "$(cat "$BENCH_DIR/.sales_funnel-installed" 2>/dev/null)" != "$stamp" ] ||
		! as_bench "$BENCH_DIR" env/bin/python -c "import $APP" 2>/dev/null; then
		quietly pip-install as_bench "$BENCH_DIR" env/bin/python -m pip install -q -e "apps/$APP"
		printf '%s\n' "$stamp" | as_bench "$BENCH_DIR" tee .sales_funnel-installed >/dev/null
	fi
	grep -qx "$APP" "$BENCH_DIR/sites/apps.txt" ||
		as_bench "$BENCH_DIR" bash -c "sed -i -e '\$a\\' sites/apps.txt && echo $APP >> sites/apps.txt"
	as_bench "$BENCH_DIR" ln -sfn "$BENCH_DIR/apps/$APP/$APP/public" "sites/assets/$APP"
	# the Russian and Polish catalogues compiled to .mo files (what `bench build --app` does for translations)
	as_bench "$BENCH_DIR" env/bin/python - "$APP" <<'PYEOF' >/dev/null
import sys
import frappe
from frappe.gettext.translate import _compile_translation, get_locales
frappe.init("", sites_path="sites")
for locale in get_locales(sys.argv[1]):
	_compile_translation(sys.argv[1], locale)
PYEOF
}

# Sites
# -----

site_exists() { [ -f "$BENCH_DIR/sites/$1/site_config.json" ]; }

# with an empty root password Frappe prompts for it: answer on stdin
with_root_password() { printf '%s\n' "$DB_ROOT_PASSWORD" | "$@"; }

# new_site NAME [APP...]: a new site with payments and ERPNext (and the given apps), tests allowed, offline
# exchange rates (ERPNext's tests ask an internet API for a rate otherwise)
new_site() {
	local site=$1
	shift
	say "creating site $site (payments, erpnext${*:+, $*})"
	quietly "new-site-$site" with_root_password run_bench new-site "$site" --db-root-username "$DB_ROOT_USER" \
		--admin-password "$ADMIN_PASSWORD" --mariadb-user-host-login-scope=% --install-app payments --install-app erpnext
	local app
	for app in "$@"; do quietly "install-$app-$site" run_bench --site "$site" install-app "$app"; done
	run_bench --site "$site" set-config allow_tests true >/dev/null
	quietly "exchange-rates-$site" run_bench --site "$site" execute frappe.test_runner.make_test_records \
		--args "['Currency Exchange']" --kwargs "{'commit': True}"
}

ensure_site() {
	local site=$1 fresh=$2
	if [ "$fresh" = 1 ] && site_exists "$site"; then
		say "dropping site $site (--fresh)"
		quietly "drop-site-$site" with_root_password run_bench drop-site "$site" --force --no-backup \
			--db-root-username "$DB_ROOT_USER"
	fi
	if site_exists "$site"; then
		run_bench --site "$site" list-apps 2>/dev/null | grep -q "^$APP" ||
			quietly "install-$APP-$site" run_bench --site "$site" install-app "$APP"
	else
		as_root rm -rf "$BENCH_DIR/sites/$site"
		new_site "$site" "$APP"
	fi
}

setup() {
	local fresh=0 link=0
	while [ $# -gt 0 ]; do
		case "$1" in
		--fresh) fresh=1 ;;
		--link) link=1 ;;
		*) die "unknown option $1 (see the top of scripts/bench.sh)" ;;
		esac
		shift
	done
	check_tools
	check_mariadb
	ensure_redis "$(echo "${REDIS_URL#redis://}" | cut -d: -f1)" "$(echo "${REDIS_URL##*:}" | cut -d/ -f1)"
	ensure_bench "$fresh"
	sync_app "$link"
}

# The bench tier of the tests
# ---------------------------
# On a fresh site: ERPNext data first, then install-app (history backfill, credit ledger, fixtures, indexes),
# the Scheduled Job Types of renamed scheduler entries (as an upgraded site has them), migrate twice (the first
# removes those, the second changes nothing), every bench test (CI=1 run-tests --app sales_funnel, which exits
# non-zero on a failure), then uninstall-app (nothing of the app left). Prints `bench tests: N passed, N failed`.

lifecycle() { as_bench "$BENCH_DIR/sites" ../env/bin/python "../apps/$APP/tests/bench/lifecycle.py" "$@"; }

bench_tests() {
	local site=${SF_TEST_SITE:-sf-test.local} link=0 keep=0 args=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--link) link=1 ;;
		--keep-site) keep=1 ;;
		*) args+=("$1") ;;
		esac
		shift
	done
	local t0=$SECONDS
	if [ "$link" = 1 ]; then setup --link; else setup; fi
	if site_exists "$site"; then
		quietly "drop-site-$site" with_root_password run_bench drop-site "$site" --force --no-backup \
			--db-root-username "$DB_ROOT_USER"
	fi
	as_root rm -rf "$BENCH_DIR/sites/$site"
	new_site "$site"
	say "site ready in $((SECONDS - t0)) s; seeding ERPNext data, then installing the app"
	lifecycle seed "$site"
	quietly "install-app-$site" run_bench --site "$site" install-app "$APP"
	lifecycle installed "$site"
	quietly "backfill-$site" run_bench --site "$site" sf-backfill-history
	lifecycle backfilled "$site"
	lifecycle previous-layout "$site"
	local fp=$BENCH_DIR/logs/sales_funnel-fingerprint
	quietly "migrate-1-$site" run_bench --site "$site" migrate
	lifecycle fingerprint "$site" "$fp-1.json"
	quietly "migrate-2-$site" run_bench --site "$site" migrate
	lifecycle fingerprint "$site" "$fp-2.json"
	if ! cmp -s "$fp-1.json" "$fp-2.json"; then
		diff "$fp-1.json" "$fp-2.json" | head -n 20 >&2
		die "a second migrate changed the app's schema or data (diff above)"
	fi
	say "install and two migrates checked in $((SECONDS - t0)) s; running the bench tests"
	local log rc=0
	log=$(log_file "run-tests")
	CI=1 run_bench --site "$site" run-tests --app "$APP" "${args[@]}" 2>&1 | tr '\r' '\n' |
		grep -v '^Updating DocTypes' | tee "$log" >&2 || rc=$?
	local ran failures errors
	ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in .*/\1/p' "$log" | tail -n 1)
	failures=$(sed -n 's/^FAILED (.*failures=\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	errors=$(sed -n 's/^FAILED (.*errors=\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	failed=$((${failures:-0} + ${errors:-0}))
	if [ -z "$ran" ]; then
		die "the bench tests did not run (no 'Ran N tests' line; log: $log)"
	fi
	[ "$ran" -gt 0 ] || die "the bench ran no test (log: $log)"
	if [ "$keep" = 0 ]; then
		quietly "uninstall-$site" run_bench --site "$site" uninstall-app "$APP" --yes --no-backup
		lifecycle uninstalled "$site"
	fi
	printf 'bench tests: %s passed, %s failed\n' "$((ran - failed))" "$failed"
	say "bench tier done in $((SECONDS - t0)) s"
	[ "$rc" = 0 ] && [ "$failed" = 0 ]
}

cmd=${1:-setup}
case "$cmd" in
setup | --fresh | --link)
	[ "$cmd" = setup ] && shift
	setup "$@"
	say "bench ready: $BENCH_DIR (user $BENCH_USER), app from $ROOT"
	;;
site)
	shift
	site=${1:?site NAME}
	shift
	fresh=0
	[ "${1:-}" = --fresh ] && fresh=1
	setup
	ensure_site "$site" "$fresh"
	say "site $site ready (Administrator / $ADMIN_PASSWORD)"
	;;
bench)
	shift
	run_bench "$@"
	;;
python)
	shift
	as_bench "$BENCH_DIR/sites" ../env/bin/python "$@"
	;;
tests)
	shift
	bench_tests "$@"
	;;
env)
	printf 'BENCH_DIR=%s\nBENCH_USER=%s\nBENCH_PYTHON=%s\n' "$BENCH_DIR" "$BENCH_USER" "$BENCH_DIR/env/bin/python"
	;;
*) die "unknown command $cmd (see the top of scripts/bench.sh)" ;;
esac
