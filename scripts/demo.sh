#!/usr/bin/env bash
# The main job: a live ERPNext site with the demo company (python -m devkit.demo.site; --help for the options).
# Set up (scripts/setup.sh), then build or reuse the bench and the site SF_DEMO_SITE (sf-demo.local), load the
# demo company, create the demo users, print the report summaries, write demo_output/ and serve the site on
# http://127.0.0.1:$SF_BENCH_PORT (8000); --no-serve returns instead. The engine-only job without a bench:
# `python -m devkit.demo`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# setup.sh leaves the shell at the repository root, where `devkit` is imported from
exec python -m devkit.demo.site "$@"
