//! Synthetic calls for demonstrations, training and load tests
//! (`hotline demo-data`). Built only with the `demo` feature, which the
//! `hotline` command enables; the core's other users do without it.
//!
//! Calls spread over the year before `now` with weekly and daily rhythm
//! (more on weekdays, mostly in daytime, Madison time), more rumour checks
//! and sightings in public than courthouse calls, and most reports ending
//! unverified, as a false alarm or unable to verify, some as local police.
//! Notes are drawn from a short list of invented phrases: no real person or
//! address. Every synthetic call is marked `synthetic`, so exports and
//! statistics can leave them out.
//!
//! The generator is a SplitMix64 sequence written here, so the same seed
//! gives the same calls on every platform and version.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use rusqlite::Connection;
use serde_json::json;

use crate::calls::store::{self, Actor};
use crate::calls::{
    CallError, CallerRelation, ChildrenPresent, IdentifiedBy, NewCall, NewFollowUp, SEED_AREAS,
    Salute, Urgency,
};
use crate::codes::{Agency, Category, Verification};
use crate::vault::Coordinator;

/// The most calls one run makes.
pub const MAX_DEMO_CALLS: u32 = 1_000_000;

/// What a demo-data run made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoReport {
    /// Calls inserted.
    pub calls: u32,
    /// Earliest received time.
    pub first: Option<DateTime<Utc>>,
    /// Latest received time.
    pub last: Option<DateTime<Utc>>,
}

/// SplitMix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One of `items`, chosen with the given weights.
    fn pick<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut roll = self.below(total.max(1));
        for (item, weight) in items {
            let weight = u64::from(*weight);
            if roll < weight {
                return *item;
            }
            roll -= weight;
        }
        items[items.len() - 1].0
    }

    fn one<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Madison's offset from UTC, rounded to standard time (good enough for
/// a daily rhythm).
const MADISON_OFFSET_HOURS: i64 = -6;

/// Relative call volume by weekday, Monday first.
const WEEKDAY_WEIGHT: [f64; 7] = [1.0, 0.95, 0.95, 0.9, 0.85, 0.55, 0.4];

/// Relative call volume by local hour.
const HOUR_WEIGHT: [(u32, u32); 24] = [
    (0, 1),
    (1, 1),
    (2, 1),
    (3, 1),
    (4, 1),
    (5, 3),
    (6, 7),
    (7, 11),
    (8, 12),
    (9, 10),
    (10, 9),
    (11, 8),
    (12, 8),
    (13, 8),
    (14, 9),
    (15, 10),
    (16, 11),
    (17, 10),
    (18, 8),
    (19, 6),
    (20, 5),
    (21, 4),
    (22, 3),
    (23, 2),
];

const CATEGORIES: &[(Category, u32)] = &[
    (Category::RumourCheck, 24),
    (Category::IcePublic, 18),
    (Category::InfoOrReferral, 14),
    (Category::TrafficStopLocalPolice, 11),
    (Category::ArrestOrDetention, 8),
    (Category::IceHomeDoor, 8),
    (Category::WorkplaceOperation, 5),
    (Category::IceOfficeCheckin, 4),
    (Category::Courthouse, 3),
    (Category::Other, 5),
];

const LANGUAGES: &[(&str, u32)] = &[
    ("es", 58),
    ("en", 33),
    ("hmn", 3),
    ("ar", 2),
    ("fr", 2),
    ("pt", 2),
];

const RELATIONS: &[(CallerRelation, u32)] = &[
    (CallerRelation::SelfAffected, 28),
    (CallerRelation::Family, 30),
    (CallerRelation::Witness, 27),
    (CallerRelation::Organization, 8),
    (CallerRelation::Other, 7),
];

const IDENTIFIED: &[(IdentifiedBy, u32)] = &[
    (IdentifiedBy::Unknown, 40),
    (IdentifiedBy::Vehicle, 25),
    (IdentifiedBy::UniformText, 25),
    (IdentifiedBy::SaidSo, 10),
];

const CHILDREN: &[(ChildrenPresent, u32)] = &[
    (ChildrenPresent::Unknown, 50),
    (ChildrenPresent::No, 35),
    (ChildrenPresent::Yes, 15),
];

/// Relative weight of each seed area (same order as [`SEED_AREAS`]).
const AREA_WEIGHT: [u32; 22] = [
    8, 6, 5, 5, 9, 7, 6, 8, 5, 3, 4, 2, 2, 1, 1, 1, 1, 1, 1, 1, 2, 2,
];

