//! Referral directory tests on real SQLCipher files in temporary directories.

use chrono::NaiveDate;
use tempfile::TempDir;

use super::*;
use crate::calls::{self, CallError, CallUpdate};
use crate::vault::{Passphrase, Role, Vault, VaultError};

const PASS: &str = "maple kettle harbor 42";

/// A new vault with the coordinator `river-7` signed in.
fn vault() -> (TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::create(dir.path(), "river-7", &Passphrase::from(PASS)).unwrap();
    (dir, vault)
}

/// A volunteer's own session of the same vault.
fn volunteer(dir: &TempDir, coordinator: &mut Vault) -> Vault {
    coordinator
        .coordinator()
        .unwrap()
        .add_user("bo-3", Role::Volunteer, &Passphrase::from(PASS))
        .unwrap();
    Vault::unlock(dir.path(), "bo-3", &Passphrase::from(PASS)).unwrap()
}

/// A complete, verified local entry.
fn clinic() -> Referral {
    let mut r = Referral::new("Example Immigration Law Clinic").unwrap();
    r.about_en = "Free legal consultations for people facing deportation.".into();
    r.about_es = "Consultas legales gratuitas para personas en proceso de deportación.".into();
    r.languages = vec!["EN".into(), "es".into(), "es".into()];
    r.kinds = vec!["legal-aid".into()];
    r.web = Some("https://clinic.example.org/".into());
    r.source = Some("The clinic's own page, read by the coordinator".into());
    r.verified_on = NaiveDate::from_ymd_opt(2026, 11, 20);
    r
}

fn a_call(referrals: Vec<String>) -> calls::NewCall {
    let mut call = calls::example(chrono::Utc::now());
    call.referrals = referrals;
    call
}

#[test]
fn a_new_vault_holds_the_builtin_entries_each_with_an_official_source_and_date() {
    let (_dir, vault) = vault();
    let entries = list(&vault).unwrap();
    let ids: Vec<_> = entries.iter().map(|r| r.id).collect();
    for id in BUILTIN {
        assert!(ids.contains(id), "{id} missing");
    }
    assert_eq!(entries.len(), BUILTIN.len());
    for r in &entries {
        assert!(r.is_verified(), "{}", r.name);
        let source = r.source.as_deref().unwrap();
        assert!(source.contains("https://"), "{}: {source}", r.name);
        let web = r.web.as_deref().unwrap();
        assert!(
            web.ends_with(".gov/") || web.contains(".gov/"),
            "{}: official address expected, got {web}",
            r.name
        );
        assert!(
            !r.about_en.is_empty() && !r.about_es.is_empty(),
            "{}",
            r.name
        );
        assert!(!r.kinds.is_empty(), "{}", r.name);
        // Every stored entry passes the same rules as a coordinator's.
        assert_eq!(r.clone().checked().unwrap(), *r);
    }
    // Only the EOIR line's number is stated by its source; nothing else has a phone.
    let phones: Vec<_> = entries.iter().filter_map(|r| r.phone.as_deref()).collect();
    assert_eq!(phones, ["1-800-898-7180"]);
}

