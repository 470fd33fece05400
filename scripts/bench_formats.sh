#!/usr/bin/env bash
# Throughput of the non-JSON-rows input paths (src/formats/), beside JSON rows.
#
# Usage: scripts/bench_formats.sh [DIR] [MB]
#   Builds ~MB (default 200) of each form from tests/data/formats/aks (the
#   same audit events as JSON rows, a raw audit log, the log gzipped, a
#   storage archive, an Event Hubs Capture Avro file, a portal CSV export and
#   a query-API export) in DIR (default /tmp/kqlite-bench-formats), then runs
#   three queries over each with the release binary, best of three, and
#   prints seconds and MB/s of file bytes.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${1:-/tmp/kqlite-bench-formats}"
MB="${2:-200}"
mkdir -p "$DIR"
cargo build --release --manifest-path "$ROOT/Cargo.toml" >/dev/null
K="$ROOT/target/release/kqlite"

python3 - "$ROOT" "$DIR" "$MB" <<'EOF'
import gzip, importlib.util, json, os, sys
root, out, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
target = mb << 20
D = os.path.join(root, "tests/data/formats/aks")

def repeat_lines(data, dst, head=b""):
    with open(os.path.join(out, dst), "wb") as f:
        f.write(head)
        n = 0
        while n < target:
            f.write(data)
            n += len(data)

def read(p):
    return open(os.path.join(D, p), "rb").read()

repeat_lines(read("rows.jsonl"), "rows.jsonl")
repeat_lines(read("events.log"), "raw.log")
with open(os.path.join(out, "raw.log"), "rb") as src, gzip.open(os.path.join(out, "raw.log.gz"), "wb", 1) as g:
    g.write(src.read())
archive = b"".join(open(os.path.join(r, f), "rb").read()
                   for r, _, fs in sorted(os.walk(os.path.join(D, "archive"))) for f in sorted(fs))
repeat_lines(archive, "PT1H.json")
csv = read("export.csv")
i = csv.index(b"\r\n") + 2
repeat_lines(csv[i:], "export.csv", csv[:i])
doc = json.loads(read("export.query-api.json"))
rows = doc["tables"][0]["rows"]
doc["tables"][0]["rows"] = rows * (target // len(json.dumps(rows)) + 1)
open(os.path.join(out, "export.json"), "w").write(json.dumps(doc))
spec = importlib.util.spec_from_file_location("m", os.path.join(root, "scripts/make_format_samples.py"))
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
lines = [l for l in open(os.path.join(out, "PT1H.json"), encoding="utf-8") if l.strip()]
bodies = [m.dumps({"records": [json.loads(l) for l in lines[i:i + 20]]}) for i in range(0, len(lines), 20)]
open(os.path.join(out, "capture.avro"), "wb").write(m.capture_avro(bodies, "deflate"))
EOF

Q1='AzureDiagnostics | count'
Q2='AzureDiagnostics | where Category == "kube-audit" | where parse_json(log_s).verb == "create" | count'
Q3='AKSAudit | where Verb == "create" | summarize count() by tostring(User.username)'
echo "load: $(uptime)"
printf '%-13s %-3s %8s %12s\n' file query seconds 'MB/s (file)'
for f in rows.jsonl raw.log raw.log.gz PT1H.json capture.avro export.csv export.json; do
  for qn in Q1 Q2 Q3; do
    q="${!qn}"; table=AzureDiagnostics
    if [ "$qn" = Q3 ]; then
      case "$f" in rows.jsonl|export.*) continue ;; esac
      table=AKSAudit
    fi
    best=""
    for _ in 1 2 3; do
      s=$(date +%s.%N); "$K" --table "$table=$DIR/$f" "$q" >/dev/null 2>&1; e=$(date +%s.%N)
      best=$(python3 -c "print(min(x for x in [$e-$s, ${best:-1e9}]))")
    done
    python3 -c "import os; t=$best; print('%-13s %-3s %8.2f %12.1f' % ('$f', '$qn', t, os.path.getsize('$DIR/$f') / t / 1e6))"
  done
done
