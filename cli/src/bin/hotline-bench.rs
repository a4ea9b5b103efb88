//! `hotline-bench`: the store benchmark of `make bench`.
//!
//! For each size (synthetic calls from `demo_data`), it fills two stores in
//! the same run: the real encrypted vault (SQLCipher, Argon2id key slot)
//! and the same schema, settings and code on plain, unencrypted SQLite
//! (`Vault::open_plain_for_benchmark`, feature `bench`). It then times the
//! same operations through the public `hotline-core` API on both and
//! prints percentiles, writing `results.json` and `results.md`.
//!
//! Then (module `team`) it makes a team of real vaults — a coordinator
//! laptop and `--team-laptops` enrolled laptops with a year of calls each —
//! and measures what travels, the coordinator's merge and the team folder's sync.
//!
//! Benchmarks are not tests: nothing here fails on a timing.

// Beside this file, not in src/bin/ (cargo would take it for a binary).
#[path = "hotline-bench/team.rs"]
mod team;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Utc};
use clap::Parser;
use hotline_core::calls::{self, CallFilter};
use hotline_core::codes::{Category, Verification};
use hotline_core::export::{self, Format, Lang, SummaryOptions};
use hotline_core::vault::{self, Passphrase, Vault};
use serde_json::{Value, json};

/// Handle of the benchmark's only user.
const HANDLE: &str = "bench";
/// Passphrase of the benchmark vaults (synthetic data only).
const PASSPHRASE: &str = "bench lantern orchard 7319";
/// Seed of the synthetic calls, so every run has the same data.
const SEED: u64 = 20_240_501;
/// Results per search, as the app asks for.
const SEARCH_LIMIT: u32 = 100;
/// Bundles merged in the merge benchmark.
const BUNDLES: usize = 10;
/// In the audit benchmark, a signed checkpoint after every this many
/// entries.
const AUDIT_CHECKPOINT_EVERY: u64 = 20;
/// Operations measured on the encrypted store only: asking for these alone
/// (`--only`) skips filling the plain store.
const ENCRYPTED_ONLY: [&str; 6] = [
    "rekey",
    "unlock_migrating_to_anchor",
    "background_check",
    "cancel_check",
    "audit_verify",
    "unlock_with_audit",
];

#[derive(Debug, Parser)]
#[command(
    name = "hotline-bench",
    about = "Hotline Desk store benchmark: encrypted vault vs plain SQLite"
)]
struct Args {
    /// Sizes in synthetic calls, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    sizes: Vec<u32>,
    /// Where the stores are made (must be a real disk for durable saves to
    /// mean anything; tmpfs would flatter them).
    #[arg(long, default_value = "target/bench/work")]
    work: PathBuf,
    /// Where results.json and results.md go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// Reuse stores left by an earlier run with `--keep` instead of filling
    /// them again (fill times are then not measured).
    #[arg(long)]
    reuse: bool,
    /// Keep the stores afterwards (they are large).
    #[arg(long)]
    keep: bool,
    /// Repetitions of a durable save.
    #[arg(long, default_value_t = 200)]
    save_reps: usize,
    /// Repetitions of each search and each filtered list.
    #[arg(long, default_value_t = 50)]
    query_reps: usize,
    /// Repetitions of each unlock, export and merge.
    #[arg(long, default_value_t = 5)]
    slow_reps: usize,
    /// Repetitions of each full integrity check (no warm-up: each reads the
    /// whole database).
    #[arg(long, default_value_t = 3)]
    check_reps: usize,
    /// Measure only these operations (comma-separated names as reported,
    /// such as `save_one_call,export_summary_csv`); default: all.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Enrolled laptops of the team benchmark (0: no team benchmark).
    #[arg(long, default_value_t = 50)]
    team_laptops: usize,
    /// Synthetic calls of each laptop of the team benchmark, received over
    /// the year before now.
    #[arg(long, default_value_t = 600)]
    team_calls: u32,
}

impl Args {
    /// Whether the operation `name` is to be measured.
    fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == name)
    }

    /// Whether only operations of the encrypted store are to be measured.
    fn only_encrypted(&self) -> bool {
        !self.only.is_empty()
            && self
                .only
                .iter()
                .all(|o| ENCRYPTED_ONLY.contains(&o.as_str()))
    }

    /// Whether any of the operations `names` is to be measured.
    fn wants_any(&self, names: &[&str]) -> bool {
        names.iter().any(|name| self.wants(name))
    }

    /// Whether `--only` names team rows alone (no store is filled).
    fn only_team(&self) -> bool {
        !self.only.is_empty()
            && self
                .only
                .iter()
                .all(|o| team::ROWS.iter().any(|row| row.name() == o))
    }

    /// Whether the team benchmark runs: asked for by `--only` (any of its
    /// rows' names) or by default, with at least one laptop.
    fn wants_team(&self) -> bool {
        self.team_laptops > 0 && team::ROWS.iter().any(|row| self.wants(row.name()))
    }
}

