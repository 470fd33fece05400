#!/usr/bin/env python3
"""kqlite side by side with a line count, DuckDB and jq, in one run.

Run it from anywhere in the repository (it needs cargo, python3 >= 3.9, network access
to PyPI and, if jq is missing, Debian's packages):

    scripts/bench/side_by_side.sh                 # 1 GiB inputs, 5 repetitions
    scripts/bench/side_by_side.sh --check         # small data, all engines, counts only

What it does, in order:

1. builds kqlite, `examples/gen_aks_logs` and `examples/linecount` in release mode;
2. generates (once; cached under target/bench-data/) about 1 GiB of AzureDiagnostics and
   1 GiB of AzureActivity with the seeded generator, whose expected.json gives every seed
   query's row count;
3. installs the DuckDB command line (PyPI package `duckdb-cli`, pinned) into a venv under
   target/, and jq from Debian's packages if it is missing;
4. runs every engine once per query writing its rows to a file, and checks the number of
   rows against expected.json: any mismatch, for any engine, stops the run (exit 1); the
   values of kqlite's rows must also equal jq's, column by column;
5. times DuckDB's SQL variants for each query (3 runs each) and keeps the fastest;
6. times, interleaved (so machine noise hits every engine alike), N repetitions of: the
   2-thread mmap + memchr line count of the query's file, kqlite's CLI, and DuckDB's
   fastest variant, all writing to /dev/null; jq runs once (step 4 timed it);
7. kqlite at 1 and 2 threads on Q5 and Q6;
8. kqlite's peak anonymous memory (RssAnon of /proc/PID/status, sampled every 2 ms) for
   every query and for `AzureDiagnostics | project log_s`, on the 1 GiB input and on the
   same file given 4 times (`--table T=f` four times: 4 GiB of input);
9. prints the tables (markdown) and writes them, with the raw timings, under
   target/bench-results/.

Medians of the repetitions are reported; ratios are of medians from the same run.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DUCKDB_CLI_VERSION = "1.5.6"  # PyPI `duckdb-cli`: the official CLI binary, JSON built in

QUERY_TABLE = {"Q1": "AzureDiagnostics", "Q2": "AzureDiagnostics", "Q3": "AzureDiagnostics",
               "Q4": "AzureDiagnostics", "Q5": "AzureDiagnostics", "Q6": "AzureDiagnostics",
               "Q7": "AzureActivity"}
SELECTIVE = ["Q1", "Q2", "Q3", "Q4", "Q7"]
HEAVY = ["Q5", "Q6"]
MB = 1 << 20


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    log(f"\nFAILED: {msg}")
    sys.exit(1)


def seed_queries():
    """(name, text) of examples/seed-queries.kql: one query per line, named by the
    `// Qn: ...` comment above it."""
    out, name = [], None
    for line in (ROOT / "examples/seed-queries.kql").read_text().splitlines():
        if line.startswith("// Q"):
            name = "Q" + line[4:].split(":")[0]
            continue
        if not line.strip() or line.startswith("//"):
            continue
        out.append((name, line))
    return out


# ----------------------------------------------------------------- DuckDB SQL

DIAG_COLUMNS = ["TenantId", "TimeGenerated", "ResourceId", "Category", "ResourceGroup",
                "SubscriptionId", "ResourceProvider", "Resource", "ResourceType", "OperationName",
                "log_s", "pod_s", "stream_s", "containerID_s", "SourceSystem", "Type", "_ResourceId"]
ACTIVITY_COLUMNS = ["TenantId", "SourceSystem", "CallerIpAddress", "CategoryValue", "CorrelationId",
                    "Authorization", "Claims", "Level", "OperationNameValue", "Properties", "Caller",
                    "EventDataId", "EventSubmissionTimestamp", "HTTPRequest", "OperationId",
                    "ResourceGroup", "ResourceProviderValue", "ActivityStatusValue", "SubscriptionId",
                    "TimeGenerated", "OperationName", "ResourceId", "Type", "_ResourceId"]
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"


def read_json(path, columns):
    cols = ", ".join(f"\"{c}\": 'VARCHAR'" for c in columns)
    return f"read_json('{path}', format = 'newline_delimited', columns = {{{cols}}})"


def duckdb_variants(q, diag, act):
    """SQL variants of seed query q, each giving the same rows as the KQL.

    Notes on equivalence:
    * `log_s` of a kube-audit row may be cut short (not JSON): DuckDB's JSON functions raise
      an error on malformed input, so each extraction is wrapped in try(), which gives NULL,
      as parse_json(...).x gives null in KQL;
    * KQL's null dynamic compared with a string behaves as "" (KQL-SEMANTICS §0.1), hence
      coalesce(..., '') for Q5;
    * `contains` is case-insensitive: contains(lower(x), 'literal') or ILIKE;
    * Q6 reads the annotation key "": JSON pointer '/annotations/' names it;
    * queries that keep whole rows (Q2, Q3, Q7) declare and return every column present in
      the data; the others read and return only what they use, as kqlite's
      `project log_s` does.
    """
    two = read_json(diag, ["Category", "log_s"])
    all_diag = read_json(diag, DIAG_COLUMNS)
    s = "try(json_extract_string(log_s, '{}'))".format
    if q == "Q1":
        return {
            "contains_lower": f"SELECT log_s FROM {two} WHERE Category = 'kube-apiserver' "
                              f"AND contains(lower(log_s), 'pods/nginx')",
            "ilike": f"SELECT log_s FROM {two} WHERE Category = 'kube-apiserver' "
                     f"AND log_s ILIKE '%pods/nginx%'",
        }
    if q == "Q2":
        extend = (f"{s('$.requestObject.kind')} AS k8skind, {s('$.requestObject.roleRef.name')} AS k8sroleref, "
                  f"{s('$.user.username')} AS k8suser, try(json_extract(log_s, '$.sourceIPs[0]')) AS k8sipaddress")
        return {
            "paths": f"SELECT *, {extend} FROM {all_diag} WHERE Category = 'kube-audit' "
                     f"AND {s('$.verb')} = 'create' AND {s('$.requestObject.roleRef.name')} = 'cluster-admin' "
                     f"AND {s('$.requestObject.kind')} = 'ClusterRoleBinding'",
            "one_parse": "SELECT * EXCLUDE (p), p[2] AS k8skind, p[3] AS k8sroleref, p[4] AS k8suser, "
                         "try(json_extract(log_s, '$.sourceIPs[0]')) AS k8sipaddress FROM ("
                         "SELECT *, try(json_extract_string(log_s, ['$.verb', '$.requestObject.kind', "
                         "'$.requestObject.roleRef.name', '$.user.username'])) AS p "
                         f"FROM {all_diag} WHERE Category = 'kube-audit') "
                         "WHERE p[1] = 'create' AND p[3] = 'cluster-admin' AND p[2] = 'ClusterRoleBinding'",
        }
    if q == "Q3":
        return {
            "paths": f"SELECT * FROM {all_diag} WHERE Category = 'kube-audit' AND {s('$.verb')} = 'create' "
                     f"AND {s('$.requestObject.kind')} = 'CronJob'",
            "one_parse": "SELECT * EXCLUDE (p) FROM (SELECT *, try(json_extract_string(log_s, "
                         f"['$.verb', '$.requestObject.kind'])) AS p FROM {all_diag} "
                         "WHERE Category = 'kube-audit') WHERE p[1] = 'create' AND p[2] = 'CronJob'",
        }
    if q == "Q4":
        return {
            "paths": f"SELECT log_s FROM {two} WHERE Category = 'kube-audit' "
                     f"AND {s('$.user.username')} = 'masterclient'",
            "arrow": f"SELECT log_s FROM {two} WHERE Category = 'kube-audit' "
                     f"AND try(log_s ->> '$.user.username') = 'masterclient'",
        }
    if q == "Q5":
        return {
            "paths": f"SELECT log_s FROM {two} WHERE Category = 'kube-audit' "
                     f"AND coalesce({s('$.sourceIPs[0]')}, '') = ''",
            "arrow": f"SELECT log_s FROM {two} WHERE Category = 'kube-audit' "
                     f"AND coalesce(try(log_s ->> '$.sourceIPs[0]'), '') = ''",
        }
    if q == "Q6":
        return {
            "paths": f"SELECT log_s FROM {two} WHERE Category = 'kube-audit' AND {s('$.verb')} = 'create' "
                     f"AND {s('/annotations/')} = 'allow'",
            "one_parse": "SELECT log_s FROM (SELECT log_s, try(json_extract_string(log_s, "
                         f"['$.verb', '/annotations/'])) AS p FROM {two} WHERE Category = 'kube-audit') "
                         "WHERE p[1] = 'create' AND p[2] = 'allow'",
        }
    if q == "Q7":
        src = read_json(act, ACTIVITY_COLUMNS)

        def body(rb):
            return (
                "SELECT * EXCLUDE (c) REPLACE (c AS Caller), c AS AccountCustomEntity, "
                "CallerIpAddress AS IPCustomEntity, HTTPRequest AS URLCustomEntity, "
                "ResourceId AS HostCustomEntity FROM ("
                "SELECT * EXCLUDE (rb), "
                "coalesce(try(json_extract_string(rb, '$.Properties.RoleDefinitionId')), '') AS RoleDef, "
                "coalesce(try(json_extract_string(rb, '$.Properties.Caller')), '') AS c FROM ("
                f"SELECT *, {rb} AS rb FROM {src} WHERE OperationName = 'Create role assignment')) "
                f"WHERE contains(lower(RoleDef), '{OWNER}') OR contains(lower(RoleDef), '{CONTRIBUTOR}')"
            )
        return {
            "paths": body("try(json_extract_string(Properties, '$.requestbody'))"),
            "arrow": body("try(Properties ->> '$.requestbody')"),
        }
    raise KeyError(q)


DUCKDB_SETTINGS = {
    # kqlite returns rows in input order; DuckDB does by default too.
    "ordered": "SET threads = 2;",
    # The opponent at its best: let DuckDB drop the order.
    "unordered": "SET threads = 2; SET preserve_insertion_order = false;",
}


def duckdb_command(duckdb, settings, sql, out):
    return [duckdb, "-c", f"{settings} COPY ({sql}) TO '{out}' (FORMAT json);"]


# ------------------------------------------------------------------------- jq

JQ_PRELUDE = (
    'def j: try fromjson catch null; '  # parse_json: not JSON -> (here) null; "" -> null
    'def obj: if type == "object" then . else {} end; '
    'def first: if type == "array" then .[0] else null end; '
    'def str: if . == null then "" elif type == "string" then . else tojson end; '  # tostring
)
JQ = {
    "Q1": 'select(.Category == "kube-apiserver" and ((.log_s // "") | ascii_downcase | contains("pods/nginx"))) '
          '| {log_s}',
    "Q2": 'select(.Category == "kube-audit") | ((.log_s // "") | j | obj) as $e | ($e.requestObject | obj) as $ro '
          '| select(($e.verb | str) == "create" and (($ro.roleRef | obj).name | str) == "cluster-admin" '
          'and ($ro.kind | str) == "ClusterRoleBinding") '
          '| . + {k8skind: $ro.kind, k8sroleref: ($ro.roleRef | obj).name, k8suser: ($e.user | obj).username, '
          'k8sipaddress: ($e.sourceIPs | first)}',
    "Q3": 'select(.Category == "kube-audit") | ((.log_s // "") | j | obj) as $e '
          '| select(($e.verb | str) == "create" and (($e.requestObject | obj).kind | str) == "CronJob")',
    "Q4": 'select(.Category == "kube-audit") | {log_s} '
          '| select(((((.log_s // "") | j | obj).user | obj).username | str) == "masterclient")',
    "Q5": 'select(.Category == "kube-audit") | {log_s} '
          '| select(((((.log_s // "") | j | obj).sourceIPs | first) | str) == "")',
    "Q6": 'select(.Category == "kube-audit") | {log_s} | ((.log_s // "") | j | obj) as $e '
          '| select(($e.verb | str) == "create" and (($e.annotations | obj)[""] | str) == "allow")',
    "Q7": 'select(.OperationName == "Create role assignment") '
          '| (((.Properties // "") | j | obj).requestbody | str | j | obj | .Properties | obj) as $p '
          '| ($p.RoleDefinitionId | str) as $rd | ($rd | ascii_downcase) as $l '
          f'| select(($l | contains("{OWNER}")) or ($l | contains("{CONTRIBUTOR}"))) '
          '| .Caller = ($p.Caller | str) '
          '| . + {RoleDef: $rd, AccountCustomEntity: .Caller, IPCustomEntity: .CallerIpAddress, '
          'URLCustomEntity: .HTTPRequest, HostCustomEntity: .ResourceId}',
}


# -------------------------------------------------------------------- running

def run_timed(cmd, stdout_path=os.devnull, sample_anon=False):
    """Runs cmd; returns (seconds, peak RSS in KiB from wait4, peak RssAnon in KiB or None).
    The CPU time (user + system) of the last run is left in LAST_CPU[0].

    With sample_anon, /proc/PID/status is read every 2 ms for RssAnon (the kernel keeps no
    high-water mark of anonymous memory alone; VmHWM counts the mapped file's pages too)."""
    # stderr goes to a file, not a pipe: a pipe nobody reads while we poll could fill and block.
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as errf:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=errf)
        peak_anon = 0
        status = f"/proc/{p.pid}/status"
        while True:
            pid, st, ru = os.wait4(p.pid, os.WNOHANG)
            if pid != 0:
                break
            if sample_anon:
                try:
                    with open(status) as f:
                        for line in f:
                            if line.startswith("RssAnon:"):
                                peak_anon = max(peak_anon, int(line.split()[1]))
                                break
                except (FileNotFoundError, ProcessLookupError, ValueError):
                    pass
                time.sleep(0.002)
            else:
                time.sleep(0.001)
        elapsed = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(st)
        errf.seek(0)
        err = errf.read().decode(errors="replace")
    if p.returncode != 0:
        die(f"command failed ({p.returncode}): {' '.join(cmd)[:300]}\n{err[:2000]}")
    LAST_CPU[0] = ru.ru_utime + ru.ru_stime
    return elapsed, ru.ru_maxrss, (peak_anon if sample_anon else None)


