//! The window's TypeScript types, generated from the Rust types with ts-rs:
//! every type a command takes or returns, and the error shape with its codes.
//! They are committed in `ui/src/lib/bindings/` (one file a type; `codes.ts`,
//! the lists of codes the window offers, from each enum's `ALL`; and
//! `index.ts` naming them all), and `ui/src/lib/api.ts` imports them.
//!
//! The test below regenerates them into a temporary folder and fails when
//! the committed files differ; `make bindings` writes them
//! (`HOTLINE_WRITE_BINDINGS=1`). Integers that ts-rs would declare as
//! `bigint` (`i64`, `u64`) are declared `number`: every such value that
//! crosses (row ids, counts, seconds since 1970, milliseconds to wait) stays
//! far below 2^53, and serde_json sends them as plain JSON numbers.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use hotline_core::calls::{
    AlertText, Area, CallSummary, CallUpdate, CallerRelation, FollowUpDue, IdentifiedBy, NewCall,
    NewFollowUp, NotesFinding, Urgency,
};
use hotline_core::codes::{Agency, Category, Verification};
use hotline_core::errors::ErrorCode;
use hotline_core::export::Dashboard;
use hotline_core::prefs::UiLang;
use hotline_core::referrals::ReferralView;
use ts_rs::{Config, ExportError, TS};

use crate::commands::about::AppInfoDto;
use crate::commands::audit::AuditViewDto;
use crate::commands::backup::{BackupDto, RestoreChoiceDto, RestoreDto};
use crate::commands::calls::{CallDetailDto, DraftDto, FilterDto};
use crate::commands::guidance::{GuidanceDto, PlayerViewDto};
use crate::commands::packs::{CitationTextDto, ImportDto, PacksDto};
use crate::commands::referrals::{ReferralImportDto, ReferralInput};
use crate::commands::reports::{SummaryPreview, SummaryRequest};
use crate::commands::team::TeamCardDto;
use crate::commands::vault::{
    MigrationDto, RecoveryKitDto, RoleDto, SessionDto, UserDto, VaultStatusDto,
};
use crate::error::UiError;
use crate::state::Integrity;

/// Where the bindings are committed.
fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings")
}

/// Write every binding, `codes.ts` and `index.ts` into `dir`.
fn export_all(dir: &Path) -> Result<(), ExportError> {
    let cfg = Config::new().with_large_int("number").with_out_dir(dir);
    // The argument and result types of the commands (their dependencies
    // follow): add a new command's types here.
    macro_rules! export {
        ($($t:ty),+ $(,)?) => { $( <$t>::export_all(&cfg)?; )+ };
    }
    export!(
        UiError,
        AppInfoDto,
        AuditViewDto,
        VaultStatusDto,
        MigrationDto,
        SessionDto,
        RoleDto,
        UserDto,
        RecoveryKitDto,
        hotline_core::vault::Continuity,
        Integrity,
        GuidanceDto,
        PlayerViewDto,
        PacksDto,
        ImportDto,
        CitationTextDto,
        UiLang,
        NewCall,
        NewFollowUp,
        CallUpdate,
        NotesFinding,
        CallDetailDto,
        AlertText,
        CallSummary,
        FilterDto,
        FollowUpDue,
        DraftDto,
        Area,
        Dashboard,
        SummaryRequest,
        SummaryPreview,
        ReferralView,
        ReferralInput,
        ReferralImportDto,
        // The team card.
        TeamCardDto,
        hotline_core::team::SyncReport,
        hotline_core::team::SyncProgress,
        // Coordinator screens.
        BackupDto,
        RestoreChoiceDto,
        RestoreDto,
    );
    fs::write(dir.join("codes.ts"), codes())?;
    fs::write(dir.join("index.ts"), index(&read_dir(dir)?))?;
    Ok(())
}

/// The heading of the files this module writes itself.
const GENERATED: &str =
    "// This file was generated with the bindings (src-tauri/src/bindings.rs). Do not edit it.\n";