type BenchResult<T> = Result<T, String>;

fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// Percentiles of one operation, in milliseconds.
#[derive(Debug, Clone)]
struct Stats {
    n: usize,
    p50: f64,
    p95: f64,
    p99: f64,
    min: f64,
    max: f64,
    mean: f64,
}

impl Stats {
    fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        // Nearest rank: the smallest sample with at least p of them at or below it.
        let pct = |p: f64| {
            let rank = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
            ms(samples[rank - 1])
        };
        let total: f64 = samples.iter().map(|d| ms(*d)).sum();
        Self {
            n: samples.len(),
            p50: pct(0.50),
            p95: pct(0.95),
            p99: pct(0.99),
            min: ms(samples[0]),
            max: ms(samples[samples.len() - 1]),
            mean: total / samples.len() as f64,
        }
    }

    fn json(&self) -> Value {
        json!({
            "n": self.n, "p50_ms": round(self.p50), "p95_ms": round(self.p95),
            "p99_ms": round(self.p99), "min_ms": round(self.min), "max_ms": round(self.max),
            "mean_ms": round(self.mean),
        })
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Run `f` `warmup` times untimed, then `reps` times timed.
fn measure(
    reps: usize,
    warmup: usize,
    mut f: impl FnMut() -> BenchResult<()>,
) -> BenchResult<Stats> {
    for _ in 0..warmup {
        f()?;
    }
    let mut samples = Vec::with_capacity(reps);
    for _ in 0..reps.max(1) {
        let start = Instant::now();
        f()?;
        samples.push(start.elapsed());
    }
    Ok(Stats::of(samples))
}

/// Which store a measurement ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Encrypted,
    Plain,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Encrypted => "encrypted",
            Self::Plain => "plain",
        }
    }

    /// Open (creating if needed) the store of this kind in `dir`.
    fn open(self, dir: &Path) -> BenchResult<Vault> {
        let passphrase = Passphrase::from(PASSPHRASE);
        match self {
            Self::Encrypted if Vault::exists(dir) => Vault::unlock(dir, HANDLE, &passphrase),
            Self::Encrypted => Vault::create(dir, HANDLE, &passphrase),
            Self::Plain => Vault::open_plain_for_benchmark(dir, HANDLE),
        }
        .map_err(err("open"))
    }
}

/// Figures of one store at one size.
struct StoreRun {
    fill_s: Option<f64>,
    db_bytes: u64,
    ops: BTreeMap<&'static str, Stats>,
    notes: BTreeMap<&'static str, Value>,
}

impl StoreRun {
    /// A store not measured in this run.
    fn skipped() -> Self {
        Self {
            fill_s: None,
            db_bytes: 0,
            ops: BTreeMap::new(),
            notes: BTreeMap::new(),
        }
    }
}

/// The searches: (name, what a user types).
const SEARCHES: [(&str, &str); 3] = [
    // In about half of all demo calls' notes.
    ("search_common_word", "caller"),
    // The end of one demo phone number: about 0.04 % of calls.
    ("search_rare_word", "0142"),
    ("search_phrase", "\"dark SUVs parked\""),
];

fn filters(now: chrono::DateTime<Utc>) -> Vec<(&'static str, CallFilter)> {
    vec![
        (
            "list_by_verification",
            CallFilter {
                verification: Some(Verification::Unverified),
                ..CallFilter::default()
            },
        ),
        (
            "list_rare_category_and_area",
            CallFilter {
                category: Some(Category::Courthouse),
                area: Some("Verona".to_owned()),
                ..CallFilter::default()
            },
        ),
        (
            "list_last_7_days",
            CallFilter {
                from: Some(now - Days::days(7)),
                ..CallFilter::default()
            },
        ),
        (
            "list_category_verification_30_days",
            CallFilter {
                category: Some(Category::IcePublic),
                verification: Some(Verification::Confirmed),
                from: Some(now - Days::days(30)),
                ..CallFilter::default()
            },
        ),
    ]
}

/// Start counting the peak resident memory afresh (Linux: writing 5 to
/// `/proc/self/clear_refs` resets `VmHWM`); best effort.
fn reset_peak_rss() {
    let _ = fs::write("/proc/self/clear_refs", "5");
}

