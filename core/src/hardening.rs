//! Hardening of the running process, applied first thing by the app and by
//! `hotline`: no core dump is ever written (the resource limit for core
//! files is 0, soft and hard, so nothing the process starts can raise it),
//! and the process is marked not dumpable, which also keeps other programs
//! of the same user from attaching a debugger or reading its memory
//! through `/proc`. A crash then leaves no copy of a key, a passphrase or a
//! call on the disk.

/// Why the process could not be hardened.
#[derive(Debug, thiserror::Error)]
pub enum HardeningError {
    /// The operating system refused to lower the core-file limit.
    #[error("could not switch core dumps off: {0}")]
    CoreLimit(std::io::Error),
    /// The operating system refused to mark the process not dumpable.
    #[error("could not mark the process as not dumpable: {0}")]
    Dumpable(std::io::Error),
}

/// Switch core dumps off and mark the process not dumpable. Call it before
/// anything secret is in memory.
#[cfg(target_os = "linux")]
pub fn harden_process() -> Result<(), HardeningError> {
    use rustix::process::{DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit};
    let none = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    setrlimit(Resource::Core, none).map_err(|err| HardeningError::CoreLimit(err.into()))?;
    set_dumpable_behavior(DumpableBehavior::NotDumpable)
        .map_err(|err| HardeningError::Dumpable(err.into()))?;
    Ok(())
}

/// Elsewhere than Linux there is nothing to do yet (the app ships for
/// Linux only).
#[cfg(not(target_os = "linux"))]
pub fn harden_process() -> Result<(), HardeningError> {
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Runs in the test process itself: afterwards the limit is 0 and the
    /// process is not dumpable, as `/proc` reports.
    #[test]
    fn core_dumps_are_off_afterwards() {
        harden_process().expect("hardening succeeds");
        let limits = std::fs::read_to_string("/proc/self/limits").expect("limits");
        let core = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .expect("a core line");
        let fields: Vec<&str> = core.split_whitespace().collect();
        assert_eq!(&fields[4..6], ["0", "0"], "{core}");
        assert_eq!(
            rustix::process::dumpable_behavior().expect("prctl answers"),
            rustix::process::DumpableBehavior::NotDumpable
        );
        harden_process().expect("hardening twice is harmless");
    }
}
