//! Tests of pack reading and validation: one small failing fixture per rule,
//! hostile inputs, the built-in pack, and the player.

use super::*;
use crate::codes::{Agency, CallFields, Category, Verification};

/// A minimal valid pack; each case below changes one thing in it.
pub(super) const BASE: &str = r#"[pack]
id = "t"
title = { en = "T", es = "T" }
jurisdiction = "Test"
version = "1"
languages = ["en", "es"]
reviewed_on = 2026-01-01
reviewer = "Tester"

[[source]]
id = "art"
kind = "seed_article"
title = "A"
publisher = "P"
date = "2019-06"
paragraphs = 12

[[flow]]
id = "f"
title = { en = "F", es = "F" }
entry = "start"

[[node]]
id = "start"
kind = "question"
text = { en = "Q?", es = "¿Q?" }

[[node.option]]
label = { en = "Yes", es = "Sí" }
next = "tell"
set = { agency = "ice_ero" }

[[node]]
id = "tell"
kind = "say"
text = { en = "Say", es = "Diga" }
cites = ["art:3"]
resources = []
next = "done"

[[node]]
id = "done"
kind = "end"
text = { en = "End", es = "Fin" }
"#;

/// A resource and a card, appended to [`BASE`] by the cases that need them.
const RESOURCE: &str = r#"
[[resource]]
id = "locator"
name = { en = "Locator", es = "Localizador" }
description = { en = "Finds people", es = "Encuentra personas" }
url = "https://example.org"
languages = ["en"]
hours = { en = "Any time", es = "Siempre" }
"#;

const GLANCE: &str = r#"
[glance]
title = { en = "Card", es = "Tarjeta" }
local = { en = "Police", es = "Policía" }
ice = { en = "ICE", es = "ICE" }

[[glance.row]]
id = "who"
label = { en = "Who", es = "Quién" }
local = { en = "City", es = "Ciudad" }
ice = { en = "Federal", es = "Federal" }
cites = ["art:1"]
"#;

/// 1-based line of the first occurrence of `needle` in `src`.
fn line_of(src: &str, needle: &str) -> usize {
    let at = src
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in fixture"));
    src[..at].matches('\n').count() + 1
}

/// Problems found in `src`, as (kind, line, item id), sorted.
fn problems(src: &str) -> Vec<(IssueKind, usize, Option<String>)> {
    let issues = match check_source(src, "t.toml") {
        Ok(pack) => pack.warnings().to_vec(),
        Err(errors) => errors.0,
    };
    for issue in &issues {
        assert_eq!(issue.file, "t.toml");
    }
    let mut found: Vec<_> = issues
        .into_iter()
        .map(|i| (i.kind, i.line, i.item.map(|it| it.id)))
        .collect();
    found.sort_by_key(|(kind, line, id)| (*line, format!("{kind:?}"), id.clone()));
    found
}

/// One rule, one fixture: replace `from` with `to` in the base pack (plus
/// `extra` at the end) and expect exactly these problems, each located by a
/// text in the fixture that is on the expected line.
struct Case {
    name: &'static str,
    from: &'static str,
    to: &'static str,
    extra: &'static str,
    expect: &'static [(IssueKind, &'static str, Option<&'static str>)],
}

fn run(case: &Case) {
    assert!(
        BASE.contains(case.from),
        "{}: {:?} not in BASE",
        case.name,
        case.from
    );
    let src = BASE.replacen(case.from, case.to, 1) + case.extra;
    let mut expected: Vec<_> = case
        .expect
        .iter()
        .map(|(kind, needle, id)| (*kind, line_of(&src, needle), id.map(str::to_owned)))
        .collect();
    expected.sort_by_key(|(kind, line, id)| (*line, format!("{kind:?}"), id.clone()));
    assert_eq!(problems(&src), expected, "case `{}`:\n{src}", case.name);
}

use IssueKind::*;

