//! Raw Kubernetes audit logs (`kube-apiserver --audit-log-path`, the
//! `json` log format; FORMATS.md §0): one `audit.k8s.io` Event per line
//! (`v1`, `v1beta1`, or no `apiVersion`), or an `EventList` document as the
//! webhook backend sends.
//!
//! Read as AKS would store the same events:
//!
//! * `AzureDiagnostics`: `Category` = `kube-audit`, `log_s` = the event's
//!   JSON text, `TimeGenerated` from `requestReceivedTimestamp`, else
//!   `stageTimestamp`, else the legacy `timestamp`; `OperationName`,
//!   `SourceSystem` and `Type` as AKS writes them; the resource columns,
//!   `pod_s`, `stream_s`, `containerID_s` and `TenantId` empty (a raw log
//!   does not know them).
//! * `AKSAudit`: one column per Event field (`EventPlan`); `AKSAuditAdmin`:
//!   the same, without `get` and `list` events (skipped and counted).
//! * `AKSControlPlane` gets nothing from an audit log: every event is
//!   skipped.

use super::read::document_records;
use super::read::{Decode, Layout, Loc, Out, Outcome, Scratch};
use super::resource::ResourceParts;
use crate::input::json_rows::{Noted, decode_checked, decode_noted};
use crate::json::{JsonError, KeySet, RowSlots};
use crate::schema::Field;
use crate::types::DataType;
use crate::value::Value;
use std::sync::Arc;

/// `OperationName` of every AKS diagnostic record.
pub(crate) const AKS_OPERATION: &str =
    "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read";

/// The top-level keys of an audit Event that rows are made of, in slot order.
const EVENT_KEYS: [&str; 16] = [
    "auditID",
    "level",
    "stage",
    "requestURI",
    "verb",
    "user",
    "sourceIPs",
    "userAgent",
    "objectRef",
    "responseStatus",
    "requestObject",
    "responseObject",
    "annotations",
    "requestReceivedTimestamp",
    "stageTimestamp",
    "timestamp",
];
const VERB: usize = 4;
const RECEIVED: usize = 13;
const STAGE_TIME: usize = 14;
const LEGACY_TIME: usize = 15;

/// Every key of an `audit.k8s.io` Event (v1 and v1beta1), for recognising
/// events that lack the distinctive ones.
pub(crate) const ALL_EVENT_KEYS: &[&str] = &[
    "kind",
    "apiVersion",
    "level",
    "auditID",
    "stage",
    "requestURI",
    "verb",
    "user",
    "impersonatedUser",
    "sourceIPs",
    "userAgent",
    "objectRef",
    "responseStatus",
    "requestObject",
    "responseObject",
    "requestReceivedTimestamp",
    "stageTimestamp",
    "annotations",
    "timestamp",
    "metadata",
];

/// What a row of an audit table takes from outside the event.
pub(crate) struct EventContext<'r> {
    /// `TimeGenerated`: the raw JSON time of the record holding the event
    /// (absent or not: `Some`), or (`None`) the event's own time.
    pub time: Option<Option<&'r [u8]>>,
    pub pod: Value,
    pub resource: Arc<ResourceParts>,
}

#[derive(Debug)]
enum EventCol {
    Null(DataType),
    Const(Value),
    Key(usize, DataType),
    Time,
    Pod,
    ResourceLower,
    Subscription,
}

/// How the columns of `AKSAudit`/`AKSAuditAdmin` come from an Event.
#[derive(Debug)]
pub(crate) struct EventPlan {
    keys: KeySet,
    cols: Vec<EventCol>,
    /// `AKSAuditAdmin`: leave out `get` and `list`.
    admin: bool,
}

