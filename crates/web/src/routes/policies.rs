//! Routes for policy documents, versions, reviews and acknowledgements: the pages, then
//! the API over the same use cases.

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::pages::policies::{
    acknowledgements, clause, compare, document, import, list, pledges, public, response_plan,
    version,
};
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    let mut routes = pages();
    routes.extend(api_routes());
    routes
}

fn pages() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    const VERSION: &str = "/policies/{id}/versions/{vid}";
    const PLAN: &str = "/policies/{id}/versions/{vid}/plan";
    const SCENARIO: &str = "/policies/{id}/versions/{vid}/plan/scenarios/{sid}";
    vec![
        (Method::GET, "/policies", get(list::list)),
        (Method::GET, "/policies/import", get(import::import_form)),
        (Method::POST, "/policies/import", post(import::preview)),
        (Method::POST, "/policies/import/save", post(import::save)),
        (Method::GET, "/policies/{id}", get(document::show_document)),
        (Method::GET, VERSION, get(version::show_version)),
        (
            Method::POST,
            "/policies/{id}/versions/{vid}/send",
            post(version::send),
        ),
        (
            Method::POST,
            "/policies/{id}/versions/{vid}/approve",
            post(version::approve),
        ),
        (
            Method::POST,
            "/policies/{id}/versions/{vid}/publish",
            post(version::publish),
        ),
        (
            Method::POST,
            "/policies/{id}/versions/{vid}/withdraw",
            post(version::withdraw),
        ),
        (Method::GET, "/policies/{id}/compare", get(compare::compare)),
        (
            Method::GET,
            "/policies/{id}/clauses/{reference}",
            get(clause::clause),
        ),
        (
            Method::POST,
            "/policies/{id}/reviews",
            post(document::add_review),
        ),
        (Method::GET, "/public/policy", get(public::public_policy)),
        (
            Method::POST,
            "/policies/{id}/versions/{vid}/acknowledge",
            post(acknowledgements::acknowledge),
        ),
        (
            Method::GET,
            "/policies/{id}/acknowledgements",
            get(acknowledgements::show),
        ),
        (
            Method::POST,
            "/policies/{id}/acknowledgements/remind",
            post(acknowledgements::remind),
        ),
        (
            Method::GET,
            "/policies/{id}/acknowledgements.csv",
            get(acknowledgements::export_csv),
        ),
        // Pledges (誓約書): the paper pledge streams its scan, so no default body limit.
        (
            Method::POST,
            "/policies/{id}/pledges/paper",
            post(pledges::record_paper).layer(DefaultBodyLimit::disable()),
        ),
        (Method::GET, "/pledges/{id}", get(pledges::show_signature)),
        // Emergency response plans (緊急時対応計画): scenarios kept per version.
        (Method::GET, PLAN, get(response_plan::show)),
        (Method::GET, SCENARIO, get(response_plan::edit_form)),
        (Method::POST, SCENARIO, post(response_plan::save)),
        (
            Method::GET,
            "/policies/{id}/versions/{vid}/plan/print",
            get(response_plan::print),
        ),
        (
            Method::GET,
            "/policies/{id}/plan/download",
            get(response_plan::download),
        ),
    ]
}

fn api_routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    use api::policies as p;
    vec![
        (Method::GET, "/api/v1/policies", get(p::list_policies)),
        (
            Method::POST,
            "/api/v1/policies/import",
            post(p::import_policy),
        ),
        (
            Method::POST,
            "/api/v1/policies/import/preview",
            post(api::policy_drafts::preview_import),
        ),
        (Method::GET, "/api/v1/policies/{id}", get(p::get_policy)),
        (
            Method::GET,
            "/api/v1/policies/{id}/versions/{vid}",
            get(p::get_version),
        ),
        (
            Method::POST,
            "/api/v1/policies/{id}/versions/{vid}/send",
            post(api::policy_drafts::send_version),
        ),
        (
            Method::POST,
            "/api/v1/policies/{id}/versions/{vid}/approve",
            post(p::approve_version),
        ),
        (
            Method::POST,
            "/api/v1/policies/{id}/versions/{vid}/publish",
            post(p::publish_version),
        ),
        (
            Method::POST,
            "/api/v1/policies/{id}/versions/{vid}/withdraw",
            post(api::policy_drafts::withdraw_version),
        ),
        (
            Method::POST,
            "/api/v1/policies/{id}/versions/{vid}/acknowledge",
            post(p::acknowledge),
        ),
        (
            Method::POST,
            "/api/v1/policies/{id}/reviews",
            post(p::add_review),
        ),
        (
            Method::GET,
            "/api/v1/policies/{id}/acknowledgements",
            get(p::list_acknowledgements),
        ),
        (
            Method::POST,
            "/api/v1/policies/{id}/acknowledgements/remind",
            post(p::remind),
        ),
        (
            Method::GET,
            "/api/v1/policies/{id}/pledges",
            get(api::pledges::list_signatures),
        ),
        (
            Method::GET,
            "/api/v1/policies/{id}/versions/{vid}/scenarios",
            get(api::response_plan::get_scenarios),
        ),
        (
            Method::PUT,
            "/api/v1/policies/{id}/versions/{vid}/scenarios/{sid}",
            axum::routing::put(api::response_plan::put_scenario),
        ),
        (
            Method::GET,
            "/api/v1/policies/{id}/plan/download",
            get(api::response_plan::get_plan_file),
        ),
        (
            Method::POST,
            "/api/v1/policies/{id}/pledges/paper",
            post(api::pledges::record_paper).layer(DefaultBodyLimit::disable()),
        ),
    ]
}
