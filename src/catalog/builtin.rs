//! Built-in table schemas, committed as data in `schemas/*.json`.

use crate::schema::{Field, Schema};
use crate::types::DataType;

/// Each table's schema file; the `source` member of each names the
/// documentation (or real export) its columns and types come from.
const BUILTIN: &[(&str, &str)] = &[
    (
        "AzureDiagnostics",
        include_str!("../../schemas/AzureDiagnostics.json"),
    ),
    (
        "AzureActivity",
        include_str!("../../schemas/AzureActivity.json"),
    ),
    ("AKSAudit", include_str!("../../schemas/AKSAudit.json")),
    (
        "AKSAuditAdmin",
        include_str!("../../schemas/AKSAuditAdmin.json"),
    ),
    (
        "AKSControlPlane",
        include_str!("../../schemas/AKSControlPlane.json"),
    ),
    ("AuditLogs", include_str!("../../schemas/AuditLogs.json")),
    (
        "CommonSecurityLog",
        include_str!("../../schemas/CommonSecurityLog.json"),
    ),
    (
        "DeviceProcessEvents",
        include_str!("../../schemas/DeviceProcessEvents.json"),
    ),
    (
        "SecurityAlert",
        include_str!("../../schemas/SecurityAlert.json"),
    ),
    (
        "SecurityEvent",
        include_str!("../../schemas/SecurityEvent.json"),
    ),
    ("SigninLogs", include_str!("../../schemas/SigninLogs.json")),
    ("Syslog", include_str!("../../schemas/Syslog.json")),
];

pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(name, _)| *name)
}

/// The built-in schema of `name`, if kqlite knows that table.
pub fn builtin_schema(name: &str) -> Option<Schema> {
    let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
    parse_schema(text)
}

fn parse_schema(text: &str) -> Option<Schema> {
    let doc: serde_json::Value = serde_json::from_str(text).ok()?;
    let columns = doc.get("columns")?.as_array()?;
    let fields = columns
        .iter()
        .map(|c| {
            let name = c.get("name")?.as_str()?;
            let ty = DataType::from_name(c.get("type")?.as_str()?)?;
            Some(Field::new(name, ty))
        })
        .collect::<Option<Vec<Field>>>()?;
    Some(Schema::new(fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_schema_parses() {
        for name in builtin_names() {
            let schema = builtin_schema(name).unwrap();
            assert!(schema.len() > 5, "{name}");
        }
        let diag = builtin_schema("AzureDiagnostics").unwrap();
        assert_eq!(diag.index_of("Category"), Some(3));
        assert_eq!(diag.fields[1].ty, DataType::DateTime);
    }
}
