#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the whole test suite: ruff, then pytest on a real MariaDB.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ruff check .
ruff format --check .
exec python -m pytest "$@"
