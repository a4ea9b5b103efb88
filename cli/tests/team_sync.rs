//! Black-box tests of `hotline team sync`: three data folders as three
//! laptops of one team, exchanging through one folder with the real binary.

mod common;

#[cfg(test)]
mod cli {
    use std::path::Path;

    use crate::common::hotline;

    fn s(path: &Path) -> &str {
        path.to_str().unwrap()
    }

    /// Enrol the laptop in `dir` into `coordinator`'s team; its id.
    fn enrol(root: &Path, coordinator: &Path, dir: &Path, name: &str) -> String {
        let request = root.join(format!("{name}.request"));
        let team_file = root.join(format!("{name}.team"));
        hotline(dir, &["init"]).ok();
        hotline(
            dir,
            &["team", "request", "--name", name, "--out", s(&request)],
        )
        .ok();
        hotline(
            coordinator,
            &["team", "invite", s(&request), "--out", s(&team_file)],
        )
        .ok();
        hotline(dir, &["team", "enrol", s(&team_file)]).ok();
        let show = hotline(dir, &["team", "show", "--json"]).ok().json();
        show["laptop"]["laptop_id"].as_str().unwrap().to_owned()
    }

    #[test]
    fn the_team_record_reaches_a_laptop_through_the_folder() {
        let root = tempfile::tempdir().unwrap();
        let (coordinator, a, b) = (
            root.path().join("c"),
            root.path().join("a"),
            root.path().join("b"),
        );
        let folder = root.path().join("team-folder");
        std::fs::create_dir(&folder).unwrap();
        hotline(&coordinator, &["init"]).ok();
        hotline(&coordinator, &["team", "create", "--name", "Dane hotline"]).ok();
        let id_a = enrol(root.path(), &coordinator, &a, "laptop a");
        let id_b = enrol(root.path(), &coordinator, &b, "laptop b");
        hotline(
            &coordinator,
            &["team", "revoke", &id_b[..8], "--after", "1"],
        )
        .ok();

        let sent = hotline(&coordinator, &["team", "sync", s(&folder), "--json"])
            .ok()
            .json();
        assert_eq!(sent["sent"], 1, "only A: B is revoked; {sent}");
        let show = hotline(&coordinator, &["team", "show", "--json"])
            .ok()
            .json();
        let team_id = show["team"]["team_id"].as_str().unwrap().to_owned();
        let inbox = folder.join(&team_id).join(format!("to-{id_a}"));

        // A file that is not a packet of this laptop: refused and left.
        let junk = format!("{id_b}-7.hdpacket");
        std::fs::write(inbox.join(&junk), b"not a packet").unwrap();
        let run = hotline(&a, &["team", "sync", s(&folder)]).ok();
        assert!(
            run.stdout
                .starts_with("sent 0, applied 1, held 0, refused 1, deleted 1, expired 0"),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout
                .contains(&format!("refused: {junk} [packet_altered]: ")),
            "{}",
            run.stdout
        );
        assert!(inbox.join(&junk).exists(), "a refused file stays");
        let show = hotline(&a, &["team", "show", "--json"]).ok().json();
        let members = show["team"]["members"].as_array().unwrap();
        assert_eq!(members.len(), 3, "A knows B now");
        let revoked = members
            .iter()
            .find(|m| m["laptop_id"] == id_b.as_str())
            .unwrap();
        assert_eq!(revoked["revoked_after"], 1, "and that B is revoked");

        // Nothing new: nothing sent, nothing applied; B got nothing.
        let again = hotline(&coordinator, &["team", "sync", s(&folder), "--json"])
            .ok()
            .json();
        assert_eq!(
            (again["sent"].as_u64(), again["applied"].as_u64()),
            (Some(0), Some(0))
        );
        let got = hotline(&b, &["team", "sync", s(&folder), "--json"])
            .ok()
            .json();
        assert_eq!(got["applied"], 0);

        // A folder that is not there: a clear refusal naming it.
        let run = hotline(&a, &["team", "sync", s(&root.path().join("gone"))]).failed();
        assert!(run.stderr.contains("gone"), "{}", run.stderr);
        assert!(run.stderr.contains("not a folder"), "{}", run.stderr);
    }
}
