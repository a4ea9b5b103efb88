//! Versioned schema migrations on `PRAGMA user_version`.
//!
//! A small runner of our own: `rusqlite_migration` would do the same job, but
//! its releases pin an older rusqlite than the 0.43 this workspace needs for
//! SQLCipher 4.20, so it cannot be used here.
//!
//! Rules: migrations are only ever appended, never edited once released;
//! versions count up from 1 without gaps; all pending
//! migrations are applied in one IMMEDIATE transaction together with the new
//! `user_version`, so a database is either fully at the old version or fully
//! at the new one.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// One step of the schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    /// The `user_version` the database has after this step.
    pub(crate) version: u32,
    /// What the step does, for readers of this file.
    #[allow(dead_code)]
    pub(crate) name: &'static str,
    /// SQL run inside the migration transaction.
    pub(crate) sql: &'static str,
}

/// SQL for the ISO week index of a Unix time column `$t`: whole weeks since
/// Monday 1969-12-29 00:00 UTC, with floor division so negative times fall
/// in the right week too (migration 7).
macro_rules! week_of {
    ($t:literal) => {
        concat!(
            "((",
            $t,
            " + 259200) - ((",
            $t,
            " + 259200) % 604800 + 604800) % 604800) / 604800"
        )
    };
}

/// Trigger step of migration 7: count the new row of `calls` once in each
/// dimension.
macro_rules! count_new_call {
    () => {
        concat!(
            "                INSERT INTO call_counts (week, synthetic, dim, code, area, n) VALUES
                    (",
            week_of!("new.received_at"),
            ", new.synthetic, 0, new.category, coalesce(new.area_id, 0), 1),
                    (",
            week_of!("new.received_at"),
            ", new.synthetic, 1, new.agency, 0, 1),
                    (",
            week_of!("new.received_at"),
            ", new.synthetic, 2, new.verification, 0, 1),
                    (",
            week_of!("new.received_at"),
            ", new.synthetic, 3, new.language, 0, 1),
                    (",
            week_of!("new.received_at"),
            ", new.synthetic, 4, new.caller_relation, 0, 1)
                ON CONFLICT DO UPDATE SET n = n + 1;
"
        )
    };
}

/// Trigger step of migration 7: take the old row of `calls` out of each
/// dimension's count and delete the counts that fall to zero.
macro_rules! uncount_old_call {
    () => {
        concat!(
            "                UPDATE call_counts SET n = n - 1
                WHERE week = ",
            week_of!("old.received_at"),
            " AND synthetic = old.synthetic
                    AND (dim, code, area) IN (VALUES
                        (0, old.category, coalesce(old.area_id, 0)),
                        (1, old.agency, 0),
                        (2, old.verification, 0),
                        (3, old.language, 0),
                        (4, old.caller_relation, 0));
                DELETE FROM call_counts
                WHERE week = ",
            week_of!("old.received_at"),
            " AND synthetic = old.synthetic AND n <= 0;
"
        )
    };
}

/// Users' key slots (key file format 2): each user's lookup tag (which
/// slot is theirs) and age X25519 public key (what their slot is sealed
/// to), and whether they still have a slot in the old `keyslots.json`
/// (every user who exists when this runs does, until their next unlock).
pub(crate) const USER_KEY_SLOTS: &str = "
    ALTER TABLE users ADD COLUMN slot_tag BLOB
        CHECK (slot_tag IS NULL OR length(slot_tag) = 32);
    ALTER TABLE users ADD COLUMN public_key TEXT;
    ALTER TABLE users ADD COLUMN old_slot INTEGER NOT NULL DEFAULT 0
        CHECK (old_slot IN (0, 1));
    UPDATE users SET old_slot = 1;
    CREATE UNIQUE INDEX users_slot_tag ON users (slot_tag);
";

/// The laptop a call was logged on (`NULL`: this one), and the counts of
/// summaries kept for this laptop's own calls only: a call handed in from
/// another laptop counts in its origin laptop's bundle, never here too.
/// The triggers of migration 7 are made again with a `WHEN` on the origin
/// (a handed-in call never changes its origin, so skipping it on insert,
/// update and delete keeps the counts exact).
pub(crate) const CALL_ORIGIN_SQL: &str = concat!(
    "
    ALTER TABLE calls ADD COLUMN origin_laptop TEXT;
    DROP TRIGGER IF EXISTS call_counts_insert;
    DROP TRIGGER IF EXISTS call_counts_delete;
    DROP TRIGGER IF EXISTS call_counts_update;
    CREATE TRIGGER call_counts_insert AFTER INSERT ON calls
    WHEN new.origin_laptop IS NULL BEGIN
",
    count_new_call!(),
    "            END;
    CREATE TRIGGER call_counts_delete AFTER DELETE ON calls
    WHEN old.origin_laptop IS NULL BEGIN
",
    uncount_old_call!(),
    "            END;
    CREATE TRIGGER call_counts_update AFTER UPDATE OF received_at, synthetic, category, area_id, agency, verification, language, caller_relation ON calls
    WHEN new.origin_laptop IS NULL AND (old.received_at IS NOT new.received_at OR old.synthetic IS NOT new.synthetic OR old.category IS NOT new.category OR old.area_id IS NOT new.area_id OR old.agency IS NOT new.agency OR old.verification IS NOT new.verification OR old.language IS NOT new.language OR old.caller_relation IS NOT new.caller_relation)
    BEGIN
",
    uncount_old_call!(),
    count_new_call!(),
    "            END;
"
);

/// Every migration, oldest first.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "settings and users",
        sql: "
            CREATE TABLE settings (
                key   TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL
            ) STRICT;
            CREATE TABLE users (
                handle     TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
                role       TEXT NOT NULL CHECK (role IN ('coordinator', 'volunteer')),
                created_at INTEGER NOT NULL
            ) STRICT;
        ",
    },
    Migration {
        version: 2,
        name: "audit log",
        sql: "
            CREATE TABLE audit_log (
                id     INTEGER PRIMARY KEY,
                at     INTEGER NOT NULL,
                actor  TEXT NOT NULL,
                action TEXT NOT NULL,
                params TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params))
            ) STRICT;
            CREATE INDEX audit_log_at ON audit_log (at);
        ",
    },
    Migration {
        version: 3,
        name: "call log: areas, calls, follow-ups, history, drafts, search index",
        // Codes (category, agency, verification …) are checked in Rust, not
        // with CHECK constraints, so adding a code needs no migration.
        // Free-text columns come last in `calls`, so reading the structured
        // columns never touches a long note's overflow pages.
        sql: "
            CREATE TABLE areas (
                id     INTEGER PRIMARY KEY,
                name   TEXT NOT NULL UNIQUE COLLATE NOCASE,
                active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
            ) STRICT;
            INSERT INTO areas (name) VALUES
                ('Downtown/Capitol'), ('Isthmus East'), ('Near West'), ('Far West'),
                ('South Madison'), ('Southwest'), ('North Side'), ('East Side/Far East'),
                ('Fitchburg'), ('Middleton'), ('Sun Prairie'), ('Verona'), ('Monona'),
                ('McFarland'), ('Stoughton'), ('Waunakee'), ('DeForest'), ('Cottage Grove'),
                ('Oregon'), ('Mount Horeb'), ('Other Dane County'), ('Outside Dane County');

            CREATE TABLE calls (
                id                 INTEGER PRIMARY KEY,
                uid                TEXT NOT NULL UNIQUE,
                received_at        INTEGER NOT NULL,
                duration_seconds   INTEGER CHECK (duration_seconds >= 0),
                volunteer          TEXT NOT NULL,
                language           TEXT NOT NULL,
                caller_relation    TEXT NOT NULL,
                category           TEXT NOT NULL,
                agency             TEXT NOT NULL,
                identified_by      TEXT NOT NULL,
                area_id            INTEGER REFERENCES areas (id),
                verification       TEXT NOT NULL,
                people_affected    INTEGER CHECK (people_affected >= 0),
                children_present   TEXT NOT NULL,
                urgency            TEXT NOT NULL,
                possibly_malicious INTEGER NOT NULL DEFAULT 0 CHECK (possibly_malicious IN (0, 1)),
                referrals          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(referrals)),
                pack_id            TEXT,
                pack_version       TEXT,
                script_path        TEXT CHECK (json_valid(script_path)),
                legal_hold         INTEGER NOT NULL DEFAULT 0 CHECK (legal_hold IN (0, 1)),
                synthetic          INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
                created_at         INTEGER NOT NULL,
                created_by         TEXT NOT NULL,
                updated_at         INTEGER NOT NULL,
                shredded_at        INTEGER,
                notes              TEXT NOT NULL DEFAULT '',
                exact_location     TEXT,
                contact_name       TEXT,
                contact_phone      TEXT,
                salute_size        TEXT,
                salute_activity    TEXT,
                salute_location    TEXT,
                salute_uniform     TEXT,
                salute_time        TEXT,
                salute_equipment   TEXT
            ) STRICT;
            CREATE INDEX calls_received ON calls (received_at);
            CREATE INDEX calls_verification ON calls (verification, received_at);
            CREATE INDEX calls_category ON calls (category, received_at);
            CREATE INDEX calls_area ON calls (area_id, received_at);
            CREATE INDEX calls_to_shred ON calls (received_at)
                WHERE shredded_at IS NULL AND legal_hold = 0;

            CREATE TABLE call_followups (
                id      INTEGER PRIMARY KEY,
                call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
                what    TEXT NOT NULL,
                due     TEXT NOT NULL CHECK (date(due) IS due),
                done    INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
                done_at INTEGER
            ) STRICT;
            CREATE INDEX call_followups_call ON call_followups (call_id);
            CREATE INDEX call_followups_open ON call_followups (due) WHERE done = 0;

            CREATE TABLE call_history (
                id      INTEGER PRIMARY KEY,
                call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
                at      INTEGER NOT NULL,
                editor  TEXT NOT NULL,
                action  TEXT NOT NULL,
                fields  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(fields))
            ) STRICT;
            CREATE INDEX call_history_call ON call_history (call_id, id);

            CREATE TABLE call_drafts (
                handle   TEXT PRIMARY KEY NOT NULL COLLATE NOCASE
                         REFERENCES users (handle) ON DELETE CASCADE,
                saved_at INTEGER NOT NULL,
                body     TEXT NOT NULL CHECK (json_valid(body))
            ) STRICT;

            CREATE VIRTUAL TABLE calls_fts USING fts5 (
                notes, exact_location, contact_name, contact_phone,
                salute_size, salute_activity, salute_location, salute_uniform,
                salute_time, salute_equipment,
                content = 'calls', content_rowid = 'id',
                tokenize = 'unicode61 remove_diacritics 2'
            );
            INSERT INTO calls_fts (calls_fts, rank) VALUES ('secure-delete', 1);
            CREATE TRIGGER calls_fts_insert AFTER INSERT ON calls BEGIN
                INSERT INTO calls_fts (rowid, notes, exact_location, contact_name,
                    contact_phone, salute_size, salute_activity, salute_location,
                    salute_uniform, salute_time, salute_equipment)
                VALUES (new.id, new.notes, new.exact_location, new.contact_name,
                    new.contact_phone, new.salute_size, new.salute_activity,
                    new.salute_location, new.salute_uniform, new.salute_time,
                    new.salute_equipment);
            END;
            CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN
                INSERT INTO calls_fts (calls_fts, rowid, notes, exact_location, contact_name,
                    contact_phone, salute_size, salute_activity, salute_location,
                    salute_uniform, salute_time, salute_equipment)
                VALUES ('delete', old.id, old.notes, old.exact_location, old.contact_name,
                    old.contact_phone, old.salute_size, old.salute_activity,
                    old.salute_location, old.salute_uniform, old.salute_time,
                    old.salute_equipment);
            END;
            CREATE TRIGGER calls_fts_update AFTER UPDATE OF notes, exact_location,
                contact_name, contact_phone, salute_size, salute_activity, salute_location,
                salute_uniform, salute_time, salute_equipment ON calls
            WHEN old.notes IS NOT new.notes OR old.exact_location IS NOT new.exact_location
                OR old.contact_name IS NOT new.contact_name
                OR old.contact_phone IS NOT new.contact_phone
                OR old.salute_size IS NOT new.salute_size
                OR old.salute_activity IS NOT new.salute_activity
                OR old.salute_location IS NOT new.salute_location
                OR old.salute_uniform IS NOT new.salute_uniform
                OR old.salute_time IS NOT new.salute_time
                OR old.salute_equipment IS NOT new.salute_equipment
            BEGIN
                INSERT INTO calls_fts (calls_fts, rowid, notes, exact_location, contact_name,
                    contact_phone, salute_size, salute_activity, salute_location,
                    salute_uniform, salute_time, salute_equipment)
                VALUES ('delete', old.id, old.notes, old.exact_location, old.contact_name,
                    old.contact_phone, old.salute_size, old.salute_activity,
                    old.salute_location, old.salute_uniform, old.salute_time,
                    old.salute_equipment);
                INSERT INTO calls_fts (rowid, notes, exact_location, contact_name,
                    contact_phone, salute_size, salute_activity, salute_location,
                    salute_uniform, salute_time, salute_equipment)
                VALUES (new.id, new.notes, new.exact_location, new.contact_name,
                    new.contact_phone, new.salute_size, new.salute_activity,
                    new.salute_location, new.salute_uniform, new.salute_time,
                    new.salute_equipment);
            END;
        ",
    },
    Migration {
        version: 4,
        name: "exports: coordinator key pair, imported bundle ids, statistics index",
        // The coordinator's age X25519 identity (one row at most) and the
        // ids of aggregate bundles already merged, so none is counted twice.
        sql: "
            CREATE TABLE coordinator_keys (
                id         INTEGER PRIMARY KEY CHECK (id = 1),
                identity   TEXT NOT NULL,
                recipient  TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL
            ) STRICT;
            CREATE TABLE imported_bundles (
                bundle_id   TEXT PRIMARY KEY NOT NULL,
                imported_at INTEGER NOT NULL,
                imported_by TEXT NOT NULL
            ) STRICT;
            -- Covering index for summaries: a range scan of it answers
            -- every aggregate without reading the calls themselves.
            CREATE INDEX calls_stats ON calls (received_at, synthetic, category, area_id,
                agency, verification, language, caller_relation);
        ",
    },
    Migration {
        version: 5,
        name: "call list: index for category and area together",
        // Filtering the list by a category and an area otherwise walks one
        // of the single-column indexes and reads (and decrypts) every call
        // of that area or category; measured in docs/PERFORMANCE.md.
        sql: "CREATE INDEX calls_category_area ON calls (category, area_id, received_at);",
    },
    Migration {
        version: 6,
        name: "guidance: imported packs and attached source texts",
        // A pack's TOML text is the truth; the other columns are copies of
        // its metadata for listing without parsing. The active pack is the
        // `active_pack` settings key (absent: the built-in pack). Attached
        // texts belong to a pack id, which may be the built-in pack's, so
        // they have no foreign key; removing a pack deletes them.
        sql: "
            CREATE TABLE packs (
                id          TEXT PRIMARY KEY NOT NULL,
                version     TEXT NOT NULL,
                title       TEXT NOT NULL CHECK (json_valid(title)),
                reviewed_on TEXT NOT NULL,
                file_name   TEXT NOT NULL,
                source      TEXT NOT NULL,
                imported_at INTEGER NOT NULL,
                imported_by TEXT NOT NULL
            ) STRICT;
            CREATE TABLE pack_source_texts (
                pack_id     TEXT NOT NULL,
                source_id   TEXT NOT NULL,
                paragraphs  INTEGER NOT NULL CHECK (paragraphs >= 0),
                body        TEXT NOT NULL,
                attached_at INTEGER NOT NULL,
                attached_by TEXT NOT NULL,
                PRIMARY KEY (pack_id, source_id)
            ) STRICT;
        ",
    },
    Migration {
        version: 7,
        name: "summaries: call counts kept by triggers",
        // Exact counts per ISO week, synthetic flag and one dimension, kept
        // up to date by triggers on every insert, update and delete of a
        // call, so a summary reads a few hundred rows instead of scanning
        // every call (docs/PERFORMANCE.md). `week` is the number of whole
        // weeks since Monday 1969-12-29 00:00 UTC (floor division, so
        // negative times fall in the right week too); `dim` says what
        // `code` is: 0 category (with `area`, the area id or 0 for none),
        // 1 agency, 2 verification, 3 language tag, 4 caller relation.
        // Rows that fall to zero are deleted. The version number appears
        // only here.
        sql: concat!(
            "
            CREATE TABLE call_counts (
                week      INTEGER NOT NULL,
                synthetic INTEGER NOT NULL,
                dim       INTEGER NOT NULL CHECK (dim BETWEEN 0 AND 4),
                code      TEXT NOT NULL,
                area      INTEGER NOT NULL,
                n         INTEGER NOT NULL CHECK (n >= 0),
                PRIMARY KEY (week, synthetic, dim, code, area)
            ) STRICT, WITHOUT ROWID;
            INSERT INTO call_counts (week, synthetic, dim, code, area, n)
            SELECT ", week_of!("received_at"), ", synthetic, 0, category, coalesce(area_id, 0), count(*)
            FROM calls GROUP BY 1, 2, 4, 5
            UNION ALL
            SELECT ", week_of!("received_at"), ", synthetic, 1, agency, 0, count(*)
            FROM calls GROUP BY 1, 2, 4, 5
            UNION ALL
            SELECT ", week_of!("received_at"), ", synthetic, 2, verification, 0, count(*)
            FROM calls GROUP BY 1, 2, 4, 5
            UNION ALL
            SELECT ", week_of!("received_at"), ", synthetic, 3, language, 0, count(*)
            FROM calls GROUP BY 1, 2, 4, 5
            UNION ALL
            SELECT ", week_of!("received_at"), ", synthetic, 4, caller_relation, 0, count(*)
            FROM calls GROUP BY 1, 2, 4, 5;
            CREATE TRIGGER call_counts_insert AFTER INSERT ON calls BEGIN
",
            count_new_call!(),
            "            END;
            CREATE TRIGGER call_counts_delete AFTER DELETE ON calls BEGIN
",
            uncount_old_call!(),
            "            END;
            CREATE TRIGGER call_counts_update AFTER UPDATE OF received_at, synthetic, category, area_id, agency, verification, language, caller_relation ON calls
            WHEN old.received_at IS NOT new.received_at OR old.synthetic IS NOT new.synthetic OR old.category IS NOT new.category OR old.area_id IS NOT new.area_id OR old.agency IS NOT new.agency OR old.verification IS NOT new.verification OR old.language IS NOT new.language OR old.caller_relation IS NOT new.caller_relation
            BEGIN
",
            uncount_old_call!(),
            count_new_call!(),
            "            END;
        "
        ),
    },
    Migration {
        version: 8,
        name: "referral directory, with the entries official pages name",
        // Entries are never deleted (calls keep their ids); `removed` hides
        // one. The three seed entries state only what the cited official
        // page says, checked on the date given; what it does not say is left
        // empty for coordinators to fill. Calls that named the built-in
        // pack's resources by their old ids now name these entries.
        sql: "
            CREATE TABLE referrals (
                uid         TEXT PRIMARY KEY NOT NULL,
                name        TEXT NOT NULL,
                about_en    TEXT NOT NULL DEFAULT '',
                about_es    TEXT NOT NULL DEFAULT '',
                languages   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(languages)),
                hours       TEXT,
                phone       TEXT,
                web         TEXT,
                area        TEXT,
                kinds       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(kinds)),
                source      TEXT,
                verified_on TEXT,
                removed     INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
                updated_at  INTEGER NOT NULL,
                updated_by  TEXT NOT NULL
            ) STRICT;
            INSERT INTO referrals (uid, name, about_en, about_es, languages, hours, phone, web,
                area, kinds, source, verified_on, updated_at, updated_by) VALUES
            ('d8f08dc7-189f-42b4-a7df-a91c0d8e9c89',
             'ICE Online Detainee Locator System',
             'ICE''s website for finding out whether an adult is held by ICE, and in which facility. Search with the A-number and country of birth, or with the exact name and country of birth. Search it during the call, or have the family search it; never write the A-number down.',
             'El sitio web de ICE para saber si un adulto está detenido por ICE y en qué centro. Se busca con el número A y el país de nacimiento, o con el nombre exacto y el país de nacimiento. Búsquelo durante la llamada o pida a la familia que lo busque; nunca anote el número A.',
             '[]', NULL, NULL, 'https://locator.ice.gov/odls/', 'United States',
             '[\"detainee-locator\"]',
             'U.S. Immigration and Customs Enforcement (ICE), Online Detainee Locator System, https://locator.ice.gov/odls/',
             '2026-12-01', 1796083200, 'built-in'),
            ('4182e82a-396e-4ac5-8690-6bb6e8ee88b4',
             'EOIR List of Pro Bono Legal Service Providers',
             'The immigration courts'' list, court by court, of non-profit organisations and attorneys who have committed to free (pro bono) legal work for people in immigration court, and of pro bono referral services. EOIR publishes it every quarter (January, April, July, October).',
             'La lista de las cortes de inmigración, corte por corte, de organizaciones sin fines de lucro y abogados que se comprometieron a dar ayuda legal gratuita (pro bono) a personas en la corte de inmigración, y de servicios que refieren a esa ayuda. La EOIR la publica cada trimestre (enero, abril, julio, octubre).',
             '[]', NULL, NULL, 'https://www.justice.gov/eoir/list-pro-bono-legal-service-providers',
             'United States, listed by immigration court',
             '[\"legal-aid\", \"immigration-court\"]',
             'Executive Office for Immigration Review (EOIR), U.S. Department of Justice, \"List of Pro Bono Legal Service Providers\", https://www.justice.gov/eoir/list-pro-bono-legal-service-providers',
             '2026-12-01', 1796083200, 'built-in'),
            ('092d4795-46ee-4a00-afae-67e27c052356',
             'EOIR automated case information (immigration court)',
             'An automated phone line for the status of a case in immigration court or at the Board of Immigration Appeals: next hearing date, time and place, and decisions. Enter the 9 digits of the A-number (put a 0 before an 8-digit number). It has no information on bond proceedings.',
             'Una línea telefónica automatizada para el estado de un caso en la corte de inmigración o en la Junta de Apelaciones de Inmigración: fecha, hora y lugar de la próxima audiencia, y decisiones. Marque los 9 dígitos del número A (ponga un 0 delante de un número de 8 dígitos). No tiene información sobre audiencias de fianza.',
             '[\"en\", \"es\"]', '24 hours a day, 7 days a week (automated line)', '1-800-898-7180',
             'https://www.justice.gov/eoir/customer-service-initiatives', 'United States',
             '[\"immigration-court\"]',
             'EOIR, U.S. Department of Justice, \"Customer Service Initiatives\", https://www.justice.gov/eoir/customer-service-initiatives; Immigration Court Practice Manual, chapter 1.6(c), https://www.justice.gov/eoir/reference-materials/ic/chapter-1/6',
             '2026-12-01', 1796083200, 'built-in');
            UPDATE calls SET referrals = (
                SELECT json_group_array(CASE value
                    WHEN 'ice-detainee-locator' THEN 'd8f08dc7-189f-42b4-a7df-a91c0d8e9c89'
                    WHEN 'eoir-case-info' THEN '092d4795-46ee-4a00-afae-67e27c052356'
                    ELSE value END)
                FROM json_each(calls.referrals))
            WHERE referrals <> '[]';
        ",
    },
    Migration {
        version: 9,
        name: "a passphrase a coordinator set must be changed by its user",
        // Users who exist already chose or have used their passphrase: 0.
        sql: "ALTER TABLE users ADD COLUMN must_change_passphrase INTEGER NOT NULL DEFAULT 0
                  CHECK (must_change_passphrase IN (0, 1));",
    },
    Migration {
        version: 10,
        name: "coordinator key (interim storage, replaced by the key slots)",
        sql: crate::vault::COORDINATOR_AUTHORITY_SQL,
    },
    Migration {
        version: 11,
        name: "audit log as a hash chain with coordinator-signed checkpoints",
        // The entries that exist are chained once, in Rust, at the next
        // unlock (`vault::audit::chain_existing`).
        sql: crate::vault::AUDIT_CHAIN_SQL,
    },
    Migration {
        version: 12,
        name: "coordinator-signed settings, and the refusals to report",
        sql: crate::vault::SIGNED_SETTINGS_SQL,
    },
    Migration {
        version: 13,
        name: "users' key slots: lookup tag, public key, old slot",
        sql: USER_KEY_SLOTS,
    },
    Migration {
        version: 14,
        name: "the coordinator key in the key slots: signed user rows, sealed age identity",
        sql: crate::vault::COORDINATOR_IN_SLOTS_SQL,
    },
    Migration {
        version: 15,
        name: "recovery kits: coordinator slots kept on paper",
        sql: crate::vault::RECOVERY_KITS_SQL,
    },
    Migration {
        version: 16,
        name: "rotations of the coordinator key, each signed by the key before",
        sql: crate::vault::COORDINATOR_ROTATIONS_SQL,
    },
    Migration {
        version: 17,
        name: "the failed-unlock counter mirrored in the database",
        sql: crate::vault::UNLOCK_COUNTER_SQL,
    },
    Migration {
        version: 18,
        name: "areas and the active pack signed: waiting for their first signature",
        sql: crate::vault::SIGNED_PENDING_SQL,
    },
    Migration {
        version: 19,
        name: "team: laptop keys, team key, team record, streams, held packets",
        sql: crate::team::TEAM_SQL,
    },
    Migration {
        version: 20,
        name: "the team key carried across a rotation of the coordinator key",
        sql: crate::team::TEAM_KEY_ROTATION_SQL,
    },
    Migration {
        version: 21,
        name: "the team folder's outbox: what was sent to whom",
        sql: crate::team::TEAM_OUTBOX_SQL,
    },
    Migration {
        version: 22,
        name: "coordinator updates: team-signed settings, the signed team pin, snapshot versions",
        sql: crate::team::UPDATES_SQL,
    },
    Migration {
        version: 23,
        name: "a call's case state: open or closed",
        sql: crate::calls::cases::CASE_STATE_SQL,
    },
    Migration {
        version: 24,
        name: "a call's origin laptop; handed-in calls left out of this laptop's counts",
        sql: CALL_ORIGIN_SQL,
    },
    Migration {
        version: 25,
        name: "case handoff: the share mark, travelling shred dates, task ids, the event log",
        sql: crate::calls::handoff::CASE_HANDOFF_SQL,
    },
];

