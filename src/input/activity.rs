//! The Azure Activity Log as `AzureActivity` rows (FORMATS.md §(e)), from
//! its two file forms:
//!
//! * **Diagnostic-setting records** (`insights-activity-logs/…/PT1H.json`,
//!   Event Hub `{"records":[…]}`), in the resource-log schema: `time`,
//!   `resourceId`, `operationName` (the id), `category`, `resultType`,
//!   `resultSignature`, `callerIpAddress`, `correlationId`,
//!   `identity{authorization,claims}`, `level`, `properties`. These come
//!   through [`super::records`], which hands Activity Log categories here.
//! * **The list form** (`az monitor activity-log list`, the REST list's
//!   `{"value":[…]}`): `operationName{value,localizedValue}`,
//!   `status{…}`, `caller`, `claims`, `authorization`, `httpRequest`,
//!   `eventTimestamp`, `submissionTimestamp`, `properties`...
//!
//! Column mapping (both forms): `Properties` is the JSON text of
//! `properties` and `Properties_d` the object (likewise `Authorization`,
//! `Claims`); `OperationNameValue` is the operation id; `OperationName` the
//! display name — `localizedValue` in the list form, else looked up in the
//! shipped table `activity-operations.tsv` (case-insensitively), else the id;
//! `Caller` is the list form's `caller`, or from the record's claims (UPN,
//! else object ID); `CallerIpAddress` is `callerIpAddress` (records) or
//! `httpRequest.clientIpAddress` (list); resource columns come from
//! `resourceId`. `TenantId` (the workspace) is empty.

use super::read::document_records;
use super::read::{Decode, Layout, Loc, Out, Scratch};
use super::resource::{ResourceCache, ResourceParts};
use crate::input::json_rows::{Noted, decode_noted};
use crate::json::{self, JsonError, KeySet, RowSlots};
use crate::schema::Field;
use crate::types::DataType;
use crate::value::{Str, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("activity-operations.tsv");

/// The display name of an operation id, from the shipped table.
pub fn display_name(operation: &str) -> Option<&'static str> {
    static NAMES: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    NAMES
        .get_or_init(|| {
            TABLE
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .filter_map(|l| {
                    let mut cols = l.split('\t');
                    Some((cols.next()?.to_ascii_lowercase(), cols.next()?))
                })
                .collect()
        })
        .get(&operation.to_ascii_lowercase())
        .copied()
}

/// The Activity Log categories (records of these go to `AzureActivity`).
pub(crate) fn is_activity_category(category: &str) -> bool {
    const CATEGORIES: [&str; 8] = [
        "Administrative",
        "ServiceHealth",
        "ResourceHealth",
        "Alert",
        "Autoscale",
        "Security",
        "Policy",
        "Recommendation",
    ];
    CATEGORIES.iter().any(|c| c.eq_ignore_ascii_case(category))
}

const UPN_CLAIM: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";
const OID_CLAIM: &str = "http://schemas.microsoft.com/identity/claims/objectidentifier";

