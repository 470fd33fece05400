#!/usr/bin/env python3
"""Builds the fixtures of tests/formats_*.rs in tests/data/formats/.

Usage: python3 scripts/make_format_samples.py [SHARED_DATA_REAL_DIR]
       (default: ../shared/data/real, as seen from the repository root)

One set of Kubernetes audit events, and one set of AzureActivity rows, each
written in every file form kqlite reads, so that tests can check that a
query gives the same answer whatever the form:

  aks/events.log            raw kube-apiserver audit log (JSON lines)
  aks/events.log.gz         the same, gzipped
  aks/rows.jsonl            AzureDiagnostics rows (Log Analytics JSON rows)
  aks/archive/insights-logs-kube-audit/resourceId=.../y=2024/m=11/d=04/h=1{0,1}/m=00/PT1H.json
                            the storage archive of a diagnostic setting, split over two hours
  aks/eventhub/             Event Hub bodies {"records":[...]}: one per line, and one
                            pretty-printed body in a file of its own
  aks/capture/*.avro        the same bodies in Event Hubs Capture Avro files (deflate, null codec)
  aks/export.query-api.json query-API response of the AzureDiagnostics rows
  aks/export.csv            portal "Export to CSV" of the same rows
  activity/rows.jsonl       AzureActivity rows (examples/data/AzureActivity/role-assignments.synthetic.jsonl)
  activity/export.query-api.json, activity/az-query.json, activity/export.csv (with a union's $table column and a
                            row of another table), activity/archive/insights-activity-logs/...,
                            activity/list.json (az monitor activity-log list)
  real/                     the real samples the tests load, copied unchanged

The events: every real event of the falco test traces and the audit2rbac demo
log (shared/data/real/k8s-audit) with its timestamps moved into one two-hour
window (2024-11-04 10:00-12:00 UTC; nothing else changed), and the synthetic
kube-audit events of examples/data/AzureDiagnostics/seed-cases.synthetic.jsonl
(written by hand for the seed queries). The archive's record `time` is the
event's time plus 417 ns (AKS writes nine fractional digits), so the 100 ns
truncation is exercised. Deterministic: same inputs, same bytes.
"""
import copy
import datetime as dt
import gzip
import io
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "tests", "data", "formats")
dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

CLUSTER = ("/SUBSCRIPTIONS/3F2B6C1E-9D4A-4C5E-8B7F-1A2B3C4D5E6F/RESOURCEGROUPS/RG-AKS-SYNTHETIC"
           "/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-SYNTHETIC")
OPERATION = "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read"
POD = "kube-apiserver-7d9f8c6b5-synth"
CONTAINER = "c2120cb7d4e0b8c2f1a3e5d7b9c1e3f5a7b9d1f3e5a7c9e1b3d5f7a9c1e3b5d7"
TENANT = "00000000-0000-0000-0000-000000000000"
START = dt.datetime(2024, 11, 4, 10, 0, 0, tzinfo=dt.timezone.utc)
DIAG_COLUMNS = [("TenantId", "string"), ("TimeGenerated", "datetime"), ("ResourceId", "string"),
                ("Category", "string"), ("ResourceGroup", "string"), ("SubscriptionId", "string"),
                ("ResourceProvider", "string"), ("Resource", "string"), ("ResourceType", "string"),
                ("OperationName", "string"), ("log_s", "string"), ("pod_s", "string"), ("stream_s", "string"),
                ("containerID_s", "string"), ("SourceSystem", "string"), ("Type", "string"),
                ("_ResourceId", "string")]


def iso(t, digits=6):
    frac = "%06d" % t.microsecond
    if digits == 0:
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + frac[:digits] + "Z"


