//! Routes for threats, the risk matrix, the risk register and analyses.

use axum::http::Method;
use axum::routing::{MethodRouter, get, patch, post, put};

use crate::pages::*;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/threats", get(threats::list)),
        (Method::POST, "/threats", post(threats::create_threat)),
        (Method::GET, "/threats/{id}", get(threats::edit)),
        (Method::POST, "/threats/{id}", post(threats::save)),
        (Method::POST, "/threats/{id}/retire", post(threats::retire)),
        (
            Method::POST,
            "/threats/{id}/restore",
            post(threats::restore),
        ),
        (Method::GET, "/risks/matrix", get(risks::matrix::show)),
        (
            Method::POST,
            "/risks/matrix",
            post(risks::matrix_edit::save),
        ),
        (
            Method::GET,
            "/risks/matrix/edit",
            get(risks::matrix_edit::edit),
        ),
        (
            Method::GET,
            "/risks/matrix/colours.css",
            get(risks::matrix::stylesheet),
        ),
        (
            Method::GET,
            "/api/v1/threats",
            get(api::threats::list_threats),
        ),
        (
            Method::POST,
            "/api/v1/threats",
            post(api::threats::create_threat),
        ),
        (
            Method::GET,
            "/api/v1/threats/{id}",
            get(api::threats::get_threat),
        ),
        (
            Method::PATCH,
            "/api/v1/threats/{id}",
            patch(api::threats::update_threat),
        ),
        (
            Method::POST,
            "/api/v1/threats/{id}/retire",
            post(api::threats::retire_threat),
        ),
        (
            Method::POST,
            "/api/v1/threats/{id}/restore",
            post(api::threats::restore_threat),
        ),
        (
            Method::GET,
            "/api/v1/risk-matrix",
            get(api::threats::get_risk_matrix),
        ),
        (
            Method::PUT,
            "/api/v1/risk-matrix",
            put(api::threats::put_risk_matrix),
        ),
        (Method::GET, "/risks", get(risks::list)),
        (Method::POST, "/risks", post(risks::create)),
        (Method::GET, "/risks/new", get(risks::new_form)),
        (Method::GET, "/risks/export.xlsx", get(risks::export_xlsx)),
        (Method::GET, "/risks/export.csv", get(risks::export_csv)),
        (Method::GET, "/risks/analyses", get(risks::analyses::list)),
        (
            Method::POST,
            "/risks/analyses",
            post(risks::analyses::freeze),
        ),
        (
            Method::GET,
            "/risks/analyses/compare",
            get(risks::analyses::compare),
        ),
        (
            Method::GET,
            "/risks/analyses/{id}",
            get(risks::analyses::show),
        ),
        (Method::GET, "/risks/{id}", get(risks::show)),
        (Method::POST, "/risks/{id}", post(risks::update)),
        (Method::GET, "/risks/{id}/edit", get(risks::edit_form)),
        (Method::POST, "/risks/{id}/actions", post(risks::add_action)),
        (
            Method::POST,
            "/risks/{id}/actions/{aid}/complete",
            post(risks::complete_action),
        ),
        (
            Method::POST,
            "/risks/{id}/acceptances",
            post(risks::propose_acceptance),
        ),
        (
            Method::POST,
            "/risks/{id}/acceptances/{aid}/decide",
            post(risks::decide_acceptance),
        ),
        (Method::GET, "/api/v1/risks", get(api::risks::list_risks)),
        (Method::POST, "/api/v1/risks", post(api::risks::create_risk)),
        (Method::GET, "/api/v1/risks/{id}", get(api::risks::get_risk)),
        (
            Method::PATCH,
            "/api/v1/risks/{id}",
            patch(api::risks::update_risk),
        ),
        (
            Method::POST,
            "/api/v1/risks/{id}/actions",
            post(api::risks::add_action),
        ),
        (
            Method::POST,
            "/api/v1/risks/{id}/actions/{aid}/complete",
            post(api::risks::complete_action),
        ),
        (
            Method::POST,
            "/api/v1/risks/{id}/acceptances",
            post(api::risks::propose_acceptance),
        ),
        (
            Method::POST,
            "/api/v1/risks/{id}/acceptances/{aid}/decision",
            post(api::risks::decide_acceptance),
        ),
        (
            Method::GET,
            "/api/v1/risk-analyses",
            get(api::risks::list_analyses),
        ),
        (
            Method::POST,
            "/api/v1/risk-analyses",
            post(api::risks::freeze_analysis),
        ),
        (
            Method::GET,
            "/api/v1/risk-analyses/{id}",
            get(api::risks::get_analysis),
        ),
    ]
}
