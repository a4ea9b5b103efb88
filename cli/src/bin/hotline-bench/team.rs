//! The team benchmark: a coordinator laptop and `--team-laptops` enrolled
//! laptops (real encrypted vaults), each with `--team-calls` synthetic
//! calls received over the year before now. It measures what travels
//! (enrolment request, team file, signed bundle: bytes) and what the
//! coordinator laptop does with it (invite, merge of every laptop's bundle),
//! then the team folder (`team::sync`): the coordinator's first sync to
//! every laptop with every coordinator update shared, the packets' sizes by
//! kind, and one member laptop's sync of its packets.
//!
//! Each figure is one row of [`ROWS`]; a new measurement is one more row
//! there and one more step in [`run`].

use std::fs;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use chrono::Utc;
use hotline_core::export::{self, Format, SummaryOptions};
use hotline_core::team::{self, SyncReport, UpdateKind};
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
    /// Time of the coordinator laptop's first sync into an empty team
    /// folder, every coordinator update shared: a packet of each kind for
    /// every laptop, sealed, written and recorded one write each.
    SyncCoordinator,
    /// Bytes of the packets of one kind that sync wrote (one a laptop).
    PacketBytes(Carried),
    /// Time for one member laptop to sync: receive and apply its packets
    /// (it sends nothing: only the coordinator laptop writes these kinds).
    SyncOneLaptop,
    /// Time of that laptop's next sync, with nothing new in the folder.
    SyncIdle,
}

/// What a packet of the team folder carries, for its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Carried {
    /// The team record.
    TeamRecord,
    /// A coordinator update of one kind.
    Update(UpdateKind),
}

impl Carried {
    /// The kind as the sending laptop's outbox names it (audit
    /// `team.sync_send`, parameter `kind`).
    fn topic(self) -> String {
        match self {
            Self::TeamRecord => "team_record".to_owned(),
            Self::Update(kind) => format!("coordinator_update/{}", kind.as_str()),
        }
    }
}

/// Every row, in the order printed.
pub(crate) const ROWS: [Row; 17] = [
    Row::RequestBytes,
    Row::TeamFileBytes,
    Row::BundleBytes,
    Row::Invite,
    Row::Enrol,
    Row::ExportBundle,
    Row::MergeBundles,
    Row::MergeAndWrite,
    Row::SyncCoordinator,
    Row::PacketBytes(Carried::TeamRecord),
    Row::PacketBytes(Carried::Update(UpdateKind::Pack)),
    Row::PacketBytes(Carried::Update(UpdateKind::Areas)),
    Row::PacketBytes(Carried::Update(UpdateKind::Referrals)),
    Row::PacketBytes(Carried::Update(UpdateKind::Retention)),
    Row::PacketBytes(Carried::Update(UpdateKind::AutoLock)),
    Row::SyncOneLaptop,
    Row::SyncIdle,
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
            Self::SyncCoordinator => "team_sync_coordinator",
            Self::PacketBytes(Carried::TeamRecord) => "team_packet_record_bytes",
            Self::PacketBytes(Carried::Update(kind)) => match kind {
                UpdateKind::Pack => "team_packet_pack_bytes",
                UpdateKind::Areas => "team_packet_areas_bytes",
                UpdateKind::Referrals => "team_packet_referrals_bytes",
                UpdateKind::Retention => "team_packet_retention_bytes",
                UpdateKind::AutoLock => "team_packet_auto_lock_bytes",
                // Not a snapshot: no packet of its own (not in `ROWS`).
                UpdateKind::Cases => "team_packet_cases_bytes",
            },
            Self::SyncOneLaptop => "team_sync_one_laptop",
            Self::SyncIdle => "team_sync_idle",
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
    /// What the coordinator laptop's first sync wrote.
    folder: Folder,
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
    let (folder, sync_figures) = folder_rows(&coordinator, laptops, slow_reps, work)?;
    coordinator.lock().map_err(err("lock coordinator"))?;

    let mut figures = vec![
        (Row::RequestBytes, Figure::Bytes(Bytes::of(requests))),
        (Row::TeamFileBytes, Figure::Bytes(Bytes::of(team_files))),
        (Row::BundleBytes, Figure::Bytes(Bytes::of(bundle_sizes))),
        (Row::Invite, Figure::Time(Stats::of(invites))),
        (Row::Enrol, Figure::Time(Stats::of(enrols))),
        (Row::ExportBundle, Figure::Time(Stats::of(exports))),
        (Row::MergeBundles, Figure::Time(merge)),
        (Row::MergeAndWrite, Figure::Time(Stats::of(vec![write]))),
    ];
    figures.extend(sync_figures);
    debug_assert_eq!(
        figures.iter().map(|(row, _)| *row).collect::<Vec<_>>(),
        ROWS
    );
    Ok(TeamRun {
        laptops,
        calls_per_laptop: calls,
        merged_calls,
        setup_s: setup_time.as_secs_f64(),
        folder,
        figures,
    })
}

