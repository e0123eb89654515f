#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the main job on the demo company; extra arguments go to the job.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# setup.sh leaves the shell at the repository root, where `devkit` is imported from
exec python -m devkit.demo "$@"