const CASES: &[Case] = &[
    Case {
        name: "the base pack is valid",
        from: "",
        to: "",
        extra: "",
        expect: &[],
    },
    Case {
        name: "base with a resource and a card is valid",
        from: "",
        to: "",
        extra: RESOURCE,
        expect: &[],
    },
    Case {
        name: "duplicate node id",
        from: "",
        to: "",
        extra: "\n[[node]]\nid = \"done\" # again\nkind = \"end\"\ntext = { en = \"E\", es = \"F\" }\n",
        expect: &[(DuplicateId, "id = \"done\" # again", Some("done"))],
    },
    Case {
        name: "duplicate flow id",
        from: "",
        to: "",
        extra: "\n[[flow]]\nid = \"f\" # again\ntitle = { en = \"F\", es = \"F\" }\nentry = \"start\"\n",
        expect: &[(DuplicateId, "id = \"f\" # again", Some("f"))],
    },
    Case {
        name: "next leads to a missing node",
        from: "next = \"done\"",
        to: "next = \"gone\"",
        extra: "",
        expect: &[
            (MissingTarget, "next = \"gone\"", Some("tell")),
            (Unreachable, "id = \"done\"", Some("done")),
        ],
    },
    Case {
        name: "option leads to a missing node",
        from: "next = \"tell\"",
        to: "next = \"tel\"",
        extra: "",
        expect: &[
            (MissingTarget, "next = \"tel\"", Some("start")),
            (Unreachable, "id = \"tell\"", Some("tell")),
            (Unreachable, "id = \"done\"", Some("done")),
        ],
    },
    Case {
        name: "node points to a missing resource",
        from: "resources = []",
        to: "resources = [\"nope\"]",
        extra: "",
        expect: &[(MissingTarget, "resources = [\"nope\"]", Some("tell"))],
    },
    Case {
        name: "flow entry is missing",
        from: "entry = \"start\"",
        to: "entry = \"begin\"",
        extra: "",
        expect: &[
            (MissingTarget, "entry = \"begin\"", Some("f")),
            (Unreachable, "id = \"start\"", Some("start")),
            (Unreachable, "id = \"tell\"", Some("tell")),
            (Unreachable, "id = \"done\"", Some("done")),
        ],
    },
    Case {
        name: "node that no flow reaches",
        from: "",
        to: "",
        extra: "\n[[node]]\nid = \"orphan\"\nkind = \"end\"\ntext = { en = \"E\", es = \"F\" }\n",
        expect: &[(Unreachable, "id = \"orphan\"", Some("orphan"))],
    },
    Case {
        name: "say node without next is a dead end",
        from: "next = \"done\"",
        to: "",
        extra: "",
        expect: &[
            (DeadEnd, "id = \"tell\"", Some("tell")),
            (Unreachable, "id = \"done\"", Some("done")),
        ],
    },
    Case {
        name: "question without options is a dead end",
        from: "[[node.option]]\nlabel = { en = \"Yes\", es = \"Sí\" }\nnext = \"tell\"\nset = { agency = \"ice_ero\" }\n",
        to: "",
        extra: "",
        expect: &[
            (DeadEnd, "id = \"start\"", Some("start")),
            (Unreachable, "id = \"tell\"", Some("tell")),
            (Unreachable, "id = \"done\"", Some("done")),
        ],
    },
    Case {
        name: "a loop that never reaches an end",
        from: "next = \"done\"",
        to: "next = \"start\"",
        extra: "",
        expect: &[
            (DeadEnd, "id = \"start\"", Some("start")),
            (DeadEnd, "id = \"tell\"", Some("tell")),
            (Unreachable, "id = \"done\"", Some("done")),
        ],
    },
    Case {
        name: "end node with next",
        from: "kind = \"end\"",
        to: "kind = \"end\"\nnext = \"start\"",
        extra: "",
        expect: &[(Structure, "id = \"done\"", Some("done"))],
    },
    Case {
        name: "missing Spanish text",
        from: "text = { en = \"Say\", es = \"Diga\" }",
        to: "text = { en = \"Say\" }",
        extra: "",
        expect: &[(Language, "text = { en = \"Say\" }", Some("tell"))],
    },
    Case {
        name: "empty Spanish text",
        from: "text = { en = \"Say\", es = \"Diga\" }",
        to: "text = { en = \"Say\",\n  es = \" \" }",
        extra: "",
        expect: &[(Language, "es = \" \"", Some("tell"))],
    },
    Case {
        name: "text in an undeclared language",
        from: "text = { en = \"Say\", es = \"Diga\" }",
        to: "text.en = \"Say\"\ntext.es = \"Diga\"\ntext.fr = \"Dites\"",
        extra: "",
        expect: &[(Language, "text.fr", Some("tell"))],
    },
    Case {
        name: "option label missing a language",
        from: "label = { en = \"Yes\", es = \"Sí\" }",
        to: "label = { en = \"Yes\" }",
        extra: "",
        expect: &[(Language, "label = { en = \"Yes\" }", Some("start"))],
    },
    Case {
        name: "say node without a citation",
        from: "cites = [\"art:3\"]",
        to: "cites = []",
        extra: "",
        expect: &[(MissingCitation, "id = \"tell\"", Some("tell"))],
    },
    Case {
        name: "citation of an undeclared source",
        from: "cites = [\"art:3\"]",
        to: "cites = [\"news\"]",
        extra: "",
        expect: &[(UnknownSource, "cites = [\"news\"]", Some("tell"))],
    },
    Case {
        name: "article paragraph out of range",
        from: "cites = [\"art:3\"]",
        to: "cites = [\"art:12-13\"]",
        extra: "",
        expect: &[(Paragraph, "cites = [\"art:12-13\"]", Some("tell"))],
    },
    Case {
        name: "article cited without paragraph numbers",
        from: "cites = [\"art:3\"]",
        to: "cites = [\"art\"]",
        extra: "",
        expect: &[(Paragraph, "cites = [\"art\"]", Some("tell"))],
    },
    Case {
        name: "malformed citation",
        from: "cites = [\"art:3\"]",
        to: "cites = [\"art:three\"]",
        extra: "",
        expect: &[
            (BadValue, "cites = [\"art:three\"]", Some("tell")),
            (MissingCitation, "id = \"tell\"", Some("tell")),
        ],
    },
    Case {
        name: "seed article without a paragraph count",
        from: "paragraphs = 12",
        to: "",
        extra: "",
        expect: &[(Missing, "id = \"art\"", Some("art"))],
    },
    Case {
        name: "reviewed_on in the future",
        from: "reviewed_on = 2026-01-01",
        to: "reviewed_on = 2999-01-01",
        extra: "",
        expect: &[(ReviewDate, "reviewed_on", None)],
    },
    Case {
        name: "reviewed_on missing",
        from: "reviewed_on = 2026-01-01\n",
        to: "",
        extra: "",
        expect: &[(ReviewDate, "[pack]", None)],
    },
    Case {
        name: "reviewed_on not a full date",
        from: "reviewed_on = 2026-01-01",
        to: "reviewed_on = \"2026-01\"",
        extra: "",
        expect: &[(ReviewDate, "reviewed_on", None)],
    },
    Case {
        name: "volatile fact without a date",
        from: "cites = [\"art:3\"]",
        to: "cites = [\"art:3\"]\nvolatile = true",
        extra: "",
        expect: &[(VolatileDate, "volatile = true", Some("tell"))],
    },
    Case {
        name: "volatile fact dated in the future",
        from: "cites = [\"art:3\"]",
        to: "cites = [\"art:3\"]\nvolatile = true\nas_of = \"2999-01\"",
        extra: "",
        expect: &[(VolatileDate, "volatile = true", Some("tell"))],
    },
    Case {
        name: "unknown agency code",
        from: "set = { agency = \"ice_ero\" }",
        to: "set = { agency = \"ice\" }",
        extra: "",
        expect: &[(UnknownCode, "set = { agency = \"ice\" }", Some("start"))],
    },
    Case {
        name: "unknown category and verification codes",
        from: "set = { agency = \"ice_ero\" }",
        to: "set.category = \"raid\"\nset.verification = \"maybe\"",
        extra: "",
        expect: &[
            (UnknownCode, "set.category", Some("start")),
            (UnknownCode, "set.verification", Some("start")),
        ],
    },
    Case {
        name: "malformed id",
        from: "id = \"done\"",
        to: "id = \"done!\"",
        extra: "",
        expect: &[
            (BadValue, "id = \"done!\"", Some("done!")),
            (MissingTarget, "next = \"done\"", Some("tell")),
            (Unreachable, "id = \"done!\"", Some("done!")),
        ],
    },
    Case {
        name: "resource with no way to reach it",
        from: "",
        to: "",
        extra: "\n[[resource]]\nid = \"office\"\nname = { en = \"O\", es = \"O\" }\ndescription = { en = \"D\", es = \"D\" }\nlanguages = [\"en\"]\nhours = { en = \"H\", es = \"H\" }\n",
        expect: &[(Missing, "id = \"office\"", Some("office"))],
    },
    Case {
        name: "card row without a citation",
        from: "",
        to: "",
        extra: "\n[glance]\ntitle = { en = \"C\", es = \"C\" }\nlocal = { en = \"L\", es = \"L\" }\nice = { en = \"I\", es = \"I\" }\n\n[[glance.row]]\nid = \"who\"\nlabel = { en = \"W\", es = \"Q\" }\nlocal = { en = \"L\", es = \"L\" }\nice = { en = \"I\", es = \"I\" }\n",
        expect: &[(MissingCitation, "id = \"who\"", Some("who"))],
    },
    // --- Content rules: warnings for an imported pack (this one), errors for the built-in pack.
    Case {
        name: "a spoken line after two steps is in time",
        from: "next = \"tell\"\nset",
        to: "next = \"bg\"\nset",
        extra: "\n[[node]]\nid = \"bg\"\nkind = \"advice\"\ntext = { en = \"B\", es = \"B\" }\ncites = [\"art:2\"]\nnext = \"tell\"\n",
        expect: &[],
    },
    Case {
        name: "a spoken line after three steps is late",
        from: "next = \"tell\"\nset",
        to: "next = \"bg\"\nset",
        extra: "\n[[node]]\nid = \"bg\"\nkind = \"advice\"\ntext = { en = \"B\", es = \"B\" }\ncites = [\"art:2\"]\nnext = \"bg2\"\n\n[[node]]\nid = \"bg2\"\nkind = \"action\"\ntext = { en = \"B\", es = \"B\" }\nnext = \"tell\"\n",
        expect: &[(SpokenLineLate, "id = \"f\"", Some("f"))],
    },
    Case {
        name: "a flow that ends before any spoken line",
        from: "",
        to: "",
        extra: "\n[[flow]]\nid = \"g\"\ntitle = { en = \"G\", es = \"G\" }\nentry = \"done\"\n",
        expect: &[(SpokenLineLate, "id = \"g\"", Some("g"))],
    },
    Case {
        name: "a right-now flow that opens with the words to say",
        from: "",
        to: "",
        extra: "\n[[flow]]\nid = \"now\"\ntitle = { en = \"N\", es = \"N\" }\nentry = \"tell\"\nurgent = true\n",
        expect: &[],
    },
    Case {
        name: "a right-now flow that opens with a question",
        from: "",
        to: "",
        extra: "\n[[flow]]\nid = \"now\"\ntitle = { en = \"N\", es = \"N\" }\nentry = \"start\"\nurgent = true\n",
        expect: &[(SpokenLineLate, "id = \"now\"", Some("now"))],
    },
    Case {
        name: "a loop with a way out is still a loop",
        from: "set = { agency = \"ice_ero\" }\n",
        to: "set = { agency = \"ice_ero\" }\n\n[[node.option]]\nlabel = { en = \"Again\", es = \"Otra vez\" }\nnext = \"again\"\n",
        extra: "\n[[node]]\nid = \"again\"\nkind = \"say\"\ntext = { en = \"Read it again\", es = \"Léalo otra vez\" }\ncites = [\"art:1\"]\nnext = \"start\"\n",
        expect: &[
            (Loop, "id = \"start\"", Some("start")),
            (Loop, "id = \"again\"", Some("again")),
        ],
    },
    Case {
        name: "a volatile fact six months old is current",
        from: "resources = []",
        to: "volatile = true\nas_of = \"2025-07\"\nresources = []",
        extra: "",
        expect: &[],
    },
    Case {
        name: "a volatile fact more than six months older than the review is stale",
        from: "resources = []",
        to: "volatile = true\nas_of = 2025-06-30\nresources = []",
        extra: "",
        expect: &[(StaleFact, "volatile = true", Some("tell"))],
    },
    Case {
        name: "a volatile fact resting only on an undated guide",
        from: "cites = [\"art:3\"]\nresources",
        to: "cites = [\"guides\"]\nvolatile = true\nas_of = \"2025-12\"\nresources",
        extra: "\n[[source]]\nid = \"guides\"\nkind = \"guide\"\ntitle = \"G\"\npublisher = \"P\"\n",
        expect: &[(UndatedSource, "volatile = true", Some("tell"))],
    },
    Case {
        name: "a volatile fact resting on a dated guide is still not checkable",
        from: "cites = [\"art:3\"]\nresources",
        to: "cites = [\"guides\"]\nvolatile = true\nas_of = \"2025-12\"\nresources",
        extra: "\n[[source]]\nid = \"guides\"\nkind = \"guide\"\ntitle = \"G\"\npublisher = \"P\"\ndate = \"2025\"\n",
        expect: &[(UndatedSource, "volatile = true", Some("tell"))],
    },
    Case {
        name: "a volatile fact resting on a dated news report",
        from: "cites = [\"art:3\"]\nresources",
        to: "cites = [\"report\"]\nvolatile = true\nas_of = \"2025-12\"\nresources",
        extra: "\n[[source]]\nid = \"report\"\nkind = \"news\"\ntitle = \"R\"\npublisher = \"P\"\ndate = 2025-12-03\n",
        expect: &[],
    },
    // --- Referral kinds and legal standing (always errors).
    Case {
        name: "known referral kinds",
        from: "resources = []",
        to: "resources = []\nrefer = [\"legal-aid\", \"crisis\"]",
        extra: "",
        expect: &[],
    },
    Case {
        name: "an unknown referral kind",
        from: "resources = []",
        to: "resources = []\nrefer = [\"legal-aid\", \"lawyers\"]",
        extra: "",
        expect: &[(UnknownReferral, "refer = ", Some("tell"))],
    },
    Case {
        name: "a referral kind listed twice",
        from: "resources = []",
        to: "resources = []\nrefer = [\"crisis\", \"crisis\"]",
        extra: "",
        expect: &[(UnknownReferral, "refer = ", Some("tell"))],
    },
    Case {
        name: "an approval by counsel with its day and organisation",
        from: "\n[[source]]\nid = \"art\"",
        to: "\n[pack.counsel]\napproved = true\napproved_on = 2025-12-15\norganisation = \"Example Legal Aid\"\n\n[[source]]\nid = \"art\"",
        extra: "",
        expect: &[],
    },
    Case {
        name: "an approval by counsel without its day or organisation",
        from: "\n[[source]]\nid = \"art\"",
        to: "\n[pack.counsel]\napproved = true\n\n[[source]]\nid = \"art\"",
        extra: "",
        expect: &[
            (Counsel, "[pack.counsel]", None),
            (Counsel, "[pack.counsel]", None),
        ],
    },
    Case {
        name: "a day of approval without an approval",
        from: "\n[[source]]\nid = \"art\"",
        to: "\n[pack.counsel]\napproved = false\napproved_on = 2025-12-15\n\n[[source]]\nid = \"art\"",
        extra: "",
        expect: &[(Counsel, "[pack.counsel]", None)],
    },
    Case {
        name: "an alert text with an unknown placeholder and no expiry",
        from: "",
        to: "",
        extra: "\n[alert]\ntext.en = \"{agency} in {area} at {time} until {expires}\"\ntext.es = \"{agencia} en {area} a las {time}\"\n",
        expect: &[(BadValue, "text.es", None), (BadValue, "text.es", None)],
    },
    Case {
        name: "an alert text missing a language",
        from: "",
        to: "",
        extra: "\n[alert]\ntext.en = \"In {area} at {time} until {expires}\"\n",
        expect: &[(Language, "text.en", None)],
    },
    Case {
        name: "an alert that expires after too many hours",
        from: "",
        to: "",
        extra: "\n[alert]\nexpires_after_hours = 48\ntext.en = \"In {area} at {time} until {expires}\"\ntext.es = \"En {area} a las {time} hasta {expires}\"\n",
        expect: &[(BadValue, "expires_after_hours", None)],
    },
];

