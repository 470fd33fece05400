"""The analytic half of the side-by-side benchmark: twelve query kinds that hunting is made of
(aggregation, top-N, joins, mv-expand, parse, union), each written once in KQL as an analyst
would write it, and as DuckDB and ClickHouse SQL variants that give the same answer.

side_by_side.py checks the answers equal across engines (see `Query.approx` for aggregates that
are approximate by definition) and keeps each peer's fastest variant.

Equivalence notes that apply throughout:
* `parse_json(log_s).a.b` gives null when `log_s` is not JSON (some kube-audit rows are cut
  short) or has no such path, and `tostring(null)` is "": DuckDB's JSON functions raise on
  malformed input, hence try(...) and coalesce(..., ''); ClickHouse's JSONExtract* give ''.
* KQL string operators (`endswith`, `contains`) are case-insensitive: lower(...) in SQL.
* make_set's order is unspecified: the check compares sets.
"""

from dataclasses import dataclass, field


@dataclass
class Query:
    """One analytic query kind."""
    name: str
    kind: str          # the table row
    kql: str
    tables: list       # tables the KQL reads
    duckdb: dict = field(default_factory=dict)   # variant -> SQL
    clickhouse: dict = field(default_factory=dict)
    approx: dict = field(default_factory=dict)   # column -> relative tolerance
    # Variants ("peer/variant") that estimate: one outside the tolerance is left out of the
    # timing (and said so) instead of stopping the run; every other difference stops it.
    estimates: set = field(default_factory=set)


DIAG_COLUMNS = ["TenantId", "TimeGenerated", "ResourceId", "Category", "ResourceGroup",
                "SubscriptionId", "ResourceProvider", "Resource", "ResourceType", "OperationName",
                "log_s", "pod_s", "stream_s", "containerID_s", "SourceSystem", "Type", "_ResourceId"]

# Kusto's dcount() is a HyperLogLog estimate (default accuracy level 1: about 1.6 % error,
# https://learn.microsoft.com/kusto/query/dcount-aggregate-function); DuckDB's
# approx_count_distinct and ClickHouse's uniq are estimates too. 5 % is about three standard errors.
DCOUNT_TOLERANCE = 0.05
# percentile() is a t-digest estimate in Kusto (about 1 % error on the rank); DuckDB's
# approx_quantile and ClickHouse's quantileTDigest likewise; nearest-rank variants are exact.
PERCENTILE_TOLERANCE = 0.05


def duck_src(path, columns, types=None):
    types = types or {}
    cols = ", ".join(f"\"{c}\": '{types.get(c, 'VARCHAR')}'" for c in columns)
    return f"read_json('{path}', format = 'newline_delimited', columns = {{{cols}}})"


def ch_src(path, columns, types=None):
    types = types or {}
    cols = ", ".join(f"`{c}` {types.get(c, 'String')}" for c in columns)
    return f"file('{path}', 'JSONEachRow', '{cols}')"


def dj(path):
    """DuckDB: a JSON path of log_s as a string, '' when absent or log_s is not JSON."""
    return f"coalesce(try(json_extract_string(log_s, '{path}')), '')"


def da(path):
    """DuckDB: the same through the ->> operator."""
    return f"coalesce(try(log_s ->> '{path}'), '')"


def cj(*keys):
    """ClickHouse: JSONExtractString of log_s ('' when absent or not JSON)."""
    return "JSONExtractString(log_s, " + ", ".join(f"'{k}'" for k in keys) + ")"


