//! Editing one threat, with its history from the audit trail; retiring it and bringing
//! it back.

use super::*;

/// One entry of a threat's history, from the audit trail.
pub struct HistoryRow {
    pub at: String,
    pub action: String,
    pub actor: String,
}

#[derive(Template)]
#[template(path = "threats/edit.html")]
pub(super) struct EditPage {
    t: Tr,
    layout: Layout,
    id: i64,
    stored_name: String,
    clause: &'static str,
    /// Added by the assembly, not named by clause 3.
    added: bool,
    retired: Option<String>,
    families: Vec<FamilyChoice>,
    form: ThreatForm,
    errors: Vec<FieldError>,
    name_hint: String,
    description_hint: String,
    history: Vec<HistoryRow>,
}

impl EditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The threat's entries in the audit trail, newest first.
pub(super) async fn history(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: i64,
) -> Result<Vec<HistoryRow>, AppError> {
    Ok(app_threats::history(&state.app, &signed.0.acting, id)
        .await?
        .into_iter()
        .map(|r| HistoryRow {
            at: time::OffsetDateTime::parse(&r.at, &time::format_description::well_known::Rfc3339)
                .map(|at| ctx.datetime(at))
                .unwrap_or(r.at),
            action: ctx.tr.t(&format!("audit.action.{}", r.action)).to_owned(),
            actor: r.actor_label,
        })
        .collect())
}

pub(super) async fn render_edit(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    threat: &Threat,
    form: ThreatForm,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditPage {
        t: ctx.tr,
        layout: Layout::load(
            state,
            "threats",
            &format!("{PATH}/{}", threat.id),
            Some(&signed.0),
        )
        .await,
        id: threat.id,
        stored_name: threat.shown_name(ctx.lang()).to_owned(),
        clause: threat.family.clause(),
        added: threat.origin == ThreatOrigin::Addition,
        retired: threat.retired_at.map(|at| ctx.datetime(at)),
        families: family_choices(),
        form,
        errors: crate::http::forms::named_errors(problems, &ctx.tr),
        name_hint: ctx
            .tr
            .f("threat.name_hint", &[("max", NAME_MAX.to_string())]),
        description_hint: ctx.tr.f(
            "threat.description_hint",
            &[("max", DESCRIPTION_MAX.to_string())],
        ),
        history: history(state, ctx, signed, threat.id).await?,
    };
    render(status, &page)
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let threat = app_threats::threat_to_edit(&state.app, &signed.0.acting, parse_id(&id)?).await?;
    let form = form_of(&threat, ctx.lang());
    render_edit(&state, &ctx, &signed, &threat, form, &[]).await
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    let threat = app_threats::threat_to_edit(&state.app, acting, parse_id(&id)?).await?;
    let form = as_stored(
        &threat,
        ctx.lang(),
        form_from_fields(&read_fields(request).await?),
    );
    let saved = match app_threats::update_threat(&state.app, acting, threat.id, &form).await {
        Ok(true) => "updated",
        Ok(false) => "unchanged",
        Err(failure) => {
            let problems = problems_of(failure)?;
            return render_edit(&state, &ctx, &signed, &threat, form, &problems).await;
        }
    };
    Ok(see_other(&format!(
        "{PATH}?saved={saved}#threat-{}",
        threat.id
    )))
}

pub(super) async fn set_retired(
    state: &AppState,
    signed: &SignedIn,
    id: &str,
    retired: bool,
) -> Result<Response, AppError> {
    let id = parse_id(id)?;
    let saved = match app_threats::set_retired(&state.app, &signed.0.acting, id, retired).await? {
        true if retired => "retired",
        true => "restored",
        false => "unchanged",
    };
    Ok(see_other(&format!("{PATH}?saved={saved}#threat-{id}")))
}

pub async fn retire(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_retired(&state, &signed, &id, true).await
}

pub async fn restore(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_retired(&state, &signed, &id, false).await
}