/// What the coordinator laptop's first sync wrote into the team folder.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Folder {
    packets: usize,
    bytes: u64,
}

/// Audit entries read a page (the vault's largest page).
const AUDIT_PAGE: u32 = 500;

/// One packet the coordinator laptop wrote: its outbox kind, its
/// recipient laptop, its size.
struct Sent {
    topic: String,
    recipient: String,
    bytes: u64,
}

/// A sync of `vault` with the team folder `dir`, to its end.
fn sync(vault: &Vault, dir: &Path) -> BenchResult<SyncReport> {
    team::sync(vault, dir, &mut |_| {}, &AtomicBool::new(false)).map_err(err("team sync"))
}

/// Every packet the coordinator laptop has written (its audit entries
/// `team.sync_send`, each naming the recipient and the number), with the
/// size of its file in the team folder `dir`.
fn sent_packets(coordinator: &Vault, dir: &Path) -> BenchResult<Vec<Sent>> {
    let info = team::team_info(coordinator)
        .map_err(err("team info"))?
        .ok_or("team info: no team")?;
    let c = coordinator.coordinator().map_err(err("coordinator"))?;
    let mut sent = Vec::new();
    let mut before = None;
    loop {
        let page = c.audit_entries(before, AUDIT_PAGE).map_err(err("audit"))?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        for entry in page.iter().filter(|e| e.action == "team.sync_send") {
            let field = |name: &str| entry.params.get(name).cloned().unwrap_or(Value::Null);
            let (Some(topic), Some(recipient), Some(seq)) = (
                field("kind").as_str().map(str::to_owned),
                field("recipient").as_str().map(str::to_owned),
                field("seq").as_u64(),
            ) else {
                return Err("audit: a team.sync_send entry without kind, recipient, seq".into());
            };
            let file = dir
                .join(&info.team_id)
                .join(format!("to-{recipient}"))
                .join(format!(
                    "{}-{seq}.{}",
                    info.this_laptop,
                    team::PACKET_EXTENSION
                ));
            sent.push(Sent {
                topic,
                recipient,
                bytes: size(&file)?,
            });
        }
    }
    Ok(sent)
}

