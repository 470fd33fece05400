#!/usr/bin/env bash
# kqlite side by side with a 2-thread line count, DuckDB and jq, in one run.
# Needs cargo, python3 and access to PyPI (and Debian's packages if jq is missing).
# Options: see `scripts/bench/side_by_side.sh --help` (the work is done by side_by_side.py).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$here/side_by_side.py" "$@"