/// The process's peak resident memory since [`reset_peak_rss`] (`VmHWM`),
/// in MiB, if the system reports it.
fn peak_rss_mib() -> Option<f64> {
    let kib: f64 = read_first("/proc/self/status", "VmHWM")?
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

fn file_size(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Fill (unless reused) and measure one store.
fn run_store(kind: Kind, size: u32, dir: &Path, args: &Args) -> BenchResult<StoreRun> {
    let reuse = args.reuse && dir.join(vault::DATABASE_FILE).exists();
    if !reuse && dir.exists() {
        fs::remove_dir_all(dir).map_err(err("remove old store"))?;
    }
    let now = Utc::now();
    let mut notes = BTreeMap::new();
    let mut fill_s = None;
    {
        let vault = kind.open(dir)?;
        if !reuse {
            let start = Instant::now();
            let coordinator = vault.coordinator().map_err(err("coordinator"))?;
            hotline_core::demo::demo_data(&coordinator, size, SEED, now)
                .map_err(err("demo_data"))?;
            let secs = start.elapsed().as_secs_f64();
            eprintln!(
                "  {:>9} filled {size} calls in {secs:.1} s ({:.0} calls/s)",
                kind.name(),
                f64::from(size) / secs
            );
            fill_s = Some(secs);
        }
        let start = Instant::now();
        vault.lock().map_err(err("lock"))?;
        notes.insert(
            "lock_after_fill_s",
            json!(round(start.elapsed().as_secs_f64())),
        );
    }
    let db_bytes = file_size(&dir.join(vault::DATABASE_FILE));
    let mut ops = BTreeMap::new();

    // Unlock (encrypted: Argon2id + open with the checks whose cost does
    // not grow with the store, and the migrations check) or open (plain),
    // from a locked store each time.
    if args.wants("open_or_unlock") {
        let open = measure(args.slow_reps, 1, || {
            kind.open(dir)?.lock().map_err(err("lock"))
        })?;
        ops.insert("open_or_unlock", open);
    }

    let vault = kind.open(dir)?;

    // The full checks that used to run at every unlock, one pragma at a
    // time, and (encrypted) the background check the app runs after unlock:
    // quick_check on a read-only connection, and how long cancelling it waits.
    let mut per_check: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    let checks = ["check_cipher_integrity", "check_quick", "check_integrity"];
    let check_reps = if args.wants_any(&checks) {
        args.check_reps.max(1)
    } else {
        0
    };
    for _ in 0..check_reps {
        for (name, elapsed) in vault
            .time_checks_for_benchmark(kind == Kind::Encrypted)
            .map_err(err("checks"))?
        {
            per_check.entry(name).or_default().push(elapsed);
        }
    }
    for (name, samples) in per_check {
        ops.insert(name, Stats::of(samples));
    }
    if kind == Kind::Encrypted && args.wants_any(&["background_check", "cancel_check"]) {
        let background = measure(args.check_reps, 0, || {
            match vault
                .integrity_check()
                .run()
                .map_err(err("background check"))?
            {
                vault::IntegrityOutcome::Sound => Ok(()),
                other => Err(format!("background check: {other:?}")),
            }
        })?;
        let halfway = Duration::from_secs_f64(background.p50 / 1000.0 / 2.0);
        ops.insert("background_check", background);
        // Locking cancels a running check and waits for its connection to
        // close: how long that wait is, cancelling 0.5 s into each phase.
        let mut waits = Vec::new();
        for _ in 0..args.check_reps.max(1) {
            for into in [Duration::from_millis(500), halfway] {
                let check = std::sync::Arc::new(vault.integrity_check());
                let runner = std::sync::Arc::clone(&check);
                let worker = std::thread::spawn(move || runner.run());
                std::thread::sleep(into);
                let start = Instant::now();
                check.cancel();
                waits.push(start.elapsed());
                let _ = worker.join();
            }
        }
        ops.insert("cancel_check", Stats::of(waits));
    }

    for (name, query) in SEARCHES {
        if !args.wants(name) {
            continue;
        }
        let hits = calls::search(&vault, query, SEARCH_LIMIT)
            .map_err(err("search"))?
            .len();
        notes.insert(name, json!({ "query": query, "hits_returned": hits }));
        let stats = measure(args.query_reps, 2, || {
            calls::search(&vault, query, SEARCH_LIMIT)
                .map(drop)
                .map_err(err("search"))
        })?;
        ops.insert(name, stats);
    }
    for (name, filter) in filters(now) {
        if !args.wants(name) {
            continue;
        }
        let hits = calls::list(&vault, &filter).map_err(err("list"))?.len();
        notes.insert(name, json!({ "rows_returned": hits }));
        let stats = measure(args.query_reps, 2, || {
            calls::list(&vault, &filter).map(drop).map_err(err("list"))
        })?;
        ops.insert(name, stats);
    }

    // Summary export: aggregate, suppress, render, write (fsync) and audit.
    let options = SummaryOptions::default();
    let coordinator = vault.coordinator().map_err(err("coordinator"))?;
    let out_dir = dir.join("exports");
    fs::create_dir_all(&out_dir).map_err(err("exports dir"))?;
    for (name, format) in [
        ("export_summary_csv", Format::Csv),
        ("export_summary_json", Format::Json),
        ("export_summary_html", Format::Html(Lang::En)),
    ] {
        if !args.wants(name) {
            continue;
        }
        let out = out_dir.join(format!("summary.{}", format.as_str()));
        let stats = measure(args.slow_reps, 1, || {
            let summary = export::summary(&coordinator, &options).map_err(err("summary"))?;
            export::write_summary(&coordinator, &summary, format, &out, true).map_err(err("write"))
        })?;
        notes.insert(name, json!({ "bytes": file_size(&out) }));
        ops.insert(name, stats);
    }

    // Merge: ten bundles of this store's exact counts (as if from ten
    // laptops), decrypted, checked, summed and published; nothing written.
    // Encrypted stores only: a bundle is a team packet, and a plain store
    // has no coordinator key to seal the team key under.
    if kind == Kind::Encrypted && args.wants_any(&["export_bundle", "merge_10_bundles"]) {
        // Bundles are signed packets of the laptop's team: this store is
        // its own team's coordinator laptop, and each bundle the next
        // packet of its sequence.
        if hotline_core::team::team_info(&coordinator)
            .map_err(err("team"))?
            .is_none()
        {
            hotline_core::team::create_team(&coordinator, "bench").map_err(err("team"))?;
        }
        let mut bundles = Vec::with_capacity(BUNDLES);
        let start = Instant::now();
        for i in 0..BUNDLES {
            let path = out_dir.join(format!("bundle-{i}.age"));
            export::export_bundle(&coordinator, &options, &path, true)
                .map_err(err("export bundle"))?;
            bundles.push(fs::read(&path).map_err(err("read bundle"))?);
        }
        let per_bundle = start.elapsed() / BUNDLES as u32;
        ops.insert("export_bundle", Stats::of(vec![per_bundle]));
        let merge = measure(args.slow_reps, 1, || {
            export::merge_bundles(&coordinator, &bundles, export::DEFAULT_K)
                .map(drop)
                .map_err(err("merge"))
        })?;
        ops.insert("merge_10_bundles", merge);
    }

    // Durable save of one call (a write transaction, synchronous=FULL in
    // WAL mode: one fsync of the WAL per commit). Last, so it does not
    // change what the reads above see.
    if args.wants("save_one_call") {
        let save = measure(args.save_reps, 5, || {
            calls::create(&vault, calls::example(Utc::now()))
                .map(drop)
                .map_err(err("create"))
        })?;
        ops.insert("save_one_call", save);
        // The disk's own floor, right after: overwrite 80 KiB (about the
        // WAL frames of one save) and wait for it to reach the disk.
        ops.insert("fsync_floor", fsync_floor(dir, args.save_reps)?);
    }
    vault.lock().map_err(err("lock"))?;

    // A rekey, as after removing a user: every slot re-sealed to a new
    // master key and every page re-encrypted in place (WAL, one
    // transaction, then the checkpoint), from an unlocked vault.
    if kind == Kind::Encrypted && args.wants("rekey") {
        let mut vault = kind.open(dir)?;
        reset_peak_rss();
        let start = Instant::now();
        let report = vault.rekey(&mut |_| {}).map_err(err("rekey"))?;
        let took = start.elapsed();
        let peak = peak_rss_mib();
        vault.lock().map_err(err("lock"))?;
        if !report.rekeyed {
            return Err("the rekey was skipped".to_owned());
        }
        let mb_per_s = db_bytes as f64 / 1e6 / took.as_secs_f64();
        eprintln!(
            "  {:>9} rekeyed {size} calls in {:.1} s ({:.1} MB, {mb_per_s:.1} MB/s, peak RSS {})",
            kind.name(),
            took.as_secs_f64(),
            db_bytes as f64 / 1e6,
            peak.map_or("unknown".to_owned(), |m| format!("{m:.0} MiB"))
        );
        ops.insert("rekey", Stats::of(vec![took]));
        notes.insert("rekey_mb_per_s", json!(round(mb_per_s)));
        notes.insert("rekey_peak_rss_mib", json!(peak.map(round)));
        notes.insert(
            "key_file_bytes",
            json!(file_size(&dir.join(vault::KEY_FILE))),
        );
    }

    // The audit check of a long log: as many entries as calls (one per
    // saved call, as a real shift leaves), a checkpoint after every
    // AUDIT_CHECKPOINT_EVERY-th (a coordinator's writes among them), then
    // the check alone and the coordinator unlock that runs it.
    if kind == Kind::Encrypted && args.wants_any(&["audit_verify", "unlock_with_audit"]) {
        let vault = kind.open(dir)?;
        let coordinator = vault.coordinator().map_err(err("coordinator"))?;
        let start = Instant::now();
        coordinator
            .fill_audit_for_benchmark(u64::from(size), AUDIT_CHECKPOINT_EVERY)
            .map_err(err("fill audit"))?;
        notes.insert("audit_fill_s", json!(round(start.elapsed().as_secs_f64())));
        let report = vault.verify_audit().map_err(err("verify audit"))?;
        if !report.is_ok() {
            return Err(format!("audit check found problems: {:?}", report.problems));
        }
        notes.insert("audit_entries", json!(report.entries));
        let verify = measure(args.slow_reps, 1, || {
            vault.verify_audit().map(drop).map_err(err("verify audit"))
        })?;
        ops.insert("audit_verify", verify);
        vault.lock().map_err(err("lock"))?;
        let unlock = measure(args.slow_reps, 1, || {
            kind.open(dir)?.lock().map_err(err("lock"))
        })?;
        ops.insert("unlock_with_audit", unlock);
    }

    // The one-time migration of a vault from before the erase anchor: the
    // store is turned back into the old form (not timed), then one unlock
    // re-encrypts every page in place. Last: it rewrites the whole file.
    if kind == Kind::Encrypted && args.wants("unlock_migrating_to_anchor") {
        kind.open(dir)?
            .downgrade_for_benchmark()
            .map_err(err("downgrade"))?;
        let mut last_report = Instant::now();
        let start = Instant::now();
        let vault =
            Vault::unlock_with_progress(dir, HANDLE, &Passphrase::from(PASSPHRASE), &mut |step| {
                if let vault::MigrationProgress::Reencrypting { done, total } = step
                    && last_report.elapsed() >= Duration::from_secs(5)
                {
                    last_report = Instant::now();
                    eprintln!("    migrating: {done} of {total} pages");
                }
            })
            .map_err(err("migrating unlock"))?;
        let took = start.elapsed();
        vault.lock().map_err(err("lock"))?;
        eprintln!(
            "  {:>9} migrated to the erase anchor at unlock in {:.1} s ({:.1} MB)",
            kind.name(),
            took.as_secs_f64(),
            db_bytes as f64 / 1e6
        );
        ops.insert("unlock_migrating_to_anchor", Stats::of(vec![took]));
    }

    Ok(StoreRun {
        fill_s,
        db_bytes,
        ops,
        notes,
    })
}

/// Time `reps` overwrites of 80 KiB followed by `fdatasync` in `dir`: what
/// any durable save on this disk waits for at least, measured in the same
/// run (a disk shared with other work makes it vary a lot).
fn fsync_floor(dir: &Path, reps: usize) -> BenchResult<Stats> {
    use std::io::{Seek, SeekFrom, Write};
    let path = dir.join("fsync-floor.bin");
    let mut file = fs::File::create(&path).map_err(err("fsync probe"))?;
    let block = vec![0x5a_u8; 80 * 1024];
    let mut write = || -> BenchResult<()> {
        file.seek(SeekFrom::Start(0)).map_err(err("seek"))?;
        file.write_all(&block).map_err(err("write"))?;
        file.sync_data().map_err(err("fdatasync"))
    };
    let stats = measure(reps, 5, &mut write)?;
    drop(file);
    let _ = fs::remove_file(&path);
    Ok(stats)
}

fn store_json(run: &StoreRun) -> Value {
    let ops: serde_json::Map<String, Value> = run
        .ops
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.json()))
        .collect();
    let notes: serde_json::Map<String, Value> = run
        .notes
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    json!({
        "fill_s": run.fill_s.map(round),
        "db_bytes": run.db_bytes,
        "ops": ops,
        "notes": notes,
    })
}

