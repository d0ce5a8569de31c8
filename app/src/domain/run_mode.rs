//! The run mode: whether the console works from MySQL or, while MySQL is down, from memory.

use super::choice::choice;

choice! {
    RunMode {
        /// Data lives in MySQL; configuration is mirrored into memory.
        Normal = "normal", "Normal";
        /// MySQL is unavailable: work continues from memory and is written back later.
        Degraded = "degraded", "Degraded";
    }
}