impl EventPlan {
    pub fn new(table: &str, fields: &[Field]) -> EventPlan {
        let key = |k: &str| EVENT_KEYS.iter().position(|e| *e == k).unwrap_or(0);
        let cols = fields
            .iter()
            .map(|f| {
                let ty = f.ty;
                match f.name.as_str() {
                    "AuditId" => EventCol::Key(key("auditID"), ty),
                    "Level" => EventCol::Key(key("level"), ty),
                    "Stage" => EventCol::Key(key("stage"), ty),
                    "RequestUri" => EventCol::Key(key("requestURI"), ty),
                    "Verb" => EventCol::Key(VERB, ty),
                    "User" => EventCol::Key(key("user"), ty),
                    "SourceIps" => EventCol::Key(key("sourceIPs"), ty),
                    "UserAgent" => EventCol::Key(key("userAgent"), ty),
                    "ObjectRef" => EventCol::Key(key("objectRef"), ty),
                    "ResponseStatus" => EventCol::Key(key("responseStatus"), ty),
                    "RequestObject" => EventCol::Key(key("requestObject"), ty),
                    "ResponseObject" => EventCol::Key(key("responseObject"), ty),
                    "Annotations" => EventCol::Key(key("annotations"), ty),
                    "RequestReceivedTime" => EventCol::Key(RECEIVED, ty),
                    "StageReceivedTime" => EventCol::Key(STAGE_TIME, ty),
                    "TimeGenerated" => EventCol::Time,
                    "PodName" => EventCol::Pod,
                    "SourceSystem" => EventCol::Const(Value::string("Azure")),
                    "Type" => EventCol::Const(Value::string(table)),
                    "_ResourceId" => EventCol::ResourceLower,
                    "_SubscriptionId" => EventCol::Subscription,
                    _ => EventCol::Null(ty),
                }
            })
            .collect();
        EventPlan {
            keys: KeySet::new(&EVENT_KEYS),
            cols,
            admin: table == "AKSAuditAdmin",
        }
    }

    /// Hands on the row for `event` (its columns computed as the query reads
    /// them) and returns true; false when the table leaves the event out.
    /// Values that do not convert are noted as the record at `at`.
    pub fn emit(
        &self,
        event: &[u8],
        at: Loc,
        ctx: &EventContext,
        slots: &mut RowSlots,
        out: &mut Out,
    ) -> Result<bool, JsonError> {
        self.keys.scan_row(event, slots)?;
        if self.admin {
            let verb = slots
                .get(event, VERB)
                .and_then(crate::json::string_text)
                .unwrap_or_default();
            if verb == "get" || verb == "list" {
                return Ok(false);
            }
        }
        let slots = &*slots;
        let log = out.conv.clone();
        let noted = |column| Noted {
            log: &log,
            column,
            at,
        };
        out.row_with(self.cols.len(), &|i| match self.cols.get(i) {
            None => Value::Null,
            Some(c) => match c {
                EventCol::Null(ty) => crate::value::cast::null_of(*ty),
                EventCol::Const(v) => v.clone(),
                EventCol::Key(slot, ty) => {
                    decode_noted(slots.get(event, *slot), *ty, Default::default(), noted(i))
                }
                EventCol::Time => match ctx.time {
                    Some(raw) => {
                        decode_noted(raw, DataType::DateTime, Default::default(), noted(i))
                    }
                    None => event_time(event, slots, noted(i)),
                },
                EventCol::Pod => ctx.pod.clone(),
                EventCol::ResourceLower => ctx.resource.lower_id.clone(),
                EventCol::Subscription => ctx.resource.subscription.clone(),
            },
        });
        Ok(true)
    }
}

/// An event's time: `requestReceivedTimestamp`, else `stageTimestamp`,
/// else the legacy `timestamp` (2017-era logs have only that); null when
/// none parses, and then the first that did not convert is noted.
/// `slots` are those of a scan with [`EVENT_KEYS`].
fn event_time(event: &[u8], slots: &RowSlots, noted: Noted<'_>) -> Value {
    event_time_at(event, slots, [RECEIVED, STAGE_TIME, LEGACY_TIME], noted)
}

/// [`event_time`] with the slots of the three time keys given.
fn event_time_at(event: &[u8], slots: &RowSlots, keys: [usize; 3], noted: Noted<'_>) -> Value {
    let mut failed: Option<&[u8]> = None;
    for slot in keys {
        let Some(raw) = slots.get(event, slot) else {
            continue;
        };
        match decode_checked(raw, DataType::DateTime, Default::default()) {
            (Value::Null, Outcome::Failed) => {
                failed.get_or_insert(raw);
            }
            (Value::Null, _) => {}
            (value, _) => return value,
        }
    }
    decode_noted(failed, DataType::DateTime, Default::default(), noted)
}

