//! Replaying Microsoft Sentinel analytics rules as the service runs them:
//! rules read from YAML or ARM exports ([`rule`]), their windows
//! ([`schedule`]), each window run through an [`Engine`](crate::Engine)
//! ([`run`]), the alerts they make ([`alert`]), and checking rules without
//! data ([`check`]). See `docs/replay.md`.

pub mod alert;
pub mod check;
pub mod duration;
pub mod rule;
pub mod ruletest;
pub mod run;
pub mod sarif;
pub mod schedule;