pub(crate) const NOTES: &[&str] = &[
    "Caller reports two dark SUVs parked near an apartment entrance.",
    "Caller saw people in vests outside a store; no one was stopped.",
    "A neighbour heard agents were at the bus stop and wanted it checked.",
    "Shared know-your-rights information and the verifier line.",
    "Officers knocked and left a card; the family did not open the door.",
    "Traffic stop on a main road; the driver was released with a warning.",
    "Asked about a court date and how to find a lawyer.",
    "A social media post claimed a checkpoint; nothing found so far.",
    "Verifier arrived: city police at a car accident, no immigration agents.",
    "Caller is worried about a check-in appointment next week.",
    "Person detained outside work; family asked how to find where they are held.",
    "Caller could not see any markings on the vehicles.",
    "La persona vio dos camionetas sin placas cerca de la escuela.",
    "Se compartió información sobre sus derechos y la línea de verificación.",
    "Un vecino dijo que había agentes en la parada del autobús.",
    "La familia no abrió la puerta; dejaron una tarjeta.",
    "Preguntó cómo encontrar un abogado para una audiencia.",
    "Nadie fue detenido, según la persona que llamó.",
];

const SIZES: &[&str] = &[
    "1 vehicle, 2 people",
    "2 SUVs, about 4 people",
    "3 vehicles",
    "one officer",
    "dos camionetas",
];
const ACTIVITIES: &[&str] = &[
    "standing by the cars",
    "asking people for ID",
    "parked, watching the entrance",
    "knocking on doors",
    "esperando en el estacionamiento",
];
const LOCATIONS: &[&str] = &[
    "grocery store parking lot",
    "bus stop on a main street",
    "apartment complex entrance",
    "near a school",
    "cerca de una iglesia",
];
const UNIFORMS: &[&str] = &[
    "plain clothes",
    "vests reading POLICE",
    "vests, text not readable",
    "city police uniforms",
    "chalecos sin texto visible",
];
const TIMES: &[&str] = &[
    "just now",
    "about 10 minutes ago",
    "early this morning",
    "hace media hora",
];
const EQUIPMENT: &[&str] = &[
    "unmarked SUVs",
    "radios",
    "marked squad car",
    "a van with tinted windows",
];
const TASKS: &[&str] = &[
    "Call back to check the family is safe",
    "Send the referral list by text",
    "Ask the verifier team for an update",
    "Llamar de nuevo para confirmar",
];

/// Which agency, for a category.
fn agency(rng: &mut Rng, category: Category) -> Agency {
    use Agency::*;
    let table: &[(Agency, u32)] = match category {
        Category::TrafficStopLocalPolice => {
            &[(LocalPolice, 70), (CountySheriff, 20), (StatePatrol, 10)]
        }
        Category::RumourCheck => &[
            (Unknown, 70),
            (IceEro, 20),
            (PossibleImpersonator, 5),
            (LocalPolice, 5),
        ],
        Category::InfoOrReferral | Category::Other => {
            &[(Unknown, 85), (IceEro, 10), (LocalPolice, 5)]
        }
        Category::Courthouse | Category::IceOfficeCheckin => {
            &[(IceEro, 75), (Unknown, 20), (CountySheriff, 5)]
        }
        Category::WorkplaceOperation => &[(Hsi, 40), (IceEro, 40), (Unknown, 20)],
        _ => &[
            (IceEro, 55),
            (Unknown, 25),
            (LocalPolice, 8),
            (Hsi, 5),
            (Cbp, 4),
            (PossibleImpersonator, 3),
        ],
    };
    rng.pick(table)
}

/// Which verification, for a category and the call's age in hours.
fn verification(rng: &mut Rng, category: Category, age_hours: i64) -> Verification {
    use Verification::*;
    if matches!(
        category,
        Category::InfoOrReferral | Category::IceOfficeCheckin
    ) {
        return if rng.chance(0.95) {
            Unverified
        } else {
            UnableToVerify
        };
    }
    if age_hours < 3 && rng.chance(0.5) {
        return rng.pick(&[(Unverified, 1), (Dispatched, 1)]);
    }
    rng.pick(&[
        (Unverified, 31),
        (FalseAlarm, 22),
        (UnableToVerify, 20),
        (LocalPolice, 13),
        (Confirmed, 14),
    ])
}