/// Unlock of a vault holding nothing: Argon2id plus opening a tiny database.
fn kdf_only(work: &Path, reps: usize) -> BenchResult<Stats> {
    let dir = work.join("kdf-empty");
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(err("remove"))?;
    }
    Kind::Encrypted.open(&dir)?.lock().map_err(err("lock"))?;
    let stats = measure(reps, 1, || {
        Kind::Encrypted.open(&dir)?.lock().map_err(err("lock"))
    })?;
    let _ = fs::remove_dir_all(&dir);
    Ok(stats)
}

fn read_first(path: &str, key: &str) -> Option<String> {
    let text = fs::read_to_string(path).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn machine() -> Value {
    json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu_model": read_first("/proc/cpuinfo", "model name"),
        "mem_total": read_first("/proc/meminfo", "MemTotal"),
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
    })
}

/// Operations in the order they are reported.
const ORDER: [&str; 25] = [
    "open_or_unlock",
    "rekey",
    "audit_verify",
    "unlock_with_audit",
    "unlock_migrating_to_anchor",
    "background_check",
    "check_cipher_integrity",
    "check_quick",
    "check_integrity",
    "cancel_check",
    "save_one_call",
    "fsync_floor",
    "search_common_word",
    "search_rare_word",
    "search_phrase",
    "list_by_verification",
    "list_rare_category_and_area",
    "list_last_7_days",
    "list_category_verification_30_days",
    "export_summary_csv",
    "export_summary_json",
    "export_summary_html",
    "export_bundle",
    "merge_10_bundles",
    "fill",
];

