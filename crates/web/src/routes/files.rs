//! Routes for the file store (attachments of any record, their revisions and content)
//! and for the record of who viewed what. Upload routes lift the default body limit:
//! they read the body piece by piece and stop at the configured file size themselves.

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::pages::*;
use crate::{AppState, api};

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    let streamed = DefaultBodyLimit::disable;
    vec![
        (
            Method::POST,
            "/assets/{id}/files",
            post(files::upload_asset_file).layer(streamed()),
        ),
        (
            Method::POST,
            "/risks/{id}/files",
            post(files::upload_risk_file).layer(streamed()),
        ),
        (
            Method::POST,
            "/actions/{id}/files",
            post(files::upload_action_file).layer(streamed()),
        ),
        (
            Method::POST,
            "/awareness/{id}/files",
            post(files::upload_awareness_file).layer(streamed()),
        ),
        (
            Method::POST,
            "/training/sessions/{id}/files",
            post(files::upload_training_session_file).layer(streamed()),
        ),
        (
            Method::POST,
            "/training/attendance/{id}/files",
            post(files::upload_training_proof).layer(streamed()),
        ),
        (Method::GET, "/files/{id}", get(files::show)),
        (
            Method::POST,
            "/files/{id}/revisions",
            post(files::revise).layer(streamed()),
        ),
        (Method::POST, "/files/{id}/remove", post(files::remove)),
        (Method::GET, "/files/{id}/download", get(files::download)),
        (
            Method::GET,
            "/files/{id}/revisions/{rev}/download",
            get(files::download_revision),
        ),
        (
            Method::GET,
            "/api/v1/assets/{id}/files",
            get(api::files::list_asset_files),
        ),
        (
            Method::POST,
            "/api/v1/assets/{id}/files",
            post(api::files::upload_asset_file).layer(streamed()),
        ),
        (
            Method::GET,
            "/api/v1/actions/{id}/files",
            get(api::files::list_action_files),
        ),
        (
            Method::POST,
            "/api/v1/actions/{id}/files",
            post(api::files::upload_action_file).layer(streamed()),
        ),
        (
            Method::GET,
            "/api/v1/risks/{id}/files",
            get(api::files::list_risk_files),
        ),
        (
            Method::POST,
            "/api/v1/risks/{id}/files",
            post(api::files::upload_risk_file).layer(streamed()),
        ),
        (
            Method::GET,
            "/api/v1/awareness/{id}/files",
            get(api::files::list_awareness_files),
        ),
        (
            Method::POST,
            "/api/v1/awareness/{id}/files",
            post(api::files::upload_awareness_file).layer(streamed()),
        ),
        (
            Method::GET,
            "/api/v1/training/sessions/{id}/files",
            get(api::files::list_training_session_files),
        ),
        (
            Method::POST,
            "/api/v1/training/sessions/{id}/files",
            post(api::files::upload_training_session_file).layer(streamed()),
        ),
        (
            Method::POST,
            "/api/v1/training/attendance/{id}/files",
            post(api::files::upload_training_proof).layer(streamed()),
        ),
        (Method::GET, "/api/v1/files/{id}", get(api::files::get_file)),
        (
            Method::GET,
            "/api/v1/files/{id}/content",
            get(api::files::file_content),
        ),
        (
            Method::GET,
            "/api/v1/files/{id}/revisions/{rev}/content",
            get(api::files::revision_content),
        ),
        (
            Method::POST,
            "/api/v1/files/{id}/revisions",
            post(api::files::revise_file).layer(streamed()),
        ),
        (
            Method::POST,
            "/api/v1/files/{id}/remove",
            post(api::files::remove_file),
        ),
        (Method::GET, "/audit/views", get(audit::views::list)),
        (
            Method::GET,
            "/api/v1/audit/views",
            get(api::files::list_views),
        ),
    ]
}
