//! Newtype ids, so a plan id can never be passed where a data center id is meant.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type! {
    /// A region, the grouping of data centers.
    RegionId;
    /// A data center (机房).
    DataCenterId;
    /// A connection config (配置信息).
    ConnectionConfigId;
    /// A product group (产品组).
    ProductGroupId;
    /// An application inside a product group.
    ApplicationId;
    /// A replicated database cluster.
    DatabaseClusterId;
    /// A DR plan (容灾预案).
    PlanId;
    /// One version of a plan.
    PlanVersionId;
    /// A run of a plan (预案执行单).
    ExecutionId;
    /// A person who signs in.
    UserId;
    /// Where the console sends its messages.
    WebhookId;
}
