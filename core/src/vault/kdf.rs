//! Passphrase key derivation: Argon2id with at least 64 MiB of memory.
//!
//! Memory is fixed at the 64 MiB floor, so unlocking works on modest shift
//! laptops; the number of passes is tuned on this machine so one derivation
//! takes about half a second ([`TARGET_UNLOCK_TIME`]), never fewer than the
//! three passes of [`KdfParams::DEFAULT`]. Parameters and a random salt are
//! stored with each key slot, so slots made on different machines coexist.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, Version};

use super::VaultError;
use super::secret::{KEY_LEN, Passphrase, WrappingKey};

/// How long one unlock should spend deriving the key, on the machine that
/// created the key slot.
pub const TARGET_UNLOCK_TIME: Duration = Duration::from_millis(500);

/// Argon2id cost parameters of one key slot. Not secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB (at least [`KdfParams::MIN_MEMORY_KIB`]).
    pub memory_kib: u32,
    /// Number of passes over the memory.
    pub iterations: u32,
    /// Degree of parallelism (lanes).
    pub parallelism: u32,
}

impl KdfParams {
    /// The memory floor: 64 MiB. Slots asking for less are refused.
    pub const MIN_MEMORY_KIB: u32 = 64 * 1024;
    /// The largest memory a key slot may ask for (1 GiB), so a crafted key
    /// file cannot exhaust memory.
    pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;
    /// The fewest passes a new slot gets.
    pub const MIN_ITERATIONS: u32 = 3;
    /// The most passes a key slot may ask for.
    pub const MAX_ITERATIONS: u32 = 100;
    /// The most lanes a key slot may ask for.
    pub const MAX_PARALLELISM: u32 = 16;

    /// Parameters used when tuning is skipped or cannot measure: 64 MiB,
    /// 3 passes, 1 lane (the RFC 9106 "memory-constrained" choice).
    pub const DEFAULT: Self = Self {
        memory_kib: Self::MIN_MEMORY_KIB,
        iterations: Self::MIN_ITERATIONS,
        parallelism: 1,
    };

    /// Check the parameters against the floor and the ceilings; the reason
    /// is a short fixed text.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.memory_kib < Self::MIN_MEMORY_KIB {
            return Err("Argon2 memory below the 64 MiB floor");
        }
        if self.memory_kib > Self::MAX_MEMORY_KIB {
            return Err("Argon2 memory above 1 GiB");
        }
        if self.iterations == 0 || self.iterations > Self::MAX_ITERATIONS {
            return Err("Argon2 pass count out of range");
        }
        if self.parallelism == 0 || self.parallelism > Self::MAX_PARALLELISM {
            return Err("Argon2 parallelism out of range");
        }
        Ok(())
    }
}

impl std::fmt::Display for KdfParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "argon2id m={} KiB ({} MiB), t={}, p={}",
            self.memory_kib,
            self.memory_kib / 1024,
            self.iterations,
            self.parallelism
        )
    }
}

/// Derive a 256-bit key-encryption key from `passphrase` and `salt`.
pub(crate) fn derive(
    passphrase: &Passphrase,
    salt: &[u8],
    params: &KdfParams,
) -> Result<WrappingKey, VaultError> {
    derive_bytes(passphrase.expose().as_bytes(), salt, params)
}

/// Derive 256 bits from secret `input` (a passphrase, or a handle and a
/// passphrase encoded together) and `salt`.
pub(crate) fn derive_bytes(
    input: &[u8],
    salt: &[u8],
    params: &KdfParams,
) -> Result<WrappingKey, VaultError> {
    params.check().map_err(VaultError::KeyDerivation)?;
    let argon = argon2_for(params)?;
    let mut failed = false;
    let key = WrappingKey::init_with(|out| {
        failed = argon.hash_password_into(input, salt, out).is_err();
    });
    if failed {
        return Err(VaultError::KeyDerivation(
            "Argon2 failed (not enough memory?)",
        ));
    }
    Ok(key)
}

fn argon2_for(params: &KdfParams) -> Result<Argon2<'static>, VaultError> {
    let argon_params = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(KEY_LEN),
    )
    .map_err(|_| VaultError::KeyDerivation("invalid Argon2 parameters"))?;
    Ok(Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        argon_params,
    ))
}