/// Where a column of `AzureActivity` comes from.
#[derive(Debug, Clone)]
enum Col {
    Null(DataType),
    Const(Value),
    /// A member's value (raw JSON decoded to the column type).
    Key(usize, DataType),
    /// A member's `.value` / `.localizedValue` (list form).
    Value(usize, DataType),
    Localized(usize, DataType),
    /// A member as compact JSON text (`Properties`, `Claims`...).
    Text(usize),
    /// `identity.authorization` / `identity.claims` (records).
    Identity(&'static str, bool),
    OperationName,
    Caller,
    CallerIp,
    Hierarchy,
    Resource(fn(&ResourceParts) -> Value),
}

/// Keys of a diagnostic-setting record.
const RECORD_KEYS: [&str; 12] = [
    "time",
    "resourceId",
    "operationName",
    "category",
    "resultType",
    "resultSignature",
    "callerIpAddress",
    "correlationId",
    "identity",
    "level",
    "properties",
    "durationMs",
];

/// Keys of a list-form event.
const LIST_KEYS: [&str; 19] = [
    "eventTimestamp",
    "resourceId",
    "operationName",
    "category",
    "status",
    "subStatus",
    "httpRequest",
    "correlationId",
    "claims",
    "level",
    "properties",
    "caller",
    "authorization",
    "eventDataId",
    "submissionTimestamp",
    "operationId",
    "resourceGroupName",
    "resourceProviderName",
    "subscriptionId",
];

fn slot(keys: &[&str], key: &str) -> usize {
    keys.iter().position(|k| *k == key).unwrap_or(usize::MAX)
}

/// How `AzureActivity` columns come from one form's objects.
#[derive(Debug)]
pub(crate) struct ActivityPlan {
    list: bool,
    keys: KeySet,
    cols: Vec<Col>,
}

impl ActivityPlan {
    /// For diagnostic-setting records.
    pub fn records(fields: &[Field]) -> ActivityPlan {
        let k = |key: &str| slot(&RECORD_KEYS, key);
        let cols = fields
            .iter()
            .map(|f| {
                let ty = f.ty;
                match f.name.as_str() {
                    "TimeGenerated" | "EventSubmissionTimestamp" => Col::Key(k("time"), ty),
                    "CallerIpAddress" => Col::CallerIp,
                    "Category" | "CategoryValue" => Col::Key(k("category"), ty),
                    "CorrelationId" => Col::Key(k("correlationId"), ty),
                    "Authorization" => Col::Identity("authorization", true),
                    "Authorization_d" => Col::Identity("authorization", false),
                    "Claims" => Col::Identity("claims", true),
                    "Claims_d" => Col::Identity("claims", false),
                    "Level" => Col::Key(k("level"), ty),
                    "OperationNameValue" => Col::Key(k("operationName"), ty),
                    "OperationName" => Col::OperationName,
                    "Properties" => Col::Text(k("properties")),
                    "Properties_d" => Col::Key(k("properties"), DataType::Dynamic),
                    "Caller" => Col::Caller,
                    "ActivityStatus" | "ActivityStatusValue" => Col::Key(k("resultType"), ty),
                    "ActivitySubstatus" | "ActivitySubstatusValue" => {
                        Col::Key(k("resultSignature"), ty)
                    }
                    "Hierarchy" => Col::Hierarchy,
                    "DurationMs" => Col::Key(k("durationMs"), ty),
                    name => common(name, ty),
                }
            })
            .collect();
        ActivityPlan {
            list: false,
            keys: KeySet::new(&RECORD_KEYS),
            cols,
        }
    }

    /// For the list form.
    pub fn list(fields: &[Field]) -> ActivityPlan {
        let k = |key: &str| slot(&LIST_KEYS, key);
        let cols = fields
            .iter()
            .map(|f| {
                let ty = f.ty;
                match f.name.as_str() {
                    "TimeGenerated" => Col::Key(k("eventTimestamp"), ty),
                    "EventSubmissionTimestamp" => Col::Key(k("submissionTimestamp"), ty),
                    "CallerIpAddress" => Col::CallerIp,
                    "CategoryValue" => Col::Value(k("category"), ty),
                    "Category" => Col::Localized(k("category"), ty),
                    "CorrelationId" => Col::Key(k("correlationId"), ty),
                    "Authorization" => Col::Text(k("authorization")),
                    "Authorization_d" => Col::Key(k("authorization"), DataType::Dynamic),
                    "Claims" => Col::Text(k("claims")),
                    "Claims_d" => Col::Key(k("claims"), DataType::Dynamic),
                    "Level" => Col::Key(k("level"), ty),
                    "OperationNameValue" => Col::Value(k("operationName"), ty),
                    "OperationName" => Col::OperationName,
                    "Properties" => Col::Text(k("properties")),
                    "Properties_d" => Col::Key(k("properties"), DataType::Dynamic),
                    "Caller" => Col::Key(k("caller"), ty),
                    "EventDataId" => Col::Key(k("eventDataId"), ty),
                    "HTTPRequest" => Col::Text(k("httpRequest")),
                    "OperationId" => Col::Key(k("operationId"), ty),
                    "ResourceGroup" => Col::Key(k("resourceGroupName"), ty),
                    "ResourceProviderValue" => Col::Value(k("resourceProviderName"), ty),
                    "ResourceProvider" => Col::Localized(k("resourceProviderName"), ty),
                    "ActivityStatusValue" => Col::Value(k("status"), ty),
                    "ActivityStatus" => Col::Localized(k("status"), ty),
                    "ActivitySubstatusValue" => Col::Value(k("subStatus"), ty),
                    "ActivitySubstatus" => Col::Localized(k("subStatus"), ty),
                    "SubscriptionId" => Col::Key(k("subscriptionId"), ty),
                    "Hierarchy" => Col::Hierarchy,
                    name => common(name, ty),
                }
            })
            .collect();
        ActivityPlan {
            list: true,
            keys: KeySet::new(&LIST_KEYS),
            cols,
        }
    }

