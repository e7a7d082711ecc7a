//! Routes for policy documents, versions, reviews and acknowledgements.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::pages::*;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/policies", get(policies::list)),
        (Method::GET, "/policies/import", get(policies::import_form)),
        (Method::POST, "/policies/import", post(policies::preview)),
        (Method::POST, "/policies/import/save", post(policies::save)),
        (Method::GET, "/policies/{id}", get(policies::show_document)),
        (
            Method::GET,
            "/policies/{id}/versions/{vid}",
            get(policies::show_version),
        ),
        (
            Method::POST,
            "/policies/{id}/versions/{vid}/approve",
            post(policies::approve),
        ),
        (
            Method::POST,
            "/policies/{id}/versions/{vid}/publish",
            post(policies::publish),
        ),
        (
            Method::GET,
            "/policies/{id}/compare",
            get(policies::compare),
        ),
        (
            Method::GET,
            "/policies/{id}/clauses/{reference}",
            get(policies::clause),
        ),
        (
            Method::POST,
            "/policies/{id}/reviews",
            post(policies::add_review),
        ),
        (Method::GET, "/public/policy", get(policies::public_policy)),
        (
            Method::POST,
            "/policies/{id}/versions/{vid}/acknowledge",
            post(policy_acks::acknowledge),
        ),
        (
            Method::GET,
            "/policies/{id}/acknowledgements",
            get(policy_acks::show),
        ),
        (
            Method::POST,
            "/policies/{id}/acknowledgements/remind",
            post(policy_acks::remind),
        ),
        (
            Method::GET,
            "/policies/{id}/acknowledgements.csv",
            get(policy_acks::export_csv),
        ),
        (
            Method::GET,
            "/api/v1/policies",
            get(api::policies::list_policies),
        ),
        (
            Method::POST,
            "/api/v1/policies/import",
            post(api::policies::import_policy),
        ),
        (
            Method::GET,
            "/api/v1/policies/{id}",
            get(api::policies::get_policy),
        ),
        (
            Method::POST,
            "/api/v1/policies/{id}/versions/{vid}/publish",
            post(api::policies::publish_version),
        ),
        (
            Method::POST,
            "/api/v1/policies/{id}/versions/{vid}/acknowledge",
            post(api::policies::acknowledge),
        ),
    ]
}
