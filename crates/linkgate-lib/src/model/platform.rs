//! A platform is a company's app or site. Its owner group matters because blocking is about
//! rivals: a link between two platforms of one owner is a control, not a finding.

use serde::Serialize;

/// One platform, e.g. `wechat` owned by `tencent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Platform {
    pub id: String,
    /// Owner group id, e.g. `tencent`, `alibaba`, `bytedance`.
    pub owner: String,
    /// English display name.
    pub name: String,
    /// Chinese display name.
    pub name_zh: String,
}
