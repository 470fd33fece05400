#!/usr/bin/env python3
"""Writes the 50 scheduled rules of the replay benchmark (scripts/bench/replay.sh)
into a folder, one Sentinel rule YAML each: hourly, one-day lookback, over the
tables examples/gen_aks_logs.rs writes (AzureDiagnostics from AKS, AzureActivity).

The queries are detection-style, written as one would for a workspace: AKS
audit-log detections (parse_json of log_s), control-plane log bursts, Azure
activity detections, and a few that read both tables. They are not tuned to
what kqlite replays fast."""

import json
import sys
from pathlib import Path

AUDIT = 'AzureDiagnostics\n| where Category == "kube-audit"\n| extend log = parse_json(log_s)\n'
USER = '| extend User = tostring(log.user.username), SourceIP = tostring(log.sourceIPs[0])\n'

# (name, severity, tactic, query, account column, ip column)
RULES = [
    ("AKS cluster-admin ClusterRoleBinding created", "High", "PrivilegeEscalation",
     AUDIT + '| where log.verb == "create" and log.objectRef.resource == "clusterrolebindings"\n'
     '| extend Role = tostring(log.requestObject.roleRef.name)\n| where Role == "cluster-admin"\n' + USER +
     '| project TimeGenerated, User, SourceIP, Role', "User", "SourceIP"),
    ("AKS ClusterRoleBinding created", "Medium", "PrivilegeEscalation",
     AUDIT + '| where log.verb == "create" and log.objectRef.resource == "clusterrolebindings"\n' + USER +
     '| project TimeGenerated, User, SourceIP, Binding = tostring(log.objectRef.name)', "User", "SourceIP"),
    ("AKS CronJob created", "Medium", "Persistence",
     AUDIT + '| where log.verb == "create" and log.objectRef.resource == "cronjobs"\n' + USER +
     '| project TimeGenerated, User, SourceIP, Namespace = tostring(log.objectRef.namespace)', "User", "SourceIP"),
    ("AKS CronJob modified", "Low", "Persistence",
     AUDIT + '| where log.verb in ("patch", "update") and log.objectRef.resource == "cronjobs"\n' + USER +
     '| project TimeGenerated, User, SourceIP', "User", "SourceIP"),
    ("AKS admin credentials used (masterclient)", "Medium", "CredentialAccess",
     AUDIT + USER + '| where User == "masterclient"\n| summarize Requests = count() by User, SourceIP', "User", "SourceIP"),
    ("AKS anonymous request", "High", "InitialAccess",
     AUDIT + USER + '| where User == "system:anonymous"\n| project TimeGenerated, User, SourceIP', "User", "SourceIP"),
    ("AKS secrets read by a user", "Medium", "CredentialAccess",
     AUDIT + '| where log.objectRef.resource == "secrets" and log.verb in ("get", "list")\n' + USER +
     '| where User !startswith "system:" and User != "nodeclient" and User != "aksService"\n'
     '| summarize Reads = count() by User, SourceIP', "User", "SourceIP"),
    ("AKS secrets listed across namespaces", "Medium", "Discovery",
     AUDIT + '| where log.objectRef.resource == "secrets" and log.verb == "list"\n' + USER +
     '| summarize Namespaces = dcount(tostring(log.objectRef.namespace)) by User\n| where Namespaces > 3', "User", None),
    ("AKS exec into pod", "Medium", "Execution",
     AUDIT + '| where log.objectRef.subresource == "exec"\n' + USER +
     '| project TimeGenerated, User, SourceIP, Pod = tostring(log.objectRef.name)', "User", "SourceIP"),
    ("AKS port-forward", "Low", "CommandAndControl",
     AUDIT + '| where log.objectRef.subresource == "portforward"\n' + USER + '| project TimeGenerated, User, SourceIP',
     "User", "SourceIP"),
    ("AKS request from a public address", "Medium", "InitialAccess",
     AUDIT + USER + '| where isnotempty(SourceIP) and not(ipv4_is_private(SourceIP))\n'
     '| summarize Requests = count() by User, SourceIP', "User", "SourceIP"),
    ("AKS forbidden requests burst", "Low", "Discovery",
     AUDIT + '| where toint(log.responseStatus.code) == 403\n' + USER +
     '| summarize Forbidden = count() by User\n| where Forbidden > 20', "User", None),
    ("AKS failed requests by user", "Low", "Discovery",
     AUDIT + '| where toint(log.responseStatus.code) >= 400\n' + USER +
     '| where User !startswith "system:"\n| summarize Failed = count() by User\n| where Failed > 50', "User", None),
    ("AKS object deleted in kube-system", "Medium", "Impact",
     AUDIT + '| where log.verb == "delete" and log.objectRef.namespace == "kube-system"\n' + USER +
     '| where User !startswith "system:"\n| project TimeGenerated, User, SourceIP, Resource = tostring(log.objectRef.resource)',
     "User", "SourceIP"),
    ("AKS pod created in kube-system by a user", "Medium", "Persistence",
     AUDIT + '| where log.verb == "create" and log.objectRef.resource == "pods" and log.objectRef.namespace == "kube-system"\n'
     + USER + '| where User !startswith "system:" and User != "aksService"\n| project TimeGenerated, User, SourceIP',
     "User", "SourceIP"),
    ("AKS privileged container", "High", "PrivilegeEscalation",
     AUDIT + '| where log.verb == "create" and log.objectRef.resource == "pods"\n'
     '| where tostring(log.requestObject.spec.containers) has "\\"privileged\\":true"\n' + USER +
     '| project TimeGenerated, User, SourceIP', "User", "SourceIP"),
    ("AKS hostPath volume", "Medium", "PrivilegeEscalation",
     AUDIT + '| where log.verb == "create" and log.objectRef.resource == "pods"\n'
     '| where tostring(log.requestObject.spec.volumes) has "hostPath"\n' + USER + '| project TimeGenerated, User, SourceIP',
     "User", "SourceIP"),
    ("AKS node modified by a user", "Medium", "Impact",
     AUDIT + '| where log.objectRef.resource == "nodes" and log.verb in ("patch", "update", "delete")\n' + USER +
     '| where User !startswith "system:" and User != "nodeclient"\n| project TimeGenerated, User, SourceIP',
     "User", "SourceIP"),
    ("AKS ConfigMap changed in kube-system by a user", "Low", "DefenseEvasion",
     AUDIT + '| where log.objectRef.resource == "configmaps" and log.objectRef.namespace == "kube-system"\n'
     '| where log.verb in ("create", "update", "patch", "delete")\n' + USER +
     '| where User !startswith "system:"\n| project TimeGenerated, User, SourceIP', "User", "SourceIP"),
    ("AKS deployment deleted", "Low", "Impact",
     AUDIT + '| where log.verb == "delete" and log.objectRef.resource == "deployments"\n' + USER +
     '| project TimeGenerated, User, SourceIP', "User", "SourceIP"),
    ("AKS scripted client user agent", "Low", "Execution",
     AUDIT + '| extend Agent = tostring(log.userAgent)\n| where Agent has_any ("curl", "python-requests", "Go-http-client")\n'
     + USER + '| summarize Requests = count() by User, SourceIP, Agent', "User", "SourceIP"),
    ("AKS webhook configuration changed", "High", "Persistence",
     AUDIT + '| where log.objectRef.resource in ("mutatingwebhookconfigurations", "validatingwebhookconfigurations")\n'
     '| where log.verb in ("create", "update", "patch", "delete")\n' + USER + '| project TimeGenerated, User, SourceIP',
     "User", "SourceIP"),
    ("AKS RoleBinding to cluster-admin", "Medium", "PrivilegeEscalation",
     AUDIT + '| where log.verb == "create" and log.objectRef.resource == "rolebindings"\n'
     '| where tostring(log.requestObject.roleRef.name) == "cluster-admin"\n' + USER + '| project TimeGenerated, User, SourceIP',
     "User", "SourceIP"),
    ("AKS service account token requested by a user", "Medium", "CredentialAccess",
     AUDIT + '| where log.objectRef.subresource == "token" and log.verb == "create"\n' + USER +
     '| where User !startswith "system:"\n| project TimeGenerated, User, SourceIP', "User", "SourceIP"),
    ("AKS many namespaces touched by one user", "Low", "Discovery",
     AUDIT + USER + '| where User in ("alice@contoso.com", "bob@contoso.com") or User !startswith "system:"\n'
     '| summarize Namespaces = dcount(tostring(log.objectRef.namespace)) by User\n| where Namespaces >= 8', "User", None),
    ("AKS request volume spike per user", "Informational", "Impact",
     AUDIT + USER + '| summarize Requests = count() by User\n| where Requests > 100000', "User", None),
    ("AKS API server errors burst", "Low", "Impact",
     'AzureDiagnostics\n| where Category == "kube-apiserver"\n| where log_s has "error"\n'
     '| summarize Errors = count() by Resource\n| where Errors > 1000', None, None),
    ("AKS nginx pod access in API server log", "Informational", "Discovery",
     'AzureDiagnostics\n| where Category == "kube-apiserver"\n| where log_s contains "pods/nginx"\n'
     '| summarize Lines = count() by Resource', None, None),
    ("AKS scheduler failures", "Low", "Impact",
     'AzureDiagnostics\n| where Category == "kube-scheduler"\n| where log_s has_any ("FailedScheduling", "Unschedulable")\n'
     '| summarize Failures = count() by Resource\n| where Failures > 10', None, None),
    ("AKS autoscaler scale-up", "Informational", "Impact",
     'AzureDiagnostics\n| where Category == "cluster-autoscaler"\n| where log_s has "scale-up"\n'
     '| summarize ScaleUps = count() by Resource', None, None),
    ("AKS controller-manager errors", "Low", "Impact",
     'AzureDiagnostics\n| where Category == "kube-controller-manager"\n| where log_s startswith "E"\n'
     '| summarize Errors = count() by Resource\n| where Errors > 100', None, None),
    ("AKS audit events without source IP", "Low", "DefenseEvasion",
     AUDIT + '| where isempty(tostring(log.sourceIPs[0]))\n| summarize Events = count() by Resource\n| where Events > 0',
     None, None),
    ("AKS truncated audit events", "Informational", "DefenseEvasion",
     AUDIT + '| where isnull(log)\n| summarize Events = count() by Resource', None, None),
    ("Azure role assignment to Owner or Contributor", "High", "PrivilegeEscalation",
     'AzureActivity\n| where OperationNameValue =~ "Microsoft.Authorization/roleAssignments/write"\n'
     '| where ActivityStatusValue == "Succeeded"\n'
     '| extend RoleDef = tostring(parse_json(tostring(parse_json(Properties).requestbody)).Properties.RoleDefinitionId)\n'
     '| where RoleDef has_any ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c")\n'
     '| project TimeGenerated, Caller, CallerIpAddress, RoleDef', "Caller", "CallerIpAddress"),
    ("Azure role assignment deleted", "Medium", "Impact",
     'AzureActivity\n| where OperationNameValue =~ "Microsoft.Authorization/roleAssignments/delete"\n'
     '| where ActivityStatusValue == "Succeeded"\n| summarize Deleted = count() by Caller, CallerIpAddress',
     "Caller", "CallerIpAddress"),
    ("Azure role assignment burst", "Medium", "PrivilegeEscalation",
     'AzureActivity\n| where OperationNameValue =~ "Microsoft.Authorization/roleAssignments/write"\n'
     '| summarize Assignments = count() by Caller\n| where Assignments > 5', "Caller", None),
    ("Azure storage keys listed", "Medium", "CredentialAccess",
     'AzureActivity\n| where OperationNameValue =~ "Microsoft.Storage/storageAccounts/listKeys/action"\n'
     '| summarize Listings = count(), Accounts = dcount(ResourceId) by Caller, CallerIpAddress\n| where Accounts > 20',
     "Caller", "CallerIpAddress"),
    ("Azure NSG modified", "Low", "DefenseEvasion",
     'AzureActivity\n| where OperationNameValue =~ "Microsoft.Network/networkSecurityGroups/write"\n'
     '| where ActivityStatusValue == "Succeeded"\n| summarize Changes = count() by Caller, CallerIpAddress, ResourceGroup\n'
     '| where Changes > 50', "Caller", "CallerIpAddress"),
    ("Azure Key Vault updated by an external account", "High", "Persistence",
     'AzureActivity\n| where OperationNameValue =~ "Microsoft.KeyVault/vaults/write"\n'
     '| where Caller has "@" and not(Caller endswith "@contoso.com")\n| project TimeGenerated, Caller, CallerIpAddress, ResourceId',
     "Caller", "CallerIpAddress"),
    ("Azure AKS credentials listed by an external account", "High", "CredentialAccess",
     'AzureActivity\n| where OperationNameValue =~ "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"\n'
     '| where Caller has "@" and not(Caller endswith "@contoso.com")\n'
     '| summarize Listings = count() by Caller, CallerIpAddress', "Caller", "CallerIpAddress"),
    ("Azure mass VM creation", "Medium", "Impact",
     'AzureActivity\n| where OperationNameValue =~ "Microsoft.Compute/virtualMachines/write"\n'
     '| where ActivityStatusValue == "Succeeded"\n| summarize VMs = dcount(ResourceId) by Caller\n| where VMs > 500',
     "Caller", None),
    ("Azure caller from many addresses", "Medium", "InitialAccess",
     'AzureActivity\n| where isnotempty(CallerIpAddress)\n| summarize Addresses = dcount(CallerIpAddress) by Caller\n'
     '| where Addresses > 2000', "Caller", None),
    ("Azure deployment by an external account", "Medium", "Execution",
     'AzureActivity\n| where OperationNameValue =~ "Microsoft.Resources/deployments/write"\n'
     '| where Caller endswith "@fabrikam.com"\n| summarize Deployments = count() by Caller, CallerIpAddress',
     "Caller", "CallerIpAddress"),
    ("Azure service principal granting roles", "Medium", "PrivilegeEscalation",
     'AzureActivity\n| where OperationNameValue =~ "Microsoft.Authorization/roleAssignments/write"\n'
     '| where Caller matches regex @"^[0-9a-f]{8}-[0-9a-f]{4}-"\n| summarize Grants = count() by Caller, CallerIpAddress',
     "Caller", "CallerIpAddress"),
    ("Azure failed administrative operations", "Low", "Discovery",
     'AzureActivity\n| where CategoryValue == "Administrative" and ActivityStatusValue == "Failed"\n'
     '| summarize Failures = count() by Caller\n| where Failures > 10', "Caller", None),
    ("Azure activity from a rare address range", "Low", "InitialAccess",
     'AzureActivity\n| where CallerIpAddress startswith "203."\n| summarize Operations = count() by Caller, CallerIpAddress\n'
     '| where Operations > 30', "Caller", "CallerIpAddress"),
    ("Azure operations per resource group spike", "Informational", "Impact",
     'AzureActivity\n| summarize Operations = count() by ResourceGroup\n| where Operations > 200000', None, None),
    ("AKS credentials listed then cluster accessed", "Medium", "CredentialAccess",
     'let listed = AzureActivity\n'
     '| where OperationNameValue =~ "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"\n'
     '| summarize Listings = count() by User = Caller;\n'
     + AUDIT + USER + '| where User has "@"\n| summarize Requests = count() by User\n'
     '| join kind=inner listed on User\n| project User, Requests, Listings', "User", None),
    ("Role granted and cluster-admin binding by the same user", "High", "PrivilegeEscalation",
     'let granted = AzureActivity\n| where OperationNameValue =~ "Microsoft.Authorization/roleAssignments/write"\n'
     '| summarize Grants = count() by User = Caller;\n'
     + AUDIT + '| where log.verb == "create" and log.objectRef.resource == "clusterrolebindings"\n' + USER +
     '| summarize Bindings = count() by User\n| join kind=inner granted on User', "User", None),
    ("External account active in Azure and AKS", "Medium", "InitialAccess",
     'union\n(AzureActivity | where Caller endswith "@fabrikam.com" | project TimeGenerated, User = Caller),\n'
     '(' + AUDIT.replace('\n', ' ') + '| extend User = tostring(log.user.username) | where User endswith "@fabrikam.com" | project TimeGenerated, User)\n'
     '| summarize Events = count() by User', "User", None),
]


