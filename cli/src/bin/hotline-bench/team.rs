//! The team benchmark: a coordinator laptop and `--team-laptops` enrolled
//! laptops (real encrypted vaults), each with `--team-calls` synthetic
//! calls received over the year before now. It measures what travels
//! (enrolment request, team file, signed bundle: bytes) and what the
//! coordinator laptop does with it (invite, merge of every laptop's bundle).
//!
//! Each figure is one row of [`ROWS`]; a new measurement (the time to sync
//! one laptop, when the team folder's sync lands) is one more row there and
//! one more step in [`run`].

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use hotline_core::export::{self, Format, SummaryOptions};
use hotline_core::team;
use hotline_core::vault::{Passphrase, Vault};
use serde_json::{Value, json};

use super::{BenchResult, PASSPHRASE, SEED, Stats, err, measure, round};

/// One figure of the team benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Row {
    /// Bytes of one laptop's enrolment request.
    RequestBytes,
    /// Bytes of the team file the coordinator writes for a laptop (it lists
    /// every laptop enrolled so far: the last one is the largest).
    TeamFileBytes,
    /// Bytes of one laptop's signed bundle of its year.
    BundleBytes,
    /// Time for the coordinator laptop to invite one laptop.
    Invite,
    /// Time for a laptop to enrol with its team file.
    Enrol,
    /// Time for a laptop to export its signed bundle.
    ExportBundle,
    /// Time for the coordinator laptop to decrypt, check and sum every
    /// laptop's bundle (a dry run: nothing is written).
    MergeBundles,
    /// The same, then writing the merged summary (JSON) and recording the
    /// bundles in one transaction: once, as a bundle merges only once.
    MergeAndWrite,
    // The time to sync one laptop through the team folder goes here when
    // `hotline team sync` lands: a row `SyncOneLaptop`, measured in `run`.
}

/// Every row, in the order printed.
pub(crate) const ROWS: [Row; 8] = [
    Row::RequestBytes,
    Row::TeamFileBytes,
    Row::BundleBytes,
    Row::Invite,
    Row::Enrol,
    Row::ExportBundle,
    Row::MergeBundles,
    Row::MergeAndWrite,
];

impl Row {
    /// Its name in results.json and `--only`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::RequestBytes => "team_request_bytes",
            Self::TeamFileBytes => "team_file_bytes",
            Self::BundleBytes => "team_bundle_bytes",
            Self::Invite => "team_invite",
            Self::Enrol => "team_enrol",
            Self::ExportBundle => "team_export_bundle",
            Self::MergeBundles => "team_merge_bundles",
            Self::MergeAndWrite => "team_merge_and_write",
        }
    }
}

/// A size in bytes over the laptops: smallest, median, largest.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bytes {
    min: u64,
    p50: u64,
    max: u64,
}

impl Bytes {
    fn of(mut sizes: Vec<u64>) -> Self {
        sizes.sort_unstable();
        Self {
            min: sizes.first().copied().unwrap_or(0),
            p50: sizes
                .get(sizes.len().saturating_sub(1) / 2)
                .copied()
                .unwrap_or(0),
            max: sizes.last().copied().unwrap_or(0),
        }
    }
}

/// A figure: bytes or a time.
#[derive(Debug, Clone)]
pub(crate) enum Figure {
    Bytes(Bytes),
    Time(Stats),
}

/// The figures of one run.
pub(crate) struct TeamRun {
    laptops: usize,
    calls_per_laptop: u32,
    /// Calls in the merged summary (its grand total).
    merged_calls: u64,
    /// Seconds to make the vaults and fill them (not a figure of the team).
    setup_s: f64,
    figures: Vec<(Row, Figure)>,
}

/// The file's size.
fn size(path: &Path) -> BenchResult<u64> {
    Ok(fs::metadata(path).map_err(err("file size"))?.len())
}

/// Time `f` once.
fn once<T>(f: impl FnOnce() -> BenchResult<T>) -> BenchResult<(T, Duration)> {
    let start = Instant::now();
    let value = f()?;
    Ok((value, start.elapsed()))
}