#[derive(Debug)]
enum DiagCol {
    Null(DataType),
    Const(Value),
    Time,
    Log,
}

/// Which table a raw audit log is read as.
#[derive(Debug)]
enum Target {
    Diagnostics(Vec<DiagCol>),
    Audit(EventPlan),
    /// A table no event belongs to.
    Nothing,
}

/// The decoder of raw audit logs.
pub(crate) struct AuditDecoder {
    target: Target,
    /// What an `AKSAudit` row of a raw log takes from outside the event:
    /// nothing is known.
    no_context: EventContext<'static>,
    /// The keys `AzureDiagnostics` rows read from an event: its three
    /// times when `TimeGenerated` is wanted, else none (the line is only
    /// validated).
    time_keys: KeySet,
    layout: Layout,
}

impl AuditDecoder {
    pub fn new(table: &str, fields: &[Field], layout: Layout) -> AuditDecoder {
        let target = match table {
            "AzureDiagnostics" => Target::Diagnostics(
                fields
                    .iter()
                    .map(|f| match f.name.as_str() {
                        "TimeGenerated" => DiagCol::Time,
                        "log_s" => DiagCol::Log,
                        "Category" => DiagCol::Const(Value::string("kube-audit")),
                        "OperationName" => DiagCol::Const(Value::string(AKS_OPERATION)),
                        "SourceSystem" => DiagCol::Const(Value::string("Azure")),
                        "Type" => DiagCol::Const(Value::string("AzureDiagnostics")),
                        _ => DiagCol::Null(f.ty),
                    })
                    .collect(),
            ),
            "AKSAudit" | "AKSAuditAdmin" => Target::Audit(EventPlan::new(table, fields)),
            _ => Target::Nothing,
        };
        AuditDecoder {
            target,
            no_context: EventContext {
                time: None,
                pod: Value::empty_string(),
                resource: Arc::new(ResourceParts::empty()),
            },
            time_keys: if fields.iter().any(|f| f.name == "TimeGenerated") {
                KeySet::new(&EVENT_KEYS[RECEIVED..])
            } else {
                KeySet::new(&[])
            },
            layout,
        }
    }
}

impl Decode for AuditDecoder {
    fn line(&self, line: &[u8], at: Loc, scratch: &mut Scratch, out: &mut Out) {
        match &self.target {
            Target::Nothing => out.skip(),
            Target::Diagnostics(cols) => {
                if let Err(e) = self.time_keys.scan_row(line, &mut scratch.slots) {
                    out.bad(at, format!("not an audit event: {e}"));
                    return;
                }
                let slots = &scratch.slots;
                let log = out.conv.clone();
                out.row_with(cols.len(), &|i| match cols.get(i) {
                    None => Value::Null,
                    Some(c) => match c {
                        DiagCol::Null(ty) => crate::value::cast::null_of(*ty),
                        DiagCol::Const(v) => v.clone(),
                        DiagCol::Time => event_time_at(
                            line,
                            slots,
                            [0, 1, 2],
                            Noted {
                                log: &log,
                                column: i,
                                at,
                            },
                        ),
                        DiagCol::Log => Value::string(&String::from_utf8_lossy(line)),
                    },
                });
            }
            Target::Audit(plan) => {
                match plan.emit(line, at, &self.no_context, &mut scratch.slots, out) {
                    Ok(true) => {}
                    Ok(false) => out.skip(),
                    Err(e) => out.bad(at, format!("not an audit event: {e}")),
                }
            }
        }
    }

    fn document(&self, text: &[u8], locate: &dyn Fn(usize) -> Loc, out: &mut Out) {
        let mut scratch = Scratch::default();
        document_records(text, &["items"], locate, out, &mut |event, at, out| {
            self.line(event, at, &mut scratch, out)
        });
    }

    fn layout(&self) -> Layout {
        self.layout
    }
}