def rule_yaml(i, name, severity, tactic, query, account, ip):
    rid = "b3c4d5e6-0000-4000-8000-%012d" % (i + 1)
    lines = [
        f"id: {rid}",
        f"name: {json.dumps(name)}",
        f"description: {json.dumps('Replay benchmark rule: ' + name + '.')}",
        f"severity: {severity}",
        "kind: Scheduled",
        "queryFrequency: 1h",
        "queryPeriod: 1d",
        "triggerOperator: gt",
        "triggerThreshold: 0",
        "tactics:",
        f"  - {tactic}",
        "query: |",
    ]
    lines += ["  " + line for line in query.splitlines()]
    mappings = []
    if account:
        mappings.append(("Account", "FullName", account))
    if ip:
        mappings.append(("IP", "Address", ip))
    if mappings:
        lines.append("entityMappings:")
        for kind, ident, col in mappings:
            lines += [f"  - entityType: {kind}", "    fieldMappings:",
                      f"      - identifier: {ident}", f"        columnName: {col}"]
    return "\n".join(lines) + "\n"


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    assert len(RULES) == 50, len(RULES)
    for i, r in enumerate(RULES):
        (out / f"rule-{i + 1:02d}.yaml").write_text(rule_yaml(i, *r))


if __name__ == "__main__":
    main()
