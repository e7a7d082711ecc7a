//! The emergency response plan laid out for reading and printing: each scenario with
//! whom to call resolved from the contact tree, and the wallet card; and the published
//! plan as one self-contained HTML file. Shared by the plan pages and the API.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::i18n::Tr;
use mamori_app::organisation::{ContactLine, ContactList};
use mamori_app::policies::{self, Call, PlanView};
use mamori_app::training::post_name;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::forms::parse_id;
use crate::state::AppState;

/// One person to call, with every number kept for them.
pub struct Person {
    pub name: String,
    pub phone: String,
    pub extension: String,
    pub mobile: String,
    /// The deputy, named with their mobile when kept.
    pub deputy: Option<String>,
}

/// A post to call and its holders (none: the post is vacant).
pub struct CallShown {
    pub post: String,
    pub post_lang: &'static str,
    pub people: Vec<Person>,
}

/// A scenario as shown and printed.
pub struct Sheet {
    pub id: i64,
    pub family: String,
    pub title: String,
    /// `ja` when the content is Japanese on an English page.
    pub lang: &'static str,
    pub actions: Vec<String>,
    pub calls: Vec<CallShown>,
    pub reports: Vec<String>,
}

fn person(tr: &Tr, line: &ContactLine) -> Person {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let holder = &line.holder;
    Person {
        name: holder.name.clone(),
        phone: text(&holder.contact.phone),
        extension: text(&holder.contact.extension),
        mobile: text(&holder.contact.mobile),
        deputy: line.deputy.as_ref().map(|d| match &d.contact.mobile {
            Some(mobile) if !mobile.is_empty() => {
                crate::http::labels::bracketed(tr, &d.name, mobile)
            }
            _ => d.name.clone(),
        }),
    }
}

fn calls_shown(tr: &Tr, calls: Vec<Call>) -> Vec<CallShown> {
    calls
        .into_iter()
        .map(|c| {
            let post = post_name(tr, &c.post);
            CallShown {
                post_lang: tr.lang_of(&post),
                post,
                people: c.holders.iter().map(|l| person(tr, l)).collect(),
            }
        })
        .collect()
}

/// The scenarios of `plan`, whom to call resolved from `contacts` when given (the plan
/// page names only the posts).
pub fn sheets(tr: &Tr, plan: &PlanView, contacts: Option<&ContactList>) -> Vec<Sheet> {
    plan.scenarios
        .iter()
        .map(|s| {
            let scenario = &s.scenario;
            let all = format!(
                "{}{}{}",
                scenario.title,
                scenario.actions.concat(),
                scenario.reports.concat()
            );
            Sheet {
                id: s.id,
                family: tr.t(scenario.family.label_key()).to_owned(),
                title: scenario.title.clone(),
                lang: tr.lang_of(&all),
                actions: scenario.actions.clone(),
                calls: calls_shown(tr, plan.calls_of(&scenario.calls, contacts)),
                reports: scenario.reports.clone(),
            }
        })
        .collect()
}

/// The wallet card: every post some scenario calls, with its holders.
pub fn card(tr: &Tr, plan: &PlanView, contacts: &ContactList) -> Vec<CallShown> {
    calls_shown(tr, plan.card(contacts))
}

/// A number as a `tel:` target: digits and a leading +, nothing else.
pub fn tel(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect()
}

#[derive(Template)]
#[template(path = "policies/plan_file.html")]
struct PlanFile {
    t: Tr,
    title: String,
    version: String,
    day: String,
    /// The plan's text as approved, a paragraph a line.
    paragraphs: Vec<String>,
    sheets: Vec<Sheet>,
    card: Vec<CallShown>,
}

impl PlanFile {
    fn tel(&self, number: &str) -> String {
        tel(number)
    }
}

/// The published plan `id` as one HTML file: the text, the scenarios and the card, with
/// its styles inline and nothing loaded from anywhere, for a USB stick or a laptop.
pub async fn plan_file(
    state: &AppState,
    ctx: Ctx,
    signed: &SignedIn,
    id: &str,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    policies::plan_read_gate(&state.app, acting).await?;
    let id = parse_id(id)?;
    let today = mamori_app::today();
    let (plan, contacts) = policies::published_plan(&state.app, acting, id, today).await?;
    let file = PlanFile {
        title: plan.version.title.clone(),
        version: ctx.tr.f(
            "policy.version_number",
            &[("n", plan.version.number.to_string())],
        ),
        day: ctx.date(today),
        paragraphs: plan
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        sheets: sheets(&ctx.tr, &plan, Some(&contacts)),
        card: card(&ctx.tr, &plan, &contacts),
        t: ctx.tr,
    };
    let html = file.render().map_err(|e| {
        tracing::error!(error = %e, "template failed");
        AppError::internal()
    })?;
    let mut response = (StatusCode::OK, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    let disposition = format!(
        "attachment; filename=\"response-plan-{id}-{}.html\"",
        mamori_app::date_text(today).replace('-', "")
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tel_keeps_digits() {
        assert_eq!(super::tel("03-1234-5678（内線）"), "0312345678");
        assert_eq!(super::tel("+81 90 1234 5678"), "+819012345678");
    }
}