/// Measure this machine and pick parameters for new key slots: 64 MiB and
/// as many passes as fit in `target` (at least 3, at most 100).
///
/// After one untimed warm-up, two timed derivations (1 and 4 passes) give
/// the fixed cost (allocating, faulting in and wiping the memory) and the
/// cost per pass; if the measurements make no sense,
/// [`KdfParams::DEFAULT`] is returned.
pub fn tune(target: Duration) -> KdfParams {
    let time = |iterations: u32| -> Option<f64> {
        let params = KdfParams {
            iterations,
            ..KdfParams::DEFAULT
        };
        let argon = argon2_for(&params).ok()?;
        let mut out = zeroize::Zeroizing::new([0u8; KEY_LEN]);
        let start = Instant::now();
        argon
            .hash_password_into(b"tuning only", b"tuning salt 0123", &mut out[..])
            .ok()?;
        Some(start.elapsed().as_secs_f64())
    };
    let _ = time(1);
    let (Some(one), Some(four)) = (time(1), time(4)) else {
        return KdfParams::DEFAULT;
    };
    let per_pass = (four - one) / 3.0;
    let fixed = (one - per_pass).max(0.0);
    if !(per_pass.is_finite() && per_pass > 0.0) {
        return KdfParams::DEFAULT;
    }
    let passes = ((target.as_secs_f64() - fixed) / per_pass).round();
    let passes = if passes.is_finite() {
        // Clamped to a small positive range, so the cast is exact.
        passes.clamp(
            f64::from(KdfParams::MIN_ITERATIONS),
            f64::from(KdfParams::MAX_ITERATIONS),
        ) as u32
    } else {
        KdfParams::MIN_ITERATIONS
    };
    KdfParams {
        iterations: passes,
        ..KdfParams::DEFAULT
    }
}

/// Parameters for a new key slot: [`tune`]d for [`TARGET_UNLOCK_TIME`] once
/// per process, then reused.
pub fn params_for_new_slot() -> KdfParams {
    static TUNED: OnceLock<KdfParams> = OnceLock::new();
    *TUNED.get_or_init(|| tune(TARGET_UNLOCK_TIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_and_ceilings_are_enforced() {
        assert!(KdfParams::DEFAULT.check().is_ok());
        let low = KdfParams {
            memory_kib: KdfParams::MIN_MEMORY_KIB - 1,
            ..KdfParams::DEFAULT
        };
        assert!(low.check().is_err());
        let huge = KdfParams {
            memory_kib: u32::MAX,
            ..KdfParams::DEFAULT
        };
        assert!(huge.check().is_err());
        let zero = KdfParams {
            iterations: 0,
            ..KdfParams::DEFAULT
        };
        assert!(zero.check().is_err());
    }

    #[test]
    fn tuned_parameters_respect_the_floor() {
        let p = params_for_new_slot();
        assert!(p.memory_kib >= KdfParams::MIN_MEMORY_KIB);
        assert!(p.iterations >= KdfParams::MIN_ITERATIONS);
        assert!(p.check().is_ok());
    }

    #[test]
    fn derivation_depends_on_passphrase_salt_and_params() {
        let p = KdfParams::DEFAULT;
        let a = derive(&"one passphrase".into(), b"0123456789abcdef", &p).unwrap();
        let a2 = derive(&"one passphrase".into(), b"0123456789abcdef", &p).unwrap();
        let b = derive(&"two passphrase".into(), b"0123456789abcdef", &p).unwrap();
        let c = derive(&"one passphrase".into(), b"fedcba9876543210", &p).unwrap();
        assert_eq!(a.bytes(), a2.bytes());
        assert_ne!(a.bytes(), b.bytes());
        assert_ne!(a.bytes(), c.bytes());
    }

    #[test]
    fn weak_parameters_are_refused_before_deriving() {
        let weak = KdfParams {
            memory_kib: 1024,
            ..KdfParams::DEFAULT
        };
        assert!(derive(&"x".into(), b"0123456789abcdef", &weak).is_err());
    }
}
