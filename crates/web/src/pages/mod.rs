//! Server-rendered pages.

pub mod account;
pub mod admin;
pub mod asset_export;
pub mod asset_import;
pub mod asset_labels;
pub mod assets;
pub mod audit;
pub mod classification;
pub mod home;
pub mod login;
pub mod policies;
pub mod policy_acks;
pub mod preferences;
pub mod risk_analyses;
pub mod risk_heatmap;
pub mod risk_matrix;
pub mod risks;
pub mod setup;
pub mod threats;
pub mod users;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use mamori_domain::user::Role;
use mamori_store::sessions::Stage;

use crate::auth::Principal;
use crate::error::AppError;
use crate::state::AppState;

/// What the shared layout needs besides the translator.
#[derive(Debug, Clone)]
pub struct Layout {
    pub organisation: Option<String>,
    /// The navigation entry for this page, marked `aria-current`.
    pub active: &'static str,
    /// This page's path, so the language switch can come back to it.
    pub path: String,
    /// The signed-in user's name, for the header and the sign-out button.
    pub user_name: Option<String>,
    /// The session's CSRF token, put into every form.
    pub csrf: String,
    pub nav: Vec<&'static NavItem>,
}

/// Who sees a navigation entry.
#[derive(Debug)]
pub enum Audience {
    Everyone,
    SignedIn,
    Roles(&'static [Role]),
}

#[derive(Debug)]
pub struct NavItem {
    pub id: &'static str,
    pub path: &'static str,
    pub key: &'static str,
    pub audience: Audience,
}

/// The modules that exist today, in navigation order. The server checks access on every
/// route; this list only spares people links they cannot use.
pub const NAV: &[NavItem] = &[
    NavItem {
        id: "home",
        path: "/",
        key: "nav.home",
        audience: Audience::Everyone,
    },
    NavItem {
        id: "policies",
        path: "/policies",
        key: "nav.policies",
        audience: Audience::Roles(policies::READERS),
    },
    NavItem {
        id: "assets",
        path: "/assets",
        key: "nav.assets",
        audience: Audience::Roles(assets::READERS),
    },
    NavItem {
        id: "classification",
        path: "/settings/classification",
        key: "nav.classification",
        audience: Audience::Roles(assets::READERS),
    },
    NavItem {
        id: "threats",
        path: "/threats",
        key: "nav.threats",
        audience: Audience::Roles(risks::READERS),
    },
    NavItem {
        id: "risks",
        path: "/risks",
        key: "nav.risks",
        audience: Audience::Roles(risks::READERS),
    },
    NavItem {
        id: "audit",
        path: "/audit",
        key: "nav.audit",
        audience: Audience::Roles(&[Role::SecurityOfficer, Role::Auditor]),
    },
    NavItem {
        id: "users",
        path: "/users",
        key: "nav.users",
        audience: Audience::Roles(&[Role::Admin]),
    },
    NavItem {
        id: "security",
        path: "/admin/security",
        key: "nav.security",
        audience: Audience::Roles(&[Role::Admin]),
    },
    NavItem {
        id: "account",
        path: "/account",
        key: "nav.account",
        audience: Audience::SignedIn,
    },
    NavItem {
        id: "preferences",
        path: "/preferences",
        key: "nav.preferences",
        audience: Audience::Everyone,
    },
];

impl Layout {
    pub async fn load(
        state: &AppState,
        active: &'static str,
        path: &str,
        principal: Option<&Principal>,
    ) -> Layout {
        let organisation =
            mamori_store::settings::get(&state.store, mamori_store::settings::ORGANISATION_NAME)
                .await
                .ok()
                .flatten();
        let signed_in =
            principal.filter(|p| p.session.as_ref().is_none_or(|s| s.stage == Stage::Active));
        let nav = NAV
            .iter()
            .filter(|item| match &item.audience {
                Audience::Everyone => true,
                Audience::SignedIn => signed_in.is_some(),
                Audience::Roles(roles) => signed_in.is_some_and(|p| roles.contains(&p.user.role)),
            })
            .collect();
        Layout {
            organisation,
            active,
            path: path.to_owned(),
            user_name: principal.map(|p| p.user.display_name.clone()),
            csrf: principal
                .map(|p| p.csrf_token().to_owned())
                .unwrap_or_default(),
            nav,
        }
    }

    /// For error pages, which must render even when the database does not answer.
    pub fn plain() -> Layout {
        Layout {
            organisation: None,
            active: "",
            path: "/".to_owned(),
            user_name: None,
            csrf: String::new(),
            nav: NAV
                .iter()
                .filter(|i| matches!(i.audience, Audience::Everyone))
                .collect(),
        }
    }
}

/// Renders a template into an HTML response with `status`.
pub fn render(status: StatusCode, page: &impl askama::Template) -> Result<Response, AppError> {
    let html = page.render().map_err(|e| {
        tracing::error!(error = %e, "template failed");
        AppError::internal()
    })?;
    Ok((status, Html(html)).into_response())
}

/// A 303 to a local path (never to another site).
pub fn see_other(path: &str) -> Response {
    let target = local_path(path);
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            HeaderValue::from_str(target).unwrap_or(HeaderValue::from_static("/")),
        )],
    )
        .into_response()
}

/// `path` when it is a path on this site, else `/`: a form field must not redirect
/// people elsewhere.
pub fn local_path(path: &str) -> &str {
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control());
    if local { path } else { "/" }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(super::local_path("/preferences"), "/preferences");
        assert_eq!(super::local_path("//evil.example"), "/");
        assert_eq!(super::local_path("/\\evil.example"), "/");
        assert_eq!(super::local_path("https://evil.example"), "/");
        assert_eq!(super::local_path("/a\r\nSet-Cookie: x=1"), "/");
    }
}

/// An approve-or-reject form: a take-out request, a risk acceptance.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub decision: String,
    pub note: String,
}

impl DecisionForm {
    /// The decision (true to approve) and its optional one-line note, or a 4xx saying
    /// what is wrong.
    pub fn read(&self) -> Result<(bool, String), AppError> {
        let approve = match self.decision.as_str() {
            "approve" => true,
            "reject" => false,
            _ => {
                return Err(AppError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_decision",
                    "decision.error.choose",
                ));
            }
        };
        let note = match mamori_domain::text::single_line(&self.note, 500) {
            Ok(note) => note,
            Err(mamori_domain::text::TextProblem::Empty) => String::new(),
            Err(_) => {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_note",
                    "decision.error.note",
                ));
            }
        };
        Ok((approve, note))
    }
}