#[test]
fn an_alert_table_gives_the_alert_template() {
    let src = BASE.to_owned()
        + "\n[alert]\nexpires_after_hours = 2\ntext.en = \"In {area} at {time} until {expires}\"\ntext.es = \"En {area} a las {time} hasta {expires}\"\n";
    let pack = check_source(&src, "t.toml").unwrap();
    let template = crate::calls::AlertTemplate::of_pack(&pack);
    assert_eq!(template.en, "In {area} at {time} until {expires}");
    assert_eq!(template.es, "En {area} a las {time} hasta {expires}");
    assert_eq!(template.hours, 2);
    let plain = Pack::parse(BASE, "t.toml").unwrap();
    assert_eq!(
        crate::calls::AlertTemplate::of_pack(&plain),
        crate::calls::AlertTemplate::builtin()
    );
}

#[test]
fn the_builtin_pack_has_an_alert_table() {
    let alert = Pack::builtin().alert().expect("an [alert] table");
    assert_eq!(alert.expires_after_hours, 3);
    for lang in ["en", "es"] {
        let text = alert.text.get(lang).expect("both languages");
        assert!(alert_template_problems(text).is_empty(), "{text}");
    }
}

#[test]
fn each_rule_reports_its_problem_and_line() {
    for case in CASES {
        run(case);
    }
}

