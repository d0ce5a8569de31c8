//! A local state directory (the degraded-mode journal) for each test server or store,
//! under one directory per test process; those of earlier processes are removed.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

const PREFIX: &str = "switchyard-tests-";

/// A directory no other server or store of this process uses.
pub fn fresh() -> PathBuf {
    static ONCE: std::sync::Once = std::sync::Once::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let temp = std::env::temp_dir();
    let own = format!("{PREFIX}{}", std::process::id());
    ONCE.call_once(|| {
        for entry in std::fs::read_dir(&temp).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(PREFIX) && name != own {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    });
    temp.join(own)
        .join(NEXT.fetch_add(1, Ordering::Relaxed).to_string())
}

/// The journal path in a fresh directory.
pub fn journal() -> PathBuf {
    fresh().join("journal.redb")
}

/// A run mode of its own (normal), with its journal in a fresh directory.
pub fn mode() -> app::mode::Mode {
    app::mode::Mode::open(&journal()).unwrap()
}
