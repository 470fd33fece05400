//! Records that Azure diagnostic settings send to a storage account or an
//! Event Hub (FORMATS.md §(b), §(e)): `PT1H.json` blobs (one record per
//! line, whole `insights-logs-*/resourceId=…/y=/m=/d=/h=/m=00/` trees),
//! Event Hub message bodies `{"records":[…]}` (one per line or one per
//! file), and arrays of records.
//!
//! Each record is routed by its `category`:
//!
//! | category | tables |
//! |---|---|
//! | `kube-audit` | `AzureDiagnostics`, `AKSAudit` |
//! | `kube-audit-admin` | `AzureDiagnostics`, `AKSAuditAdmin` |
//! | other categories of an AKS cluster (`kube-apiserver`, `guard`…) | `AzureDiagnostics`, `AKSControlPlane` |
//! | Activity Log categories (`Administrative`, `Policy`…) | `AzureActivity` ([`super::activity`]) |
//! | any other resource log | `AzureDiagnostics` |
//!
//! A record of a table other than the one scanned is skipped and counted.
//!
//! `AzureDiagnostics` columns: `TimeGenerated` ← `time` (truncated to
//! 100 ns), `Category`, `OperationName` ← `operationName`, `ResourceId` as
//! written and the resource columns derived from it
//! (`resource.rs`), `X_s`/`X_d`/`X_b`/`X_g`/`X_t` ← `properties.X`
//! (so `log_s` ← `properties.log`, `pod_s` ← `properties.pod`),
//! `SourceSystem` = `Azure`, `_ResourceId` the lower-case ID.
//!
//! `AKSAudit`/`AKSAuditAdmin` parse `properties.log` as the audit Event
//! (`audit::EventPlan`); `TimeGenerated` is the record's `time`,
//! `PodName` ← `properties.pod`. `AKSControlPlane`: `Message` ←
//! `properties.log` (klog text; it need not be JSON), `Level` from the klog
//! severity letter (`I`/`W`/`E`/`F` → `Info`/`Warning`/`Error`/`Fatal`),
//! `PodName`, `Stream` ← `properties.stream`.

use super::activity::{ActivityPlan, is_activity_category};
use super::audit::{EventContext, EventPlan};
use super::read::document_records;
use super::read::{Decode, Layout, Loc, Out, Scratch};
use super::resource::ResourceParts;
use crate::input::json_rows::{Noted, decode_noted};
use crate::json::{self, KeySet, RowSlots};
use crate::schema::Field;
use crate::types::DataType;
use crate::value::{Str, Value};

/// Top-level record keys, in slot order.
const KEYS: [&str; 13] = [
    "category",
    "time",
    "resourceId",
    "operationName",
    "properties",
    "records",
    "level",
    "resultType",
    "resultSignature",
    "resultDescription",
    "durationMs",
    "callerIpAddress",
    "correlationId",
];

/// `AzureDiagnostics` columns filled from top-level members of the
/// resource-log common schema (other resource types than AKS), with the
/// member's slot in [`KEYS`].
pub(crate) const COMMON_COLUMNS: [(&str, &str, DataType); 6] = [
    ("ResultType", "resultType", DataType::String),
    ("ResultSignature", "resultSignature", DataType::String),
    ("ResultDescription", "resultDescription", DataType::String),
    ("DurationMs", "durationMs", DataType::Long),
    ("CallerIPAddress", "callerIpAddress", DataType::String),
    ("CorrelationId", "correlationId", DataType::String),
];
const CATEGORY: usize = 0;
const TIME: usize = 1;
const RESOURCE_ID: usize = 2;
const OPERATION: usize = 3;
const PROPERTIES: usize = 4;
const RECORDS: usize = 5;

/// Categories AKS diagnostic settings export (for records without a
/// managed-cluster resource ID).
const AKS_CATEGORIES: [&str; 11] = [
    "kube-apiserver",
    "kube-audit",
    "kube-audit-admin",
    "kube-controller-manager",
    "kube-scheduler",
    "cluster-autoscaler",
    "cloud-controller-manager",
    "guard",
    "csi-azuredisk-controller",
    "csi-azurefile-controller",
    "csi-snapshot-controller",
];

/// The table a record belongs to (besides `AzureDiagnostics`, which takes
/// every resource log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Audit,
    AuditAdmin,
    ControlPlane,
    Activity,
    Other,
}

fn route(category: &str, resource_id: &str) -> Route {
    const AKS_PROVIDER: &[u8] = b"/PROVIDERS/MICROSOFT.CONTAINERSERVICE/";
    let aks_resource = || {
        resource_id
            .as_bytes()
            .windows(AKS_PROVIDER.len())
            .any(|w| w.eq_ignore_ascii_case(AKS_PROVIDER))
    };
    match category {
        "kube-audit" => Route::Audit,
        "kube-audit-admin" => Route::AuditAdmin,
        c if AKS_CATEGORIES.contains(&c) => Route::ControlPlane,
        c if is_activity_category(c) => Route::Activity,
        _ if aks_resource() => Route::ControlPlane,
        _ => Route::Other,
    }
}