LAST_CPU = [0.0]


def cpu_pressure():
    """`some avg60` of /proc/pressure/cpu: the share of time runnable tasks waited for a CPU."""
    try:
        return float(open("/proc/pressure/cpu").readline().split()[2].split("=")[1])
    except (OSError, IndexError, ValueError):
        return None


def compare_values(q, kqlite_out, jq_out):
    """kqlite's rows against jq's, row by row (both keep input order), on the columns both
    print; null and "" are the same (a KQL string column cannot be null)."""
    problems = []
    with open(kqlite_out) as a, open(jq_out) as b:
        for i, (ka, jb) in enumerate(zip(a, b)):
            k, j = json.loads(ka), json.loads(jb)
            for col in j:
                if col in k and k[col] != j[col] and not (k[col] in (None, "") and j[col] in (None, "")):
                    problems.append(f"{q}: row {i + 1}, column {col}: kqlite {str(k[col])[:80]!r}, "
                                    f"jq {str(j[col])[:80]!r}")
                    break
            if len(problems) >= 3:
                break
    return problems


def count_lines(path):
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def sh(cmd, **kw):
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run(cmd, check=True, **kw)


def parse_size(s):
    s = s.strip().upper()
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(s[-1:], 1)
    return int(float(s[:-1] if s[-1:] in "KMG" else s) * mult)


