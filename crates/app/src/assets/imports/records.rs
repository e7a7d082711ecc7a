//! After an import: the list of past imports, one import's record, undoing an import as
//! a whole, and withdrawing (取消) a single asset registered by mistake.

use mamori_domain::access::{Act, Register};
use mamori_domain::asset::{MAX_LONG_TEXT, Status};
use mamori_domain::field::FieldProblem;
use mamori_domain::text::TextProblem;
use mamori_store::assets as store;
use mamori_store::assets::imports::{self as records, ImportRecord, RowAction, UndoRefusal};

use crate::{Acting, App, Failure, Refusal};

/// Past imports, newest first, and how many there are.
pub async fn imports(
    app: &App,
    acting: &Acting,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ImportRecord>, i64), Failure> {
    app.permit(acting, Register::Assets, Act::Edit, "asset.imports.title")
        .await?;
    Ok(records::list(app.store(), offset, limit).await?)
}

/// An asset an import wrote, as its record page lists it. The name stays empty for an
/// asset the acting person may not know of.
#[derive(Debug, Clone)]
pub struct ImportedAsset {
    pub line: usize,
    pub asset_id: i64,
    pub action: RowAction,
    pub name: String,
    pub withdrawn: bool,
}

/// One import with the assets it wrote.
#[derive(Debug, Clone)]
pub struct ImportDetail {
    pub record: ImportRecord,
    pub assets: Vec<ImportedAsset>,
}

pub async fn import_record(app: &App, acting: &Acting, id: i64) -> Result<ImportDetail, Failure> {
    app.permit(acting, Register::Assets, Act::Edit, "asset.imports.title")
        .await?;
    let record = records::get(app.store(), id).await?;
    let mut assets = Vec::new();
    for (line, asset_id, action) in records::rows(app.store(), id).await? {
        let found = store::get(app.store(), acting.viewer(), asset_id).await;
        let (name, withdrawn) = match found {
            Ok(asset) => (asset.name, asset.status == Status::Withdrawn),
            Err(mamori_store::StoreError::NotFound) => (String::new(), false),
            Err(e) => return Err(e.into()),
        };
        assets.push(ImportedAsset {
            line,
            asset_id,
            action,
            name,
            withdrawn,
        });
    }
    Ok(ImportDetail { record, assets })
}

fn check_reason(reason: &str) -> Result<&str, Failure> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Failure::invalid(FieldProblem::new(
            "reason",
            "field.error.required",
        )));
    }
    if reason.chars().count() > MAX_LONG_TEXT {
        return Err(Failure::invalid(FieldProblem::text(
            "reason",
            TextProblem::TooLong { max: MAX_LONG_TEXT },
        )));
    }
    Ok(reason)
}

/// Undoes an import whole: the assets it created are withdrawn, the ones it updated get
/// their state before back. Refused, naming them, when any of its assets changed since.
pub async fn undo(app: &App, acting: &Acting, id: i64, reason: &str) -> Result<(), Failure> {
    let permit = app
        .permit(acting, Register::Assets, Act::Edit, "asset.imports.undo")
        .await?;
    let reason = check_reason(reason)?;
    let scheme = mamori_store::classification::active(app.store()).await?;
    let mut tx = permit.write(app).await?;
    match records::undo(&mut tx, id, &scheme, reason).await? {
        Ok(()) => {
            tx.commit().await?;
            Ok(())
        }
        Err(UndoRefusal::AlreadyUndone) => Err(Failure::conflict(
            "import_undone",
            "asset.imports.error.already_undone",
        )),
        Err(UndoRefusal::ChangedSince(assets)) => {
            use mamori_domain::wareki::Lang;
            // Each reader's quotes and list separator: 12「会議録」、13「…」 / 12 “Minutes”, ….
            let names = |lang| {
                let tr = crate::i18n::Tr::new(lang);
                let (open, close) = (tr.t("punct.quote_open"), tr.t("punct.quote_close"));
                let gap = if lang == Lang::Ja { "" } else { " " };
                assets
                    .iter()
                    .map(|(id, name)| format!("{id}{gap}{open}{name}{close}"))
                    .collect::<Vec<_>>()
                    .join(tr.t("punct.list"))
            };
            Err(Failure::Conflict(
                Refusal::new("changed_since_import", "asset.imports.error.changed_since")
                    .with("assets:ja", names(Lang::Ja))
                    .with("assets:en", names(Lang::En)),
            ))
        }
    }
}

/// Withdraws (取消) an asset registered by mistake, with a reason: it stays in the audit
/// trail and on its own page, and leaves lists, counts and exports.
pub async fn withdraw(app: &App, acting: &Acting, id: i64, reason: &str) -> Result<(), Failure> {
    let permit = app
        .permit(acting, Register::Assets, Act::Edit, "asset.withdraw")
        .await?;
    let asset = store::get(app.store(), acting.viewer(), id).await?;
    let reason = check_reason(reason)?;
    if asset.status == Status::Withdrawn {
        return Err(Failure::conflict(
            "already_withdrawn",
            "asset.error.already_withdrawn",
        ));
    }
    let mut tx = permit.write(app).await?;
    store::withdraw(&mut tx, id, reason).await?;
    tx.commit().await?;
    Ok(())
}