#[test]
fn the_fixtures_for_resources_and_cards_are_valid() {
    assert_eq!(problems(&(BASE.to_owned() + RESOURCE + GLANCE)), []);
}

#[test]
fn validate_uses_the_given_day() {
    let pack = Pack::parse(BASE, "t.toml").unwrap();
    let before = PackDate::ymd(2025, 12, 31).unwrap();
    let issues = validate_as_of(&pack, before);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].kind, ReviewDate);
    assert!(validate_as_of(&pack, PackDate::ymd(2026, 1, 1).unwrap()).is_empty());
}

#[test]
fn all_problems_are_reported_not_just_the_first() {
    let src = BASE
        .replacen("next = \"done\"", "next = \"gone\"", 1)
        .replacen(
            "text = { en = \"Q?\", es = \"¿Q?\" }",
            "text = { en = \"Q?\" }",
            1,
        )
        .replacen("reviewed_on = 2026-01-01", "reviewed_on = 2999-01-01", 1);
    let kinds: Vec<IssueKind> = problems(&src).into_iter().map(|(k, _, _)| k).collect();
    assert_eq!(kinds, [ReviewDate, Language, MissingTarget, Unreachable]);
}

#[test]
fn issue_text_names_file_line_and_node() {
    let src = BASE.replacen("next = \"done\"", "next = \"gone\"", 1);
    let errors = check_source(&src, "bad.toml").unwrap_err();
    let first = errors.issues()[0].to_string();
    let line = line_of(&src, "next = \"gone\"");
    assert_eq!(
        first,
        format!("bad.toml:{line}: node \"tell\": `next` leads to \"gone\", which is not a node")
    );
    assert_eq!(errors.issues()[0].node_id(), Some("tell"));
}

// --- Files that are not packs ------------------------------------------------

/// Parse errors: (kind, line, item id).
fn parse_problems(src: &str) -> Vec<(IssueKind, usize, Option<String>)> {
    match Pack::parse(src, "t.toml") {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .0
            .into_iter()
            .map(|i| (i.kind, i.line, i.item.map(|it| it.id)))
            .collect(),
    }
}

#[test]
fn toml_syntax_errors_have_a_line_and_the_node() {
    let src = BASE.replacen("kind = \"say\"", "kind = say", 1);
    assert_eq!(
        parse_problems(&src),
        [(Syntax, line_of(&src, "kind = say"), Some("tell".to_owned()))]
    );
}

#[test]
fn every_syntax_error_is_listed() {
    let src = BASE.replacen("kind = \"say\"", "kind = say", 1).replacen(
        "kind = \"end\"",
        "kind = end",
        1,
    );
    let lines: Vec<usize> = parse_problems(&src)
        .into_iter()
        .map(|(_, l, _)| l)
        .collect();
    assert_eq!(
        lines,
        [line_of(&src, "kind = say"), line_of(&src, "kind = end")]
    );
}

#[test]
fn misspelt_fields_are_named_with_their_line() {
    let src = BASE.replacen("text = { en = \"Say\"", "txt = { en = \"Say\"", 1);
    let errors = Pack::parse(&src, "t.toml").unwrap_err();
    let issue = &errors.issues()[0];
    assert_eq!(issue.kind, Syntax);
    assert_eq!(issue.line, line_of(&src, "txt ="));
    assert_eq!(issue.node_id(), Some("tell"));
    assert!(
        issue.message.contains("unknown field `txt`"),
        "{}",
        issue.message
    );
}

#[test]
fn unknown_node_kinds_are_syntax_errors() {
    let src = BASE.replacen("kind = \"say\"", "kind = \"sya\"", 1);
    let problems = parse_problems(&src);
    assert_eq!(
        problems,
        [(
            Syntax,
            line_of(&src, "kind = \"sya\""),
            Some("tell".to_owned())
        )]
    );
}

#[test]
fn a_plain_string_where_texts_per_language_are_expected_gets_a_hint() {
    let src = BASE.replacen(
        "text = { en = \"Say\", es = \"Diga\" }",
        "text = \"Say\"",
        1,
    );
    let errors = Pack::parse(&src, "t.toml").unwrap_err();
    assert!(errors.issues()[0].message.contains("text.en"), "{errors}");
}