# ------------------------------------------------------------------------ setup

def build():
    sh(["cargo", "build", "--release", "--bin", "kqlite", "--example", "gen_aks_logs",
        "--example", "linecount"], cwd=ROOT)
    rel = ROOT / "target" / "release"
    return rel / "kqlite", rel / "examples" / "gen_aks_logs", rel / "examples" / "linecount"


def generate(gen, out_dir, args):
    want = {"seed": args.seed, "rare_scale": args.rare_scale}
    exp = out_dir / "expected.json"
    size_key = out_dir / ".size"
    key = f"{args.size} {args.activity_size} {args.seed} {args.rare_scale} {args.escaped}\n"
    if exp.exists() and size_key.exists() and size_key.read_text() == key:
        log(f"using cached data in {out_dir}")
    else:
        cmd = [gen, "--bytes", args.size, "--activity-bytes", args.activity_size, "--seed", str(args.seed),
               "--rare-scale", str(args.rare_scale), "--escaped", str(args.escaped), "--out", out_dir]
        sh(cmd, stdout=subprocess.DEVNULL)
        size_key.write_text(key)
    meta = json.loads(exp.read_text())
    for k, v in want.items():
        if meta[k] != v:
            die(f"{exp}: {k} is {meta[k]}, expected {v}")
    return meta