def ticks(t):
    """Log Analytics form: seven fractional digits."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d0Z" % t.microsecond


def us_portal(t):
    """The portal CSV form: 11/4/2024, 10:00:00.123 AM (milliseconds)."""
    h = t.hour % 12 or 12
    return "%d/%d/%d, %d:%02d:%02d.%03d %s" % (t.month, t.day, t.year, h, t.minute, t.second,
                                                t.microsecond // 1000, "AM" if t.hour < 12 else "PM")


def real_events(real):
    events = []
    d = os.path.join(real, "k8s-audit/falcosecurity-falco")
    paths = [os.path.join(d, f) for f in sorted(os.listdir(d))]
    paths.append(os.path.join(real, "k8s-audit/liggitt-audit2rbac/demo.log"))
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                ev = json.loads(line)
                if isinstance(ev, dict) and ev.get("kind") == "Event":
                    events.append(ev)
    return events


def synthetic_events():
    events = []
    with open(os.path.join(ROOT, "examples/data/AzureDiagnostics/seed-cases.synthetic.jsonl"), encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["Category"] != "kube-audit":
                continue
            try:
                events.append(json.loads(row["log_s"]))
            except ValueError:
                continue  # the one row whose log_s is not JSON
    return events


def retime(events):
    """Moves event i to START + 69 s * i (microseconds .123456)."""
    out = []
    for i, ev in enumerate(events):
        ev = copy.deepcopy(ev)
        t = START + dt.timedelta(seconds=69 * i, microseconds=123456)
        if "requestReceivedTimestamp" in ev:
            ev["requestReceivedTimestamp"] = iso(t)
        if "stageTimestamp" in ev:
            ev["stageTimestamp"] = iso(t + dt.timedelta(microseconds=5000))
        if "timestamp" in ev:
            ev["timestamp"] = iso(t, 0)
        if isinstance(ev.get("metadata"), dict) and "creationTimestamp" in ev["metadata"]:
            ev["metadata"]["creationTimestamp"] = iso(t, 0)
        out.append(ev)
    return out


def event_time(ev):
    for k in ("requestReceivedTimestamp", "stageTimestamp", "timestamp"):
        if k in ev:
            s = ev[k].rstrip("Z")
            fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in s else "%Y-%m-%dT%H:%M:%S"
            return dt.datetime.strptime(s, fmt).replace(tzinfo=dt.timezone.utc)
    raise ValueError("event without a time")


def record_line(ev):
    """One line of PT1H.json, as AKS writes it (`{ "category"`, escaped slashes)."""
    t = event_time(ev)
    rec = ('{ "category": "kube-audit", "operationName": %s, "properties": %s, "resourceId": %s, '
           '"serviceBuild": "na", "time": %s}') % (
        json.dumps(OPERATION),
        json.dumps({"pod": POD, "containerID": CONTAINER, "log": dumps(ev) + "\n", "stream": "stdout"}),
        json.dumps(CLUSTER),
        json.dumps(iso(t) [:-1] + "417Z"))
    return rec.replace("/", "\\/")


def record(ev):
    return json.loads(record_line(ev))


def diag_row(ev):
    t = event_time(ev)
    parts = CLUSTER.strip("/").split("/")
    return {"TenantId": TENANT, "TimeGenerated": ticks(t), "ResourceId": CLUSTER, "Category": "kube-audit",
            "ResourceGroup": parts[3], "SubscriptionId": parts[1].lower(), "ResourceProvider": parts[5],
            "Resource": parts[-1], "ResourceType": parts[-2], "OperationName": OPERATION,
            "log_s": dumps(ev) + "\n", "pod_s": POD, "stream_s": "stdout", "containerID_s": CONTAINER,
            "SourceSystem": "Azure", "Type": "AzureDiagnostics", "_ResourceId": CLUSTER.lower()}


CAPTURE_SCHEMA = {
    "type": "record", "name": "EventData", "namespace": "Microsoft.ServiceBus.Messaging",
    "fields": [{"name": "SequenceNumber", "type": "long"}, {"name": "Offset", "type": "string"},
               {"name": "EnqueuedTimeUtc", "type": "string"},
               {"name": "SystemProperties", "type": {"type": "map", "values": ["long", "double", "string", "bytes"]}},
               {"name": "Properties", "type": {"type": "map", "values": ["long", "double", "string", "bytes", "null"]}},
               {"name": "Body", "type": ["null", "bytes"]}]}


def avro_long(n):
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def avro_bytes(b):
    return avro_long(len(b)) + b


def capture_avro(bodies, codec):
    """An Event Hubs Capture file (Avro object container), written by hand
    from the Avro 1.x specification, so the reader is checked against an
    independent writer."""
    import zlib
    meta = {"avro.schema": json.dumps(CAPTURE_SCHEMA).encode(), "avro.codec": codec.encode()}
    out = bytearray(b"Obj\x01")
    out += avro_long(len(meta))
    for k, v in meta.items():
        out += avro_bytes(k.encode()) + avro_bytes(v)
    out += avro_long(0)
    sync = bytes(range(16))
    out += sync
    for start in range(0, len(bodies), 4):
        block = bodies[start:start + 4]
        data = bytearray()
        for i, body in enumerate(block, start):
            data += avro_long(i)                                    # SequenceNumber
            data += avro_bytes(str(4096 * i).encode())              # Offset
            data += avro_bytes(b"11/4/2024 12:00:00 PM")            # EnqueuedTimeUtc
            data += avro_long(0)                                    # SystemProperties {}
            data += avro_long(0)                                    # Properties {}
            data += avro_long(1) + avro_bytes(body.encode())        # Body: the bytes branch
        if codec == "deflate":
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = c.compress(bytes(data)) + c.flush()
        out += avro_long(len(block)) + avro_long(len(data)) + bytes(data) + sync
    return bytes(out)


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(text, bytes):
        with open(path, "wb") as f:
            f.write(text)
    else:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)


def query_api(columns, rows, dynamic_as_text=()):
    table_rows = []
    for r in rows:
        cells = []
        for name, ty in columns:
            v = r.get(name)
            if ty == "dynamic" and name in dynamic_as_text and v is not None:
                v = dumps(v)
            cells.append(v)
        table_rows.append(cells)
    doc = {"tables": [{"name": "PrimaryResult",
                       "columns": [{"name": n, "type": t} for n, t in columns],
                       "rows": table_rows}]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def csv_cell(v):
    s = "" if v is None else v
    if any(c in s for c in ',"\r\n') or s != s.strip():
        s = '"' + s.replace('"', '""') + '"'
    return s


def portal_csv(columns, rows, table=None, pretty=()):
    head = ([csv_cell("$table")] if table else []) + [
        csv_cell(n + " [UTC]" if t == "datetime" else n) for n, t in columns]
    lines = [",".join(head)]
    for r in rows:
        cells = [csv_cell(r.get("$table", table))] if table else []
        for n, t in columns:
            v = r.get(n)
            if v is None or v == "":
                cells.append("")
            elif t == "datetime":
                s = v.rstrip("Z")
                base, frac = (s.split(".") + ["0"])[:2]
                moment = dt.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(
                    microsecond=int((frac + "000000")[:6]))
                cells.append(csv_cell(us_portal(moment)))
            elif t == "dynamic":
                cells.append(csv_cell(dumps(v)))
            elif n in pretty:
                cells.append(csv_cell(json.dumps(json.loads(v), indent=2, ensure_ascii=False)))
            else:
                cells.append(csv_cell(str(v)))
        lines.append(",".join(cells))
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


def aks(real):
    events = retime(real_events(real) + synthetic_events())
    base = os.path.join(OUT, "aks")
    golden = os.path.join(base, "expected.txt")  # written by the tests (BLESS=1)
    kept = open(golden, "rb").read() if os.path.exists(golden) else None
    if os.path.isdir(base):
        shutil.rmtree(base)
    if kept is not None:
        write(golden, kept)
    log = "".join(dumps(ev) + "\n" for ev in events)
    write(os.path.join(base, "events.log"), log)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as g:
        g.write(log.encode("utf-8"))
    write(os.path.join(base, "events.log.gz"), buf.getvalue())
    rows = [diag_row(ev) for ev in events]
    write(os.path.join(base, "rows.jsonl"), "".join(dumps(r) + "\n" for r in rows))
    by_hour = {}
    for ev in events:
        by_hour.setdefault(event_time(ev).hour, []).append(record_line(ev))
    for hour, lines in sorted(by_hour.items()):
        path = os.path.join(base, "archive", "insights-logs-kube-audit", "resourceId=" + CLUSTER,
                            "y=2024", "m=11", "d=04", "h=%02d" % hour, "m=00", "PT1H.json")
        write(path, "".join(l + "\n" for l in lines))
    records = [record(ev) for ev in events]
    cut = (len(records) * 2) // 3
    bodies = [dumps({"records": records[i:min(i + 10, cut)]}) for i in range(0, cut, 10)]
    write(os.path.join(base, "eventhub", "batch-0001.json"), "".join(b + "\n" for b in bodies))
    write(os.path.join(base, "eventhub", "message-0002.json"),
          json.dumps({"records": records[cut:]}, indent=2, ensure_ascii=False) + "\n")
    # Event Hubs Capture: the same bodies in Avro, deflate and null codecs.
    all_bodies = [dumps({"records": records[i:i + 10]}) for i in range(0, len(records), 10)]
    half = len(all_bodies) // 2
    write(os.path.join(base, "capture", "0.avro"), capture_avro(all_bodies[:half], "deflate"))
    write(os.path.join(base, "capture", "1.avro"), capture_avro(all_bodies[half:], "null"))
    write(os.path.join(base, "export.query-api.json"), query_api(DIAG_COLUMNS, rows))
    write(os.path.join(base, "export.csv"), portal_csv(DIAG_COLUMNS, rows))
    # Control-plane records beside the audit ones, for routing and skipping.
    klog = [("kube-apiserver", 'I1104 10:00:01.000000      12 httplog.go:132] "HTTP" verb="GET" URI="/api/v1/namespaces/default/pods/nginx-1/log" resp=200', "stderr"),
            ("kube-controller-manager", 'E1104 10:00:02.000000       1 garbagecollector.go:549] "Deleting object" object="default/pods/nginx-2"', "stderr"),
            ("guard", 'W1104 10:00:03.000000       1 guard.go:10] token review failed', "stdout")]
    lines = []
    for i, (cat, text, stream) in enumerate(klog):
        rec = {"category": cat, "operationName": OPERATION,
               "properties": {"pod": "%s-7d9f8c6b5-synth" % cat, "log": text, "stream": stream},
               "resourceId": CLUSTER, "time": "2024-11-04T10:00:0%d.000000000Z" % (i + 1)}
        lines.append(dumps(rec))
    lines.append(dumps(records[0]))
    write(os.path.join(base, "mixed", "PT1H.json"), "".join(l + "\n" for l in lines))


def activity(real):
    base = os.path.join(OUT, "activity")
    if os.path.isdir(base):
        shutil.rmtree(base)
    schema = json.load(open(os.path.join(ROOT, "schemas", "AzureActivity.json")))
    columns = [(c["name"], c["type"]) for c in schema["columns"]]
    src = os.path.join(ROOT, "examples/data/AzureActivity/role-assignments.synthetic.jsonl")
    rows = [json.loads(l) for l in open(src, encoding="utf-8")]
    write(os.path.join(base, "rows.jsonl"), "".join(dumps(r) + "\n" for r in rows))
    write(os.path.join(base, "export.query-api.json"),
          query_api(columns, rows, dynamic_as_text=("Properties_d",)))
    other = {"$table": "SigninLogs", "TenantId": TENANT, "TimeGenerated": "2024-11-04T12:30:00.0000000Z",
             "OperationName": "Sign-in activity", "Caller": "", "Properties": "{}", "Type": "SigninLogs"}
    csv_rows = [dict(r, **{"$table": "AzureActivity"}) for r in rows] + [other]
    write(os.path.join(base, "export.csv"),
          portal_csv(columns, csv_rows, table="AzureActivity", pretty=("Properties", "HTTPRequest")))
    # az monitor log-analytics query: every value through Python str().
    def py_str(v):
        if v is None:
            return "None"
        if isinstance(v, bool):
            return "True" if v else "False"
        if isinstance(v, (dict, list)):
            return dumps(v)  # the JSON text the API sent
        return str(v)
    az = [dict([("TableName", "PrimaryResult")] + [(n, py_str(r.get(n))) for n, _ in columns]) for r in rows]
    write(os.path.join(base, "az-query.json"), json.dumps(az, indent=2, ensure_ascii=False) + "\n")
    # The diagnostic-setting archive: records in the resource-log schema.
    lines = []
    sub = rows[0]["SubscriptionId"]
    for r in rows:
        op = r["OperationNameValue"]
        if r["OperationName"] == "Delete role assignment":
            op = op.replace("/write", "/delete")
        rec = {"time": r["TimeGenerated"][:-2] + "00Z", "resourceId": r["ResourceId"].upper(),
               "operationName": op.upper(), "category": "Administrative", "resultType": r["ActivityStatusValue"],
               "resultSignature": r["ActivitySubstatusValue"], "durationMs": "0",
               "callerIpAddress": r["CallerIpAddress"], "correlationId": r["CorrelationId"],
               "identity": {"authorization": {"scope": r["ResourceId"], "action": op},
                            "claims": {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": r["Caller"]}},
               "level": "Information", "location": "global", "properties": json.loads(r["Properties"])}
        lines.append(dumps(rec))
    path = os.path.join(base, "archive", "insights-activity-logs", "resourceId=/SUBSCRIPTIONS/" + sub.upper(),
                        "y=2024", "m=11", "d=04", "h=12", "m=00", "PT1H.json")
    write(path, "".join(l + "\n" for l in lines))
    # az monitor activity-log list
    events = []
    for r in rows:
        events.append({
            "authorization": {"action": r["OperationNameValue"], "scope": r["ResourceId"]},
            "caller": r["Caller"], "channels": "Operation",
            "claims": {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": r["Caller"]},
            "correlationId": r["CorrelationId"], "description": "", "eventDataId": r["CorrelationId"],
            "eventName": {"value": "BeginRequest", "localizedValue": "Begin request"},
            "category": {"value": "Administrative", "localizedValue": "Administrative"},
            "eventTimestamp": r["TimeGenerated"], "httpRequest": json.loads(r["HTTPRequest"]),
            "id": r["ResourceId"] + "/events/" + r["CorrelationId"], "level": r["Level"],
            "operationId": r["CorrelationId"],
            "operationName": {"value": r["OperationNameValue"], "localizedValue": r["OperationName"]},
            "resourceGroupName": r["ResourceGroup"],
            "resourceProviderName": {"value": r["ResourceProvider"], "localizedValue": r["ResourceProvider"]},
            "resourceType": {"value": "Microsoft.Authorization/roleAssignments",
                             "localizedValue": "Microsoft.Authorization/roleAssignments"},
            "resourceId": r["ResourceId"],
            "status": {"value": r["ActivityStatusValue"], "localizedValue": r["ActivityStatus"]},
            "subStatus": {"value": "", "localizedValue": ""},
            "submissionTimestamp": r["EventSubmissionTimestamp"], "subscriptionId": r["SubscriptionId"],
            "tenantId": TENANT, "properties": json.loads(r["Properties"]), "relatedEvents": []})
    write(os.path.join(base, "list.json"), json.dumps(events, indent=4, ensure_ascii=False) + "\n")


def copy_real(real):
    base = os.path.join(OUT, "real")
    if os.path.isdir(base):
        shutil.rmtree(base)
    for d in ["k8s-audit", "aks-resource-logs", "activity-log", "log-analytics-exports"]:
        shutil.copytree(os.path.join(real, d), os.path.join(base, d))


def main():
    real = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data", "real")
    copy_real(real)
    aks(real)
    activity(real)


if __name__ == "__main__":
    main()