/// Make the team in `work` and measure it (`slow_reps` merges).
pub(crate) fn run(
    laptops: usize,
    calls: u32,
    slow_reps: usize,
    work: &Path,
) -> BenchResult<TeamRun> {
    if work.exists() {
        fs::remove_dir_all(work).map_err(err("remove old team"))?;
    }
    let files = work.join("files");
    fs::create_dir_all(&files).map_err(err("team dir"))?;
    let passphrase = Passphrase::from(PASSPHRASE);
    let now = Utc::now();
    let setup = Instant::now();
    let coordinator = Vault::create(&work.join("coordinator"), "coordinator", &passphrase)
        .map_err(err("coordinator vault"))?;
    let c = coordinator.coordinator().map_err(err("coordinator"))?;
    team::create_team(&c, "bench team").map_err(err("create team"))?;
    let mut setup_time = setup.elapsed();

    let (mut requests, mut team_files, mut bundle_sizes) = (Vec::new(), Vec::new(), Vec::new());
    let (mut invites, mut enrols, mut exports) = (Vec::new(), Vec::new(), Vec::new());
    let mut bundles = Vec::with_capacity(laptops);
    let options = SummaryOptions {
        include_synthetic: true,
        ..SummaryOptions::default()
    };
    for i in 0..laptops {
        // One laptop at a time: its vault and its year of calls ...
        let start = Instant::now();
        let handle = format!("volunteer-{i:02}");
        let laptop = Vault::create(&work.join(format!("laptop-{i:02}")), &handle, &passphrase)
            .map_err(err("laptop vault"))?;
        let l = laptop.coordinator().map_err(err("laptop coordinator"))?;
        hotline_core::demo::demo_data(&l, calls, SEED + i as u64, now).map_err(err("demo_data"))?;
        setup_time += start.elapsed();
        // ... its enrolment through the two files ...
        let request = files.join(format!("{i:02}.request"));
        team::request_enrolment(&l, &format!("laptop {i:02}"), &request, false)
            .map_err(err("request"))?;
        requests.push(size(&request)?);
        let bytes = fs::read(&request).map_err(err("read request"))?;
        let read = team::read_request(&bytes).map_err(err("read request"))?;
        let team_file = files.join(format!("{i:02}.team"));
        let (_, took) = once(|| team::invite(&c, &read, &team_file, false).map_err(err("invite")))?;
        invites.push(took);
        team_files.push(size(&team_file)?);
        let bytes = fs::read(&team_file).map_err(err("read team file"))?;
        let (_, took) = once(|| team::enrol(&l, &bytes).map_err(err("enrol")))?;
        enrols.push(took);
        // ... and its signed bundle of the year.
        let bundle = files.join(format!("{i:02}.age"));
        let (_, took) = once(|| {
            export::export_bundle(&l, &options, &bundle, false).map_err(err("export bundle"))
        })?;
        exports.push(took);
        bundle_sizes.push(size(&bundle)?);
        bundles.push(fs::read(&bundle).map_err(err("read bundle"))?);
        laptop.lock().map_err(err("lock laptop"))?;
        if (i + 1) % 10 == 0 {
            eprintln!("  team: {} laptops enrolled, bundles exported", i + 1);
        }
    }

    let merge = measure(slow_reps, 1, || {
        export::merge_bundles(&c, &bundles, export::DEFAULT_K)
            .map(drop)
            .map_err(err("merge"))
    })?;
    let out = files.join("merged.json");
    let (merged_calls, write) = once(|| {
        let merged =
            export::merge_bundles(&c, &bundles, export::DEFAULT_K).map_err(err("merge"))?;
        export::write_merged(&c, &merged, Format::Json, &out, false).map_err(err("write"))?;
        Ok(merged.contributions.iter().map(|part| part.calls).sum())
    })?;
    coordinator.lock().map_err(err("lock coordinator"))?;

    let figures = vec![
        (Row::RequestBytes, Figure::Bytes(Bytes::of(requests))),
        (Row::TeamFileBytes, Figure::Bytes(Bytes::of(team_files))),
        (Row::BundleBytes, Figure::Bytes(Bytes::of(bundle_sizes))),
        (Row::Invite, Figure::Time(Stats::of(invites))),
        (Row::Enrol, Figure::Time(Stats::of(enrols))),
        (Row::ExportBundle, Figure::Time(Stats::of(exports))),
        (Row::MergeBundles, Figure::Time(merge)),
        (Row::MergeAndWrite, Figure::Time(Stats::of(vec![write]))),
    ];
    debug_assert_eq!(
        figures.iter().map(|(row, _)| *row).collect::<Vec<_>>(),
        ROWS
    );
    Ok(TeamRun {
        laptops,
        calls_per_laptop: calls,
        merged_calls,
        setup_s: setup_time.as_secs_f64(),
        figures,
    })
}

impl TeamRun {
    /// One line a figure, for the terminal.
    pub(crate) fn print(&self) {
        eprintln!(
            "team: {} laptops x {} calls (merged: {} calls); vaults made and filled in {:.0} s",
            self.laptops, self.calls_per_laptop, self.merged_calls, self.setup_s
        );
        for (row, figure) in &self.figures {
            match figure {
                Figure::Bytes(b) => eprintln!(
                    "  {:<24} min {:>8} p50 {:>8} max {:>8} bytes",
                    row.name(),
                    b.min,
                    b.p50,
                    b.max
                ),
                Figure::Time(t) => eprintln!(
                    "  {:<24} p50 {:>9.2} p95 {:>9.2} max {:>9.2} ms (n={})",
                    row.name(),
                    t.p50,
                    t.p95,
                    t.max,
                    t.n
                ),
            }
        }
    }

    /// For results.json.
    pub(crate) fn json(&self) -> Value {
        let figures: serde_json::Map<String, Value> = self
            .figures
            .iter()
            .map(|(row, figure)| {
                let value = match figure {
                    Figure::Bytes(b) => json!({"min": b.min, "p50": b.p50, "max": b.max}),
                    Figure::Time(t) => t.json(),
                };
                (row.name().to_owned(), value)
            })
            .collect();
        json!({
            "laptops": self.laptops,
            "calls_per_laptop": self.calls_per_laptop,
            "merged_calls": self.merged_calls,
            "setup_s": round(self.setup_s),
            "figures": figures,
        })
    }

    /// For results.md.
    pub(crate) fn markdown(&self) -> String {
        let mut md = format!(
            "### Team: {} laptops x {} calls\n\n\
             | figure | min | p50 | p95 | max |\n|---|---:|---:|---:|---:|\n",
            self.laptops, self.calls_per_laptop
        );
        for (row, figure) in &self.figures {
            md.push_str(&match figure {
                Figure::Bytes(b) => format!(
                    "| {} (bytes) | {} | {} | | {} |\n",
                    row.name(),
                    b.min,
                    b.p50,
                    b.max
                ),
                Figure::Time(t) => format!(
                    "| {} (ms, n={}) | {:.2} | {:.2} | {:.2} | {:.2} |\n",
                    row.name(),
                    t.n,
                    t.min,
                    t.p50,
                    t.p95,
                    t.max
                ),
            });
        }
        md.push('\n');
        md
    }
}
