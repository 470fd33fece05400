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

Each run keeps the engines' answers in a directory of its own (target/bench-results/scratch-*,
removed at the end), so two runs at once do not overwrite each other's answers. For a
before/after comparison, `--kqlite NEW --kqlite-before OLD --suite analytic` times both binaries
interleaved in one run and adds a before/after table.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import analytic_suite

ROOT = Path(__file__).resolve().parents[2]
DUCKDB_CLI_VERSION = "1.5.6"  # PyPI `duckdb-cli`: the official CLI binary, JSON built in
CHDB_VERSION = "4.4.0"  # PyPI `chdb`: ClickHouse's engine in-process (the CLI is not on PyPI)

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


def scratch_dir(suite):
    """A directory of this run's own under target/bench-results for the engines' answers and
    ClickHouse's SQL files. One fixed `scratch/` shared by every run made two runs at once (the
    seed and analytic suites, or a before and an after) overwrite each other's answers between
    writing and checking them. Removed when the run finishes; left behind when it fails, for
    inspection."""
    base = ROOT / "target" / "bench-results"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"scratch-{suite}-", dir=base))


def run_stamp():
    """Names a run's result files: the time, and the process id so that two runs that end in the
    same second keep both."""
    return f"{datetime.datetime.now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"


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

def build(kqlite=None):
    """Release builds of kqlite and the two examples; with `kqlite` (a binary built
    before, say for a before/after comparison) only the examples, and only if missing."""
    rel = ROOT / "target" / "release"
    gen, linecount = rel / "examples" / "gen_aks_logs", rel / "examples" / "linecount"
    if kqlite is None:
        sh(["cargo", "build", "--release", "--bin", "kqlite", "--example", "gen_aks_logs",
            "--example", "linecount"], cwd=ROOT)
        return rel / "kqlite", gen, linecount
    if not (gen.exists() and linecount.exists()):
        sh(["cargo", "build", "--release", "--example", "gen_aks_logs", "--example", "linecount"], cwd=ROOT)
    return Path(kqlite).resolve(), gen, linecount


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


def install_chdb():
    """ClickHouse's engine as a Python library (PyPI `chdb`, pinned) in the same venv as DuckDB's CLI."""
    venv = ROOT / "target" / "bench-venv"
    py = venv / "bin" / "python"
    have = subprocess.run([py, "-m", "pip", "show", "chdb"], capture_output=True, text=True).stdout
    if f"Version: {CHDB_VERSION}" not in have:
        sh([py, "-m", "pip", "install", "--quiet", f"chdb=={CHDB_VERSION}"])
    version = subprocess.run([py, "-c", "import chdb; print(chdb.__version__, '(ClickHouse', chdb.engine_version + ')')"],
                             capture_output=True, text=True, check=True).stdout.strip()
    return str(py), version


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
    ap.add_argument("--suite", choices=["seeds", "analytic", "all"], default="seeds",
                    help="seeds: the seven seed filters (default); analytic: the aggregation/join/top-N suite "
                         "against DuckDB and ClickHouse (chdb); all: both")
    ap.add_argument("--analytic-reps", type=int, default=3, help="analytic suite: timed repetitions (median)")
    ap.add_argument("--queries", default=None, help="analytic suite: only these (comma-separated, e.g. A3,A9)")
    ap.add_argument("--kqlite", default=None,
                    help="time this kqlite binary instead of building one (before/after comparisons)")
    ap.add_argument("--kqlite-before", default=None,
                    help="analytic suite: also time this kqlite binary, interleaved with the other, as "
                         "'kqlite-before' (its answers checked equal to kqlite's); for before/after numbers")
    ap.add_argument("--data-dir", default=None, help="where to generate (default target/bench-data/side-by-side-SIZE)")
    args = ap.parse_args()
    if args.check:
        args.size, args.activity_size, args.rare_scale, args.escaped = "24M", "8M", 60.0, 0.3
        args.reps, args.analytic_reps, args.no_memory = 0, 0, True

    kqlite, gen, linecount = build(args.kqlite)
    data = Path(args.data_dir) if args.data_dir else \
        ROOT / "target" / "bench-data" / f"side-by-side-{args.size}-{args.activity_size}-s{args.seed}" \
                                         f"{'-check' if args.check else ''}"
    meta = generate(gen, data, args)
    files = {"AzureDiagnostics": data / "AzureDiagnostics.json", "AzureActivity": data / "AzureActivity.json"}
    duckdb, duckdb_version = install_duckdb()
    chdb_python, chdb_version = install_chdb() if args.suite in ("analytic", "all") else (None, None)
    jq, jq_version = (None, None) if args.no_jq or args.suite == "analytic" else install_jq()
    notes = machine_notes()
    log(f"kqlite {kqlite}\nDuckDB {duckdb_version}\nchdb {chdb_version}\njq {jq_version}\n{notes}")
    # Warm the page cache.
    for f in files.values():
        run_timed([str(linecount), str(f)])
    if args.suite in ("seeds", "all"):
        run_seeds(args, kqlite, linecount, files, meta, duckdb, duckdb_version, jq, jq_version, notes)
    if args.suite in ("analytic", "all"):
        run_analytic(args, kqlite, linecount, files, meta, duckdb, duckdb_version, chdb_python, chdb_version)