#[test]
fn coordinators_add_edit_and_remove_and_the_audit_log_holds_only_ids() {
    let (_dir, vault) = vault();
    let entry = clinic();
    let id = add(&vault.coordinator().unwrap(), entry.clone()).unwrap();
    let stored = get(&vault, id).unwrap();
    assert_eq!(
        stored.languages,
        ["en", "es"],
        "tags lower-cased without repeats"
    );
    assert_eq!(stored.name, entry.name);
    assert!(stored.is_verified());

    let mut changed = stored.clone();
    changed.phone = Some("(608) 555-0100".into());
    changed.verified_on = None;
    edit(&vault.coordinator().unwrap(), changed).unwrap();
    let after = get(&vault, id).unwrap();
    assert_eq!(after.phone.as_deref(), Some("(608) 555-0100"));
    assert!(!after.is_verified(), "no verification date: unverified");

    remove(&vault.coordinator().unwrap(), id).unwrap();
    assert!(!list(&vault).unwrap().iter().any(|r| r.id == id));
    assert_eq!(
        get(&vault, id).unwrap().name,
        entry.name,
        "a removed entry stays readable"
    );
    assert!(matches!(
        remove(&vault.coordinator().unwrap(), id),
        Err(ReferralError::NotFound)
    ));
    assert!(matches!(
        add(&vault.coordinator().unwrap(), after),
        Err(ReferralError::Invalid { field: "id", .. })
    ));

    let params: Vec<String> = vault
        .conn()
        .prepare("SELECT action || ' ' || params FROM audit_log WHERE action LIKE 'referral.%' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(params.len(), 3, "{params:?}");
    for (line, action) in params
        .iter()
        .zip(["referral.add", "referral.edit", "referral.remove"])
    {
        assert!(line.starts_with(action), "{line}");
        assert!(line.contains(&id.to_string()), "{line}");
        assert!(!line.contains("Clinic") && !line.contains("555"), "{line}");
    }
}

#[test]
fn volunteers_read_and_search_but_cannot_change_the_directory() {
    let (dir, mut coordinator) = vault();
    let vol = volunteer(&dir, &mut coordinator);
    assert_eq!(list(&vol).unwrap().len(), BUILTIN.len());
    assert!(matches!(
        vol.coordinator()
            .map_err(Into::into)
            .and_then(|c| add(&c, clinic())),
        Err(ReferralError::Vault(VaultError::NotCoordinator))
    ));
    let builtin = get(&vol, BUILTIN[0]).unwrap();
    assert!(matches!(
        vol.coordinator()
            .map_err(Into::into)
            .and_then(|c| edit(&c, builtin)),
        Err(ReferralError::Vault(VaultError::NotCoordinator))
    ));
    assert!(matches!(
        vol.coordinator()
            .map_err(Into::into)
            .and_then(|c| remove(&c, BUILTIN[0])),
        Err(ReferralError::Vault(VaultError::NotCoordinator))
    ));
    let file = export_file(&vol).unwrap();
    assert!(matches!(
        vol.coordinator()
            .map_err(Into::into)
            .and_then(|c| import_file(&c, &file)),
        Err(ReferralError::Vault(VaultError::NotCoordinator))
    ));
}

#[test]
fn search_matches_english_spanish_and_kinds_without_regard_to_case_or_accents() {
    let (_dir, vault) = vault();
    let id = add(&vault.coordinator().unwrap(), clinic()).unwrap();
    let names = |q: &str, kinds: &[&str]| -> Vec<String> {
        let kinds: Vec<String> = kinds.iter().map(|k| (*k).to_owned()).collect();
        search(&vault, q, &kinds)
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect()
    };
    assert_eq!(
        names("DEPORTATION", &[]),
        ["Example Immigration Law Clinic"]
    );
    assert_eq!(
        names("deportacion gratuitas", &[]),
        ["Example Immigration Law Clinic"]
    );
    assert_eq!(
        names("detainee-locator", &[]),
        ["ICE Online Detainee Locator System"]
    );
    assert_eq!(names("localizar", &[]), Vec::<String>::new());
    assert_eq!(
        names("", &["legal-aid"]),
        [
            "EOIR List of Pro Bono Legal Service Providers",
            "Example Immigration Law Clinic"
        ]
    );
    assert_eq!(names("clinic", &["crisis"]), Vec::<String>::new());
    assert_eq!(names("", &[]).len(), BUILTIN.len() + 1);
    remove(&vault.coordinator().unwrap(), id).unwrap();
    assert!(
        names("clinic", &[]).is_empty(),
        "removed entries are not offered"
    );
}

/// A change that breaks one field.
type Spoil = Box<dyn Fn(&mut Referral)>;

#[test]
fn bad_fields_are_refused_with_the_field_named() {
    let (_dir, vault) = vault();
    let cases: Vec<(&str, Spoil)> = vec![
        ("name", Box::new(|r| r.name = "   ".into())),
        (
            "name",
            Box::new(|r| r.name = "x".repeat(NAME_MAX_BYTES + 1)),
        ),
        (
            "web",
            Box::new(|r| r.web = Some("clinic.example.org".into())),
        ),
        (
            "web",
            Box::new(|r| r.web = Some("javascript:alert(1)".into())),
        ),
        ("phone", Box::new(|r| r.phone = Some("call us".into()))),
        ("kinds", Box::new(|r| r.kinds = vec!["Legal Aid".into()])),
        ("kinds", Box::new(|r| r.kinds = vec!["-x".into()])),
        (
            "languages",
            Box::new(|r| r.languages = vec!["spanish".into()]),
        ),
        ("about_es", Box::new(|r| r.about_es = "a\u{7}b".into())),
        (
            "verified_on",
            Box::new(|r| r.verified_on = NaiveDate::from_ymd_opt(2999, 1, 1)),
        ),
        (
            "kinds",
            Box::new(|r| r.kinds = vec!["a".into(); MAX_TAGS + 1]),
        ),
    ];
    for (field, spoil) in cases {
        let mut r = clinic();
        spoil(&mut r);
        let err = add(&vault.coordinator().unwrap(), r).unwrap_err();
        let named = match &err {
            ReferralError::Invalid { field, .. }
            | ReferralError::TooLong { field, .. }
            | ReferralError::TooMany { field, .. } => *field,
            other => panic!("{field}: {other:?}"),
        };
        assert_eq!(named, field, "{err}");
        assert!(err.to_string().contains(field), "{err}");
    }
    assert_eq!(list(&vault).unwrap().len(), BUILTIN.len(), "nothing stored");
    assert!(matches!(
        parse_id("not-a-uuid"),
        Err(ReferralError::InvalidId)
    ));
    assert_eq!(parse_id(&format!(" {} ", BUILTIN[1])).unwrap(), BUILTIN[1]);
}

#[test]
fn export_then_import_on_another_laptop_keeps_every_id_and_merges_by_id() {
    let (_a, first) = vault();
    let id = add(&first.coordinator().unwrap(), clinic()).unwrap();
    let file = export_file(&first).unwrap();
    assert_eq!(parse_file(&file).unwrap(), list(&first).unwrap());

    let (_b, second) = vault();
    let report = import_file(&second.coordinator().unwrap(), &file).unwrap();
    assert_eq!(
        report,
        ImportReport {
            added: 1,
            updated: 0,
            unchanged: BUILTIN.len()
        }
    );
    assert_eq!(
        list(&second).unwrap(),
        list(&first).unwrap(),
        "same ids, same details"
    );

    // A changed entry replaces the one with its id; a removed one comes back.
    let mut changed = get(&first, id).unwrap();
    changed.hours = Some("Mon–Fri 9–5 (clinic's page)".into());
    edit(&first.coordinator().unwrap(), changed.clone()).unwrap();
    remove(&second.coordinator().unwrap(), BUILTIN[2]).unwrap();
    let report = import_file(
        &second.coordinator().unwrap(),
        &export_file(&first).unwrap(),
    )
    .unwrap();
    assert_eq!(
        report,
        ImportReport {
            added: 0,
            updated: 2,
            unchanged: 2
        }
    );
    assert_eq!(get(&second, id).unwrap(), changed);
    assert_eq!(list(&second).unwrap().len(), BUILTIN.len() + 1);
}

#[test]
fn a_bad_file_is_refused_whole_with_the_entry_and_field_named() {
    let (_dir, vault) = vault();
    let mut good = clinic();
    good.name = "Good".into();
    let mut bad = clinic();
    bad.web = Some("ftp://x".into());
    let text = file_text(vec![good, bad]);
    let err = import_file(&vault.coordinator().unwrap(), &text).unwrap_err();
    assert!(
        matches!(
            &err,
            ReferralError::InEntry { number: 2, total: 2, source }
                if matches!(**source, ReferralError::Invalid { field: "web", .. })
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("entry 2 of 2: invalid web"),
        "{err}"
    );
    assert_eq!(
        list(&vault).unwrap().len(),
        BUILTIN.len(),
        "nothing imported"
    );

    let twice = file_text(
        vec![clinic(), clinic()]
            .into_iter()
            .map(|mut r| {
                r.id = BUILTIN[0];
                r
            })
            .collect(),
    );
    assert!(matches!(
        import_file(&vault.coordinator().unwrap(), &twice),
        Err(ReferralError::DuplicateId { number: 2 })
    ));

    let unknown = text.replacen("\"name\"", "\"nmae\"", 1);
    let err = import_file(&vault.coordinator().unwrap(), &unknown).unwrap_err();
    assert!(
        matches!(&err, ReferralError::Json { path, .. } if path.starts_with("entries[0]")),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("nmae") || err.to_string().contains("unknown field"),
        "{err}"
    );

    let bad_id = file_text(vec![clinic()]).replacen(
        &format!("\"id\": \"{}", ""),
        "\"id\": \"Maria Lopez ",
        1,
    );
    let err = parse_file(&bad_id).unwrap_err();
    assert!(!err.to_string().contains("Maria"), "{err}");

    let other = r#"{"format": "hotline-pack", "version": 1, "entries": []}"#;
    assert!(matches!(parse_file(other), Err(ReferralError::WrongFormat)));
}

#[test]
fn a_call_names_directory_entries_and_an_unknown_id_is_refused_naming_the_field() {
    let (_dir, vault) = vault();
    let id = add(&vault.coordinator().unwrap(), clinic()).unwrap();
    let call = calls::create(&vault, a_call(vec![id.to_string(), BUILTIN[0].to_string()])).unwrap();
    assert_eq!(
        calls::get(&vault, call).unwrap().referrals,
        [id.to_string(), BUILTIN[0].to_string()]
    );

    for unknown in [
        "ice-detainee-locator",
        "6c5e1d2b-0000-4000-8000-000000000000",
    ] {
        let err = calls::create(&vault, a_call(vec![BUILTIN[1].to_string(), unknown.into()]))
            .unwrap_err();
        assert!(
            matches!(&err, CallError::UnknownReferral { number: 2, id } if id == unknown),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with(&format!("invalid referrals: entry 2 ({unknown})")),
            "{err}"
        );
    }
    let upper = BUILTIN[1].to_string().to_uppercase();
    assert!(
        calls::create(&vault, a_call(vec![upper])).is_err(),
        "ids are stored in one spelling"
    );

    // An entry removed after it was attached stays on the call; it cannot be
    // attached anew.
    remove(&vault.coordinator().unwrap(), id).unwrap();
    let update = CallUpdate {
        notes: Some("edited".into()),
        ..CallUpdate::default()
    };
    calls::update(&vault, call, update).unwrap();
    assert_eq!(calls::get(&vault, call).unwrap().referrals.len(), 2);
    let err = calls::create(&vault, a_call(vec![id.to_string()])).unwrap_err();
    assert!(
        matches!(err, CallError::UnknownReferral { number: 1, .. }),
        "{err:?}"
    );
    let add_new = CallUpdate {
        referrals: Some(vec![BUILTIN[0].to_string(), "nope".into()]),
        ..CallUpdate::default()
    };
    assert!(matches!(
        calls::update(&vault, call, add_new),
        Err(CallError::UnknownReferral { number: 2, .. })
    ));
}

#[test]
fn the_documented_schema_is_the_generated_one() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/referrals.schema.json");
    let documented = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        documented == file_schema_text(),
        "docs/referrals.schema.json is out of date: regenerate it with `hotline referral schema > docs/referrals.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&documented).unwrap();
    let entry = &schema["$defs"]["FileEntry"]["properties"];
    for field in [
        "id",
        "name",
        "about_en",
        "about_es",
        "languages",
        "hours",
        "phone",
        "web",
        "area",
        "kinds",
        "source",
        "verified_on",
    ] {
        assert!(entry.get(field).is_some(), "{field} not in the schema");
    }
}