fn markdown(sizes: &[(u32, StoreRun, StoreRun)], kdf: &Stats, params: &str) -> String {
    let mut md = String::new();
    md.push_str(&format!(
        "Key derivation: {params}; unlock of an empty vault p50 {:.1} ms.\n\n",
        kdf.p50
    ));
    for (size, enc, plain) in sizes {
        md.push_str(&format!(
            "### {size} calls\n\nDatabase file: encrypted {:.1} MB, plain {:.1} MB.\n\n",
            enc.db_bytes as f64 / 1e6,
            plain.db_bytes as f64 / 1e6
        ));
        md.push_str(
            "| operation | encrypted p50 ms | p95 ms | p99 ms | plain p50 ms | plain p95 ms | encrypted/plain (p50) |\n\
             |---|---:|---:|---:|---:|---:|---:|\n",
        );
        for name in ORDER {
            if name == "fill" {
                if let (Some(e), Some(p)) = (enc.fill_s, plain.fill_s) {
                    md.push_str(&format!(
                        "| fill (demo_data, one transaction) | {:.0} | | | {:.0} | | {:.2} |\n",
                        e * 1000.0,
                        p * 1000.0,
                        e / p
                    ));
                }
                continue;
            }
            let (Some(e), Some(p)) = (enc.ops.get(name), plain.ops.get(name)) else {
                if let Some(e) = enc.ops.get(name) {
                    md.push_str(&format!(
                        "| {name} | {:.2} | {:.2} | {:.2} | – | – | – |\n",
                        e.p50, e.p95, e.p99
                    ));
                }
                continue;
            };
            md.push_str(&format!(
                "| {name} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |\n",
                e.p50,
                e.p95,
                e.p99,
                p.p50,
                p.p95,
                e.p50 / p.p50
            ));
        }
        md.push('\n');
    }
    md
}