def install_duckdb():
    venv = ROOT / "target" / "bench-venv"
    py = venv / "bin" / "python"
    if not py.exists():
        sh([sys.executable, "-m", "venv", venv])
    probe = subprocess.run([py, "-c", "import duckdb_cli, os; print(os.path.dirname(duckdb_cli.__file__))"],
                           capture_output=True, text=True)
    have = subprocess.run([py, "-m", "pip", "show", "duckdb-cli"], capture_output=True, text=True).stdout
    if probe.returncode != 0 or f"Version: {DUCKDB_CLI_VERSION}" not in have:
        sh([py, "-m", "pip", "install", "--quiet", f"duckdb-cli=={DUCKDB_CLI_VERSION}"])
        probe = subprocess.run([py, "-c", "import duckdb_cli, os; print(os.path.dirname(duckdb_cli.__file__))"],
                               capture_output=True, text=True, check=True)
    binary = Path(probe.stdout.strip()) / "duckdb"
    binary.chmod(0o755)
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return str(binary), version


def install_jq():
    if shutil.which("jq") is None:
        prefix = [] if os.geteuid() == 0 else ["sudo"]
        try:
            sh(prefix + ["apt-get", "update", "-qq"])
            sh(prefix + ["apt-get", "install", "-y", "-qq", "jq"])
        except (subprocess.CalledProcessError, FileNotFoundError) as e:
            die(f"jq is missing and could not be installed ({e}); install it or pass --no-jq")
    jq = shutil.which("jq")
    version = subprocess.run([jq, "--version"], capture_output=True, text=True).stdout.strip()
    return jq, version