def run_seeds(args, kqlite, linecount, files, meta, duckdb, duckdb_version, jq, jq_version, notes):
    """The seven seed queries against the line count, DuckDB and jq."""
    expected = meta["expected_rows"]
    sizes = {t: f.stat().st_size for t, f in files.items()}
    queries = seed_queries()
    assert [q for q, _ in queries] == list(QUERY_TABLE), "examples/seed-queries.kql changed"
    scratch = scratch_dir("seeds")
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
    stamp = run_stamp()
    shutil.rmtree(scratch, ignore_errors=True)
    (out_dir / f"side_by_side-{stamp}.md").write_text(report)
    (out_dir / f"side_by_side-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    log(f"written: {out_dir}/side_by_side-{stamp}.md and .json")


# ------------------------------------------------------------- analytic suite

DATETIME_RE = re.compile(r"^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?Z?$")


def norm_value(v, like=None):
    """One value in a form every engine's output agrees on: null and "" alike (a KQL string
    cannot be null), numbers to 9 significant digits, datetimes as ISO with 7 fraction
    digits, sets (make_set) sorted. `like` is kqlite's value in the same column: a peer's
    number printed as a string (ClickHouse quotes 64-bit integers) is read as a number."""
    if v is None:
        return ""
    if isinstance(like, (int, float)) and not isinstance(like, bool) and isinstance(v, str):
        try:
            v = float(v)
        except ValueError:
            pass
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(f"{float(v):.9g}")
    if isinstance(v, str):
        m = DATETIME_RE.match(v)
        if m:
            return f"{m.group(1)}T{m.group(2)}.{(m.group(3) or '').ljust(7, '0')[:7]}Z"
        return v
    if isinstance(v, list):
        return json.dumps(sorted(json.dumps(norm_value(x), sort_keys=True) for x in v))
    return json.dumps(v, sort_keys=True)


def read_rows(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def compare_answers(qdef, kq_rows, peer_rows, peer):
    """Problems (empty when equal) between kqlite's rows and a peer's: same columns, same
    rows as a multiset; the columns in qdef.approx within their relative tolerance."""
    if not kq_rows and not peer_rows:
        return []
    if len(kq_rows) != len(peer_rows):
        return [f"{qdef.name}: kqlite {len(kq_rows)} rows, {peer} {len(peer_rows)}"]
    cols = list(kq_rows[0].keys())
    if set(peer_rows[0].keys()) != set(cols):
        return [f"{qdef.name}: columns differ: kqlite {cols}, {peer} {list(peer_rows[0].keys())}"]
    like = kq_rows[0]
    keys = [c for c in cols if c not in qdef.approx]

    def index(rows):
        out = {}
        for r in rows:
            k = tuple(norm_value(r[c], like[c]) for c in keys)
            out.setdefault(k, []).append(tuple(norm_value(r[c], like[c]) for c in qdef.approx))
        return out
    a, b = index(kq_rows), index(peer_rows)
    problems = []
    for k in a:
        if k not in b:
            problems.append(f"{qdef.name}: kqlite row {str(dict(zip(keys, k)))[:300]} not in {peer}'s answer")
        elif len(a[k]) != len(b[k]):
            problems.append(f"{qdef.name}: row {str(k)[:200]} {len(a[k])}× in kqlite, {len(b[k])}× in {peer}")
        else:
            for va, vb in zip(sorted(a[k]), sorted(b[k])):
                for col, x, y, in zip(qdef.approx, va, vb):
                    tol = qdef.approx[col]
                    if not isinstance(x, float) or not isinstance(y, float) or \
                            abs(x - y) > tol * max(abs(x), abs(y), 1.0):
                        problems.append(f"{qdef.name}: {col} kqlite {x} vs {peer} {y} (tolerance {tol:.0%}) "
                                        f"at {str(dict(zip(keys, k)))[:200]}")
        if len(problems) >= 3:
            break
    for k in b:
        if k not in a and len(problems) < 3:
            problems.append(f"{qdef.name}: {peer} row {str(dict(zip(keys, k)))[:300]} not in kqlite's answer")
    return problems


CHDB_RUNNER = ROOT / "scripts" / "bench" / "chdb_query.py"


def run_analytic(args, kqlite, linecount, files, meta, duckdb, duckdb_version, chdb_python, chdb_version):
    """The analytic suite (scripts/bench/analytic_suite.py): kqlite, DuckDB's CLI and ClickHouse
    through chdb, answers checked equal, then timed interleaved with wall, CPU and memory."""
    suite = analytic_suite.suite(files["AzureDiagnostics"], files["AzureActivity"])
    if args.queries:
        wanted = set(args.queries.split(","))
        suite = [q for q in suite if q.name in wanted]
    scratch = scratch_dir("analytic")
    notes = machine_notes()
    sizes = {t: f.stat().st_size for t, f in files.items()}

    engines = ["kqlite"] + (["kqlite-before"] if args.kqlite_before else []) + ["duckdb", "clickhouse"]

    def kq_cmd(qd, binary=kqlite):
        cmd = [str(binary)]
        for t in qd.tables:
            cmd += ["--table", f"{t}={files[t]}"]
        return cmd + ["--format", "jsonl", qd.kql]

    def duck_cmd(sql, out):
        return [duckdb, "-c", f"SET threads = 2; COPY ({sql}) TO '{out}' (FORMAT json);"]

    sql_files = {}

    def ch_cmd(qd, variant, out):
        key = (qd.name, variant)
        if key not in sql_files:
            path = scratch / f"{qd.name}.chdb.{variant}.sql"
            path.write_text(qd.clickhouse[variant])
            sql_files[key] = path
        return [chdb_python, str(CHDB_RUNNER), str(sql_files[key]), str(out)]

    # ---- correctness: every variant of every engine against kqlite
    problems, dropped = [], []
    first = {}
    for qd in suite:
        out = scratch / f"{qd.name}.kqlite.jsonl"
        secs, _, _ = run_timed(kq_cmd(qd), out)
        kq_rows = read_rows(out)
        log(f"{qd.name} kqlite: {len(kq_rows)} rows {secs:.2f}s")
        if not kq_rows:
            problems.append(f"{qd.name}: kqlite returned no rows")
        if args.kqlite_before:
            out = scratch / f"{qd.name}.kqlite-before.jsonl"
            secs, _, _ = run_timed(kq_cmd(qd, args.kqlite_before), out)
            p = compare_answers(qd, kq_rows, read_rows(out), "kqlite-before")
            log(f"{qd.name} kqlite-before: {secs:.2f}s {'OK' if not p else 'DIFFERS'}")
            problems += p
        for peer, variants, cmd in (("duckdb", qd.duckdb, lambda v, o: duck_cmd(qd.duckdb[v], o)),
                                    ("clickhouse", qd.clickhouse, lambda v, o: ch_cmd(qd, v, o))):
            for v in variants:
                out = scratch / f"{qd.name}.{peer}.{v}.jsonl"
                secs, _, _ = run_timed(cmd(v, out))
                rows = read_rows(out)
                p = compare_answers(qd, kq_rows, rows, f"{peer}/{v}")
                log(f"{qd.name} {peer}/{v}: {len(rows)} rows {secs:.2f}s {'OK' if not p else 'DIFFERS'}")
                if p and f"{peer}/{v}" in qd.estimates:
                    log(f"  left out (an estimate outside the tolerance): {p[0]}")
                    dropped.append(f"{qd.name} {peer}/{v}")
                    continue
                problems += p
                first[(qd.name, peer, v)] = [secs]
    if problems:
        die("analytic answers differ between engines:\n  " + "\n  ".join(problems))
    log("analytic suite: every engine's every variant gives kqlite's answer")
    if args.check:
        print("check passed (analytic): DuckDB and ClickHouse, every variant, agree with kqlite on " +
              ", ".join(q.name for q in suite) +
              (f"; estimates outside the tolerance, left out: {', '.join(dropped)}" if dropped else ""))
        return

    # ---- each peer's fastest variant (2 more runs each; median of 3)
    for _ in range(2):
        for qd in suite:
            for v in qd.duckdb:
                if (qd.name, "duckdb", v) in first:
                    first[(qd.name, "duckdb", v)].append(run_timed(duck_cmd(qd.duckdb[v], os.devnull))[0])
            for v in qd.clickhouse:
                if (qd.name, "clickhouse", v) in first:
                    first[(qd.name, "clickhouse", v)].append(run_timed(ch_cmd(qd, v, os.devnull))[0])
    best = {}
    for qd in suite:
        for peer, variants in (("duckdb", qd.duckdb), ("clickhouse", qd.clickhouse)):
            med = {v: statistics.median(first[(qd.name, peer, v)]) for v in variants
                   if (qd.name, peer, v) in first}
            best[(qd.name, peer)] = min(med, key=med.get)
            log(f"{qd.name} {peer} variants (median s): {med} -> {best[(qd.name, peer)]}")

    # ---- interleaved repetitions: kqlite, DuckDB, ClickHouse, and python's own start
    runs = {(qd.name, e): [] for qd in suite for e in engines}
    py_start = {"python": [], "python+import chdb": []}
    load = [os.getloadavg()[0]]
    for rep in range(args.analytic_reps):
        log(f"analytic repetition {rep + 1}/{args.analytic_reps}")
        for qd in suite:
            before = [("kqlite-before", kq_cmd(qd, args.kqlite_before))] if args.kqlite_before else []
            for e, cmd in [("kqlite", kq_cmd(qd))] + before + [
                    ("duckdb", duck_cmd(qd.duckdb[best[(qd.name, 'duckdb')]], os.devnull)),
                    ("clickhouse", ch_cmd(qd, best[(qd.name, 'clickhouse')], os.devnull))]:
                secs, rss, anon = run_timed(cmd, sample_anon=True)
                runs[(qd.name, e)].append({"s": secs, "cpu": LAST_CPU[0], "rss_kib": rss, "anon_kib": anon})
        for k, cmd in (("python", [chdb_python, "-c", "pass"]),
                       ("python+import chdb", [chdb_python, "-c", "import chdb"])):
            secs, rss, _ = run_timed(cmd)
            py_start[k].append({"s": secs, "cpu": LAST_CPU[0], "rss_kib": rss})
        load.append(os.getloadavg()[0])

    def med(lst, k):
        return statistics.median(x[k] for x in lst)

    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "command": " ".join(["scripts/bench/side_by_side.sh"] + sys.argv[1:]),
               "kqlite_commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                               capture_output=True, text=True).stdout.strip(),
               "machine": notes, "load_during": load, "cpu_pressure_after": cpu_pressure(),
               "duckdb": duckdb_version, "chdb": chdb_version, "sizes": sizes,
               "kqlite_before": args.kqlite_before,
               "estimates_left_out": dropped,
               "python_start": {k: {"s": med(v, "s"), "cpu": med(v, "cpu"), "rss_kib": med(v, "rss_kib")}
                                for k, v in py_start.items()},
               "queries": {}}
    for qd in suite:
        r = results["queries"][qd.name] = {
            "kind": qd.kind, "kql": qd.kql, "rows": len(read_rows(scratch / f"{qd.name}.kqlite.jsonl")),
            "duckdb_variant": best[(qd.name, "duckdb")], "clickhouse_variant": best[(qd.name, "clickhouse")],
            "duckdb_sql": qd.duckdb[best[(qd.name, "duckdb")]],
            "clickhouse_sql": qd.clickhouse[best[(qd.name, "clickhouse")]],
            "variants_median_s": {f"{p}/{v}": statistics.median(t) for (n, p, v), t in first.items()
                                  if n == qd.name}}
        for e in engines:
            lst = runs[(qd.name, e)]
            r[e] = {"s": med(lst, "s"), "cpu": med(lst, "cpu"), "rss_kib": med(lst, "rss_kib"),
                    "anon_kib": med(lst, "anon_kib"), "runs": lst}
    report = render_analytic(results, args)
    print(report)
    out_dir = ROOT / "target" / "bench-results"
    stamp = run_stamp()
    shutil.rmtree(scratch, ignore_errors=True)
    (out_dir / f"analytic-{stamp}.md").write_text(report)
    (out_dir / f"analytic-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    log(f"written: {out_dir}/analytic-{stamp}.md and .json")


def render_analytic(results, args):
    sizes = results["sizes"]
    ps = results["python_start"]
    lines = [f"Inputs: AzureDiagnostics {sizes['AzureDiagnostics'] / MB:,.0f} MiB, AzureActivity "
             f"{sizes['AzureActivity'] / MB:,.0f} MiB; median of {args.analytic_reps} interleaved runs, page cache "
             f"warm; kqlite {results['kqlite_commit']}, DuckDB {results['duckdb']} (CLI), chdb {results['chdb']}.",
             "",
             "| query | kind | rows | kqlite s | DuckDB s | ClickHouse s | DuckDB / kqlite | ClickHouse / kqlite "
             "| CPU s kqlite / DuckDB / CH | kqlite RssAnon MiB | DuckDB peak RSS MiB | CH peak RSS (RssAnon) MiB |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results["queries"].items():
        k, d, c = r["kqlite"], r["duckdb"], r["clickhouse"]
        lines.append(
            f"| {name} | {r['kind']} | {r['rows']:,} | {k['s']:.2f} | {d['s']:.2f} | {c['s']:.2f} "
            f"| {d['s'] / k['s']:.2f}× | {c['s'] / k['s']:.2f}× "
            f"| {k['cpu']:.2f} / {d['cpu']:.2f} / {c['cpu']:.2f} | {k['anon_kib'] / 1024:.1f} "
            f"| {d['rss_kib'] / 1024:.0f} | {c['rss_kib'] / 1024:.0f} ({c['anon_kib'] / 1024:.0f}) |")
    lines.append("")
    lines.append(f"ClickHouse runs as `python chdb_query.py` (chdb is a library): python alone starts in "
                 f"{ps['python']['s']:.3f} s, python + `import chdb` in {ps['python+import chdb']['s']:.3f} s "
                 f"({ps['python+import chdb']['rss_kib'] / 1024:.0f} MiB peak RSS); subtract it for the engine alone.")
    lines.append("")
    before = {n: r for n, r in results["queries"].items() if "kqlite-before" in r}
    if before:
        lines += [f"kqlite before (`{results['kqlite_before']}`) and after, same interleaved run:", "",
                  "| query | before s | after s | after / before | CPU s before / after "
                  "| RssAnon MiB before / after |",
                  "|---|---:|---:|---:|---:|---:|"]
        for name, r in before.items():
            b, a = r["kqlite-before"], r["kqlite"]
            lines.append(f"| {name} | {b['s']:.2f} | {a['s']:.2f} | {a['s'] / b['s']:.2f}× "
                         f"| {b['cpu']:.2f} / {a['cpu']:.2f} | {b['anon_kib'] / 1024:.1f} / {a['anon_kib'] / 1024:.1f} |")
        lines.append("")
    if results["estimates_left_out"]:
        lines.append("Estimating variants left out for being outside the tolerance (dcount 5 %, percentiles 5 %): " +
                     ", ".join(results["estimates_left_out"]) + ".")
        lines.append("")
    lines.append("Variants kept (fastest median of 3): " + "; ".join(
        f"{n} DuckDB `{r['duckdb_variant']}`, ClickHouse `{r['clickhouse_variant']}`"
        for n, r in results["queries"].items()) + ".")
    m = results["machine"]
    lines.append("")
    lines.append(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Linux {m['kernel']}, {m['rustc']}; "
                 f"load average (1 min) before and after each repetition: "
                 f"{', '.join(f'{x:.1f}' for x in results['load_during'])}; CPU pressure some avg60 "
                 f"{m['cpu_pressure_before']} before, {results['cpu_pressure_after']} after.")
    q = results["queries"]
    lose_d = [n for n in q if q[n]["duckdb"]["s"] <= q[n]["kqlite"]["s"]]
    lose_c = [n for n in q if q[n]["clickhouse"]["s"] <= q[n]["kqlite"]["s"]]
    mem = [n for n in q if q[n]["kqlite"]["anon_kib"] > q[n]["duckdb"]["rss_kib"]]
    lines.append("")
    lines.append("Acceptance (issue 14):")
    lines.append(f"- faster than DuckDB: {len(q) - len(lose_d)}/{len(q)}"
                 f"{' (not on ' + ', '.join(lose_d) + ')' if lose_d else ''}")
    lines.append(f"- faster than ClickHouse (python start included): {len(q) - len(lose_c)}/{len(q)}"
                 f"{' (not on ' + ', '.join(lose_c) + ')' if lose_c else ''}")
    lines.append(f"- kqlite RssAnon ≤ DuckDB peak RSS: {len(q) - len(mem)}/{len(q)}"
                 f"{' (not on ' + ', '.join(mem) + ')' if mem else ''}")
    return "\n".join(lines)


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
