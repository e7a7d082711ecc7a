//! The threat catalogue (clause 3 of the basic policy): the five families of clause 3
//! with the threats each names, kept by the security officer. A threat is never deleted:
//! retiring it ("廃止") keeps it, and every risk that names it, on record; it can be
//! brought back. Those who read the risk register read the catalogue.

use askama::Template;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::threats::{self as app_threats, Threat};
use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::risk::ThreatFamily;
pub use mamori_domain::threat::{DESCRIPTION_MAX, NAME_MAX};
use mamori_domain::threat::{ThreatForm, ThreatOrigin};
use mamori_domain::wareki::Lang;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::forms::{FieldError, parse_id};
use crate::http::{Layout, render, see_other};
use crate::state::AppState;
use mamori_app::i18n::Tr;

pub(super) const PATH: &str = "/threats";

/// Longest text kept from a submitted field to show it again: above every limit, so a
/// refused value comes back as typed, but bounded.
pub(super) const KEEP_CHARS: usize = 5_000;

/// The locale key naming a family.
pub fn family_key(family: ThreatFamily) -> &'static str {
    match family {
        ThreatFamily::Intentional => "threat.family.intentional",
        ThreatFamily::Unintentional => "threat.family.unintentional",
        ThreatFamily::Disaster => "threat.family.disaster",
        ThreatFamily::Pandemic => "threat.family.pandemic",
        ThreatFamily::Infrastructure => "threat.family.infrastructure",
    }
}

/// The locale key with what clause 3 says of a family.
pub(super) fn family_explain_key(family: ThreatFamily) -> &'static str {
    match family {
        ThreatFamily::Intentional => "threat.family_explain.intentional",
        ThreatFamily::Unintentional => "threat.family_explain.unintentional",
        ThreatFamily::Disaster => "threat.family_explain.disaster",
        ThreatFamily::Pandemic => "threat.family_explain.pandemic",
        ThreatFamily::Infrastructure => "threat.family_explain.infrastructure",
    }
}

// ---------------------------------------------------------------- reading input

/// A threat as the form shows it to a reader in `lang`: built-in texts in English on
/// English pages ([`as_stored`] reads them back).
pub fn form_of(threat: &Threat, lang: Lang) -> ThreatForm {
    ThreatForm {
        family: threat.family.as_str().to_owned(),
        name: threat.shown_name(lang).to_owned(),
        description: threat.shown_description(lang).to_owned(),
    }
}

/// The form as posted by a reader who was shown `threat` in `lang`: a built-in text left
/// in English as shown keeps the stored Japanese (saving unchanged changes nothing).
pub(super) fn as_stored(threat: &Threat, lang: Lang, mut form: ThreatForm) -> ThreatForm {
    if lang != Lang::En {
        return form;
    }
    if !threat.name_en.is_empty() && form.name.trim() == threat.name_en {
        form.name = threat.name.clone();
    }
    if form.description.trim() == threat.shown_description(lang) {
        form.description = threat.description.clone();
    }
    form
}

pub(super) fn form_from_fields(fields: &[(String, String)]) -> ThreatForm {
    let get = |name: &str| -> String {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
            .chars()
            .take(KEEP_CHARS)
            .collect()
    };
    ThreatForm {
        family: get("family"),
        name: get("name"),
        description: get("description"),
    }
}

pub(super) use crate::http::forms::form_problems as problems_of;

pub mod edit;
pub mod list;

pub use edit::*;
pub use list::*;

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_app::i18n::{EN, JA};

    #[test]
    fn keys_used_here_exist_in_both_languages() {
        let mut keys = vec![
            "threat.error.family",
            "threat.error.control_chars_multiline",
            "threat.error.duplicate",
            "threat.error.duplicate_retired",
            "threat.name_hint",
            "threat.description_hint",
            "threat.saved.created",
            "threat.saved.updated",
            "threat.saved.retired",
            "threat.saved.restored",
            "threat.saved.unchanged",
        ];
        for family in ThreatFamily::ALL {
            keys.push(family_key(family));
            keys.push(family_explain_key(family));
        }
        for key in keys {
            assert!(JA.contains_key(key), "{key} missing in ja.toml");
            assert!(EN.contains_key(key), "{key} missing in en.toml");
        }
    }
}