/// The team folder's rows: the coordinator laptop shares every kind of
/// update and syncs into an empty folder; then the first member laptop
/// syncs, and syncs again with nothing new (`slow_reps` times).
fn folder_rows(
    coordinator: &Vault,
    laptops: usize,
    slow_reps: usize,
    work: &Path,
) -> BenchResult<(Folder, Vec<(Row, Figure)>)> {
    let c = coordinator.coordinator().map_err(err("coordinator"))?;
    // Every coordinator update; case handoff stays off (the bench's calls
    // are its own and travel nowhere).
    let updates: Vec<UpdateKind> = UpdateKind::ALL
        .iter()
        .copied()
        .filter(|k| k.is_snapshot())
        .collect();
    team::share(&c, &updates, true).map_err(err("share"))?;
    let dir = work.join("folder");
    fs::create_dir_all(&dir).map_err(err("team folder"))?;
    let (report, first) = once(|| sync(coordinator, &dir))?;
    let sent = sent_packets(coordinator, &dir)?;
    let expected = laptops * (1 + updates.len());
    if report.sent as usize != expected || sent.len() != expected {
        return Err(format!(
            "team sync: {} packets written ({} audited), {expected} expected",
            report.sent,
            sent.len()
        ));
    }
    let folder = Folder {
        packets: sent.len(),
        bytes: sent.iter().map(|p| p.bytes).sum(),
    };
    let mut figures = vec![(Row::SyncCoordinator, Figure::Time(Stats::of(vec![first])))];
    for row in ROWS {
        if let Row::PacketBytes(carried) = row {
            let topic = carried.topic();
            let sizes = sent.iter().filter(|p| p.topic == topic).map(|p| p.bytes);
            figures.push((row, Figure::Bytes(Bytes::of(sizes.collect()))));
        }
    }

    let passphrase = Passphrase::from(PASSPHRASE);
    let laptop = Vault::unlock(&work.join("laptop-00"), "volunteer-00", &passphrase)
        .map_err(err("unlock laptop"))?;
    let this = team::team_info(&laptop)
        .map_err(err("team info"))?
        .ok_or("team info: laptop 00 has no team")?
        .this_laptop;
    let for_it = sent.iter().filter(|p| p.recipient == this).count();
    let (report, one) = once(|| sync(&laptop, &dir))?;
    let clean = report.refused.is_empty() && report.held.is_empty() && report.sent == 0;
    if report.applied as usize != for_it || report.deleted as usize != for_it || !clean {
        return Err(format!(
            "laptop 00's sync applied {} and deleted {} of its {for_it} packets: {report:?}",
            report.applied, report.deleted
        ));
    }
    let idle = measure(slow_reps, 0, || {
        let report = sync(&laptop, &dir)?;
        if report == SyncReport::default() {
            Ok(())
        } else {
            Err(format!("laptop 00's idle sync did something: {report:?}"))
        }
    })?;
    laptop.lock().map_err(err("lock laptop"))?;
    figures.push((Row::SyncOneLaptop, Figure::Time(Stats::of(vec![one]))));
    figures.push((Row::SyncIdle, Figure::Time(idle)));
    Ok((folder, figures))
}

impl TeamRun {
    /// One line a figure, for the terminal.
    pub(crate) fn print(&self) {
        eprintln!(
            "team: {} laptops x {} calls (merged: {} calls); vaults made and filled in {:.0} s",
            self.laptops, self.calls_per_laptop, self.merged_calls, self.setup_s
        );
        eprintln!(
            "  team folder after the coordinator's first sync: {} packets, {} bytes",
            self.folder.packets, self.folder.bytes
        );
        for (row, figure) in &self.figures {
            match figure {
                Figure::Bytes(b) => eprintln!(
                    "  {:<28} min {:>8} p50 {:>8} max {:>8} bytes",
                    row.name(),
                    b.min,
                    b.p50,
                    b.max
                ),
                Figure::Time(t) => eprintln!(
                    "  {:<28} p50 {:>9.2} p95 {:>9.2} max {:>9.2} ms (n={})",
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
            "folder": {"packets": self.folder.packets, "bytes": self.folder.bytes},
            "figures": figures,
        })
    }

    /// For results.md.
    pub(crate) fn markdown(&self) -> String {
        let mut md = format!(
            "### Team: {} laptops x {} calls\n\n\
             The coordinator's first sync wrote {} packets, {} bytes in all.\n\n\
             | figure | min | p50 | p95 | max |\n|---|---:|---:|---:|---:|\n",
            self.laptops, self.calls_per_laptop, self.folder.packets, self.folder.bytes
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