def suite(diag, act):
    """The queries, with SQL reading the given AzureDiagnostics / AzureActivity files."""
    two = duck_src(diag, ["Category", "log_s"])
    ch_two = ch_src(diag, ["Category", "log_s"])
    q = []

    # ------------------------------------------------------------------ A1
    q.append(Query(
        "A1", "count by bin(TimeGenerated, 1h), Category",
        "AzureDiagnostics | summarize count() by bin(TimeGenerated, 1h), Category",
        ["AzureDiagnostics"],
        duckdb={
            "date_trunc": "SELECT date_trunc('hour', TimeGenerated::TIMESTAMP) AS TimeGenerated, Category, "
                          f"count(*) AS count_ FROM {duck_src(diag, ['TimeGenerated', 'Category'])} GROUP BY ALL",
            "typed": "SELECT time_bucket(INTERVAL 1 hour, TimeGenerated) AS TimeGenerated, Category, "
                     "count(*) AS count_ FROM "
                     f"{duck_src(diag, ['TimeGenerated', 'Category'], {'TimeGenerated': 'TIMESTAMP'})} GROUP BY ALL",
        },
        clickhouse={
            # (a DateTime64 column in the file's structure would be faster, but JSONEachRow cannot
            # read a timestamp written with \u escapes, which JSON allows)
            "best_effort": "SELECT toStartOfHour(parseDateTime64BestEffort(tg, 7)) AS TimeGenerated, "
                           "Category, count() AS count_ FROM (SELECT TimeGenerated AS tg, Category "
                           f"FROM {ch_src(diag, ['TimeGenerated', 'Category'])}) GROUP BY TimeGenerated, Category",
            "bin_seconds": "SELECT toStartOfHour(parseDateTimeBestEffort(tg)) AS TimeGenerated, "
                           "Category, count() AS count_ FROM (SELECT TimeGenerated AS tg, Category "
                           f"FROM {ch_src(diag, ['TimeGenerated', 'Category'])}) GROUP BY TimeGenerated, Category",
        }))

    # ------------------------------------------------------------------ A2
    q.append(Query(
        "A2", "top 10 users from `parse_json(log_s).user.username`",
        'AzureDiagnostics | where Category == "kube-audit" '
        '| extend user = tostring(parse_json(log_s).user.username) '
        '| summarize events = count() by user | top 10 by events',
        ["AzureDiagnostics"],
        duckdb={
            v: f"SELECT {f('$.user.username')} AS user, count(*) AS events FROM {two} "
               "WHERE Category = 'kube-audit' GROUP BY 1 ORDER BY events DESC LIMIT 10"
            for v, f in (("paths", dj), ("arrow", da))
        },
        clickhouse={
            "jsonextract": f"SELECT {cj('user', 'username')} AS user, count() AS events FROM {ch_two} "
                           "WHERE Category = 'kube-audit' GROUP BY user ORDER BY events DESC LIMIT 10",
            "json_value": f"SELECT JSON_VALUE(log_s, '$.user.username') AS user, count() AS events FROM {ch_two} "
                          "WHERE Category = 'kube-audit' GROUP BY user ORDER BY events DESC LIMIT 10",
        }))

    # ------------------------------------------------------------------ A3
    def a3_duck(dc, f):
        return (f"SELECT u AS user, {dc.format('ip')} AS ips, count_if(coalesce(code = 403, false)) AS forbidden FROM ("
                f"SELECT {f('$.user.username')} AS u, {f('$.sourceIPs[0]')} AS ip, "
                "try(CAST(json_extract(log_s, '$.responseStatus.code') AS BIGINT)) AS code "
                f"FROM {two} WHERE Category = 'kube-audit') GROUP BY u")

    def a3_ch(dc):
        return (f"SELECT {cj('user', 'username')} AS user, {dc}(JSONExtractString(log_s, 'sourceIPs', 1)) AS ips, "
                "countIf(JSONExtractInt(log_s, 'responseStatus', 'code') = 403) AS forbidden "
                f"FROM {ch_two} WHERE Category = 'kube-audit' GROUP BY user")
    q.append(Query(
        "A3", "dcount of source IP + countif(403) per user",
        'AzureDiagnostics | where Category == "kube-audit" | extend e = parse_json(log_s) '
        '| summarize ips = dcount(tostring(e.sourceIPs[0])), '
        'forbidden = countif(toint(e.responseStatus.code) == 403) by user = tostring(e.user.username)',
        ["AzureDiagnostics"],
        duckdb={"exact": a3_duck("count(DISTINCT {})", dj),
                "approx": a3_duck("approx_count_distinct({})", dj),
                "approx_arrow": a3_duck("approx_count_distinct({})", da)},
        clickhouse={"uniq": a3_ch("uniq"), "uniqExact": a3_ch("uniqExact"), "uniqHLL12": a3_ch("uniqHLL12")},
        approx={"ips": DCOUNT_TOLERANCE},
        estimates={"duckdb/approx", "duckdb/approx_arrow", "clickhouse/uniq", "clickhouse/uniqHLL12"}))

    # ------------------------------------------------------------------ A4
    rest = [c for c in DIAG_COLUMNS if c not in ("Resource", "TimeGenerated")]
    all_duck = duck_src(diag, DIAG_COLUMNS)
    all_ch = ch_src(diag, DIAG_COLUMNS)
    q.append(Query(
        "A4", "arg_max(TimeGenerated, *) by Resource",
        "AzureDiagnostics | summarize arg_max(TimeGenerated, *) by Resource",
        ["AzureDiagnostics"],
        duckdb={
            "arg_max": "SELECT Resource, max(TimeGenerated) AS TimeGenerated, " +
                       ", ".join(f'arg_max("{c}", TimeGenerated) AS "{c}"' for c in rest) +
                       f" FROM {all_duck} GROUP BY Resource",
            "row_struct": "SELECT unnest(r) FROM (SELECT arg_max(t, t.TimeGenerated) AS r "
                          f"FROM {all_duck} t GROUP BY t.Resource)",
            "qualify": f"SELECT * FROM {all_duck} QUALIFY row_number() OVER "
                       "(PARTITION BY Resource ORDER BY TimeGenerated DESC) = 1",
        },
        clickhouse={
            "argMax": "SELECT Resource, max(TimeGenerated) AS TimeGenerated, " +
                      ", ".join(f"argMax(`{c}`, TimeGenerated) AS `{c}`" for c in rest) +
                      f" FROM {all_ch} GROUP BY Resource SETTINGS prefer_column_name_to_alias = 1",
            "limit_by": f"SELECT * FROM {all_ch} ORDER BY TimeGenerated DESC LIMIT 1 BY Resource",
        }))

    # ------------------------------------------------------------------ A5
    lat_re, verb_re = 'latency="([0-9.]+)ms"', r'verb="(\w+)"'
    pcts = (50, 95, 99)

    def a5_duck(agg):
        cols = ", ".join(f"{agg}(latency, {p / 100}) AS percentile_latency_{p}" for p in pcts)
        return (f"SELECT verb, {cols} FROM (SELECT regexp_extract(log_s, '{verb_re}', 1) AS verb, "
                f"TRY_CAST(regexp_extract(log_s, '{lat_re}', 1) AS DOUBLE) AS latency FROM {two} "
                "WHERE Category = 'kube-apiserver') WHERE latency IS NOT NULL GROUP BY verb")

    def a5_ch(agg):
        cols = ", ".join(f"{agg}({p / 100})(latency) AS percentile_latency_{p}" for p in pcts)
        return (f"SELECT verb, {cols} FROM (SELECT extract(log_s, '{verb_re}') AS verb, "
                f"toFloat64OrNull(extract(log_s, '{lat_re}')) AS latency FROM {ch_two} "
                "WHERE Category = 'kube-apiserver') WHERE latency IS NOT NULL GROUP BY verb")
    q.append(Query(
        "A5", "extract + percentiles (kube-apiserver lines)",
        'AzureDiagnostics | where Category == "kube-apiserver" '
        "| extend latency = todouble(extract(@'latency=\"([0-9.]+)ms\"', 1, log_s)) | where isnotnull(latency) "
        "| summarize percentiles(latency, 50, 95, 99) by verb = extract(@'verb=\"(\\w+)\"', 1, log_s)",
        ["AzureDiagnostics"],
        duckdb={"quantile_disc": a5_duck("quantile_disc"), "approx_quantile": a5_duck("approx_quantile")},
        clickhouse={"quantileExactLow": a5_ch("quantileExactLow"),
                    "quantileTDigest": a5_ch("quantileTDigest"), "quantile": a5_ch("quantile")},
        approx={f"percentile_latency_{p}": PERCENTILE_TOLERANCE for p in pcts},
        estimates={"duckdb/approx_quantile", "clickhouse/quantileTDigest", "clickhouse/quantile"}))

    # ------------------------------------------------------------------ A6
    # mv-expand: a null value gives one row (null), an empty array none
    # (https://learn.microsoft.com/kusto/query/mv-expand-operator).
    def a6_duck(f):
        return (f"SELECT coalesce(ip, '') AS ip, list(DISTINCT u) AS users FROM ("
                f"SELECT u, unnest(CASE WHEN a IS NULL OR json_type(a) <> 'ARRAY' THEN [NULL::VARCHAR] "
                "ELSE json_extract_string(a, '$[*]') END) AS ip FROM ("
                f"SELECT {f('$.user.username')} AS u, try(json_extract(log_s, '$.sourceIPs')) AS a "
                f"FROM {two} WHERE Category = 'kube-audit')) GROUP BY 1")
    q.append(Query(
        "A6", "mv-expand sourceIPs + make_set",
        'AzureDiagnostics | where Category == "kube-audit" | extend e = parse_json(log_s) '
        '| mv-expand ip = e.sourceIPs | summarize users = make_set(tostring(e.user.username)) by ip = tostring(ip)',
        ["AzureDiagnostics"],
        duckdb={"unnest": a6_duck(dj)},
        clickhouse={
            "arrayJoin": f"SELECT ip, groupUniqArray({cj('user', 'username')}) AS users FROM {ch_two} "
                         "ARRAY JOIN if(JSONType(log_s, 'sourceIPs') = 'Array', "
                         "JSONExtract(log_s, 'sourceIPs', 'Array(String)'), ['']) AS ip "
                         "WHERE Category = 'kube-audit' GROUP BY ip",
        }))

    # ------------------------------------------------------------------ A7
    def a7_duck(style):
        ev = (f"SELECT {dj('$.user.username')} AS user, {dj('$.verb')} AS verb, "
              f"{dj('$.objectRef.resource')} AS res FROM {two} WHERE Category = 'kube-audit'")
        if style == "join":
            return (f"WITH ev AS ({ev}), creators AS (SELECT DISTINCT user FROM ev "
                    "WHERE verb = 'create' AND res = 'secrets') "
                    "SELECT user, verb, count(*) AS actions FROM ev JOIN creators USING (user) GROUP BY ALL")
        return (f"WITH ev AS ({ev}) SELECT user, verb, count(*) AS actions FROM ev "
                "WHERE user IN (SELECT user FROM ev WHERE verb = 'create' AND res = 'secrets') GROUP BY ALL")

    def a7_ch(style):
        ev = (f"SELECT {cj('user', 'username')} AS user, {cj('verb')} AS verb, "
              f"{cj('objectRef', 'resource')} AS res FROM {ch_two} WHERE Category = 'kube-audit'")
        if style == "join":
            return (f"WITH ev AS ({ev}) SELECT ev.user AS user, ev.verb AS verb, count() AS actions FROM ev "
                    "INNER JOIN (SELECT DISTINCT user FROM ev WHERE verb = 'create' AND res = 'secrets') c "
                    "ON ev.user = c.user GROUP BY user, verb")
        return (f"WITH ev AS ({ev}) SELECT user, verb, count() AS actions FROM ev "
                "WHERE user IN (SELECT user FROM ev WHERE verb = 'create' AND res = 'secrets') GROUP BY user, verb")
    q.append(Query(
        "A7", "let users who created secrets, join back to their actions",
        'let secretCreators = AzureDiagnostics | where Category == "kube-audit" | extend e = parse_json(log_s) '
        '| where e.verb == "create" and e.objectRef.resource == "secrets" | distinct user = tostring(e.user.username); '
        'AzureDiagnostics | where Category == "kube-audit" | extend e = parse_json(log_s) '
        '| extend user = tostring(e.user.username) | join kind=inner secretCreators on user '
        '| summarize actions = count() by user, verb = tostring(e.verb)',
        ["AzureDiagnostics"],
        duckdb={"join": a7_duck("join"), "in": a7_duck("in")},
        clickhouse={"join": a7_ch("join"), "in": a7_ch("in")}))

    # ------------------------------------------------------------------ A8
    q.append(Query(
        "A8", "distinct namespaces",
        'AzureDiagnostics | where Category == "kube-audit" '
        '| extend ns = tostring(parse_json(log_s).objectRef.namespace) | distinct ns',
        ["AzureDiagnostics"],
        duckdb={v: f"SELECT DISTINCT {f('$.objectRef.namespace')} AS ns FROM {two} WHERE Category = 'kube-audit'"
                for v, f in (("paths", dj), ("arrow", da))},
        clickhouse={
            "jsonextract": f"SELECT DISTINCT {cj('objectRef', 'namespace')} AS ns FROM {ch_two} "
                           "WHERE Category = 'kube-audit'",
            "group_by": f"SELECT {cj('objectRef', 'namespace')} AS ns FROM {ch_two} "
                        "WHERE Category = 'kube-audit' GROUP BY ns",
        }))

    # ------------------------------------------------------------------ A9
    q.append(Query(
        "A9", "`sort by TimeGenerated desc | take 100`",
        "AzureDiagnostics | sort by TimeGenerated desc | take 100",
        ["AzureDiagnostics"],
        duckdb={
            "varchar": f"SELECT * FROM {all_duck} ORDER BY TimeGenerated DESC LIMIT 100",
            "typed": "SELECT * REPLACE (strftime(TimeGenerated, '%Y-%m-%dT%H:%M:%S.%f0Z') AS TimeGenerated) FROM "
                     f"{duck_src(diag, DIAG_COLUMNS, {'TimeGenerated': 'TIMESTAMP'})} "
                     "ORDER BY TimeGenerated DESC LIMIT 100",
        },
        clickhouse={
            "string": f"SELECT * FROM {all_ch} ORDER BY TimeGenerated DESC LIMIT 100",
        }))

    # ------------------------------------------------------------------ A10
    src_re, ns_re, client_re = 'srcIP="[0-9.]+:[0-9]+"', 'namespaces/([^/]+)/', 'srcIP="([0-9.]+):'

    def a10_duck(dc):
        client = dc.format(f"regexp_extract(log_s, '{client_re}', 1)")
        return (f"SELECT regexp_extract(log_s, '{ns_re}', 1) AS ns, {client} "
                f"AS clients FROM {two} WHERE Category = 'kube-apiserver' "
                f"AND regexp_matches(log_s, '{src_re}') GROUP BY 1")

    def a10_ch(dc):
        return (f"SELECT extract(log_s, '{ns_re}') AS ns, {dc}(extract(log_s, '{client_re}')) AS clients "
                f"FROM {ch_two} WHERE Category = 'kube-apiserver' AND match(log_s, '{src_re}') GROUP BY ns")
    q.append(Query(
        "A10", "matches regex + extract + dcount",
        "AzureDiagnostics | where Category == \"kube-apiserver\" and log_s matches regex @'srcIP=\"[0-9.]+:[0-9]+\"' "
        "| extend client = extract(@'srcIP=\"([0-9.]+):', 1, log_s) "
        "| summarize clients = dcount(client) by ns = extract(@'namespaces/([^/]+)/', 1, log_s)",
        ["AzureDiagnostics"],
        duckdb={"exact": a10_duck("count(DISTINCT {})"),
                "approx": a10_duck("approx_count_distinct({})")},
        clickhouse={"uniq": a10_ch("uniq"), "uniqExact": a10_ch("uniqExact")},
        approx={"clients": DCOUNT_TOLERANCE},
        estimates={"duckdb/approx", "clickhouse/uniq"}))

    # ------------------------------------------------------------------ A11
    parse_re = '"Finished syncing" kind="(.*?)" key="(.*?)" duration="(-?[0-9]+)us"'
    parse_re_ch = '"Finished syncing" kind="([^"]*)" key="([^"]*)" duration="(-?[0-9]+)us"'
    q.append(Query(
        "A11", "`parse` operator on controller-manager lines",
        'AzureDiagnostics | where Category == "kube-controller-manager" '
        "| parse log_s with * '\"Finished syncing\" kind=\"' ObjectKind '\" key=\"' Key "
        "'\" duration=\"' DurationUs:long 'us\"' | where isnotempty(ObjectKind) "
        "| extend Namespace = tostring(split(Key, '/')[0]) "
        "| summarize Syncs = count(), AvgUs = avg(DurationUs), MaxUs = max(DurationUs) by Namespace",
        ["AzureDiagnostics"],
        duckdb={
            "regexp_struct": "SELECT split_part(p.k, '/', 1) AS Namespace, count(*) AS Syncs, avg(p.d::BIGINT) AS AvgUs, "
                             "max(p.d::BIGINT) AS MaxUs FROM (SELECT regexp_extract(log_s, "
                             f"'{parse_re}', ['o', 'k', 'd']) AS p FROM {two} "
                             "WHERE Category = 'kube-controller-manager') WHERE p.o <> '' GROUP BY 1",
        },
        clickhouse={
            "extractGroups": "SELECT splitByChar('/', g[2])[1] AS Namespace, count() AS Syncs, "
                             "avg(toInt64(g[3])) AS AvgUs, max(toInt64(g[3])) AS MaxUs FROM ("
                             f"SELECT extractGroups(log_s, '{parse_re_ch}') AS g FROM {ch_two} "
                             "WHERE Category = 'kube-controller-manager') WHERE length(g) = 3 AND g[1] <> '' "
                             "GROUP BY Namespace",
        }))

    # ------------------------------------------------------------------ A12
    act_src = duck_src(act, ["Caller", "OperationNameValue"])
    act_ch = ch_src(act, ["Caller", "OperationNameValue"])
    writes = "('create', 'update', 'patch', 'delete')"
    q.append(Query(
        "A12", "let + union of kube-audit and activity writes, make_set",
        'let k8sWrites = AzureDiagnostics | where Category == "kube-audit" | extend e = parse_json(log_s) '
        '| where e.verb in ("create", "update", "patch", "delete") '
        '| project TimeGenerated, Actor = tostring(e.user.username), Action = strcat(e.verb, " ", e.objectRef.resource); '
        'let azureWrites = AzureActivity | where OperationNameValue endswith "/write" or OperationNameValue endswith "/delete" '
        '| project TimeGenerated, Actor = Caller, Action = OperationNameValue; '
        'union k8sWrites, azureWrites | summarize actions = make_set(Action), writes = count() by Actor',
        ["AzureDiagnostics", "AzureActivity"],
        duckdb={
            "union": "SELECT Actor, list(DISTINCT Action) AS actions, count(*) AS writes FROM ("
                     f"SELECT {dj('$.user.username')} AS Actor, {dj('$.verb')} || ' ' || {dj('$.objectRef.resource')} "
                     f"AS Action FROM {two} WHERE Category = 'kube-audit' AND {dj('$.verb')} IN {writes} "
                     "UNION ALL SELECT coalesce(Caller, '') AS Actor, coalesce(OperationNameValue, '') AS Action "
                     f"FROM {act_src} WHERE lower(OperationNameValue) LIKE '%/write' "
                     "OR lower(OperationNameValue) LIKE '%/delete') GROUP BY Actor",
        },
        clickhouse={
            "union": "SELECT Actor, groupUniqArray(Action) AS actions, count() AS writes FROM ("
                     f"SELECT {cj('user', 'username')} AS Actor, concat({cj('verb')}, ' ', {cj('objectRef', 'resource')}) "
                     f"AS Action FROM {ch_two} WHERE Category = 'kube-audit' AND {cj('verb')} IN {writes} "
                     "UNION ALL SELECT Caller AS Actor, OperationNameValue AS Action "
                     f"FROM {act_ch} WHERE endsWith(lower(OperationNameValue), '/write') "
                     "OR endsWith(lower(OperationNameValue), '/delete')) GROUP BY Actor",
        }))
    return q
