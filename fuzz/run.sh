#!/usr/bin/env bash
# Seeds the corpora and runs one cargo-fuzz target for a number of seconds.
#
#   fuzz/run.sh TARGET [SECONDS]      TARGET: parse | rows | eval
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Crashes land in fuzz/artifacts/TARGET/; reproduce one with
#   cargo +nightly fuzz run --sanitizer none TARGET fuzz/artifacts/TARGET/crash-...
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?target: parse, rows or eval}
seconds=${2:-600}
corpus=corpus/$target
mkdir -p "$corpus"
if [ -z "$(ls -A "$corpus")" ]; then
    case $target in
    parse)
        # Every published query of the parser corpus, one file each.
        python3 - "$corpus" <<'PY'
import json, sys, hashlib, glob, os
out = sys.argv[1]
for path in glob.glob("../tests/corpus/*.jsonl"):
    for line in open(path, encoding="utf-8"):
        q = json.loads(line)["query"].encode()
        open(os.path.join(out, hashlib.sha1(q).hexdigest()), "wb").write(q)
PY
        ;;
    rows)
        # Real log lines, a few at a time, behind 14 bytes of choices.
        i=0
        for f in ../examples/data/*/*.jsonl ../tests/data/json/*.jsonl ../tests/data/tricky/*.jsonl; do
            head -c 3000 "$f" | { printf '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d'; cat; } > "$corpus/seed-$i"
            i=$((i + 1))
        done
        ;;
    eval)
        # Random choice strings; the generator makes a query of any of them.
        for i in $(seq 1 64); do head -c 256 /dev/urandom > "$corpus/seed-$i"; done
        ;;
    esac
fi
dict=()
[ "$target" != rows ] || dict=(-dict=json.dict)
[ "$target" != parse ] || dict=(-dict=kql.dict)
exec cargo +nightly fuzz run --sanitizer none "$target" "$corpus" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=65536 "${dict[@]}"
