//! Routes for the asset register, its files and labels, and the classification scheme.

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, get, patch, post};

use crate::pages::*;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/assets", get(assets::list)),
        (Method::GET, "/assets/new", get(assets::new_form)),
        (Method::POST, "/assets/new", post(assets::create)),
        (Method::GET, "/assets/{id}", get(assets::show)),
        (Method::GET, "/assets/{id}/edit", get(assets::edit_form)),
        (Method::POST, "/assets/{id}", post(assets::update)),
        (
            Method::POST,
            "/assets/{id}/events",
            post(assets::record_event),
        ),
        (
            Method::POST,
            "/assets/{id}/events/{eid}/decide",
            post(assets::decide_event),
        ),
        (Method::GET, "/api/v1/assets", get(api::assets::list_assets)),
        (
            Method::POST,
            "/api/v1/assets",
            post(api::assets::create_asset),
        ),
        (
            Method::GET,
            "/api/v1/assets/{id}",
            get(api::assets::get_asset),
        ),
        (
            Method::GET,
            "/api/v1/assets/export.xlsx",
            get(api::assets::export_xlsx),
        ),
        (
            Method::GET,
            "/api/v1/assets/export.csv",
            get(api::assets::export_csv),
        ),
        (
            Method::PATCH,
            "/api/v1/assets/{id}",
            patch(api::assets::update_asset),
        ),
        (
            Method::POST,
            "/api/v1/assets/{id}/classification",
            post(api::assets::reclassify_asset),
        ),
        (
            Method::GET,
            "/api/v1/assets/{id}/events",
            get(api::assets::list_events),
        ),
        (
            Method::POST,
            "/api/v1/assets/{id}/events",
            post(api::assets::record_event),
        ),
        (
            Method::POST,
            "/api/v1/assets/{id}/events/{eid}/decision",
            post(api::assets::decide_event),
        ),
        (
            Method::GET,
            "/assets/import",
            get(assets::import::import_form),
        ),
        (
            Method::POST,
            "/assets/import",
            post(assets::import::upload).layer(DefaultBodyLimit::max(assets::import::BODY_LIMIT)),
        ),
        (
            Method::POST,
            "/assets/import/preview",
            post(assets::import::preview),
        ),
        (
            Method::GET,
            "/assets/import/preview",
            get(assets::import::preview_page_get),
        ),
        (
            Method::POST,
            "/assets/import/confirm",
            post(assets::import::confirm),
        ),
        (
            Method::GET,
            "/assets/imports",
            get(assets::import::import_list),
        ),
        (
            Method::GET,
            "/assets/imports/{id}",
            get(assets::import::import_show),
        ),
        (
            Method::POST,
            "/assets/imports/{id}/undo",
            post(assets::import::undo_import),
        ),
        (
            Method::GET,
            "/assets/{id}/withdraw",
            get(assets::import::withdraw_form),
        ),
        (
            Method::POST,
            "/assets/{id}/withdraw",
            post(assets::import::withdraw_asset),
        ),
        (
            Method::GET,
            "/assets/export.xlsx",
            get(assets::export::export_xlsx),
        ),
        (
            Method::GET,
            "/assets/export.csv",
            get(assets::export::export_csv),
        ),
        (
            Method::GET,
            "/settings/classification",
            get(classification::show),
        ),
        (
            Method::POST,
            "/settings/classification/activate",
            post(classification::activate),
        ),
        (
            Method::GET,
            "/settings/classification/levels/{id}",
            get(classification::edit_level),
        ),
        (
            Method::POST,
            "/settings/classification/levels/{id}",
            post(classification::save_level),
        ),
        (
            Method::GET,
            "/api/v1/classification",
            get(api::classification::get_classification),
        ),
        (
            Method::POST,
            "/api/v1/classification/activate",
            post(api::classification::activate),
        ),
        (
            Method::PATCH,
            "/api/v1/classification/levels/{id}",
            patch(api::classification::update_level),
        ),
        (Method::GET, "/assets/labels", get(assets::labels::show)),
        (
            Method::GET,
            "/static/labels.css",
            get(assets::labels::stylesheet),
        ),
        (
            Method::GET,
            "/static/labels.js",
            get(assets::labels::script),
        ),
    ]
}