#[derive(Debug)]
enum DiagCol {
    Null(DataType),
    Const(Value),
    Time,
    Category,
    Operation,
    Key(usize, DataType),
    Resource(fn(&ResourceParts) -> Value),
    /// `properties.<name>`, slot in the properties key set.
    Prop(usize, DataType),
}

#[derive(Debug)]
enum PlaneCol {
    Null(DataType),
    Const(Value),
    Time,
    Category,
    Level,
    Message,
    Pod,
    Stream,
    Resource(fn(&ResourceParts) -> Value),
}

#[derive(Debug)]
enum Target {
    Diagnostics(Vec<DiagCol>),
    Audit(EventPlan, Route),
    ControlPlane(Vec<PlaneCol>),
    Activity(ActivityPlan),
}

/// The decoder of diagnostic-setting records.
pub(crate) struct RecordsDecoder {
    target: Target,
    keys: KeySet,
    /// `properties` members wanted: log, pod, stream, then `X` of `X_s`...
    props: KeySet,
    layout: Layout,
}

const LOG: usize = 0;
const POD: usize = 1;
const STREAM: usize = 2;

impl RecordsDecoder {
    /// `properties` with the members the columns read indexed into
    /// `inner`; `None` when it is absent or not an object.
    fn index_properties<'r>(
        &self,
        properties: Option<&'r [u8]>,
        inner: &mut RowSlots,
    ) -> Option<&'r [u8]> {
        properties.filter(|p| json::get_members(p, &self.props, inner).unwrap_or(false))
    }

    pub fn new(table: &str, fields: &[Field], layout: Layout) -> RecordsDecoder {
        let mut prop_names: Vec<String> = vec!["log".into(), "pod".into(), "stream".into()];
        let mut prop = |name: &str| -> usize {
            match prop_names.iter().position(|p| p == name) {
                Some(i) => i,
                None => {
                    prop_names.push(name.to_string());
                    prop_names.len() - 1
                }
            }
        };
        let resource = |name: &str| -> Option<fn(&ResourceParts) -> Value> {
            Some(match name {
                "ResourceId" => |r| r.id.clone(),
                "_ResourceId" => |r| r.lower_id.clone(),
                "SubscriptionId" | "_SubscriptionId" => |r| r.subscription.clone(),
                "ResourceGroup" => |r| r.resource_group.clone(),
                "ResourceProvider" => |r| r.provider.clone(),
                "ResourceType" => |r| r.resource_type.clone(),
                "Resource" => |r| r.resource.clone(),
                _ => return None,
            })
        };
        let target = match table {
            "AKSAudit" => Target::Audit(EventPlan::new(table, fields), Route::Audit),
            "AKSAuditAdmin" => Target::Audit(EventPlan::new(table, fields), Route::AuditAdmin),
            "AzureActivity" => Target::Activity(ActivityPlan::records(fields)),
            "AKSControlPlane" => Target::ControlPlane(
                fields
                    .iter()
                    .map(|f| match f.name.as_str() {
                        "TimeGenerated" => PlaneCol::Time,
                        "Category" => PlaneCol::Category,
                        "Level" => PlaneCol::Level,
                        "Message" => PlaneCol::Message,
                        "PodName" => PlaneCol::Pod,
                        "Stream" => PlaneCol::Stream,
                        "SourceSystem" => PlaneCol::Const(Value::string("Azure")),
                        "Type" => PlaneCol::Const(Value::string("AKSControlPlane")),
                        name => match resource(name) {
                            Some(f) => PlaneCol::Resource(f),
                            None => PlaneCol::Null(f.ty),
                        },
                    })
                    .collect(),
            ),
            _ => Target::Diagnostics(
                fields
                    .iter()
                    .map(|f| match f.name.as_str() {
                        "TimeGenerated" => DiagCol::Time,
                        "Category" => DiagCol::Category,
                        "OperationName" => DiagCol::Operation,
                        name if COMMON_COLUMNS.iter().any(|c| c.0 == name) => {
                            let member = COMMON_COLUMNS
                                .iter()
                                .find(|c| c.0 == name)
                                .map_or("", |c| c.1);
                            let slot = KEYS.iter().position(|k| *k == member).unwrap_or(usize::MAX);
                            DiagCol::Key(slot, f.ty)
                        }
                        "SourceSystem" => DiagCol::Const(Value::string("Azure")),
                        "Type" => DiagCol::Const(Value::string("AzureDiagnostics")),
                        name => match (resource(name), property_of_column(name)) {
                            (Some(f), _) => DiagCol::Resource(f),
                            (None, Some(p)) => DiagCol::Prop(prop(p), f.ty),
                            (None, None) => DiagCol::Null(f.ty),
                        },
                    })
                    .collect(),
            ),
        };
        let prop_refs: Vec<&str> = prop_names.iter().map(String::as_str).collect();
        RecordsDecoder {
            target,
            keys: KeySet::new(&KEYS),
            props: KeySet::new(&prop_refs),
            layout,
        }
    }

    /// One record (a JSON object).
    fn record(&self, raw: &[u8], at: Loc, scratch: &mut Scratch, out: &mut Out) {
        if let Err(e) = self.keys.scan_row(raw, &mut scratch.slots) {
            out.bad(at, format!("not a diagnostic record: {e}"));
            return;
        }
        let slots = &scratch.slots;
        if let Some(records) = slots.get(raw, RECORDS).filter(|r| r.first() == Some(&b'[')) {
            // An Event Hub body on one line.
            let base = records.as_ptr() as usize - raw.as_ptr() as usize;
            match super::read::container_elements(records, &[]) {
                Ok(Some(elements)) => {
                    for (offset, element) in elements {
                        let at = match at {
                            Loc::Offset(o) => Loc::Offset(o + base + offset),
                            line => line,
                        };
                        self.record(element, at, scratch, out);
                        if out.stopped() {
                            return;
                        }
                    }
                }
                _ => out.bad(at, "`records` is not an array of records"),
            }
            return;
        }
        let Some(category) = slots.get(raw, CATEGORY).and_then(json::string_text) else {
            out.bad(at, "diagnostic record without a `category`");
            return;
        };
        let resource_text = slots
            .get(raw, RESOURCE_ID)
            .and_then(json::string_text)
            .unwrap_or_default();
        let route = route(&category, &resource_text);
        let resource = scratch.resource.get(&resource_text);
        let log = out.conv.clone();
        // Every typed column goes the JSON-rows way: a value that does
        // not convert is null and noted with this record's place.
        let typed = |raw: Option<&[u8]>, ty: DataType, column: usize| {
            let noted = Noted {
                log: &log,
                column,
                at,
            };
            decode_noted(raw, ty, Default::default(), noted)
        };
        let time = |column: usize| typed(slots.get(raw, TIME), DataType::DateTime, column);
        match &self.target {
            Target::Diagnostics(cols) => {
                if route == Route::Activity {
                    out.skip();
                    return;
                }
                let needs_props = cols.iter().any(|c| matches!(c, DiagCol::Prop(..)));
                let properties = slots.get(raw, PROPERTIES).filter(|_| needs_props);
                let properties = self.index_properties(properties, &mut scratch.inner);
                let inner = &scratch.inner;
                let prop = |slot: usize| properties.and_then(|p| inner.get(p, slot));
                out.row_with(cols.len(), &|i| match cols.get(i) {
                    None => Value::Null,
                    Some(c) => match c {
                        DiagCol::Null(ty) => crate::value::cast::null_of(*ty),
                        DiagCol::Const(v) => v.clone(),
                        DiagCol::Time => time(i),
                        DiagCol::Category => Value::string(&category),
                        DiagCol::Operation => string_of(slots.get(raw, OPERATION)),
                        DiagCol::Key(slot, ty) => typed(slots.get(raw, *slot), *ty, i),
                        DiagCol::Resource(f) => f(&resource),
                        DiagCol::Prop(slot, ty) => typed(prop(*slot), *ty, i),
                    },
                });
            }
            Target::Audit(plan, want) => {
                if route != *want {
                    out.skip();
                    return;
                }
                let properties =
                    self.index_properties(slots.get(raw, PROPERTIES), &mut scratch.inner);
                let mut pod = Value::empty_string();
                let mut log: Option<&[u8]> = None;
                if let Some(p) = properties {
                    pod = string_of(scratch.inner.get(p, POD));
                    log = scratch.inner.get(p, LOG);
                }
                let Some(log) = log else {
                    out.bad(at, format!("{category} record without `properties.log`"));
                    return;
                };
                let ctx = EventContext {
                    time: Some(slots.get(raw, TIME)),
                    pod,
                    resource,
                };
                let mut text = std::mem::take(&mut scratch.text);
                text.clear();
                let event: &[u8] = if log.first() == Some(&b'"') {
                    let mut s = json::Scanner::new(log);
                    if s.read_string_bytes_into(&mut text).is_err() {
                        out.bad(
                            at,
                            format!("{category} record: `properties.log` is not a string"),
                        );
                        scratch.text = text;
                        return;
                    }
                    &text
                } else {
                    log
                };
                let trimmed = trim_ascii(event);
                match plan.emit(trimmed, at, &ctx, &mut scratch.event, out) {
                    Ok(true) => {}
                    Ok(false) => out.skip(),
                    Err(e) => out.bad(
                        at,
                        format!("{category} record: `properties.log` is not an audit event: {e}"),
                    ),
                }
                scratch.text = text;
            }
            Target::ControlPlane(cols) => {
                if route != Route::ControlPlane {
                    out.skip();
                    return;
                }
                let properties =
                    self.index_properties(slots.get(raw, PROPERTIES), &mut scratch.inner);
                let inner = &scratch.inner;
                let prop = |slot: usize| properties.and_then(|p| inner.get(p, slot));
                out.row_with(cols.len(), &|i| match cols.get(i) {
                    None => Value::Null,
                    Some(c) => match c {
                        PlaneCol::Null(ty) => crate::value::cast::null_of(*ty),
                        PlaneCol::Const(v) => v.clone(),
                        PlaneCol::Time => time(i),
                        PlaneCol::Category => Value::string(&category),
                        PlaneCol::Level => {
                            klog_level(string_of(prop(LOG)).as_str().unwrap_or_default())
                        }
                        PlaneCol::Message => string_of(prop(LOG)),
                        PlaneCol::Pod => string_of(prop(POD)),
                        PlaneCol::Stream => string_of(prop(STREAM)),
                        PlaneCol::Resource(f) => f(&resource),
                    },
                });
            }
            Target::Activity(plan) => {
                if route != Route::Activity {
                    out.skip();
                    return;
                }
                let mut slots = std::mem::take(&mut scratch.event);
                if let Err(e) = plan.emit(raw, at, &mut slots, &mut scratch.resource, out) {
                    out.bad(at, format!("not an activity log record: {e}"));
                }
                scratch.event = slots;
            }
        }
    }
}