/// Received times: `count` moments in the year before `now`, oldest first.
fn received_times(rng: &mut Rng, count: u32, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let offset = Duration::hours(MADISON_OFFSET_HOURS);
    let today: NaiveDate = (now + offset).date_naive();
    let mut times = Vec::with_capacity(count as usize);
    while times.len() < count as usize {
        let day = today - Duration::days(rng.below(365) as i64);
        let weekday: Weekday = day.weekday();
        if !rng.chance(WEEKDAY_WEIGHT[weekday.num_days_from_monday() as usize]) {
            continue;
        }
        let hour = rng.pick(&HOUR_WEIGHT);
        let (minute, second) = (rng.below(60) as u32, rng.below(60) as u32);
        let Some(local) = day.and_hms_opt(hour, minute, second) else {
            continue;
        };
        let at = local.and_utc() - offset;
        if at <= now {
            times.push(at);
        }
    }
    times.sort_unstable();
    times
}

/// One synthetic call received at `at`.
/// Where the demo calls' referrals (directory ids) and pack come from.
struct Sources<'a> {
    referral_ids: Vec<&'a str>,
    pack: (&'a str, &'a str),
}

/// One synthetic call received at `at`, in `area`.
fn call(
    rng: &mut Rng,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    area: Option<&str>,
    sources: &Sources<'_>,
) -> NewCall {
    let category = rng.pick(CATEGORIES);
    let age_hours = (now - at).num_hours();
    let verification = verification(rng, category, age_hours);
    let urgency = match category {
        Category::ArrestOrDetention | Category::IceHomeDoor | Category::WorkplaceOperation => {
            rng.pick(&[(Urgency::Urgent, 70), (Urgency::Normal, 30)])
        }
        Category::InfoOrReferral | Category::IceOfficeCheckin => {
            rng.pick(&[(Urgency::Low, 60), (Urgency::Normal, 40)])
        }
        _ => rng.pick(&[
            (Urgency::Normal, 70),
            (Urgency::Urgent, 20),
            (Urgency::Low, 10),
        ]),
    };
    let sighting = !matches!(
        category,
        Category::InfoOrReferral | Category::IceOfficeCheckin
    );
    let maybe =
        |rng: &mut Rng, list: &[&str], p: f64| rng.chance(p).then(|| rng.one(list).to_owned());
    let salute = if sighting {
        Salute {
            size: maybe(rng, SIZES, 0.8),
            activity: maybe(rng, ACTIVITIES, 0.8),
            location: maybe(rng, LOCATIONS, 0.7),
            uniform: maybe(rng, UNIFORMS, 0.6),
            time: maybe(rng, TIMES, 0.6),
            equipment: maybe(rng, EQUIPMENT, 0.5),
        }
    } else {
        Salute::default()
    };
    let mut notes = String::new();
    for _ in 0..=rng.below(3) {
        if !notes.is_empty() {
            notes.push(' ');
        }
        notes.push_str(rng.one(NOTES));
    }
    let referrals = if !sources.referral_ids.is_empty() && rng.chance(0.3) {
        vec![rng.one(&sources.referral_ids).to_owned()]
    } else {
        Vec::new()
    };
    let followups = if rng.chance(0.1) {
        let due = at.date_naive() + Duration::days(1 + rng.below(3) as i64);
        vec![NewFollowUp {
            what: rng.one(TASKS).to_owned(),
            due,
            done: due < now.date_naive() - Duration::days(2) && rng.chance(0.85),
        }]
    } else {
        Vec::new()
    };
    let contact = rng.chance(0.04);
    let with_pack = rng.chance(0.5);
    NewCall {
        received_at: at,
        duration_seconds: Some(60 + (rng.below(600) + rng.below(600) + rng.below(600)) as u32),
        volunteer: Some(
            rng.one(&[
                "demo-river",
                "demo-maple",
                "demo-harbor",
                "demo-cedar",
                "demo-willow",
            ])
            .to_owned(),
        ),
        language: rng.pick(LANGUAGES).to_owned(),
        caller_relation: rng.pick(RELATIONS),
        category,
        agency: agency(rng, category),
        identified_by: if sighting {
            rng.pick(IDENTIFIED)
        } else {
            IdentifiedBy::Unknown
        },
        area: area.map(str::to_owned),
        exact_location: (verification == Verification::Dispatched)
            .then(|| "(demo) 100 block of Example Street".to_owned()),
        salute,
        verification,
        people_affected: sighting
            .then(|| 1 + rng.pick(&[(0u32, 50), (1, 25), (2, 12), (3, 8), (5, 5)])),
        children_present: rng.pick(CHILDREN),
        urgency,
        referrals,
        followups,
        notes,
        contact_name: contact.then(|| "Demo contact".to_owned()),
        contact_phone: contact.then(|| format!("608-555-01{:02}", rng.below(100))),
        possibly_malicious: rng.chance(0.02),
        script_path: None,
        pack_id: with_pack.then(|| sources.pack.0.to_owned()),
        pack_version: with_pack.then(|| sources.pack.1.to_owned()),
    }
}

