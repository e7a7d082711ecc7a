//! The frame around every page: the assembly's name, the navigation a person may use,
//! the signed-in user, the CSRF token and the one-time token for forms, and the date
//! printed in the header of every sheet.

use mamori_app::auth::Stage;
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, Register};
use mamori_domain::wareki::{self, DateStyle};

use crate::http::auth::Principal;
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
    /// A fresh one-time token for this page's create and decide forms (`http::once`):
    /// a second submission of the same form gets the first one's answer.
    pub once: String,
    pub nav: Vec<&'static NavItem>,
    /// The signed-in person's unread notices, for the header's link to `/notifications`.
    pub unread: Option<i64>,
    /// How many things wait for the signed-in person (approvals to decide, overdue
    /// actions, unread notices, policies to acknowledge): the badge on ホーム.
    pub waiting: i64,
    /// Citations of the basic policy in its published numbering.
    pub cite: crate::http::cite::Cite,
    /// Today and the signed-in person's date style, for the date in the printed header.
    pub today: time::Date,
    pub date_style: DateStyle,
}

/// Who sees a navigation entry.
#[derive(Debug)]
pub enum Audience {
    Everyone,
    SignedIn,
    /// Those the access declarations allow to read the register.
    Readers(Register),
    /// Readers of the continuity plan (a member only through a post).
    Continuity,
}

#[derive(Debug)]
pub struct NavItem {
    pub id: &'static str,
    pub path: &'static str,
    pub key: &'static str,
    pub audience: Audience,
}

const fn item(
    id: &'static str,
    path: &'static str,
    key: &'static str,
    audience: Audience,
) -> NavItem {
    NavItem {
        id,
        path,
        key,
        audience,
    }
}

/// The modules that exist today, in navigation order. The server checks access on every
/// route; this list only spares people links they cannot use.
pub const NAV: &[NavItem] = &[
    item("home", "/", "nav.home", Audience::Everyone),
    item(
        "approvals",
        "/approvals",
        "nav.approvals",
        Audience::Readers(Register::Approvals),
    ),
    item(
        "policies",
        "/policies",
        "nav.policies",
        Audience::Readers(Register::Policies),
    ),
    item(
        "assets",
        "/assets",
        "nav.assets",
        Audience::Readers(Register::Assets),
    ),
    item(
        "classification",
        "/settings/classification",
        "nav.classification",
        Audience::Readers(Register::Classification),
    ),
    item(
        "threats",
        "/threats",
        "nav.threats",
        Audience::Readers(Register::Threats),
    ),
    item(
        "risks",
        "/risks",
        "nav.risks",
        Audience::Readers(Register::Risks),
    ),
    item(
        "exceptions",
        "/exceptions",
        "nav.exceptions",
        Audience::Readers(Register::Exceptions),
    ),
    item(
        "actions",
        "/actions",
        "nav.actions",
        Audience::Readers(Register::Actions),
    ),
    item(
        "incidents",
        "/incidents",
        "nav.incidents",
        Audience::Readers(Register::Incidents),
    ),
    item(
        "continuity",
        "/continuity",
        "nav.continuity",
        Audience::Continuity,
    ),
    item(
        "awareness",
        "/awareness",
        "nav.awareness",
        Audience::Readers(Register::Awareness),
    ),
    item(
        "training",
        "/training",
        "nav.training",
        Audience::Readers(Register::Training),
    ),
    item(
        "reviews",
        "/reviews",
        "nav.reviews",
        Audience::Readers(Register::Policies),
    ),
    item(
        "audit",
        "/audit",
        "nav.audit",
        Audience::Readers(Register::AuditTrail),
    ),
    item(
        "retention",
        "/retention",
        "nav.retention",
        Audience::Readers(Register::Retention),
    ),
    item(
        "organisation",
        "/organisation",
        "nav.organisation",
        Audience::Readers(Register::Organisation),
    ),
    item(
        "term_changes",
        "/term-changes",
        "nav.term_changes",
        Audience::Readers(Register::TermChanges),
    ),
    item(
        "users",
        "/users",
        "nav.users",
        Audience::Readers(Register::Users),
    ),
    item(
        "security",
        "/admin/security",
        "nav.security",
        Audience::Readers(Register::Security),
    ),
    item(
        "calendar",
        "/admin/calendar",
        "nav.calendar",
        Audience::Readers(Register::Security),
    ),
    item("account", "/account", "nav.account", Audience::SignedIn),
    item(
        "preferences",
        "/preferences",
        "nav.preferences",
        Audience::Everyone,
    ),
];

impl Layout {
    pub async fn load(
        state: &AppState,
        active: &'static str,
        path: &str,
        principal: Option<&Principal>,
    ) -> Layout {
        let organisation = mamori_app::settings::organisation_name(&state.app).await;
        let signed_in =
            principal.filter(|p| p.session.as_ref().is_none_or(|s| s.stage == Stage::Active));
        let nav = NAV
            .iter()
            .filter(|item| match &item.audience {
                Audience::Everyone => true,
                Audience::SignedIn => signed_in.is_some(),
                Audience::Readers(register) => {
                    signed_in.is_some_and(|p| p.acting.may(*register, Act::Read))
                }
                Audience::Continuity => {
                    signed_in.is_some_and(|p| mamori_app::continuity::reads(&p.acting))
                }
            })
            .collect();
        // One cheap use case for the count; a failure to count leaves the badge off
        // rather than the page.
        let waiting = match signed_in {
            Some(p) => mamori_app::home::waiting_count(&state.app, &p.acting, mamori_app::today())
                .await
                .ok(),
            None => None,
        };
        Layout {
            organisation,
            active,
            path: path.to_owned(),
            user_name: principal.map(|p| p.user.display_name.clone()),
            csrf: principal
                .map(|p| p.csrf_token().to_owned())
                .unwrap_or_default(),
            once: mamori_app::random_token(),
            nav,
            unread: waiting.map(|w| w.unread_notices),
            waiting: waiting.map(|w| w.total()).unwrap_or_default(),
            cite: crate::http::cite::Cite::load(state, signed_in).await,
            today: mamori_app::today(),
            date_style: principal
                .and_then(|p| p.user.date_style)
                .unwrap_or_default(),
        }
    }

    /// The manual's page about this page ("この画面について"): the topic of its
    /// navigation entry, or the manual's contents for a page without one.
    pub fn help_href(&self) -> String {
        match mamori_app::help::topic(self.active) {
            Some(topic) => format!("/help/{}", topic.slug),
            None => "/help".to_owned(),
        }
    }

    /// The date printed at the top right of every sheet (令和8年12月3日; "3 December
    /// 2026 (Reiwa 8)" in English).
    pub fn printed_on(&self, t: &Tr) -> String {
        wareki::format_date(self.today, self.date_style, t.lang)
    }

    /// For error pages, which must render even when the database does not answer.
    pub fn plain() -> Layout {
        Layout {
            organisation: None,
            active: "",
            path: "/".to_owned(),
            user_name: None,
            csrf: String::new(),
            once: String::new(),
            nav: NAV
                .iter()
                .filter(|i| matches!(i.audience, Audience::Everyone))
                .collect(),
            unread: None,
            waiting: 0,
            cite: crate::http::cite::Cite::default(),
            today: mamori_app::today(),
            date_style: DateStyle::default(),
        }
    }
}
