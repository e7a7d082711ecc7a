//! Frozen risk analyses (clause 8): the register as it stood on a day, kept unchanged
//! so that later analyses can be compared with it.

use mamori_domain::access::{Act, Register};
use mamori_domain::risk_input::FreezeForm;
use mamori_store::risks::{self as store, Analysis};

use crate::{Acting, App, Outcome};

/// Every analysis, latest analysis date first.
pub async fn list_analyses(app: &App, acting: &Acting) -> Outcome<Vec<Analysis>> {
    app.permit(acting, Register::Risks, Act::Read, "risks.analyses")
        .await?;
    Ok(store::analyses(app.store()).await?)
}

pub async fn analysis(app: &App, acting: &Acting, id: i64, what: &str) -> Outcome<Analysis> {
    app.permit(acting, Register::Risks, Act::Read, what).await?;
    Ok(store::analysis(app.store(), id).await?)
}

/// Two analyses to compare, the earlier first as given.
pub async fn compare_analyses(
    app: &App,
    acting: &Acting,
    from: i64,
    to: i64,
) -> Outcome<(Analysis, Analysis)> {
    app.permit(acting, Register::Risks, Act::Read, "risks.compare")
        .await?;
    Ok((
        store::analysis(app.store(), from).await?,
        store::analysis(app.store(), to).await?,
    ))
}

/// Freezes the whole register as it stands; the analysis's id.
pub async fn freeze_analysis(app: &App, acting: &Acting, form: &FreezeForm) -> Outcome<i64> {
    let permit = app
        .permit(acting, Register::Risks, Act::Edit, "risks.freeze")
        .await?;
    let input = form.check()?;
    let mut tx = permit.write(app).await?;
    let id = store::freeze(&mut tx, &input.title, input.analysed_on).await?;
    tx.commit().await?;
    Ok(id)
}
