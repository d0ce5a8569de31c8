//! The run mode: whether the console works from MySQL or, while MySQL is down, from memory.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    /// Data lives in MySQL; configuration is mirrored into memory.
    Normal,
    /// MySQL is unavailable: work continues from memory and is written back later.
    Degraded,
}

impl RunMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Degraded => "degraded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "normal" => Some(Self::Normal),
            "degraded" => Some(Self::Degraded),
            _ => None,
        }
    }
}