#[test]
fn hostile_inputs_give_errors_with_lines_never_panics() {
    let mut garbage = String::new();
    let mut x: u32 = 12345;
    for _ in 0..20_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        garbage.push(char::from_u32((x >> 16) % 0x800).unwrap_or('?'));
    }
    let inputs: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("whitespace", " \n\n\t\n".to_owned()),
        ("garbage", garbage),
        ("nul bytes", "\0\0\0[pack]\0".to_owned()),
        ("deep arrays", format!("x = {}", "[".repeat(100_000))),
        ("deep tables", format!("x = {}", "{a=".repeat(100_000))),
        ("deep dotted key", format!("a{} = 1", ".a".repeat(100_000))),
        ("huge key", format!("{} = 1", "k".repeat(1_000_000))),
        (
            "unclosed string",
            "[pack]\nid = \"".to_owned() + &"x".repeat(100_000),
        ),
        ("many headers", "[[node]]\n".repeat(20_000)),
        ("wrong type for pack", "pack = 3".to_owned()),
        ("array of packs", "[[pack]]\nid = \"x\"".to_owned()),
    ];
    for (name, src) in inputs {
        let errors = Pack::parse(&src, "t.toml").expect_err(name);
        assert!(!errors.issues().is_empty(), "{name}");
        let last_line = src.matches('\n').count() + 1;
        for issue in errors.issues() {
            assert!((1..=last_line).contains(&issue.line), "{name}: {issue}");
        }
        assert!(
            errors.issues().len() <= 51,
            "{name}: {} issues",
            errors.issues().len()
        );
        assert!(check_source(&src, "t.toml").is_err(), "{name}");
    }
}

#[test]
fn huge_strings_in_a_valid_pack_are_fine() {
    let long = "a".repeat(5_000_000);
    let src = BASE.replacen("es = \"Diga\"", &format!("es = \"{long}\""), 1);
    let pack = check_source(&src, "t.toml").unwrap();
    assert_eq!(
        pack.node("tell").unwrap().text.get("es").map(str::len),
        Some(5_000_000)
    );
}

#[test]
fn empty_file_is_missing_the_pack_table_on_line_one() {
    assert_eq!(parse_problems(""), [(Syntax, 1, None)]);
}

#[test]
fn validate_file_reads_checks_and_refuses_non_packs() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, BASE).unwrap();
    assert_eq!(validate_file(&good).unwrap().meta().id, "t");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, BASE.replacen("next = \"done\"", "next = \"gone\"", 1)).unwrap();
    let errors = validate_file(&bad).unwrap_err();
    assert!(errors.issues()[0].file.ends_with("bad.toml"));
    assert_eq!(errors.issues()[0].kind, MissingTarget);

    let binary = dir.path().join("binary.toml");
    std::fs::write(&binary, b"[pack]\nid = \"x\"\n\xff\xfe\x00garbage").unwrap();
    let errors = validate_file(&binary).unwrap_err();
    assert_eq!(
        (errors.issues()[0].kind, errors.issues()[0].line),
        (File, 3)
    );

    let huge = dir.path().join("huge.toml");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(MAX_PACK_BYTES + 1).unwrap();
    assert_eq!(validate_file(&huge).unwrap_err().issues()[0].kind, File);

    let missing = dir.path().join("missing.toml");
    assert_eq!(validate_file(&missing).unwrap_err().issues()[0].kind, File);
}

// --- The built-in pack -------------------------------------------------------

pub(super) const SEED_ARTICLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/seed/000_d0cc9b5dd79618e7.txt"
);

/// The seed article's paragraphs, split as the pack format counts them.
pub(super) fn seed_paragraphs() -> Vec<String> {
    let text =
        std::fs::read_to_string(SEED_ARTICLE).expect("the seed article beside the repository");
    super::split_paragraphs(&text)
}

/// Every citation in a pack, with where it is.
fn all_citations(pack: &Pack) -> Vec<(&str, &Citation)> {
    let nodes = pack
        .nodes()
        .iter()
        .flat_map(|n| n.evidence.cites.iter().map(move |c| (n.id.as_str(), c)));
    let rows = pack
        .glance()
        .into_iter()
        .flat_map(|g| g.rows.iter())
        .flat_map(|r| r.evidence.cites.iter().map(move |c| (r.id.as_str(), c)));
    let resources = pack
        .resources()
        .iter()
        .flat_map(|r| r.cites.iter().map(move |c| (r.id.as_str(), c)));
    nodes.chain(rows).chain(resources).collect()
}

/// Every text of every node, option, card row and resource in `lang`.
fn all_texts<'a>(pack: &'a Pack, lang: &'a str) -> Vec<&'a str> {
    let mut texts: Vec<&Text> = Vec::new();
    for node in pack.nodes() {
        texts.push(&node.text);
        texts.extend(node.options.iter().map(|o| &o.label));
    }
    if let Some(glance) = pack.glance() {
        for row in &glance.rows {
            texts.extend([&row.label, &row.local, &row.ice]);
        }
    }
    for resource in pack.resources() {
        texts.extend([&resource.name, &resource.description, &resource.hours]);
    }
    texts.iter().filter_map(|t| t.get(lang)).collect()
}

#[test]
fn builtin_pack_passes_validation() {
    if let Err(errors) = check_source(BUILTIN_SOURCE, BUILTIN_FILE_NAME) {
        panic!("the built-in pack has problems:\n{errors}");
    }
    let pack = Pack::builtin();
    assert_eq!(pack.meta().id, "madison-dane");
    assert_eq!(pack.meta().languages, ["en", "es"]);
    assert!(validate(pack).is_empty());
}

#[test]
fn builtin_pack_has_the_required_flows_and_card() {
    let pack = Pack::builtin();
    for flow in [
        "who-is-there",
        "warrant",
        "arrested-local",
        "verify",
        "bystanders",
        "mpd-and-ice",
        "traffic-stop",
        "rumour",
        "door-now",
        "agents-now",
        "detained",
        "workplace",
        "places",
        "hearing",
        "car-stop",
        "crisis",
        "minor",
        "preparedness",
        "victim",
        "lawyer",
        "bond",
        "verifier-safety",
    ] {
        assert!(pack.flow(flow).is_some(), "missing flow {flow}");
    }
    let rows: Vec<&str> = pack
        .glance()
        .unwrap()
        .rows
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    for row in [
        "who",
        "enforce",
        "warrants",
        "home",
        "rights",
        "jail",
        "cooperation",
    ] {
        assert!(rows.contains(&row), "missing card row {row}");
    }
    assert!(pack.resource("ice-detainee-locator").is_some());
    assert!(pack.resource("eoir-case-info").is_some());
}

