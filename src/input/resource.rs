//! The resource columns Log Analytics derives from a record's ARM
//! `resourceId` (FORMATS.md §(a); the same rules as
//! `scripts/make_samples.py`): the subscription in lower case, the other
//! parts as written (records carry them upper-case).

use crate::value::{Str, Value};
use std::sync::Arc;

/// The parts of one resource ID, as column values.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ResourceParts {
    /// The ID as written (`ResourceId`).
    pub id: Value,
    /// The ID in lower case (`_ResourceId`).
    pub lower_id: Value,
    /// `SubscriptionId` / `_SubscriptionId`: lower case.
    pub subscription: Value,
    pub resource_group: Value,
    /// `ResourceProvider`: the segment after `PROVIDERS`.
    pub provider: Value,
    /// `ResourceType`: the next-to-last segment.
    pub resource_type: Value,
    /// `Resource`: the last segment.
    pub resource: Value,
}

impl ResourceParts {
    pub fn parse(id: &str) -> ResourceParts {
        let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
        let mut subscription = "";
        let mut group = "";
        let mut provider = "";
        let mut i = 0;
        while i + 1 < parts.len() {
            let key = parts[i];
            let value = parts[i + 1];
            if key.eq_ignore_ascii_case("subscriptions") && subscription.is_empty() {
                subscription = value;
            } else if key.eq_ignore_ascii_case("resourcegroups") && group.is_empty() {
                group = value;
            } else if key.eq_ignore_ascii_case("providers") && provider.is_empty() {
                provider = value;
            }
            i += 2;
        }
        let n = parts.len();
        let (resource_type, resource) = if id.trim_matches('/').is_empty() {
            ("", "")
        } else if n >= 2 {
            (parts[n - 2], parts[n - 1])
        } else {
            ("", parts[n - 1])
        };
        ResourceParts {
            id: Value::string(id),
            lower_id: Value::String(Str::from(id.to_lowercase())),
            subscription: Value::String(Str::from(subscription.to_lowercase())),
            resource_group: Value::string(group),
            provider: Value::string(provider),
            resource_type: Value::string(resource_type),
            resource: Value::string(resource),
        }
    }

    pub fn empty() -> ResourceParts {
        ResourceParts::parse("")
    }
}

/// The last resource ID seen and its parts: records of one file nearly
/// always share it.
#[derive(Default)]
pub(crate) struct ResourceCache {
    last: Option<(String, Arc<ResourceParts>)>,
}

impl ResourceCache {
    pub fn get(&mut self, id: &str) -> Arc<ResourceParts> {
        if let Some((k, v)) = &self.last
            && k == id
        {
            return v.clone();
        }
        let parts = Arc::new(ResourceParts::parse(id));
        self.last = Some((id.to_string(), parts.clone()));
        parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aks_resource_id() {
        let r = ResourceParts::parse(
            "/SUBSCRIPTIONS/0B62A232-AAAA/RESOURCEGROUPS/MIKE-AZURE/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/MIKE-AZURE-AKS",
        );
        assert_eq!(r.subscription, Value::string("0b62a232-aaaa"));
        assert_eq!(r.resource_group, Value::string("MIKE-AZURE"));
        assert_eq!(r.provider, Value::string("MICROSOFT.CONTAINERSERVICE"));
        assert_eq!(r.resource_type, Value::string("MANAGEDCLUSTERS"));
        assert_eq!(r.resource, Value::string("MIKE-AZURE-AKS"));
        assert!(
            r.lower_id
                .as_str()
                .unwrap()
                .starts_with("/subscriptions/0b62")
        );
        let e = ResourceParts::empty();
        assert_eq!(e.resource, Value::string(""));
    }
}
