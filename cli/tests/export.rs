//! Black-box tests of the export commands: the real `hotline` binary on
//! temporary data directories, with the passphrase in the environment.

mod common;

#[cfg(test)]
mod cli {
    use std::path::{Path, PathBuf};

    use serde_json::Value;

    use crate::common::{add_volunteer, hotline, hotline_as};

    /// A data directory with a vault and 300 synthetic calls (seed 7).
    fn vault_with_calls(root: &Path, name: &str) -> PathBuf {
        let dir = root.join(name);
        hotline(&dir, &["init"]).ok();
        hotline(&dir, &["demo-data", "--calls", "300", "--seed", "7"]).ok();
        dir
    }

    fn s(path: &Path) -> &str {
        path.to_str().unwrap()
    }

    #[test]
    fn summaries_in_three_formats_and_their_refusals() {
        let root = tempfile::tempdir().unwrap();
        let dir = vault_with_calls(root.path(), "v");
        let csv = root.path().join("s.csv");
        let json = root.path().join("s.json");
        let html = root.path().join("s.html");
        hotline(
            &dir,
            &[
                "export",
                "summary",
                "--out",
                s(&csv),
                "--format",
                "csv",
                "--include-synthetic",
            ],
        )
        .ok();
        hotline(
            &dir,
            &[
                "export",
                "summary",
                "--out",
                s(&json),
                "--format",
                "json",
                "--k",
                "3",
                "--include-synthetic",
                "true",
            ],
        )
        .ok();
        hotline(
            &dir,
            &[
                "export",
                "summary",
                "--out",
                s(&html),
                "--format",
                "html",
                "--lang",
                "es",
                "--include-synthetic",
            ],
        )
        .ok();

        let text = std::fs::read_to_string(&csv).unwrap();
        assert!(text.starts_with(
            "table,week,category,area,agency,verification,language,caller_relation,count,suppressed\n"
        ));
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(doc["schema"], "hotline-desk/summary/v1");
        assert_eq!(doc["k"], 3);
        assert_eq!(doc["include_synthetic"], true);
        for table in doc["tables"].as_array().unwrap() {
            for row in table["rows"].as_array().unwrap() {
                if let Some(n) = row["count"].as_u64() {
                    assert!(n == 0 || n >= 3, "{row}");
                } else {
                    assert_eq!(row["suppressed"], true);
                }
            }
        }
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(page.contains("lang=\"es\"") && page.contains("<svg") && !page.contains("<script"));

        // No overwrite without --force; k below 3 refused; bad formats refused.
        let before = std::fs::read(&csv).unwrap();
        let run = hotline(
            &dir,
            &[
                "export",
                "summary",
                "--out",
                s(&csv),
                "--format",
                "csv",
                "--include-synthetic",
            ],
        )
        .failed();
        assert!(run.stderr.contains("--force"), "{}", run.stderr);
        assert_eq!(std::fs::read(&csv).unwrap(), before);
        hotline(
            &dir,
            &[
                "export",
                "summary",
                "--out",
                s(&csv),
                "--format",
                "csv",
                "--force",
            ],
        )
        .ok();
        let other = root.path().join("k2.csv");
        let run = hotline(
            &dir,
            &[
                "export",
                "summary",
                "--out",
                s(&other),
                "--format",
                "csv",
                "--k",
                "2",
            ],
        )
        .failed();
        assert!(run.stderr.contains("at least 3"), "{}", run.stderr);
        assert!(!other.exists());
        hotline(
            &dir,
            &["export", "summary", "--out", s(&other), "--format", "xlsx"],
        )
        .failed();
        // A period of more than five years is refused; synthetic calls are
        // left out unless asked for.
        let none = root.path().join("none.json");
        hotline(
            &dir,
            &[
                "export",
                "summary",
                "--out",
                s(&none),
                "--format",
                "json",
                "--include-synthetic",
                "false",
                "--from",
                "2020-01-01",
            ],
        )
        .failed();
        hotline(
            &dir,
            &["export", "summary", "--out", s(&none), "--format", "json"],
        )
        .ok();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&none).unwrap()).unwrap();
        assert_eq!(doc["include_synthetic"], false);
    }

    /// Enrol the laptop in `dir` into `coordinator`'s team through the
    /// two files and the fingerprints a person compares; returns the
    /// laptop's id.
    fn enrol(root: &Path, coordinator: &Path, dir: &Path, name: &str) -> String {
        let request = root.join(format!("{name}.request"));
        let team_file = root.join(format!("{name}.team"));
        let shown = hotline(
            dir,
            &["team", "request", "--name", name, "--out", s(&request)],
        )
        .ok()
        .stdout;
        let shown = shown.trim();
        assert_eq!(shown.split(' ').count(), 6, "six words: {shown}");
        // A wrong fingerprint typed by the coordinator: nothing happens.
        let run = hotline(
            coordinator,
            &[
                "team",
                "invite",
                s(&request),
                "--out",
                s(&team_file),
                "--fingerprint",
                "not the right words at all",
            ],
        )
        .failed();
        assert!(run.stderr.contains("fingerprint"), "{}", run.stderr);
        assert!(!team_file.exists());
        let invited = hotline(
            coordinator,
            &[
                "team",
                "invite",
                s(&request),
                "--out",
                s(&team_file),
                "--fingerprint",
                &shown.to_uppercase(),
            ],
        )
        .ok()
        .stdout;
        let mut lines = invited.lines();
        assert_eq!(
            lines.next(),
            Some(shown),
            "both screens show one fingerprint"
        );
        let team_print = lines.next().unwrap().to_owned();
        let joined = hotline(dir, &["team", "enrol", s(&team_file)]).ok().stdout;
        assert_eq!(joined.trim(), team_print, "the team's fingerprint too");
        let show = hotline(dir, &["team", "show", "--json"]).ok().json();
        assert_eq!(show["team"]["fingerprint"], team_print.as_str());
        show["laptop"]["laptop_id"].as_str().unwrap().to_owned()
    }

    #[test]
    fn the_coordinator_switches_what_the_team_shares_and_show_lists_it() {
        let root = tempfile::tempdir().unwrap();
        let coordinator = root.path().join("coordinator");
        hotline(&coordinator, &["init"]).ok();
        hotline(&coordinator, &["team", "create", "--name", "Dane hotline"]).ok();
        let show = hotline(&coordinator, &["team", "show", "--json"])
            .ok()
            .json();
        assert_eq!(
            show["team"]["shares"],
            serde_json::json!([]),
            "data-minimal"
        );
        let plain = hotline(&coordinator, &["team", "show"]).ok().stdout;
        assert!(plain.contains("shares: nothing"), "{plain}");
        let run = hotline(&coordinator, &["team", "share", "pack", "retention"]).ok();
        assert!(run.stdout.contains("pack, retention"), "{}", run.stdout);
        assert!(run.stderr.contains("revision 2"), "{}", run.stderr);
        hotline(&coordinator, &["team", "share", "pack", "--off"]).ok();
        let show = hotline(&coordinator, &["team", "show", "--json"])
            .ok()
            .json();
        assert_eq!(show["team"]["shares"], serde_json::json!(["retention"]));
        assert_eq!(show["team"]["revision"], 3);
        let run = hotline(&coordinator, &["team", "share", "calls"]).failed();
        assert!(run.stderr.contains("auto_lock"), "{}", run.stderr);
        // A member laptop holds no team key: it cannot switch anything.
        let laptop = vault_with_calls(root.path(), "a");
        enrol(root.path(), &coordinator, &laptop, "laptop a");
        let run = hotline(&laptop, &["team", "share", "areas"]).failed();
        assert!(
            run.stderr
                .contains("only a coordinator on the laptop that created the team"),
            "{}",
            run.stderr
        );
    }

    #[test]
    fn enrolled_laptops_bundles_merge_once_and_forgeries_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let coordinator = root.path().join("coordinator");
        hotline(&coordinator, &["init"]).ok();
        let created = hotline(&coordinator, &["team", "create", "--name", "Dane hotline"])
            .ok()
            .stdout;
        assert!(created.contains("Dane hotline"), "{created}");
        let run = hotline(&coordinator, &["team", "create", "--name", "again"]).failed();
        assert!(run.stderr.contains("already in team"), "{}", run.stderr);

        let laptop_a = vault_with_calls(root.path(), "a");
        let laptop_b = vault_with_calls(root.path(), "b");
        // Not in a team: no bundle.
        let early = root.path().join("early.age");
        let run = hotline(&laptop_a, &["export", "bundle", "--out", s(&early)]).failed();
        assert!(run.stderr.contains("not in a team"), "{}", run.stderr);
        assert!(!early.exists());
        let id_a = enrol(root.path(), &coordinator, &laptop_a, "laptop a");
        enrol(root.path(), &coordinator, &laptop_b, "laptop b");

        let bundle = |dir: &Path, name: &str| -> PathBuf {
            let out = root.path().join(name);
            // Up to today: the demo calls run until now (the default stops
            // at the last complete week).
            let today = chrono::Utc::now().date_naive().to_string();
            let run = hotline(
                dir,
                &[
                    "export",
                    "bundle",
                    "--out",
                    s(&out),
                    "--to",
                    &today,
                    "--include-synthetic",
                ],
            )
            .ok();
            assert_eq!(run.stdout.trim().len(), 36, "prints the bundle id");
            out
        };
        let bundle_a = bundle(&laptop_a, "a.age");
        let bundle_b = bundle(&laptop_b, "b.age");
        // A bundle is ciphertext: no area name, code or week in the clear.
        let sealed = std::fs::read(&bundle_a).unwrap();
        let text = String::from_utf8_lossy(&sealed);
        assert!(text.starts_with("age-encryption.org/v1"));
        for word in [
            "South Madison",
            "ice_public",
            "bundle_id",
            "hotline-desk",
            &id_a,
        ] {
            assert!(!text.contains(word), "{word}");
        }

        // Same bundle twice in one merge.
        let merged = root.path().join("merged.json");
        let merge = |files: &[&Path], out: &Path| {
            let mut args = vec!["summary", "merge"];
            args.extend(files.iter().map(|p| s(p)));
            args.extend(["--out", s(out), "--format", "json"]);
            hotline(&coordinator, &args)
        };
        let run = merge(&[&bundle_a, &bundle_a], &merged).failed();
        assert!(run.stderr.contains("duplicate"), "{}", run.stderr);
        assert!(!merged.exists());

        // A dry run shows each laptop's part and writes nothing.
        let run = hotline(
            &coordinator,
            &[
                "summary",
                "merge",
                s(&bundle_a),
                s(&bundle_b),
                "--dry-run",
                "--out",
                s(&merged),
                "--format",
                "json",
            ],
        )
        .ok();
        assert!(
            run.stderr.contains("laptop laptop a (")
                && run.stderr.contains("1 bundle(s), 300 call(s)"),
            "{}",
            run.stderr
        );
        assert!(!merged.exists());

        let run = merge(&[&bundle_a, &bundle_b], &merged).ok();
        assert!(run.stderr.contains("laptop laptop b ("), "{}", run.stderr);
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
        let agency = doc["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "calls_by_agency")
            .unwrap();
        let total = agency["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["agency"] == "ALL")
            .unwrap();
        assert_eq!(
            total["count"], 600,
            "two laptops of 300 calls, summed exactly"
        );

        // Merged before: a replay, refused, even into another format.
        let again = root.path().join("again.html");
        let run = hotline(
            &coordinator,
            &[
                "summary",
                "merge",
                s(&bundle_b),
                "--out",
                s(&again),
                "--format",
                "html",
            ],
        )
        .failed();
        assert!(run.stderr.contains("received before"), "{}", run.stderr);
        assert!(!again.exists());

        // An altered byte: refused.
        let mut bytes = std::fs::read(&bundle_a).unwrap();
        let at = bytes.len() - 10;
        bytes[at] ^= 1;
        let altered = root.path().join("altered.age");
        std::fs::write(&altered, bytes).unwrap();
        let run = merge(&[&altered], &again).failed();
        assert!(run.stderr.contains("altered"), "{}", run.stderr);

        // A member laptop holds no team key: it cannot merge.
        let run = hotline(
            &laptop_a,
            &[
                "summary",
                "merge",
                s(&bundle_b),
                "--out",
                s(&again),
                "--format",
                "csv",
            ],
        )
        .failed();
        assert!(
            run.stderr.contains("laptop that created the team"),
            "{}",
            run.stderr
        );

        // Revoked after its first bundle: its next one is refused.
        let show = hotline(&coordinator, &["team", "show", "--json"])
            .ok()
            .json();
        let member = show["team"]["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["laptop_id"] == id_a.as_str())
            .unwrap()
            .clone();
        let first = member["seq_start"].as_u64().unwrap();
        hotline(
            &coordinator,
            &["team", "revoke", &id_a[..8], "--after", &first.to_string()],
        )
        .ok();
        let late = bundle(&laptop_a, "late.age");
        let run = merge(&[&late], &again).failed();
        assert!(run.stderr.contains("revoked"), "{}", run.stderr);
        assert_eq!(run.code, 1);
        assert!(!again.exists());

        // Volunteers export and enrol nothing.
        add_volunteer(&coordinator, "bo-3");
        let request_a = root.path().join("laptop a.request");
        let volunteer_out = root.path().join("v.csv");
        for args in [
            vec![
                "export",
                "summary",
                "--out",
                s(&volunteer_out),
                "--format",
                "csv",
            ],
            vec!["export", "bundle", "--out", s(&volunteer_out)],
            vec!["keys", "coordinator"],
            vec!["team", "invite", s(&request_a), "--out", s(&volunteer_out)],
            vec!["team", "revoke", &id_a[..8], "--after", "1"],
        ] {
            let run = hotline_as(&coordinator, "bo-3", &args, "").failed();
            assert!(
                run.stderr.contains("only a coordinator"),
                "{args:?}: {}",
                run.stderr
            );
        }
        assert!(!volunteer_out.exists());
    }

    /// `--to` is an inclusive UTC day on exports as on `call list`: a call
    /// at the last second of that day counts, and demo calls stay out
    /// unless asked for.
    #[test]
    fn to_is_an_inclusive_utc_day_and_demo_calls_stay_out() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("v");
        hotline(&dir, &["init"]).ok();
        hotline(&dir, &["demo-data", "--calls", "50", "--seed", "3"]).ok();
        // The last Sunday at least a week ago: a complete ISO week.
        let today = chrono::Utc::now().date_naive();
        let sunday = today
            - chrono::Days::new(
                u64::from(chrono::Datelike::weekday(&today).num_days_from_monday()) + 8,
            );
        assert_eq!(chrono::Datelike::weekday(&sunday), chrono::Weekday::Sun);
        let example: Value =
            serde_json::from_str(&hotline(&dir, &["call", "example"]).ok().stdout).unwrap();
        let calls: Vec<Value> = (0..3)
            .map(|_| {
                let mut call = example.clone();
                call["received_at"] = Value::from(format!("{sunday}T23:59:59Z"));
                call
            })
            .collect();
        hotline_as(
            &dir,
            crate::common::HANDLE,
            &["call", "add", "--file", "-"],
            &Value::from(calls).to_string(),
        )
        .ok();
        let total = |extra: &[&str]| {
            let out = root.path().join(format!("s{}.json", extra.len()));
            let to = sunday.to_string();
            let mut args = vec![
                "export",
                "summary",
                "--out",
                s(&out),
                "--format",
                "json",
                "--k",
                "3",
                "--to",
                &to,
                "--force",
            ];
            args.extend_from_slice(extra);
            hotline(&dir, &args).ok();
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
            assert_eq!(doc["to"], Value::from(sunday.to_string()));
            let by_agency = doc["tables"]
                .as_array()
                .unwrap()
                .iter()
                .find(|table| table["name"] == "calls_by_agency")
                .expect("a table by agency");
            by_agency["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|row| row["agency"] == "ALL")
                .and_then(|row| row["count"].as_u64())
                .expect("the grand total is published")
        };
        let real = total(&[]);
        assert_eq!(real, 3, "the three real calls of the last day count");
        assert!(total(&["--include-synthetic"]) > real);
    }

    /// Restore as a new laptop: the old team keys are dropped, the command
    /// says what to do next, and what it says works.
    #[test]
    fn a_laptop_restored_as_new_enrols_afresh_and_the_printed_revocation_works() {
        let root = tempfile::tempdir().unwrap();
        let coordinator = root.path().join("coordinator");
        hotline(&coordinator, &["init"]).ok();
        hotline(&coordinator, &["team", "create", "--name", "Dane hotline"]).ok();
        let old = vault_with_calls(root.path(), "a");
        let old_id = enrol(root.path(), &coordinator, &old, "laptop a");
        let sent = root.path().join("a.age");
        hotline(
            &old,
            &["export", "bundle", "--out", s(&sent), "--include-synthetic"],
        )
        .ok();
        let backup = root.path().join("a.hlbk");
        hotline(&old, &["backup", "--out", s(&backup)]).ok();

        let new = root.path().join("restored");
        let restored = hotline(&new, &["restore", "--new-laptop", s(&backup)])
            .ok()
            .stdout;
        assert!(
            restored.contains("team keys and team state were dropped"),
            "{restored}"
        );
        assert!(restored.contains("hotline team enrol"), "{restored}");
        // The one bundle it sent had the laptop's first number.
        let show = hotline(&coordinator, &["team", "show", "--json"])
            .ok()
            .json();
        let first = show["team"]["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["laptop_id"] == old_id.as_str())
            .unwrap()["seq_start"]
            .as_u64()
            .unwrap();
        let revoke = format!("hotline team revoke {old_id} --after {first}");
        assert!(restored.contains(&revoke), "{restored}");
        let show = hotline(&new, &["team", "show", "--json"]).ok().json();
        assert!(show["team"].is_null(), "in no team: {show}");
        assert_ne!(show["laptop"]["laptop_id"], old_id.as_str());

        // What it printed, run on the coordinator laptop ...
        let words: Vec<&str> = revoke.split(' ').skip(1).collect();
        hotline(&coordinator, &words).ok();
        // ... and the restored laptop enrols as a laptop of its own.
        let new_id = enrol(root.path(), &coordinator, &new, "laptop a restored");
        assert_ne!(new_id, old_id);
        let show = hotline(&coordinator, &["team", "show", "--json"])
            .ok()
            .json();
        let revoked: Vec<(&str, &Value)> = show["team"]["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["laptop_id"].as_str().unwrap(), &m["revoked_after"]))
            .collect();
        assert!(
            revoked.contains(&(old_id.as_str(), &Value::from(first))),
            "{revoked:?}"
        );
        assert!(
            revoked.contains(&(new_id.as_str(), &Value::Null)),
            "{revoked:?}"
        );

        // The coordinator laptop restored as new: no team key, a new team.
        let backup = root.path().join("c.hlbk");
        hotline(&coordinator, &["backup", "--out", s(&backup)]).ok();
        let new = root.path().join("coordinator-restored");
        let restored = hotline(&new, &["restore", "--new-laptop", s(&backup)])
            .ok()
            .stdout;
        assert!(restored.contains("its team key is gone"), "{restored}");
        assert!(!restored.contains("hotline team revoke"), "{restored}");
        let run = hotline(&new, &["team", "revoke", &new_id, "--after", "1"]).failed();
        assert!(run.stderr.contains("not in a team"), "{}", run.stderr);
        hotline(&new, &["team", "create", "--name", "Dane hotline"]).ok();
    }
}