/// Insert `count` synthetic calls received over the year before `now`,
/// from `seed` (coordinators only; one transaction; audited).
pub fn demo_data(
    vault: &Coordinator<'_>,
    count: u32,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<DemoReport, CallError> {
    let actor = Actor::of(vault);
    if count > MAX_DEMO_CALLS {
        return Err(CallError::Invalid {
            field: "calls",
            reason: "at most 1000000 synthetic calls per run",
        });
    }
    let mut tx = vault.write()?;
    let report = insert_demo(&tx, &actor.handle, count, seed, now)?;
    tx.audit("calls.demo_data", json!({ "calls": count, "seed": seed }));
    tx.commit()?;
    // Give the query planner statistics for the new rows, so rare filter
    // combinations use the right index.
    vault.optimize()?;
    Ok(report)
}

/// Insert the synthetic calls inside the caller's transaction `tx`.
pub(crate) fn insert_demo(
    tx: &Connection,
    actor: &str,
    count: u32,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<DemoReport, CallError> {
    let pack = crate::guidance::Pack::builtin();
    let directory: Vec<String> = tx
        .prepare("SELECT uid FROM referrals WHERE removed = 0 ORDER BY uid")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let sources = Sources {
        referral_ids: directory.iter().map(String::as_str).collect(),
        pack: (pack.meta().id.as_str(), pack.meta().version.as_str()),
    };
    let mut rng = Rng(seed);
    let times = received_times(&mut rng, count, now);
    // Active seed areas with their row ids; no area 5 % of the time.
    let mut areas: Vec<(&str, i64)> = Vec::new();
    let mut weights: Vec<(Option<usize>, u32)> = vec![(None, 5)];
    for (name, weight) in SEED_AREAS.iter().zip(AREA_WEIGHT) {
        match store::active_area_id(tx, name) {
            Ok(id) => {
                weights.push((Some(areas.len()), weight));
                areas.push((name, id));
            }
            Err(CallError::UnknownArea) => {}
            Err(err) => return Err(err),
        }
    }
    // The generator writes other volunteers' handles, as a coordinator may.
    let generator = Actor {
        handle: actor.to_owned(),
        coordinator: true,
    };
    for &at in &times {
        let area = rng.pick(&weights).map(|i| areas[i]);
        let new = call(&mut rng, at, now, area.map(|a| a.0), &sources);
        let checked = store::check(&generator, new, area.map(|a| a.1), now)?;
        store::insert(tx, &checked, actor, now, true)?;
    }
    Ok(DemoReport {
        calls: count,
        first: times.first().copied(),
        last: times.last().copied(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_reproducible_and_uniform_enough() {
        let mut a = Rng(7);
        let mut b = Rng(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut counts = [0u32; 10];
        let mut rng = Rng(1);
        for _ in 0..10_000 {
            counts[rng.below(10) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (800..1200).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn times_fall_in_the_last_year_with_weekly_rhythm() {
        let now = Utc::now();
        let times = received_times(&mut Rng(3), 5000, now);
        assert_eq!(times.len(), 5000);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(
            times
                .iter()
                .all(|t| *t <= now && *t > now - Duration::days(367))
        );
        let local = |t: &DateTime<Utc>| (*t + Duration::hours(MADISON_OFFSET_HOURS)).weekday();
        let mondays = times.iter().filter(|t| local(t) == Weekday::Mon).count();
        let sundays = times.iter().filter(|t| local(t) == Weekday::Sun).count();
        assert!(mondays > sundays * 2, "{mondays} vs {sundays}");
    }
}