def machine_notes():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) // (1 << 20)} GiB"
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "kernel": platform.release(),
            "rustc": rustc, "load_before": os.getloadavg(), "cpu_pressure_before": cpu_pressure()}


# ------------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="1G", help="AzureDiagnostics size (default 1G = 1 GiB)")
    ap.add_argument("--activity-size", default="1G", help="AzureActivity size for Q7 (default 1G)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rare-scale", type=float, default=1.0, help="generator: rare-shape rate multiplier")
    ap.add_argument("--escaped", type=float, default=0.05, help="generator: escaped fraction of rare rows")
    ap.add_argument("--reps", type=int, default=5, help="timed repetitions (median reported)")
    ap.add_argument("--mem-copies", type=int, default=4, help="the large memory run gives the file this many times")
    ap.add_argument("--no-jq", action="store_true", help="skip jq")
    ap.add_argument("--no-memory", action="store_true", help="skip the RssAnon runs")
    ap.add_argument("--check", action="store_true",
                    help="small data with frequent rare rows and escapes: check every engine's counts, no timing")
    ap.add_argument("--data-dir", default=None, help="where to generate (default target/bench-data/side-by-side-SIZE)")
    args = ap.parse_args()
    if args.check:
        args.size, args.activity_size, args.rare_scale, args.escaped = "24M", "8M", 60.0, 0.3
        args.reps, args.no_memory = 0, True

    kqlite, gen, linecount = build()
    data = Path(args.data_dir) if args.data_dir else \
        ROOT / "target" / "bench-data" / f"side-by-side-{args.size}-{args.activity_size}-s{args.seed}" \
                                         f"{'-check' if args.check else ''}"
    meta = generate(gen, data, args)
    expected = meta["expected_rows"]
    files = {"AzureDiagnostics": data / "AzureDiagnostics.json", "AzureActivity": data / "AzureActivity.json"}
    sizes = {t: f.stat().st_size for t, f in files.items()}
    duckdb, duckdb_version = install_duckdb()
    jq, jq_version = (None, None) if args.no_jq else install_jq()
    notes = machine_notes()
    log(f"kqlite {kqlite}\nDuckDB {duckdb_version}\njq {jq_version}\n{notes}")

    queries = seed_queries()
    assert [q for q, _ in queries] == list(QUERY_TABLE), "examples/seed-queries.kql changed"
    scratch = ROOT / "target" / "bench-results" / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "command": " ".join(["scripts/bench/side_by_side.sh"] + sys.argv[1:]),
               "machine": notes, "duckdb": duckdb_version, "jq": jq_version, "sizes": sizes,
               "rows": {"AzureDiagnostics": meta["AzureDiagnostics_rows"],
                        "AzureActivity": meta["AzureActivity_rows"]},
               "expected": expected, "queries": {}}

    def kq_cmd(q, text, threads=None, copies=1, table=None):
        t = table or QUERY_TABLE[q]
        cmd = [str(kqlite)]
        for _ in range(copies):
            cmd += ["--table", f"{t}={files[t]}"]
        if threads:
            cmd += ["--threads", str(threads)]
        return cmd + ["--format", "jsonl", text]

    def lc_cmd(q):
        return [str(linecount), "--threads", "2", str(files[QUERY_TABLE[q]])]

    # Warm the page cache.
    for f in files.values():
        run_timed([str(linecount), str(f)])

    # ---- 4. correctness: every engine, every query, rows == expected
    mismatches = []
    variants = {}
    for q, text in queries:
        want = expected[q]
        r = results["queries"].setdefault(q, {"expected": want})
        out = scratch / f"{q}.kqlite.jsonl"
        secs, _, _ = run_timed(kq_cmd(q, text), out)
        got = count_lines(out)
        r["kqlite_rows"] = got
        log(f"{q} kqlite: {got} rows (expected {want}) {secs:.2f}s")
        if got != want:
            mismatches.append(f"{q}: kqlite returned {got} rows, expected {want}")
        variants[q] = {}
        for vname, sql in duckdb_variants(q, files["AzureDiagnostics"], files["AzureActivity"]).items():
            for sname, settings in DUCKDB_SETTINGS.items():
                out = scratch / f"{q}.duckdb.{vname}.{sname}.jsonl"
                secs, _, _ = run_timed(duckdb_command(duckdb, settings, sql, out))
                got = count_lines(out)
                log(f"{q} duckdb {vname}/{sname}: {got} rows {secs:.2f}s")
                if got != want:
                    mismatches.append(f"{q}: DuckDB variant {vname}/{sname} returned {got} rows, expected {want}")
                variants[q][(vname, sname)] = [secs]
        if jq:
            out = scratch / f"{q}.jq.jsonl"
            secs, _, _ = run_timed([jq, "-c", JQ_PRELUDE + JQ[q], str(files[QUERY_TABLE[q]])], out)
            got = count_lines(out)
            log(f"{q} jq: {got} rows {secs:.2f}s")
            r["jq_s"] = secs
            r["jq_cpu"] = LAST_CPU[0]
            if got != want:
                mismatches.append(f"{q}: jq returned {got} rows, expected {want}")
            else:
                mismatches += compare_values(q, scratch / f"{q}.kqlite.jsonl", out)
    if mismatches:
        die("row counts differ from the generator's expected.json:\n  " + "\n  ".join(mismatches))
    log("every engine returned the expected number of rows for every query")
    if args.check:
        print("check passed: kqlite, DuckDB (every variant)" + (", jq" if jq else "") +
              " agree with expected.json on " + ", ".join(f"{q}={expected[q]}" for q in QUERY_TABLE))
        return

    # ---- 5. DuckDB: keep the fastest variant (2 more timed runs each, to /dev/null)
    for _ in range(2):
        for q, _text in queries:
            for (vname, sname), ts in variants[q].items():
                sql = duckdb_variants(q, files["AzureDiagnostics"], files["AzureActivity"])[vname]
                ts.append(run_timed(duckdb_command(duckdb, DUCKDB_SETTINGS[sname], sql, os.devnull))[0])
    best = {}
    for q, _text in queries:
        med = {k: statistics.median(v) for k, v in variants[q].items()}
        best[q] = min(med, key=med.get)
        results["queries"][q]["duckdb_variants"] = {f"{v}/{s}": round(t, 3) for (v, s), t in med.items()}
        results["queries"][q]["duckdb_sql"] = duckdb_variants(q, files["AzureDiagnostics"],
                                                              files["AzureActivity"])[best[q][0]]
        results["queries"][q]["duckdb_variant"] = "/".join(best[q])
        log(f"{q} DuckDB variants (median s): {med} -> {best[q]}")

    # ---- 6. interleaved repetitions
    times = {q: {"linecount": [], "kqlite": [], "duckdb": [], "linecount_cpu": [], "kqlite_cpu": [],
                 "duckdb_cpu": [], "kqlite_rss_kib": []} for q in QUERY_TABLE}
    for rep in range(args.reps):
        log(f"repetition {rep + 1}/{args.reps}")
        for q, text in queries:
            t = times[q]
            t["linecount"].append(run_timed(lc_cmd(q))[0])
            t["linecount_cpu"].append(LAST_CPU[0])
            secs, rss, _ = run_timed(kq_cmd(q, text))
            t["kqlite"].append(secs)
            t["kqlite_cpu"].append(LAST_CPU[0])
            t["kqlite_rss_kib"].append(rss)
            vname, sname = best[q]
            sql = duckdb_variants(q, files["AzureDiagnostics"], files["AzureActivity"])[vname]
            t["duckdb"].append(run_timed(duckdb_command(duckdb, DUCKDB_SETTINGS[sname], sql, os.devnull))[0])
            t["duckdb_cpu"].append(LAST_CPU[0])
    for q in QUERY_TABLE:
        r = results["queries"][q]
        r["runs"] = times[q]
        for k in ("linecount", "kqlite", "duckdb", "linecount_cpu", "kqlite_cpu", "duckdb_cpu"):
            r[f"{k}_s"] = statistics.median(times[q][k])

    # ---- 7. threads
    threads = {}
    for q, text in queries:
        if q not in HEAVY:
            continue
        threads[q] = {1: [], 2: []}
        cpu = {1: [], 2: []}
        for _ in range(args.reps):
            for n in (1, 2):
                threads[q][n].append(run_timed(kq_cmd(q, text, threads=n))[0])
                cpu[n].append(LAST_CPU[0])
        # The machine's own scaling in the same minutes: the line count at 1 and 2 threads.
        lc = {1: [], 2: []}
        for _ in range(args.reps):
            for n in (1, 2):
                lc[n].append(run_timed([str(linecount), "--threads", str(n), str(files[QUERY_TABLE[q]])])[0])
        results["queries"][q]["linecount_threads_speedup"] = statistics.median(lc[1]) / statistics.median(lc[2])
        m1, m2 = statistics.median(threads[q][1]), statistics.median(threads[q][2])
        results["queries"][q]["threads"] = {"1": threads[q][1], "2": threads[q][2],
                                            "cpu_1": cpu[1], "cpu_2": cpu[2],
                                            "cpu_s_1": statistics.median(cpu[1]),
                                            "cpu_s_2": statistics.median(cpu[2]),
                                            "mb_s_1": sizes[QUERY_TABLE[q]] / MB / m1,
                                            "mb_s_2": sizes[QUERY_TABLE[q]] / MB / m2, "speedup": m1 / m2}

    # ---- 8. memory
    memory = {}
    if not args.no_memory:
        mem_queries = queries + [("project log_s", "AzureDiagnostics | project log_s")]
        for q, text in mem_queries:
            table = "AzureDiagnostics" if q == "project log_s" else None
            for copies in (1, args.mem_copies):
                _, rss, anon = run_timed(kq_cmd(q, text, copies=copies, table=table), sample_anon=True)
                memory[(q, copies)] = (anon, rss)
                log(f"memory {q} x{copies}: RssAnon {anon / 1024:.1f} MiB, peak RSS {rss / 1024:.1f} MiB")
        results["memory"] = {f"{q} x{c}": {"rss_anon_kib": a, "max_rss_kib": r} for (q, c), (a, r) in memory.items()}

    # ---- 9. report
    results["machine"]["load_after"] = os.getloadavg()
    results["machine"]["cpu_pressure_after"] = cpu_pressure()
    report = render(results, memory, args)
    print(report)
    out_dir = ROOT / "target" / "bench-results"
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (out_dir / f"side_by_side-{stamp}.md").write_text(report)
    (out_dir / f"side_by_side-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    log(f"written: {out_dir}/side_by_side-{stamp}.md and .json")


def render(results, memory, args):
    q = results["queries"]
    sizes = results["sizes"]
    lines = []
    gib = {t: s / (1 << 30) for t, s in sizes.items()}
    lines.append(f"Inputs: AzureDiagnostics {sizes['AzureDiagnostics'] / MB:,.0f} MiB "
                 f"({results['rows']['AzureDiagnostics']:,} rows), AzureActivity "
                 f"{sizes['AzureActivity'] / MB:,.0f} MiB ({results['rows']['AzureActivity']:,} rows); "
                 f"median of {args.reps} interleaved runs, page cache warm; DuckDB {results['duckdb']}, "
                 f"{results['jq'] or 'jq skipped'}.")
    lines.append("")
    lines.append("| query | rows | linecount s | kqlite s | DuckDB s | jq s (1 run) | kqlite / linecount "
                 "| DuckDB / kqlite | jq / kqlite | kqlite GiB/s |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in QUERY_TABLE:
        r = q[name]
        k, lc, d = r["kqlite_s"], r["linecount_s"], r["duckdb_s"]
        jq = r.get("jq_s")
        lines.append(
            f"| {name} | {r['expected']:,} | {lc:.3f} | {k:.3f} | {d:.3f} | "
            f"{f'{jq:.1f}' if jq else '–'} | {k / lc:.1f}× | {d / k:.2f}× | "
            f"{f'{jq / k:.1f}×' if jq else '–'} | {gib[QUERY_TABLE[name]] / k:.2f} |")
    lines.append("")
    lines.append("CPU seconds (user + system, median; less sensitive than wall time to other load on the machine):")
    lines.append("")
    lines.append("| query | linecount | kqlite | DuckDB | jq (1 run) | DuckDB / kqlite |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for name in QUERY_TABLE:
        r = q[name]
        jc = r.get("jq_cpu")
        lines.append(f"| {name} | {r['linecount_cpu_s']:.3f} | {r['kqlite_cpu_s']:.3f} | {r['duckdb_cpu_s']:.3f} | "
                     f"{f'{jc:.1f}' if jc else '–'} | {r['duckdb_cpu_s'] / r['kqlite_cpu_s']:.2f}× |")
    lines.append("")
    lines.append("DuckDB variant kept per query (fastest median of 3): " +
                 ", ".join(f"{n} `{q[n]['duckdb_variant']}`" for n in QUERY_TABLE) + ".")
    lines.append("")
    lines.append("| kqlite threads | 1 thread MiB/s | 2 threads MiB/s | speed-up (wall) "
                 "| CPU s, 1 thread | CPU s, 2 threads | line count speed-up, same minutes |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    for name in HEAVY:
        t = q[name]["threads"]
        lines.append(f"| {name} | {t['mb_s_1']:.0f} | {t['mb_s_2']:.0f} | {t['speedup']:.2f}× "
                     f"| {t['cpu_s_1']:.2f} | {t['cpu_s_2']:.2f} | {q[name]['linecount_threads_speedup']:.2f}× |")
    if memory:
        c = args.mem_copies
        lines.append("")
        d, a = sizes["AzureDiagnostics"] / MB, sizes["AzureActivity"] / MB
        lines.append(f"| kqlite peak RssAnon (MiB) | input ×1 ({d:,.0f} / {a:,.0f} MiB) "
                     f"| same file ×{c} ({c * d:,.0f} / {c * a:,.0f} MiB) | peak RSS ×1 (incl. mapped file) |")
        lines.append("|---|---:|---:|---:|")
        for name in list(QUERY_TABLE) + ["project log_s"]:
            a1, r1 = memory[(name, 1)]
            a4, _ = memory[(name, c)]
            label = "`AzureDiagnostics \\| project log_s`" if name == "project log_s" else name
            lines.append(f"| {label} | {a1 / 1024:.1f} | {a4 / 1024:.1f} | {r1 / 1024:.0f} |")
    m = results["machine"]
    lines.append("")
    lines.append(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Linux {m['kernel']}, {m['rustc']}; "
                 f"load average before/after {m['load_before'][0]:.1f}/{m['load_after'][0]:.1f}, CPU pressure "
                 f"(some avg60, % of time a runnable task waited for a core) {m['cpu_pressure_before']}/"
                 f"{m['cpu_pressure_after']}.")
    lines.append("")
    lines.append("Acceptance (issue 4):")
    dk = [n for n in QUERY_TABLE if q[n]["duckdb_s"] / q[n]["kqlite_s"] >= 10]
    lines.append(f"- ≥10× faster than DuckDB: {len(dk)}/7 queries"
                 f" ({', '.join(n + ' ' + format(q[n]['duckdb_s'] / q[n]['kqlite_s'], '.1f') + '×' for n in QUERY_TABLE)})")
    sel = [n for n in SELECTIVE if q[n]["kqlite_s"] / q[n]["linecount_s"] <= 3]
    lines.append(f"- selective queries within 3× of the line count: {len(sel)}/5"
                 f" ({', '.join(n + ' ' + format(q[n]['kqlite_s'] / q[n]['linecount_s'], '.1f') + '×' for n in SELECTIVE)});"
                 f" Q5 {q['Q5']['kqlite_s'] / q['Q5']['linecount_s']:.1f}×,"
                 f" Q6 {q['Q6']['kqlite_s'] / q['Q6']['linecount_s']:.1f}×")
    lines.append("- 2 threads ≥ 1.8× 1 thread on Q5, Q6: " +
                 ", ".join(f"{n} {q[n]['threads']['speedup']:.2f}×" for n in HEAVY))
    if memory:
        over = [f"{n} ×{cp}" for (n, cp), (a, _) in memory.items() if a >= 100 * 1024]
        lines.append(f"- RssAnon < 100 MiB: {'all runs' if not over else 'exceeded by ' + ', '.join(over)}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