    /// Hands on the row for one event object, its columns computed as the
    /// query reads them; values that do not convert are noted as the record
    /// at `at`.
    pub fn emit(
        &self,
        raw: &[u8],
        at: Loc,
        slots: &mut RowSlots,
        resources: &mut ResourceCache,
        out: &mut Out,
    ) -> Result<(), JsonError> {
        self.keys.scan_row(raw, slots)?;
        let slots = &*slots;
        let get = |key: &str| {
            let keys: &[&str] = if self.list { &LIST_KEYS } else { &RECORD_KEYS };
            slots.get(raw, slot(keys, key))
        };
        let resource = match get("resourceId").and_then(json::string_text) {
            Some(id) => resources.get(&id),
            None => resources.get(""),
        };
        let log = out.conv.clone();
        // Typed columns go the JSON-rows way: a value that does not
        // convert is null and noted with this record's place.
        let noted = |raw: Option<&[u8]>, ty: DataType, column: usize| {
            let noted = Noted {
                log: &log,
                column,
                at,
            };
            decode_noted(raw, ty, Default::default(), noted)
        };
        out.row_with(self.cols.len(), &|i| match self.cols.get(i) {
            None => Value::Null,
            Some(c) => match c {
                Col::Null(ty) => crate::value::cast::null_of(*ty),
                Col::Const(v) => v.clone(),
                Col::Key(s, ty) => noted(slots.get(raw, *s), *ty, i),
                Col::Value(s, ty) => noted(member(slots.get(raw, *s), "value"), *ty, i),
                Col::Localized(s, ty) => {
                    noted(member(slots.get(raw, *s), "localizedValue"), *ty, i)
                }
                Col::Text(s) => json_text(slots.get(raw, *s)),
                Col::Identity(key, text) => {
                    let v = member(get("identity"), key);
                    if *text {
                        json_text(v)
                    } else {
                        typed(v, DataType::Dynamic)
                    }
                }
                Col::OperationName => self.operation_name(&get),
                Col::Caller => {
                    let claims = member(get("identity"), "claims");
                    [UPN_CLAIM, OID_CLAIM]
                        .iter()
                        .find_map(|c| {
                            let t = json::string_text(member(claims, c)?)?;
                            (!t.is_empty()).then(|| Value::string(&t))
                        })
                        .unwrap_or_else(Value::empty_string)
                }
                Col::CallerIp => {
                    if self.list {
                        typed(
                            member(get("httpRequest"), "clientIpAddress"),
                            DataType::String,
                        )
                    } else {
                        typed(get("callerIpAddress"), DataType::String)
                    }
                }
                Col::Hierarchy => typed(member(get("properties"), "hierarchy"), DataType::String),
                Col::Resource(f) => f(&resource),
            },
        });
        Ok(())
    }