#[test]
fn builtin_article_citations_resolve_to_real_paragraphs() {
    let paragraphs = seed_paragraphs();
    let pack = Pack::builtin();
    let article = pack.source("article").unwrap();
    assert_eq!(article.kind, SourceKind::SeedArticle);
    assert_eq!(article.paragraphs, u32::try_from(paragraphs.len()).ok());
    let mut cited = 0;
    for (id, citation) in all_citations(pack) {
        let resolved = pack
            .resolve(citation)
            .unwrap_or_else(|| panic!("{id}: unresolved"));
        if resolved.source.kind != SourceKind::SeedArticle {
            assert!(resolved.paragraphs.is_empty(), "{id}");
            continue;
        }
        assert!(
            !resolved.paragraphs.is_empty(),
            "{id}: article cited without paragraphs"
        );
        for &p in resolved.paragraphs {
            let index = usize::try_from(p).unwrap();
            assert!(
                (1..=paragraphs.len()).contains(&index),
                "{id}: paragraph {p}"
            );
            cited += 1;
        }
    }
    assert!(cited >= 20, "only {cited} article paragraph citations");
}

#[test]
fn builtin_pack_uses_its_own_words() {
    let normalize = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric() && c != '\'')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let article: Vec<String> = seed_paragraphs()
        .iter()
        .flat_map(|p| normalize(p))
        .collect();
    const RUN: usize = 5;
    let phrases: std::collections::HashSet<&[String]> = article.windows(RUN).collect();
    for text in all_texts(Pack::builtin(), "en") {
        let words = normalize(text);
        for window in words.windows(RUN) {
            assert!(
                !phrases.contains(window),
                "copies the article: {:?} in {text:?}",
                window.join(" ")
            );
        }
    }
}

#[test]
fn builtin_volatile_facts_are_dated() {
    let pack = Pack::builtin();
    // How things stand now: ICE arrests in the Madison area (July 2026) and
    // fast-track removal across the country (June 2026).
    for (id, as_of) in [
        ("mpd_recent", PackDate::ymd(2026, 7, 2)),
        ("det_fast_track", PackDate::ymd(2026, 6, 23)),
    ] {
        let node = pack.node(id).unwrap();
        assert!(node.evidence.volatile, "{id}");
        assert_eq!(node.evidence.as_of, as_of, "{id}");
    }
    let row = pack
        .glance()
        .unwrap()
        .rows
        .iter()
        .find(|r| r.id == "cooperation");
    assert!(row.is_some_and(|r| r.evidence.volatile && r.evidence.as_of.is_some()));
    // Facts that could not be confirmed as current are written as dated
    // events, with the date in the sentence in both languages.
    for (id, en, es) in [
        ("warrant_memo", "May 2025", "mayo de 2025"),
        ("verify_courthouse", "January 2025", "enero de 2025"),
        ("arrest_detainer", "December 2025", "diciembre de 2025"),
        ("arrest_sheriff", "March 2026", "marzo de 2026"),
        ("mpd_limits", "January 2017", "enero de 2017"),
        ("bond_facts", "September 2025", "septiembre de 2025"),
        ("places_facts", "January 2025", "enero de 2025"),
        ("rumour_history", "June 2019", "junio de 2019"),
    ] {
        let node = pack.node(id).unwrap_or_else(|| panic!("no node {id}"));
        assert!(node.text.get("en").unwrap().contains(en), "{id}");
        assert!(node.text.get("es").unwrap().contains(es), "{id}");
    }
}

#[test]
fn builtin_every_flow_can_be_played_to_an_end() {
    let pack = Pack::builtin();
    for flow in pack.flows() {
        // Depth-first over every choice, never revisiting a node on one path.
        let mut stack = vec![PlayerPath::start(pack, &flow.id).unwrap()];
        let mut ends = 0;
        while let Some(path) = stack.pop() {
            let node = pack.node(path.current()).unwrap();
            let choices = match node.kind {
                NodeKind::End => {
                    ends += 1;
                    continue;
                }
                NodeKind::Question => node.options.len(),
                _ => 1,
            };
            for option in 0..choices {
                let mut next = path.clone();
                next.choose(pack, option).unwrap();
                let seen = next.steps()[..next.steps().len() - 1]
                    .iter()
                    .any(|s| s.node == next.current());
                if !seen {
                    stack.push(next);
                }
            }
        }
        assert!(ends > 0, "flow {} never ends", flow.id);
    }
}

// --- The player --------------------------------------------------------------

#[test]
fn player_moves_back_and_restarts() {
    let pack = Pack::builtin();
    let mut path = PlayerPath::start(pack, "who-is-there").unwrap();
    assert_eq!(path.current(), "who_start");
    assert!(!path.back());

    path.choose(pack, 0).unwrap(); // at the door
    assert_eq!(path.current(), "who_door");
    path.choose(pack, 0).unwrap(); // say → continue
    assert_eq!(path.current(), "who_look");
    path.choose(pack, 3).unwrap(); // only "POLICE"
    assert_eq!(
        path.call_fields(),
        CallFields {
            category: Some(Category::IceHomeDoor),
            agency: Some(Agency::Unknown),
            verification: None,
        }
    );

    assert!(path.back());
    assert_eq!(path.current(), "who_look");
    assert_eq!(path.call_fields().agency, None);

    path.restart();
    assert_eq!(path.current(), "who_start");
    assert_eq!(path.steps().len(), 1);
    assert!(path.call_fields().is_empty());
}

#[test]
fn later_choices_override_earlier_call_fields() {
    let pack = Pack::builtin();
    let mut path = PlayerPath::start(pack, "who-is-there").unwrap();
    for (option, expect) in [
        (1, "who_street"),      // street
        (0, "who_look"),        // the calm, hands-visible line first
        (3, "who_police_only"), // agency unknown
        (0, "who_ask"),
        (0, "who_answer"),
        (0, "who_is_ice"), // agency ice_ero
    ] {
        path.choose(pack, option).unwrap();
        assert_eq!(path.current(), expect);
    }
    let fields = path.call_fields();
    assert_eq!(fields.category, Some(Category::IcePublic));
    assert_eq!(fields.agency, Some(Agency::IceEro));
}