/// What has been measured so far: the store at each size, the team.
struct Measured<'a> {
    sizes: &'a [(u32, StoreRun, StoreRun)],
    team: Option<&'a team::TeamRun>,
}

/// Write results.json and results.md for what was measured so far.
fn write_results(
    args: &Args,
    measured: Measured<'_>,
    kdf: &Stats,
    params: &vault::KdfParams,
    started: &chrono::DateTime<Utc>,
    load_before: &str,
    wall: Instant,
) -> BenchResult<()> {
    let Measured { sizes, team } = measured;
    let per_size: Vec<Value> = sizes
        .iter()
        .map(|(size, enc, plain)| {
            let ratios: serde_json::Map<String, Value> = enc
                .ops
                .iter()
                .filter_map(|(name, e)| {
                    let p = plain.ops.get(name)?;
                    Some(((*name).to_owned(), json!(round(e.p50 / p.p50))))
                })
                .collect();
            json!({
                "calls": size,
                "encrypted": store_json(enc),
                "plain": store_json(plain),
                "ratio_encrypted_over_plain_p50": ratios,
                "fill_ratio": match (enc.fill_s, plain.fill_s) {
                    (Some(e), Some(p)) => json!(round(e / p)),
                    _ => Value::Null,
                },
            })
        })
        .collect();
    let results = json!({
        "tool": "hotline-bench",
        "version": hotline_core::VERSION,
        "started_at": started.to_rfc3339(),
        "wall_s": round(wall.elapsed().as_secs_f64()),
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "kdf": {
            "params": params.to_string(),
            "memory_kib": params.memory_kib,
            "iterations": params.iterations,
            "parallelism": params.parallelism,
            "unlock_empty_vault": kdf.json(),
        },
        "repetitions": {
            "save": args.save_reps, "query": args.query_reps, "slow": args.slow_reps,
        },
        "sizes": per_size,
        "team": team.map(team::TeamRun::json),
    });
    let json_path = args.out.join("results.json");
    let text = serde_json::to_string_pretty(&results).map_err(err("json"))?;
    fs::write(&json_path, text + "\n").map_err(err("write results.json"))?;
    let md_path = args.out.join("results.md");
    let mut md = markdown(sizes, kdf, &params.to_string());
    if let Some(team) = team {
        md.push_str(&team.markdown());
    }
    fs::write(&md_path, md).map_err(err("write results.md"))?;
    Ok(())
}