impl Decode for RecordsDecoder {
    fn line(&self, line: &[u8], at: Loc, scratch: &mut Scratch, out: &mut Out) {
        self.record(line, at, scratch, out);
    }

    fn document(&self, text: &[u8], locate: &dyn Fn(usize) -> Loc, out: &mut Out) {
        let mut scratch = Scratch::default();
        document_records(text, &["records"], locate, out, &mut |record, at, out| {
            self.record(record, at, &mut scratch, out)
        });
    }

    fn layout(&self) -> Layout {
        self.layout
    }
}

/// The property an `AzureDiagnostics` column holds by the type-suffix
/// rule (`log_s` ← `properties.log`).
fn property_of_column(name: &str) -> Option<&str> {
    let (base, suffix) = name.rsplit_once('_')?;
    (!base.is_empty() && matches!(suffix, "s" | "d" | "b" | "g" | "t")).then_some(base)
}

/// A string column's value: a JSON string's text, another value's compact
/// JSON, `""` for null or absent.
fn string_of(raw: Option<&[u8]>) -> Value {
    match raw.and_then(json::decode_string) {
        Some(s) => Value::String(s),
        None => Value::String(Str::default()),
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// The level of a klog line (`I0202 15:03:28.853066 1 event.go:291] …`).
fn klog_level(line: &str) -> Value {
    let b = line.as_bytes();
    let klog = b.len() > 5 && b[1..5].iter().all(u8::is_ascii_digit);
    let level = match b.first() {
        Some(b'I') if klog => "Info",
        Some(b'W') if klog => "Warning",
        Some(b'E') if klog => "Error",
        Some(b'F') if klog => "Fatal",
        _ => "",
    };
    Value::string(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_category() {
        assert_eq!(route("kube-audit", ""), Route::Audit);
        assert_eq!(route("kube-audit-admin", ""), Route::AuditAdmin);
        assert_eq!(route("guard", ""), Route::ControlPlane);
        assert_eq!(
            route(
                "karpenter-events",
                "/SUBSCRIPTIONS/X/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/C"
            ),
            Route::ControlPlane
        );
        assert_eq!(route("Administrative", ""), Route::Activity);
        assert_eq!(route("AuditEvent", "/x/MICROSOFT.KEYVAULT/y"), Route::Other);
    }

    #[test]
    fn klog_levels_and_suffix_rule() {
        assert_eq!(
            klog_level("I0202 15:03:28.853066 1 x] y"),
            Value::string("Info")
        );
        assert_eq!(klog_level("E0202 15:03:28 1 x] y"), Value::string("Error"));
        assert_eq!(klog_level("Info: hello"), Value::string(""));
        assert_eq!(property_of_column("log_s"), Some("log"));
        assert_eq!(property_of_column("containerID_s"), Some("containerID"));
        assert_eq!(property_of_column("_ResourceId"), None);
        assert_eq!(property_of_column("Category"), None);
    }
}
