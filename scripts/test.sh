#!/usr/bin/env bash
# The whole test suite, set up from nothing on a Debian machine (safe to run again):
#   1. ruff (lint and format) over the repository;
#   2. the engine's pytest suite on throwaway MariaDB databases (scripts/setup.sh makes .venv and starts MariaDB);
#   3. the bench tier (scripts/bench.sh tests): a real Frappe v15 + ERPNext v15 bench (built once, then cached),
#      a fresh site with ERPNext data, install-app, migrate twice, every bench test
#      (`CI=1 bench run-tests --app sales_funnel`), uninstall-app.
# Options: --engine-only (steps 1-2, the fast loop), --bench-only (step 3); anything else goes to pytest.
# The last line says `tests: N passed, N failed` over both tiers; any failure, a tier that ran no test, or a bench
# tier that did not run makes the exit code non-zero.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
engine=1
bench=1
pytest_args=()
for arg in "$@"; do
	case "$arg" in
	--engine-only) bench=0 ;;
	--bench-only) engine=0 ;;
	*) pytest_args+=("$arg") ;;
	esac
done
. "$ROOT/scripts/setup.sh"
cd "$ROOT"
t0=$SECONDS
passed=0
failed=0

if [ "$engine" = 1 ]; then
	ruff check .
	ruff format --check .
	log=$(mktemp)
	rc=0
	python -m pytest "${pytest_args[@]}" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
	summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed|errors?)\b.* in [0-9.]+s' "$log" | tail -n 1 || true)
	rm -f "$log"
	[ -n "$summary" ] || { echo "test.sh: the engine tests printed no summary (pytest exit $rc)" >&2; exit 1; }
	engine_passed=$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+' || echo 0)
	engine_failed=$(($(grep -oE '[0-9]+ failed' <<<"$summary" | grep -oE '[0-9]+' || echo 0) + $(grep -oE '[0-9]+ errors?' <<<"$summary" | grep -oE '[0-9]+' || echo 0)))
	passed=$((passed + engine_passed))
	failed=$((failed + engine_failed))
	echo "engine tests: $engine_passed passed, $engine_failed failed ($((SECONDS - t0)) s)"
	if [ "$rc" != 0 ] || [ "$engine_passed" = 0 ]; then
		echo "tests: $passed passed, $failed failed"
		exit 1
	fi
fi

if [ "$bench" = 1 ]; then
	t1=$SECONDS
	log=$(mktemp)
	rc=0
	bash "$ROOT/scripts/bench.sh" tests 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
	line=$(grep -E '^bench tests: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "test.sh: the bench tier did not run its tests (scripts/bench.sh tests exit $rc)" >&2
		echo "tests: $passed passed, $((failed + 1)) failed"
		exit 1
	fi
	bench_passed=$(sed -E 's/^bench tests: ([0-9]+) passed.*/\1/' <<<"$line")
	bench_failed=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$line")
	passed=$((passed + bench_passed))
	failed=$((failed + bench_failed))
	echo "bench tier: $((SECONDS - t1)) s"
	if [ "$rc" != 0 ]; then failed=$((failed > 0 ? failed : 1)); fi
fi

echo "whole run: $((SECONDS - t0)) s"
echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