/// `codes.ts`: every code of each enum the window lists, in the core's order
/// (the form lists `ChildrenPresent` in an order of its own, in `api.ts`).
fn codes() -> String {
    let lists: [(&str, &str, &str, Vec<&str>); 7] = [
        (
            "ERROR_CODES",
            "ErrorCode",
            "Error codes a command may reject with",
            ErrorCode::ALL.iter().map(|c| c.as_str()).collect(),
        ),
        (
            "CATEGORIES",
            "Category",
            "Call categories",
            Category::ALL.iter().map(|c| c.as_str()).collect(),
        ),
        (
            "AGENCIES",
            "Agency",
            "Agencies",
            Agency::ALL.iter().map(|c| c.as_str()).collect(),
        ),
        (
            "VERIFICATIONS",
            "Verification",
            "Verification outcomes",
            Verification::ALL.iter().map(|c| c.as_str()).collect(),
        ),
        (
            "RELATIONS",
            "CallerRelation",
            "Who calls",
            CallerRelation::ALL.iter().map(|c| c.as_str()).collect(),
        ),
        (
            "IDENTIFIED_BY",
            "IdentifiedBy",
            "How the agency was identified",
            IdentifiedBy::ALL.iter().map(|c| c.as_str()).collect(),
        ),
        (
            "URGENCIES",
            "Urgency",
            "Urgencies",
            Urgency::ALL.iter().map(|c| c.as_str()).collect(),
        ),
    ];
    let mut text = format!("{GENERATED}\n");
    for (_, ty, _, _) in &lists {
        text.push_str(&format!("import type {{ {ty} }} from './{ty}';\n"));
    }
    for (name, ty, what, values) in &lists {
        text.push_str(&format!(
            "\n/** {what}: every `{ty}`, in the core's order. */\n"
        ));
        text.push_str(&format!("export const {name} = [\n"));
        for value in values {
            text.push_str(&format!("  '{value}',\n"));
        }
        text.push_str(&format!("] as const satisfies readonly {ty}[];\n"));
    }
    text
}

/// `index.ts`: a re-export of every generated file.
fn index(files: &BTreeMap<String, String>) -> String {
    let mut text = format!("{GENERATED}\n");
    for name in files.keys().filter_map(|f| f.strip_suffix(".ts")) {
        match name {
            "index" => {}
            "codes" => text.push_str("export * from './codes';\n"),
            _ => text.push_str(&format!("export type * from './{name}';\n")),
        }
    }
    text
}

/// The `.ts` files below `dir`, by path relative to it (`serde_json/JsonValue.ts`).
fn read_dir(dir: &Path) -> std::io::Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "ts")
                && let Ok(relative) = path.strip_prefix(dir)
            {
                let name = relative.to_string_lossy().replace('\\', "/");
                files.insert(name, fs::read_to_string(&path)?);
            }
        }
    }
    Ok(files)
}

#[test]
fn committed_bindings_match_the_rust_types() -> Result<(), Box<dyn std::error::Error>> {
    let committed = committed_dir();
    if std::env::var_os("HOTLINE_WRITE_BINDINGS").is_some() {
        if committed.exists() {
            fs::remove_dir_all(&committed)?;
        }
        fs::create_dir_all(&committed)?;
        export_all(&committed)?;
        return Ok(());
    }
    let fresh = tempfile::tempdir()?;
    export_all(fresh.path())?;
    let expected = read_dir(fresh.path())?;
    let found = read_dir(&committed)?;
    let stale: BTreeSet<&String> = expected
        .keys()
        .chain(found.keys())
        .filter(|name| expected.get(*name) != found.get(*name))
        .collect();
    assert!(
        stale.is_empty(),
        "ui/src/lib/bindings/ is out of date with the Rust types ({stale:?}): run `make bindings`"
    );
    Ok(())
}