/// Time the notes check (what the window asks before every save) on notes
/// at their 64 KiB limit: everyday sentences in both languages with a few
/// passages it flags.
fn notes_check_only(reps: usize) -> Stats {
    const SENTENCES: &[&str] = &[
        "Caller saw two dark SUVs near the laundromat on Park St; nobody was stopped. ",
        "La persona vio dos camionetas sin placas cerca de la escuela y agentes con chalecos. ",
        "Verifier on the way, the family did not open the door, a card was left. ",
        "Her husband is from Honduras and she has no papers; A# 123-456-789 on a letter. ",
    ];
    let limit = calls::text::NOTES_MAX_BYTES;
    let mut notes = String::with_capacity(limit);
    'fill: loop {
        for sentence in SENTENCES {
            if notes.len() + sentence.len() > limit {
                break 'fill;
            }
            notes.push_str(sentence);
        }
    }
    let mut samples = Vec::with_capacity(reps);
    for _ in 0..reps {
        let started = Instant::now();
        let found = calls::check_notes(&notes);
        samples.push(started.elapsed());
        std::hint::black_box(found);
    }
    Stats::of(samples)
}

/// Open cases handed from one laptop to another, and events back: 600
/// cases (a laptop's year) with a task each, then about 10 000 events made
/// on the receiving laptop and applied on the origin, on real vaults
/// enrolled in one team. Prints bytes per handoff and per event and the
/// time to apply each document.
fn case_handoff(work: &Path) -> BenchResult<Value> {
    const CASES: usize = 600;
    const ROUNDS: usize = 17;
    let dir = work.join("case-handoff");
    let _ = fs::remove_dir_all(&dir);
    let laptop = |name: &str| -> BenchResult<Vault> {
        let path = dir.join(name);
        fs::create_dir_all(&path).map_err(err("case dir"))?;
        Vault::create(&path, HANDLE, &Passphrase::from(PASSPHRASE)).map_err(err("create"))
    };
    let a = laptop("a")?;
    let b = laptop("b")?;
    hotline_core::team::create_team(&a.coordinator().map_err(err("coordinator"))?, "bench")
        .map_err(err("team"))?;
    let request = dir.join("b.request");
    let team_file = dir.join("b.team");
    hotline_core::team::request_enrolment(
        &b.coordinator().map_err(err("coordinator"))?,
        "b",
        &request,
        false,
    )
    .map_err(err("request"))?;
    let read = hotline_core::team::read_request(&fs::read(&request).map_err(err("read"))?)
        .map_err(err("request"))?;
    hotline_core::team::invite(
        &a.coordinator().map_err(err("coordinator"))?,
        &read,
        &team_file,
        false,
    )
    .map_err(err("invite"))?;
    hotline_core::team::enrol(
        &b.coordinator().map_err(err("coordinator"))?,
        &fs::read(&team_file).map_err(err("read"))?,
    )
    .map_err(err("enrol"))?;
    let id = |v: &Vault| -> BenchResult<String> {
        Ok(hotline_core::team::laptop(v)
            .map_err(err("laptop"))?
            .laptop_id)
    };
    let (a_id, b_id) = (id(&a)?, id(&b)?);
    let today = Utc::now();
    let calls: Vec<calls::NewCall> = (0..CASES)
        .map(|i| {
            let mut call = calls::example(today - Days::minutes(i as i64));
            call.followups.truncate(1);
            call
        })
        .collect();
    calls::create_many(&a, calls, calls::OldCalls::Accept).map_err(err("calls"))?;
    let started = Instant::now();
    let doc = calls::case_document_for(&a, &b_id)
        .map_err(err("document"))?
        .ok_or("no document")?;
    let build = started.elapsed();
    let started = Instant::now();
    let applied = calls::apply_case_document(&b, &a_id, &doc).map_err(err("apply"))?;
    let apply = started.elapsed();
    let handoff_bytes = doc.len() as f64 / CASES as f64;
    eprintln!(
        "  case handoff: {CASES} cases ({} events) in {} bytes, {handoff_bytes:.0} bytes a case; built in {:.0} ms, applied in {:.0} ms",
        applied.events,
        doc.len(),
        build.as_secs_f64() * 1e3,
        apply.as_secs_f64() * 1e3
    );
    // Events: every task of every case marked done and not done again.
    let mut tasks = Vec::new();
    for summary in calls::list(
        &b,
        &CallFilter {
            limit: 10_000,
            ..CallFilter::default()
        },
    )
    .map_err(err("list"))?
    {
        for f in calls::get(&b, summary.id).map_err(err("get"))?.followups {
            tasks.push(f.id);
        }
    }
    let started = Instant::now();
    for round in 0..ROUNDS {
        for task in &tasks {
            calls::set_followup_done(&b, *task, round % 2 == 0).map_err(err("done"))?;
        }
    }
    let local = started.elapsed();
    let events = tasks.len() * ROUNDS;
    let started = Instant::now();
    let back = calls::case_document_for(&b, &a_id)
        .map_err(err("document"))?
        .ok_or("no events")?;
    let build_events = started.elapsed();
    let started = Instant::now();
    let applied_back = calls::apply_case_document(&a, &b_id, &back).map_err(err("apply"))?;
    let apply_events = started.elapsed();
    let event_bytes = back.len() as f64 / applied_back.events.max(1) as f64;
    eprintln!(
        "  case events: {} events in {} bytes, {event_bytes:.0} bytes an event; made locally in {:.1} s, built in {:.0} ms, applied on the origin in {:.0} ms",
        applied_back.events,
        back.len(),
        local.as_secs_f64(),
        build_events.as_secs_f64() * 1e3,
        apply_events.as_secs_f64() * 1e3
    );
    let _ = fs::remove_dir_all(&dir);
    Ok(json!({
        "cases": CASES,
        "handoff_document_bytes": doc.len(),
        "bytes_per_handoff": round(handoff_bytes),
        "handoff_build_ms": round(build.as_secs_f64() * 1e3),
        "handoff_apply_ms": round(apply.as_secs_f64() * 1e3),
        "events": events,
        "events_applied": applied_back.events,
        "events_document_bytes": back.len(),
        "bytes_per_event": round(event_bytes),
        "events_local_s": round(local.as_secs_f64()),
        "events_build_ms": round(build_events.as_secs_f64() * 1e3),
        "events_apply_ms": round(apply_events.as_secs_f64() * 1e3),
    }))
}