#[test]
fn player_refuses_impossible_moves() {
    let pack = Pack::builtin();
    assert_eq!(
        PlayerPath::start(pack, "nope"),
        Err(PlayerError::UnknownFlow("nope".into()))
    );
    let mut path = PlayerPath::start(pack, "verify").unwrap();
    assert!(matches!(
        path.choose(pack, 1),
        Err(PlayerError::NoSuchOption {
            option: 1,
            count: 1,
            ..
        })
    ));
    let mut path2 = PlayerPath::start(pack, "rumour").unwrap();
    path2.choose(pack, 1).unwrap(); // heard it from someone
    for _ in 0..3 {
        path2.choose(pack, 0).unwrap();
    }
    assert_eq!(path2.current(), "rumour_malicious");
    path2.choose(pack, 0).unwrap();
    path2.choose(pack, 0).unwrap();
    assert_eq!(path2.current(), "rumour_end");
    assert_eq!(
        path2.choose(pack, 0),
        Err(PlayerError::AtEnd("rumour_end".into()))
    );
    assert_eq!(path2.call_fields().category, Some(Category::RumourCheck));
    assert_eq!(
        path2.call_fields().verification,
        Some(Verification::Unverified)
    );
    path.restart();
}

#[test]
fn player_path_round_trips_through_serde() {
    let pack = Pack::builtin();
    let mut path = PlayerPath::start(pack, "verify").unwrap();
    path.choose(pack, 0).unwrap();
    path.choose(pack, 3).unwrap(); // workplace
    let json = serde_json::to_string(&path).unwrap();
    assert!(
        json.contains("\"category\":\"workplace_operation\""),
        "{json}"
    );
    let back: PlayerPath = serde_json::from_str(&json).unwrap();
    assert_eq!(back, path);
    assert_eq!(
        back.call_fields().category,
        Some(Category::WorkplaceOperation)
    );
}

#[test]
fn player_reports_a_path_saved_against_a_changed_pack() {
    let pack = Pack::builtin();
    let json =
        r#"{"pack":"madison-dane","pack_version":"0","flow":"verify","steps":[{"node":"gone"}]}"#;
    let mut path: PlayerPath = serde_json::from_str(json).unwrap();
    assert_eq!(
        path.choose(pack, 0),
        Err(PlayerError::UnknownNode("gone".into()))
    );
}

// --- Content rules: severity, and the built-in pack's content ---------------

/// The base pack with a volatile fact more than six months older than its review.
fn stale_pack(id: &str) -> String {
    BASE.replacen("id = \"t\"", &format!("id = \"{id}\""), 1)
        .replacen(
            "resources = []",
            "volatile = true\nas_of = \"2025-01\"\nresources = []",
            1,
        )
}

#[test]
fn content_rules_only_warn_about_an_imported_pack() {
    let pack = check_source(&stale_pack("t"), "t.toml").expect("an imported pack keeps loading");
    let warnings = pack.warnings();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].kind, StaleFact);
    assert_eq!(warnings[0].severity, Severity::Warning);
    assert!(!warnings[0].is_error());
    assert!(
        warnings[0].to_string().starts_with(
            "t.toml:38: warning: node \"tell\": `as_of` 2025-01 is more than 6 months"
        ),
        "{}",
        warnings[0]
    );
    assert!(StaleFact.is_content_rule() && !Counsel.is_content_rule());
}

#[test]
fn content_rules_are_errors_for_the_builtin_pack() {
    let errors = check_source(&stale_pack("madison-dane"), "madison-dane.toml").unwrap_err();
    assert_eq!(errors.issues().len(), 1);
    assert_eq!(errors.issues()[0].kind, StaleFact);
    assert!(errors.issues()[0].is_error());
}

#[test]
fn a_right_now_flow_that_does_not_open_with_words_to_say_is_refused_for_any_pack() {
    let src = BASE.to_owned()
        + "\n[[flow]]\nid = \"now\"\ntitle = { en = \"N\", es = \"N\" }\nentry = \"start\"\nurgent = true\n";
    let errors = check_source(&src, "t.toml").unwrap_err();
    assert_eq!(errors.issues().len(), 1);
    assert_eq!(errors.issues()[0].kind, SpokenLineLate);
    assert!(
        errors.issues()[0]
            .message
            .contains("\"start\" must be a say node")
    );
}

#[test]
fn referral_kinds_and_counsel_are_read_into_the_model() {
    let src = BASE
        .replacen(
            "resources = []",
            "resources = []\nrefer = [\"legal-aid\", \"detainee-locator\"]",
            1,
        )
        .replacen(
            "\n[[source]]\nid = \"art\"",
            "\n[pack.counsel]\napproved = true\napproved_on = 2025-12-15\norganisation = \"Example Legal Aid\"\n\n[[source]]\nid = \"art\"",
            1,
        );
    let pack = check_source(&src, "t.toml").unwrap();
    assert_eq!(
        pack.node("tell").unwrap().refer(),
        ["legal-aid", "detainee-locator"]
    );
    assert!(pack.node("start").unwrap().refer().is_empty());
    let meta = pack.meta();
    assert!(meta.approved_by_counsel());
    let counsel = meta.counsel.as_ref().unwrap();
    assert_eq!(counsel.approved_on, PackDate::ymd(2025, 12, 15));
    assert_eq!(counsel.organisation.as_deref(), Some("Example Legal Aid"));
    // A pack that says nothing about counsel counts as not approved.
    assert!(
        !Pack::parse(BASE, "t.toml")
            .unwrap()
            .meta()
            .approved_by_counsel()
    );
    for kind in REFERRAL_KINDS {
        assert!(
            kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{kind}"
        );
    }
}

#[test]
fn builtin_pack_is_honestly_not_yet_approved_by_counsel() {
    let meta = Pack::builtin().meta();
    let counsel = meta
        .counsel
        .as_ref()
        .expect("the built-in pack states its standing");
    assert!(!counsel.approved && !meta.approved_by_counsel());
    assert_eq!(counsel.approved_on, None);
    assert!(
        counsel
            .note
            .as_deref()
            .is_some_and(|n| n.contains("attorney"))
    );
    assert_eq!(meta.version, "2.0.0");
    assert_eq!(meta.reviewed_on, PackDate::ymd(2026, 12, 1));
    assert!(Pack::builtin().is_held_to_builtin_rules());
}