    fn operation_name<'r>(&self, get: &dyn Fn(&str) -> Option<&'r [u8]>) -> Value {
        let op = get("operationName");
        if self.list {
            let localized = member(op, "localizedValue").and_then(json::string_text);
            if let Some(l) = localized.filter(|l| !l.is_empty()) {
                return Value::string(&l);
            }
        }
        let id = if self.list {
            member(op, "value").and_then(json::string_text)
        } else {
            op.and_then(json::string_text)
        };
        match id {
            Some(id) => Value::string(display_name(&id).unwrap_or(&id)),
            None => Value::empty_string(),
        }
    }
}

/// Columns both forms fill the same way.
fn common(name: &str, ty: DataType) -> Col {
    match name {
        "SourceSystem" => Col::Const(Value::string("Azure")),
        "Type" => Col::Const(Value::string("AzureActivity")),
        "ResourceId" => Col::Resource(|r| r.id.clone()),
        "_ResourceId" => Col::Resource(|r| r.lower_id.clone()),
        "SubscriptionId" | "_SubscriptionId" => Col::Resource(|r| r.subscription.clone()),
        "ResourceGroup" => Col::Resource(|r| r.resource_group.clone()),
        "ResourceProvider" | "ResourceProviderValue" => Col::Resource(|r| r.provider.clone()),
        "Resource" => Col::Resource(|r| r.resource.clone()),
        _ => Col::Null(ty),
    }
}

fn member<'a>(raw: Option<&'a [u8]>, key: &str) -> Option<&'a [u8]> {
    json::get_member(raw?, key).ok().flatten()
}

fn typed(raw: Option<&[u8]>, ty: DataType) -> Value {
    match raw {
        Some(r) => crate::input::json_rows::decode_value(r, ty),
        None => crate::value::cast::null_of(ty),
    }
}

/// A member as compact JSON text, as Log Analytics stores `Properties`;
/// `""` when absent or null.
fn json_text(raw: Option<&[u8]>) -> Value {
    let Some(raw) = raw else {
        return Value::empty_string();
    };
    if raw == b"null" {
        return Value::empty_string();
    }
    let mut text = String::with_capacity(raw.len());
    match json::minify(raw, &mut text) {
        Ok(()) => Value::String(Str::from(text)),
        Err(_) => Value::empty_string(),
    }
}

/// The decoder of the list form (`az monitor activity-log list`).
pub(crate) struct ActivityListDecoder {
    plan: Option<ActivityPlan>,
    layout: Layout,
}

impl ActivityListDecoder {
    pub fn new(table: &str, fields: &[Field], layout: Layout) -> ActivityListDecoder {
        ActivityListDecoder {
            plan: (table == "AzureActivity").then(|| ActivityPlan::list(fields)),
            layout,
        }
    }
}

impl Decode for ActivityListDecoder {
    fn line(&self, line: &[u8], at: Loc, scratch: &mut Scratch, out: &mut Out) {
        let Some(plan) = &self.plan else {
            out.skip();
            return;
        };
        if let Err(e) = plan.emit(line, at, &mut scratch.slots, &mut scratch.resource, out) {
            out.bad(at, format!("not an activity log event: {e}"));
        }
    }

    fn document(&self, text: &[u8], locate: &dyn Fn(usize) -> Loc, out: &mut Out) {
        let mut scratch = Scratch::default();
        document_records(text, &["value"], locate, out, &mut |event, at, out| {
            self.line(event, at, &mut scratch, out)
        });
    }

    fn layout(&self) -> Layout {
        self.layout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_ignore_case_and_fall_back() {
        assert_eq!(
            display_name("MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE"),
            Some("Create role assignment")
        );
        assert_eq!(display_name("Microsoft.Foo/bar/write"), None);
    }

    #[test]
    fn every_table_line_has_three_columns() {
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "{line}");
            assert!(matches!(cols[2], "observed" | "portal"), "{line}");
        }
    }
}
