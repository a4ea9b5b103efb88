//! The verification workflow of a report.
//!
//! ```text
//!   unverified ──► dispatched ──► confirmed | false_alarm | local_police | unable_to_verify
//!        │                              ▲
//!        └──────────────────────────────┘   (a call-back can settle it without a dispatch)
//! ```
//!
//! - `unverified` may move to `dispatched` or to any final outcome;
//! - `dispatched` may move to any final outcome (not back to `unverified`);
//! - final outcomes are final, except that a coordinator may reopen a call
//!   to `unverified`;
//! - staying in the same state is always allowed (it is no change).
//!
//! A new call may start in any state (calls are sometimes logged after the
//! fact). The exact location is kept only while a call is `unverified` or
//! `dispatched`: reaching a final outcome clears it.

use super::{CallError, is_final};
use crate::codes::Verification;
use crate::vault::VaultError;

/// Check that verification may move from `from` to `to`, for a user who
/// is (`coordinator`) or is not a coordinator.
///
/// Refused moves give [`CallError::InvalidTransition`]; a volunteer trying
/// to reopen a final outcome gets [`VaultError::NotCoordinator`] (in [`CallError::Vault`]).
pub fn check_transition(
    from: Verification,
    to: Verification,
    coordinator: bool,
) -> Result<(), CallError> {
    use Verification::{Dispatched, Unverified};
    let allowed = from == to
        || match from {
            Unverified => true,
            Dispatched => is_final(to),
            _ => to == Unverified,
        };
    if !allowed {
        return Err(CallError::InvalidTransition { from, to });
    }
    if is_final(from) && to == Unverified && !coordinator {
        return Err(VaultError::NotCoordinator.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verification::*;

    const FINAL: [Verification; 4] = [Confirmed, FalseAlarm, LocalPolice, UnableToVerify];

    #[test]
    fn allowed_moves() {
        for coordinator in [false, true] {
            assert!(check_transition(Unverified, Dispatched, coordinator).is_ok());
            for end in FINAL {
                assert!(check_transition(Unverified, end, coordinator).is_ok());
                assert!(check_transition(Dispatched, end, coordinator).is_ok());
            }
            for same in Verification::ALL {
                assert!(check_transition(*same, *same, coordinator).is_ok());
            }
        }
        for end in FINAL {
            assert!(
                check_transition(end, Unverified, true).is_ok(),
                "reopen {end}"
            );
        }
    }

    #[test]
    fn refused_moves() {
        for coordinator in [false, true] {
            let err = check_transition(Dispatched, Unverified, coordinator).unwrap_err();
            assert!(matches!(err, CallError::InvalidTransition { .. }));
            for end in FINAL {
                assert!(matches!(
                    check_transition(end, Dispatched, coordinator),
                    Err(CallError::InvalidTransition { .. })
                ));
                for other in FINAL.into_iter().filter(|o| *o != end) {
                    let err = check_transition(end, other, coordinator).unwrap_err();
                    assert_eq!(
                        err.to_string(),
                        format!("verification cannot change from {end} to {other}")
                    );
                }
            }
        }
    }

    #[test]
    fn only_a_coordinator_reopens() {
        for end in FINAL {
            assert!(matches!(
                check_transition(end, Unverified, false),
                Err(CallError::Vault(VaultError::NotCoordinator))
            ));
        }
    }
}