fn main() -> std::process::ExitCode {
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("hotline-bench: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> BenchResult<()> {
    fs::create_dir_all(&args.work).map_err(err("work dir"))?;
    fs::create_dir_all(&args.out).map_err(err("out dir"))?;
    let started = Utc::now();
    let load_before = load_average();
    let wall = Instant::now();
    let store_sizes: &[u32] = if args.only_team() { &[] } else { &args.sizes };
    eprintln!(
        "hotline-bench: sizes {store_sizes:?}, team {} laptops x {} calls, load average {load_before}",
        if args.wants_team() {
            args.team_laptops
        } else {
            0
        },
        args.team_calls
    );

    let kdf = kdf_only(&args.work, args.slow_reps)?;
    let params = vault::kdf::params_for_new_slot();
    eprintln!("  KDF {params}: empty-vault unlock p50 {:.1} ms", kdf.p50);
    let notes = notes_check_only(args.slow_reps.max(50));
    eprintln!(
        "  notes check, 64 KiB of notes: p50 {:.2} ms p95 {:.2} ms p99 {:.2} ms",
        notes.p50, notes.p95, notes.p99
    );

    if args.wants("case_handoff") {
        let cases = case_handoff(&args.work)?;
        fs::write(
            args.out.join("case_handoff.json"),
            serde_json::to_vec_pretty(&cases).map_err(err("case results"))?,
        )
        .map_err(err("case results"))?;
        if !args.only.is_empty() && args.only.iter().all(|o| o == "case_handoff") {
            return Ok(());
        }
    }
    let team = if args.wants_team() {
        let run = team::run(
            args.team_laptops,
            args.team_calls,
            args.slow_reps,
            &args.work.join("team"),
        )?;
        run.print();
        if !args.keep {
            let _ = fs::remove_dir_all(args.work.join("team"));
        }
        Some(run)
    } else {
        None
    };
    let measured = Measured {
        sizes: &[],
        team: team.as_ref(),
    };
    write_results(&args, measured, &kdf, &params, &started, &load_before, wall)?;

    let mut sizes = Vec::new();
    for &size in store_sizes {
        eprintln!("size {size}:");
        let enc = run_store(
            Kind::Encrypted,
            size,
            &args.work.join(format!("enc-{size}")),
            &args,
        )?;
        let plain = if args.only_encrypted() {
            StoreRun::skipped()
        } else {
            run_store(
                Kind::Plain,
                size,
                &args.work.join(format!("plain-{size}")),
                &args,
            )?
        };
        for name in ORDER {
            match (enc.ops.get(name), plain.ops.get(name)) {
                (Some(e), Some(p)) => eprintln!(
                    "  {name:<36} enc p50 {:>9.2} p95 {:>9.2} p99 {:>9.2} | plain p50 {:>9.2} | x{:.2}",
                    e.p50,
                    e.p95,
                    e.p99,
                    p.p50,
                    e.p50 / p.p50
                ),
                (Some(e), None) => eprintln!(
                    "  {name:<36} enc p50 {:>9.2} p95 {:>9.2} p99 {:>9.2} | (encrypted only)",
                    e.p50, e.p95, e.p99
                ),
                _ => {}
            }
        }
        if !args.keep {
            for kind in ["enc", "plain"] {
                let _ = fs::remove_dir_all(args.work.join(format!("{kind}-{size}")));
            }
        }
        sizes.push((size, enc, plain));
        // After every size, so a long run interrupted at 1M keeps the rest.
        let measured = Measured {
            sizes: &sizes,
            team: team.as_ref(),
        };
        write_results(&args, measured, &kdf, &params, &started, &load_before, wall)?;
    }

    eprintln!(
        "hotline-bench: done in {:.0} s; wrote {}",
        wall.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}
