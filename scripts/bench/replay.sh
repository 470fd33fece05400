#!/usr/bin/env bash
# The replay benchmark: 50 scheduled rules (hourly, one-day lookback, written
# by scripts/bench/replay_rules.py) replayed over 7 days of generated AKS logs
# (examples/gen_aks_logs.rs), against one plain scan of the same inputs.
#
#   scripts/bench/replay.sh [DIAG_BYTES [ACTIVITY_BYTES]]    # default 900M 100M
#   KQLITE=/path/to/other/kqlite scripts/bench/replay.sh     # time another build
#
# The data is generated into a temporary folder and deleted at the end.
# Prints wall time, CPU time and peak RSS of each run (GNU /usr/bin/time).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
diag_bytes="${1:-900M}"
activity_bytes="${2:-100M}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/kqlite-replay-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

cd "$root"
cargo build --release --quiet --example gen_aks_logs --bin kqlite
kqlite="${KQLITE:-$root/target/release/kqlite}"
"$root/target/release/examples/gen_aks_logs" --bytes "$diag_bytes" \
    --activity-bytes "$activity_bytes" --days 7 --seed 1 --out "$tmp" > /dev/null
python3 "$here/replay_rules.py" "$tmp/rules"
tables=(--table "AzureDiagnostics=$tmp/AzureDiagnostics.json"
        --table "AzureActivity=$tmp/AzureActivity.json")
echo "inputs: $(du -ch "$tmp"/*.json | tail -1 | cut -f1)," \
     "$(cat "$tmp"/*.json | wc -l) rows over 7 days; 50 rules (1h/1d)"
fmt='%e s wall, %U s user + %S s system CPU, %M KB peak RSS'

echo "== one scan of the inputs"
/usr/bin/time -f "$fmt" "$kqlite" "${tables[@]}" --format csv \
    'union AzureDiagnostics, AzureActivity
     | summarize count() by Category, OperationNameValue, bin(TimeGenerated, 1h)
     | count'

echo "== kqlite replay"
/usr/bin/time -f "$fmt" "$kqlite" replay "$tmp/rules" "${tables[@]}" \
    --format jsonl > "$tmp/alerts.jsonl"
echo "$(wc -l < "$tmp/alerts.jsonl") alerts"
"$kqlite" --table "SecurityAlert=$tmp/alerts.jsonl" --format csv \
    'SecurityAlert | summarize Alerts = count() by AlertName | order by AlertName asc'
