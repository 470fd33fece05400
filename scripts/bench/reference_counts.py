#!/usr/bin/env python3
"""Counts the rows each seed query returns by reading the generated files
with Python's json module: an engine-independent check of the generator's
expected.json (Q1..Q7 as published, KQL-SEMANTICS §0.1 for Q5).

Usage: python3 scripts/bench/reference_counts.py DIR   (exit 1 on mismatch)
"""
import json
import os
import sys

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"


def parse_json(text):
    """KQL parse_json on a string: JSON value, or the string itself; '' -> None."""
    if text is None or text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def tostring(v):
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def member(v, key):
    return v.get(key) if isinstance(v, dict) else None


def index(v, i):
    return v[i] if isinstance(v, list) and len(v) > i else None


def counts(d):
    c = {k: 0 for k in ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"]}
    with open(os.path.join(d, "AzureDiagnostics.json"), encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            cat, log = row.get("Category", ""), row.get("log_s", "")
            if cat == "kube-apiserver" and "pods/nginx" in log.lower():
                c["Q1"] += 1
            if cat != "kube-audit":
                continue
            ev = parse_json(log)
            create = tostring(member(ev, "verb")) == "create"
            ro = parse_json(tostring(member(ev, "requestObject")))
            if create and tostring(member(parse_json(tostring(member(ro, "roleRef"))), "name")) == "cluster-admin" \
                    and tostring(member(ro, "kind")) == "ClusterRoleBinding":
                c["Q2"] += 1
            if create and tostring(member(ro, "kind")) == "CronJob":
                c["Q3"] += 1
            if tostring(member(parse_json(tostring(member(ev, "user"))), "username")) == "masterclient":
                c["Q4"] += 1
            if tostring(index(parse_json(tostring(member(ev, "sourceIPs"))), 0)) == "":
                c["Q5"] += 1
            if create and tostring(member(parse_json(tostring(member(ev, "annotations"))), "")) == "allow":
                c["Q6"] += 1
    with open(os.path.join(d, "AzureActivity.json"), encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("OperationName") != "Create role assignment":
                continue
            rb = parse_json(tostring(member(parse_json(row.get("Properties", "")), "requestbody")))
            role = tostring(member(parse_json(tostring(member(rb, "Properties"))), "RoleDefinitionId")).lower()
            if OWNER in role or CONTRIBUTOR in role:
                c["Q7"] += 1
    return c


def main():
    d = sys.argv[1]
    got = counts(d)
    with open(os.path.join(d, "expected.json")) as f:
        want = json.load(f)["expected_rows"]
    bad = [q for q in got if got[q] != want[q]]
    for q in got:
        print(f"{q}: reference {got[q]}, expected.json {want[q]}{'  MISMATCH' if q in bad else ''}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
