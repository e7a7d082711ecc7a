//! Named mapping profiles: a column mapping and a value mapping kept under a name for
//! the file's header row, applied (and shown as applied) when the next file with the
//! same headers is uploaded.

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::search::normalise;
use mamori_domain::text::single_line;
use mamori_store::assets::imports as store;

use super::values::ValueMapping;
use super::{json, open, stored_columns};
use crate::assets::files::{Mapping, field_named};
use crate::{Acting, App, Failure};

/// Longest profile name.
const MAX_NAME: usize = 100;

/// A saved profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: i64,
    pub name: String,
    pub header_key: String,
    pub columns: Vec<Option<&'static str>>,
    pub values: ValueMapping,
}

impl Profile {
    /// The profile's column mapping for a file `width` columns wide.
    pub fn mapping_for(&self, width: usize) -> Mapping {
        Mapping::chosen(
            (0..width)
                .map(|i| self.columns.get(i).copied().flatten())
                .collect(),
        )
    }
}

/// The header row as profiles are keyed: each header normalised, tab-separated.
pub fn header_key(headers: &[String]) -> String {
    headers
        .iter()
        .map(|h| normalise(h.trim()))
        .collect::<Vec<_>>()
        .join("\t")
}

fn profile_of(record: store::ProfileRecord) -> Result<Profile, Failure> {
    let values = serde_json::from_str(&record.value_mapping).map_err(|_| {
        Failure::Store(mamori_store::StoreError::Corrupt {
            table: "asset_import_profiles",
            row: record.id.to_string(),
            column: "value_mapping",
            value: record.value_mapping.chars().take(100).collect(),
        })
    })?;
    Ok(Profile {
        id: record.id,
        name: record.name,
        header_key: record.header_key,
        columns: record
            .mapping
            .iter()
            .map(|c| c.as_deref().and_then(field_named))
            .collect(),
        values,
    })
}

/// Every profile, by name.
pub async fn profiles(app: &App, acting: &Acting) -> Result<Vec<Profile>, Failure> {
    app.permit(acting, Register::Assets, Act::Edit, "asset.import.profiles")
        .await?;
    store::profiles(app.store())
        .await?
        .into_iter()
        .map(profile_of)
        .collect()
}

/// The profile the next file with these headers gets, for the command line (the web
/// upload applies it itself).
pub async fn profile_for(
    app: &App,
    acting: &Acting,
    headers: &[String],
) -> Result<Option<Profile>, Failure> {
    app.permit(acting, Register::Assets, Act::Edit, "asset.import.profiles")
        .await?;
    for_headers(app, headers).await
}

/// The newest profile saved for these headers, if any (the upload applies it).
pub(super) async fn for_headers(app: &App, headers: &[String]) -> Result<Option<Profile>, Failure> {
    let key = header_key(headers);
    let mut found: Vec<Profile> = store::profiles(app.store())
        .await?
        .into_iter()
        .filter(|p| p.header_key == key)
        .map(profile_of)
        .collect::<Result<_, _>>()?;
    found.sort_by_key(|p| p.id);
    Ok(found.pop())
}

/// Saves the staged file's column and value mapping as a profile named `name` (one of
/// the same name is replaced).
pub async fn save_profile(
    app: &App,
    acting: &Acting,
    token: &str,
    name: &str,
) -> Result<i64, Failure> {
    let permit = app
        .permit(acting, Register::Assets, Act::Edit, "asset.import.profiles")
        .await?;
    let name = single_line(name, MAX_NAME)
        .map_err(|p| Failure::invalid(FieldProblem::text("profile", p)))?;
    if name.is_empty() {
        return Err(Failure::invalid(FieldProblem::new(
            "profile",
            "field.error.required",
        )));
    }
    let staged = open(app, acting, token).await?;
    let columns = stored_columns(&staged.mapping, staged.headers.len());
    let mut tx = permit.write(app).await?;
    let id = store::save_profile(
        &mut tx,
        &name,
        &header_key(&staged.headers),
        &columns,
        &json(&staged.values),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Deletes a profile.
pub async fn delete_profile(app: &App, acting: &Acting, id: i64) -> Result<(), Failure> {
    let permit = app
        .permit(acting, Register::Assets, Act::Edit, "asset.import.profiles")
        .await?;
    let mut tx = permit.write(app).await?;
    store::delete_profile(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}