/// The newest schema version this build knows.
pub(crate) const LATEST: u32 = latest(MIGRATIONS);

const fn latest(migrations: &[Migration]) -> u32 {
    match migrations.last() {
        Some(m) => m.version,
        None => 0,
    }
}

/// Bring the database to [`LATEST`]; returns the version it ends at.
pub(crate) fn migrate(conn: &mut Connection) -> Result<u32, StoreError> {
    run(conn, MIGRATIONS)
}

/// Apply every migration of `migrations` newer than the database's
/// `user_version`, in one transaction. A database newer than the last
/// migration is refused untouched.
pub(crate) fn run(conn: &mut Connection, migrations: &[Migration]) -> Result<u32, StoreError> {
    let target = latest(migrations);
    if schema_version(conn)? == target {
        return Ok(target);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again inside the write lock: another process may have migrated.
    let current = schema_version(&tx)?;
    if current > target {
        return Err(StoreError::SchemaTooNew {
            found: current,
            supported: target,
        });
    }
    for migration in migrations.iter().filter(|m| m.version > current) {
        tx.execute_batch(migration.sql)?;
    }
    // `target` is a u32 we own, not input: formatting it into the pragma is safe.
    tx.execute_batch(&format!("PRAGMA user_version = {target}"))?;
    tx.commit()?;
    Ok(target)
}

/// The database's `user_version`.
pub(crate) fn schema_version(conn: &Connection) -> Result<u32, StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    u32::try_from(version)
        .map_err(|_| StoreError::Unreadable(format!("invalid schema version {version}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{OpenMode, Store};
    use crate::vault::secret::MasterKey;

    /// An encrypted, keyed connection at schema version 0 (nothing applied).
    fn empty_encrypted_db(dir: &std::path::Path) -> Connection {
        let conn = Connection::open(dir.join("m.db")).unwrap();
        let key = MasterKey::generate().unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()))
            .unwrap();
        conn
    }

    /// Representative rows for a database at `version`, so migrations are
    /// tested on data, not just on empty tables.
    fn seed(conn: &Connection, version: u32) {
        if version >= 1 {
            conn.execute_batch(
                "INSERT INTO settings VALUES ('auto_lock_minutes', '7');
                 INSERT INTO users (handle, role, created_at)
                     VALUES ('Ana', 'coordinator', 1700000000);",
            )
            .unwrap();
        }
        if version >= 2 {
            conn.execute_batch(
                "INSERT INTO audit_log (at, actor, action, params)
                 VALUES (1700000001, 'Ana', 'user.add', '{\"handle\":\"bo\"}');",
            )
            .unwrap();
        }
        if version >= 3 {
            // A call naming the built-in pack's resources by their old ids.
            conn.execute_batch(
                "INSERT INTO calls (uid, received_at, volunteer, language, caller_relation,
                     category, agency, identified_by, verification, children_present, urgency,
                     referrals, created_at, created_by, updated_at)
                 VALUES ('c1', 1700000000, 'Ana', 'es', 'witness', 'ice_public', 'unknown',
                     'unknown', 'unverified', 'unknown', 'normal',
                     '[\"eoir-case-info\",\"local-clinic\",\"ice-detainee-locator\"]',
                     1700000000, 'Ana', 1700000000);",
            )
            .unwrap();
        }
    }

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn versions_count_up_from_one_without_gaps() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "migration {}", m.name);
        }
        assert_eq!(LATEST as usize, MIGRATIONS.len());
    }

    #[test]
    fn migrates_from_every_earlier_version_and_keeps_data() {
        for applied in 0..MIGRATIONS.len() {
            let dir = tempfile::tempdir().unwrap();
            let mut conn = empty_encrypted_db(dir.path());
            let upto = &MIGRATIONS[..applied];
            let start = latest(upto);
            assert_eq!(run(&mut conn, upto).unwrap(), start);
            seed(&conn, start);

            assert_eq!(migrate(&mut conn).unwrap(), LATEST, "from version {start}");
            assert_eq!(schema_version(&conn).unwrap(), LATEST);
            // The entries already there wait to be chained at the next unlock.
            let chain: (i64, bool) = conn
                .query_row("SELECT chained_to, pending FROM audit_chain", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .unwrap();
            // (No unlock runs here, so the chaining stays pending.)
            let expected = i64::from((2..11).contains(&start));
            assert_eq!(chain, (expected, true), "from version {start}");
            assert_eq!(
                tables(&conn),
                [
                    "areas",
                    "audit_chain",
                    "audit_checkpoints",
                    "audit_log",
                    "call_counts",
                    "call_drafts",
                    "call_followups",
                    "call_history",
                    "calls",
                    "calls_fts",
                    "calls_fts_config",
                    "calls_fts_data",
                    "calls_fts_docsize",
                    "calls_fts_idx",
                    "case_clock",
                    "case_events",
                    "case_events_sent",
                    "case_handed",
                    "coordinator_authority",
                    "coordinator_keys",
                    "coordinator_rotations",
                    "imported_bundles",
                    "pack_source_texts",
                    "packs",
                    "referrals",
                    "refused_settings",
                    "settings",
                    "signed_settings",
                    "signed_settings_pending",
                    "team_held_packets",
                    "team_key",
                    "team_laptop",
                    "team_membership",
                    "team_outbox",
                    "team_pin_pending",
                    "team_sent",
                    "team_streams",
                    "team_update_versions",
                    "team_updates_applied",
                    "unlock_counter",
                    "unlock_counter_events",
                    "users"
                ]
            );
            if start >= 1 {
                let role: String = conn
                    .query_row("SELECT role FROM users WHERE handle = 'ana'", [], |r| {
                        r.get(0)
                    })
                    .unwrap();
                assert_eq!(role, "coordinator", "data kept from version {start}");
                let must_change: i64 = conn
                    .query_row(
                        "SELECT must_change_passphrase FROM users WHERE handle = 'ana'",
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(must_change, 0, "existing users keep their passphrase");
                let (old_slot, tag, signature): (bool, Option<Vec<u8>>, Option<Vec<u8>>) = conn
                    .query_row(
                        "SELECT old_slot, slot_tag, signature FROM users WHERE handle = 'ana'",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .unwrap();
                let user_index = MIGRATIONS
                    .iter()
                    .find(|m| m.sql == USER_KEY_SLOTS)
                    .map_or(0, |m| m.version);
                if start < user_index {
                    assert!(
                        old_slot && tag.is_none(),
                        "existing users have an old key slot, converted at their next unlock"
                    );
                }
                assert!(
                    signature.is_none(),
                    "rows are signed at the next coordinator unlock"
                );
            }
            if (3..8).contains(&start) {
                let referrals: String = conn
                    .query_row("SELECT referrals FROM calls WHERE uid = 'c1'", [], |r| {
                        r.get(0)
                    })
                    .unwrap();
                assert_eq!(
                    referrals,
                    "[\"092d4795-46ee-4a00-afae-67e27c052356\",\"local-clinic\",\"d8f08dc7-189f-42b4-a7df-a91c0d8e9c89\"]",
                    "old resource ids mapped to directory ids (migration 8) from version {start}"
                );
            }
            let seeded: i64 = conn
                .query_row("SELECT count(*) FROM referrals", [], |r| r.get(0))
                .unwrap();
            assert_eq!(seeded, 3);
            // The result is usable at the newest schema.
            conn.execute(
                "INSERT INTO audit_log (at, actor, action) VALUES (1, 'x', 'y')",
                [],
            )
            .unwrap();
            // Running again is a no-op.
            assert_eq!(migrate(&mut conn).unwrap(), LATEST);
        }
    }

    #[test]
    fn a_failing_migration_leaves_the_old_version_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = empty_encrypted_db(dir.path());
        run(&mut conn, &MIGRATIONS[..1]).unwrap();
        let broken = [
            MIGRATIONS[0],
            Migration {
                version: 2,
                name: "creates a table, then fails",
                sql: "CREATE TABLE half_done (x); THIS IS NOT SQL;",
            },
        ];
        assert!(run(&mut conn, &broken).is_err());
        assert_eq!(schema_version(&conn).unwrap(), 1);
        assert!(!tables(&conn).contains(&"half_done".to_owned()));
    }

    #[test]
    fn a_newer_database_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = empty_encrypted_db(dir.path());
        migrate(&mut conn).unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {}", LATEST + 1))
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { .. }), "{err:?}");
        assert_eq!(schema_version(&conn).unwrap(), LATEST + 1);
    }

    #[test]
    fn store_open_runs_the_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let key = crate::vault::secret::DatabaseKey::legacy(&MasterKey::generate().unwrap());
        let store = Store::open(&dir.path().join("s.db"), &key, OpenMode::Create).unwrap();
        assert_eq!(schema_version(&store.conn).unwrap(), LATEST);
    }
}
