//! The short codes shared by guidance packs and the call log: what kind of
//! call it is, which agency was involved, and how far a report was verified.
//!
//! A script option can set these fields, so the words on screen and the call
//! record stay one. Each code is written in `snake_case` in pack files and in
//! saved data (for example `ice_home_door`, `local_police`, `false_alarm`).

use serde::{Deserialize, Serialize};

/// A value that is not one of the known codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {field} `{value}`; expected one of: {expected}")]
pub struct UnknownCode {
    /// Which field the value was for (`category`, `agency`, `verification`).
    pub field: &'static str,
    /// The value as written.
    pub value: String,
    /// The accepted codes, comma-separated.
    pub expected: String,
}

/// Declares a code enum with its `snake_case` spellings, `ALL`, `as_str`,
/// `Display` and `FromStr`; serde uses the same spellings. Extra derives go in
/// the leading brackets (the call record adds `JsonSchema`). Used here and by
/// the call record's own small code lists (`calls::model`).
macro_rules! code_enum {
    (
        [$($extra:path),*]
        $(#[$meta:meta])*
        $name:ident, $field:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $code:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize $(, $extra)*)]
        #[cfg_attr(feature = "ts", derive(::ts_rs::TS))]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every code, in the order they are declared.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The code as written in pack files and saved data.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::codes::UnknownCode;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|code| code.as_str() == value)
                    .ok_or_else(|| $crate::codes::UnknownCode {
                        field: $field,
                        value: value.to_owned(),
                        expected: Self::ALL
                            .iter()
                            .map(|code| code.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            }
        }
    };
}

pub(crate) use code_enum;

code_enum! {
    []
    /// What a call is about.
    Category, "category" {
        /// Immigration agents at the door of a home.
        IceHomeDoor => "ice_home_door",
        /// Immigration agents in a public place (street, shop, car park).
        IcePublic => "ice_public",
        /// An operation at a workplace.
        WorkplaceOperation => "workplace_operation",
        /// A traffic stop by local police.
        TrafficStopLocalPolice => "traffic_stop_local_police",
        /// Someone has been arrested or detained.
        ArrestOrDetention => "arrest_or_detention",
        /// Activity at or around a courthouse.
        Courthouse => "courthouse",
        /// A check-in at an immigration office.
        IceOfficeCheckin => "ice_office_checkin",
        /// A question or a request for a referral.
        InfoOrReferral => "info_or_referral",
        /// A rumour or an unverified alert to check.
        RumourCheck => "rumour_check",
        /// Anything else.
        Other => "other",
    }
}

code_enum! {
    []
    /// Which agency the caller is dealing with.
    Agency, "agency" {
        /// ICE Enforcement and Removal Operations.
        IceEro => "ice_ero",
        /// Homeland Security Investigations (part of ICE).
        Hsi => "hsi",
        /// Customs and Border Protection.
        Cbp => "cbp",
        /// City police, such as the Madison Police Department.
        LocalPolice => "local_police",
        /// A county sheriff's office.
        CountySheriff => "county_sheriff",
        /// The state patrol.
        StatePatrol => "state_patrol",
        /// Not known yet.
        Unknown => "unknown",
        /// Someone who may be pretending to be an officer.
        PossibleImpersonator => "possible_impersonator",
    }
}

code_enum! {
    []
    /// How far a report of enforcement activity has been checked.
    Verification, "verification" {
        /// Reported, not checked yet.
        Unverified => "unverified",
        /// A verifier has been sent.
        Dispatched => "dispatched",
        /// A verifier confirmed the activity.
        Confirmed => "confirmed",
        /// Nothing was there.
        FalseAlarm => "false_alarm",
        /// It turned out to be local police, not immigration agents.
        LocalPolice => "local_police",
        /// It could not be checked.
        UnableToVerify => "unable_to_verify",
    }
}

/// The call fields a script can set. Each is optional; a later choice
/// overrides an earlier one field by field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CallFields {
    /// What the call is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// Which agency is involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<Agency>,
    /// How far the report has been verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

impl CallFields {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Overlay `later` on these fields: each field `later` sets wins.
    pub fn apply(&mut self, later: &CallFields) {
        self.category = later.category.or(self.category);
        self.agency = later.agency.or(self.agency);
        self.verification = later.verification.or(self.verification);
    }
}

#[cfg(test)]
mod tests {
    use std::fmt;
    use std::str::FromStr;

    use super::*;

    /// Serde, `as_str` and `FromStr` agree on every spelling.
    fn check_spellings<T>(all: &[T])
    where
        T: Copy + fmt::Display + FromStr + PartialEq + fmt::Debug + Serialize,
        <T as FromStr>::Err: fmt::Debug,
    {
        #[derive(Serialize)]
        struct Wrap<U> {
            v: U,
        }
        for &code in all {
            let text = code.to_string();
            assert_eq!(text.parse::<T>().unwrap(), code);
            let json = serde_json::to_string(&Wrap { v: code }).unwrap();
            assert_eq!(json, format!("{{\"v\":\"{text}\"}}"));
        }
    }

    #[test]
    fn spellings_are_consistent() {
        check_spellings(Category::ALL);
        check_spellings(Agency::ALL);
        check_spellings(Verification::ALL);
    }

    #[test]
    fn the_documented_codes_exist() {
        assert_eq!(Category::ALL.len(), 10);
        assert_eq!(Agency::ALL.len(), 8);
        assert_eq!(Verification::ALL.len(), 6);
        assert_eq!(
            "traffic_stop_local_police".parse::<Category>().unwrap(),
            Category::TrafficStopLocalPolice
        );
        assert_eq!(
            "possible_impersonator".parse::<Agency>().unwrap(),
            Agency::PossibleImpersonator
        );
        assert_eq!(
            "unable_to_verify".parse::<Verification>().unwrap(),
            Verification::UnableToVerify
        );
    }

    #[test]
    fn unknown_codes_name_the_choices() {
        let err = "ice".parse::<Agency>().unwrap_err();
        assert_eq!(err.field, "agency");
        assert!(err.to_string().contains("ice_ero, hsi"), "{err}");
    }

    #[test]
    fn later_fields_override_earlier_ones() {
        let mut fields = CallFields {
            category: Some(Category::IcePublic),
            agency: Some(Agency::Unknown),
            verification: None,
        };
        fields.apply(&CallFields {
            agency: Some(Agency::LocalPolice),
            ..CallFields::default()
        });
        assert_eq!(fields.category, Some(Category::IcePublic));
        assert_eq!(fields.agency, Some(Agency::LocalPolice));
        assert!(!fields.is_empty());
        assert!(CallFields::default().is_empty());
    }
}
