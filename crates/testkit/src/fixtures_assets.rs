//! Fixtures of the asset register: an asset registered through the same use case the
//! pages and the API call (as the command line, which every grant allows), classified by
//! level codes of the active scheme and held by a user when given.

use mamori_app::Acting;
use mamori_app::assets::{AssetInput, AssetRecord};

use crate::TestServer;

/// An asset as the form would type it: information on paper in the secretariat's
/// archive, classified `codes` (confidentiality, integrity, availability).
pub fn asset_input(name: &str, codes: [&str; 3], holder: Option<i64>) -> AssetInput {
    AssetInput {
        name: name.to_owned(),
        category: "information".to_owned(),
        form: "paper".to_owned(),
        holder_type: "secretariat".to_owned(),
        holder: holder.map(|id| id.to_string()).unwrap_or_default(),
        location: "議会事務局書庫".to_owned(),
        confidentiality: codes[0].to_owned(),
        integrity: codes[1].to_owned(),
        availability: codes[2].to_owned(),
        ..AssetInput::default()
    }
}

/// Registers an asset under the active scheme and returns it as stored.
pub async fn asset(
    server: &TestServer,
    name: &str,
    codes: [&str; 3],
    holder: Option<i64>,
) -> AssetRecord {
    mamori_app::assets::register(
        &server.state.app,
        &Acting::system("test"),
        &asset_input(name, codes, holder),
    )
    .await
    .expect("the fixture asset is valid")
}

/// An asset at the top confidentiality level (3A), held by `holder`: visible only to
/// its holder and to those who oversee the register.
pub async fn classified_asset(server: &TestServer, name: &str, holder: i64) -> AssetRecord {
    asset(server, name, ["3A", "2", "2"], Some(holder)).await
}
