//! Installation-wide settings read by every page.

use crate::App;

/// The assembly's name as set up (e.g. 佐久市議会), if it has been.
pub async fn organisation_name(app: &App) -> Option<String> {
    mamori_store::settings::get(app.store(), mamori_store::settings::ORGANISATION_NAME)
        .await
        .ok()
        .flatten()
}