#[test]
fn builtin_right_now_flows_open_with_the_words_to_say() {
    let pack = Pack::builtin();
    for (id, words) in [
        ("door-now", "Keep the door closed"),
        ("agents-now", "keep your hands where they can see them"),
    ] {
        let flow = pack.flow(id).unwrap_or_else(|| panic!("no flow {id}"));
        assert!(flow.urgent, "{id}");
        let path = PlayerPath::start(pack, id).unwrap();
        let first = pack.node(path.current()).unwrap();
        assert_eq!(first.kind, NodeKind::Say, "{id}");
        assert!(first.text.get("en").unwrap().contains(words), "{id}");
        assert!(!first.text.get("es").unwrap().is_empty(), "{id}");
    }
    let urgent: Vec<&str> = pack
        .flows()
        .iter()
        .filter(|f| f.urgent)
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(urgent, ["door-now", "agents-now"]);
}

/// Every path from `node` to an end, depth first, as a walk of bounded
/// depth: a node met again on the same path, or a path longer than
/// `bound`, fails the test. Marks every node and option walked; returns
/// the longest number of steps to an end.
fn walk_to_ends(
    pack: &Pack,
    node: &str,
    on_path: &mut Vec<String>,
    longest: &mut std::collections::HashMap<String, usize>,
    options: &mut std::collections::HashSet<(String, usize)>,
    bound: usize,
) -> usize {
    if let Some(&known) = longest.get(node) {
        return known;
    }
    assert!(
        !on_path.iter().any(|n| n == node),
        "a trap: {} → {node}",
        on_path.join(" → ")
    );
    assert!(
        on_path.len() < bound,
        "longer than {bound} steps: {}",
        on_path.join(" → ")
    );
    let here = pack.node(node).unwrap_or_else(|| panic!("no node {node}"));
    let nexts: Vec<&str> = match here.kind {
        NodeKind::End => Vec::new(),
        NodeKind::Question => here.options.iter().map(|o| o.next.id.as_str()).collect(),
        _ => vec![here.next.as_ref().unwrap().id.as_str()],
    };
    on_path.push(node.to_owned());
    let mut most = 0;
    for (i, next) in nexts.into_iter().enumerate() {
        options.insert((node.to_owned(), i));
        most = most.max(1 + walk_to_ends(pack, next, on_path, longest, options, bound));
    }
    on_path.pop();
    longest.insert(node.to_owned(), most);
    most
}

/// Longest script a volunteer can be walked through, from any node to an
/// end. The longest path (42 steps) crosses five flows: a door, the warrant
/// check, an arrest the caller witnesses, verification, and a local arrest.
const MAX_SCRIPT_STEPS: usize = 45;

#[test]
fn builtin_every_node_and_option_is_walked_and_every_node_ends_within_the_bound() {
    let pack = Pack::builtin();
    let mut longest = std::collections::HashMap::new();
    let mut options = std::collections::HashSet::new();
    for flow in pack.flows() {
        walk_to_ends(
            pack,
            &flow.entry.id,
            &mut Vec::new(),
            &mut longest,
            &mut options,
            MAX_SCRIPT_STEPS,
        );
    }
    for node in pack.nodes() {
        assert!(
            longest.contains_key(&node.id),
            "node {} is never walked",
            node.id
        );
        let steps = longest[&node.id];
        assert!(
            steps < MAX_SCRIPT_STEPS,
            "{}: {steps} steps to an end",
            node.id
        );
        let count = if node.kind == NodeKind::Question {
            node.options.len()
        } else {
            usize::from(node.kind != NodeKind::End)
        };
        for i in 0..count {
            assert!(
                options.contains(&(node.id.clone(), i)),
                "option {} of {} is never walked",
                i + 1,
                node.id
            );
        }
    }
    let worst = longest.values().max().copied().unwrap_or_default();
    assert!(worst >= 10, "the walk is suspiciously short: {worst}");
}

#[test]
fn builtin_every_flow_speaks_to_the_caller_within_the_bound() {
    let pack = Pack::builtin();
    for flow in pack.flows() {
        // Every path of the player, cut at the bound: a say node on each.
        let mut stack = vec![PlayerPath::start(pack, &flow.id).unwrap()];
        while let Some(path) = stack.pop() {
            let node = pack.node(path.current()).unwrap();
            if node.kind == NodeKind::Say {
                continue;
            }
            let steps_before = path.steps().len();
            assert!(
                steps_before <= MAX_STEPS_BEFORE_SPOKEN_LINE && node.kind != NodeKind::End,
                "flow {}: no words to say by {}",
                flow.id,
                node.id
            );
            let choices = if node.kind == NodeKind::Question {
                node.options.len()
            } else {
                1
            };
            for option in 0..choices {
                let mut next = path.clone();
                next.choose(pack, option).unwrap();
                stack.push(next);
            }
        }
    }
}

#[test]
fn builtin_refers_to_kinds_of_resource_and_never_has_the_a_number_written_down() {
    let pack = Pack::builtin();
    let used: std::collections::HashSet<&str> = pack
        .nodes()
        .iter()
        .flat_map(|n| n.refer().iter().map(String::as_str))
        .collect();
    for kind in &used {
        assert!(REFERRAL_KINDS.contains(kind), "{kind}");
    }
    for kind in [
        "legal-aid",
        "detainee-locator",
        "crisis",
        "domestic-violence",
        "immigration-court",
    ] {
        assert!(used.contains(kind), "no node refers to {kind}");
    }
    // Every step that handles an A-number says it is not written down.
    for node in pack.nodes() {
        let en = node.text.get("en").unwrap();
        if node.kind == NodeKind::Action && en.contains("A-number") {
            assert!(
                en.contains("do not write it down")
                    || en.contains("Do not write the A-number")
                    || en.contains("Never write the A-number")
                    || en.contains("no A-number")
                    || en.contains("Do not record anyone's immigration status, A-number"),
                "{}: {en}",
                node.id
            );
        }
    }
}

#[test]
fn builtin_spanish_says_the_consent_sentence_one_way() {
    let pack = Pack::builtin();
    let mut texts: Vec<&str> = pack
        .nodes()
        .iter()
        .filter_map(|n| n.text.get("es"))
        .collect();
    for row in &pack.glance().unwrap().rows {
        texts.extend(row.ice.get("es"));
        texts.extend(row.local.get("es"));
    }
    let consent = texts
        .iter()
        .filter(|t| t.contains("No doy permiso para que entren"))
        .count();
    assert!(consent >= 5, "{consent}");
    for text in &texts {
        assert!(!text.contains("No doy mi permiso"), "{text}");
        assert!(!text.contains("u otra policía de la ciudad"), "{text}");
        assert!(!text.contains("(a)"), "{text}");
    }
}
