//! The catalogue page: the five families of clause 3 with their threats, and the form
//! that adds one.

use super::*;

pub struct ThreatRow {
    pub id: i64,
    /// The English name of a built-in threat on English pages, else the name as typed.
    pub name: String,
    /// `ja` when the name is Japanese on a page that is not (see `Tr::lang_of`).
    pub name_lang: &'static str,
    /// Added by the assembly, not named by the policy's clause 3.
    pub added: bool,
    pub description: Vec<String>,
    pub description_lang: &'static str,
    /// When it was retired, ready to show; `None` while in use.
    pub retired: Option<String>,
}

pub struct FamilyGroup {
    pub code: &'static str,
    pub key: &'static str,
    /// The model wording of the family, shown while no published policy words it.
    pub explain: &'static str,
    pub clause: &'static str,
    pub threats: Vec<ThreatRow>,
}

/// One option of the family select.
pub struct FamilyChoice {
    pub value: &'static str,
    pub clause: &'static str,
    pub key: &'static str,
}

pub fn family_choices() -> Vec<FamilyChoice> {
    ThreatFamily::ALL
        .iter()
        .map(|f| FamilyChoice {
            value: f.as_str(),
            clause: f.clause(),
            key: family_key(*f),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "threats/list.html")]
pub(super) struct ListPage {
    t: Tr,
    layout: Layout,
    groups: Vec<FamilyGroup>,
    can_edit: bool,
    notice: Option<&'static str>,
    families: Vec<FamilyChoice>,
    form: ThreatForm,
    errors: Vec<FieldError>,
    name_hint: String,
    description_hint: String,
}

impl ListPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

pub(super) fn lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

pub(super) async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    notice: Option<&'static str>,
    form: ThreatForm,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let threats = app_threats::list_threats(&state.app, &signed.0.acting).await?;
    let groups = ThreatFamily::ALL
        .iter()
        .map(|family| FamilyGroup {
            code: family.as_str(),
            key: family_key(*family),
            explain: family_explain_key(*family),
            clause: family.clause(),
            threats: threats
                .iter()
                .filter(|t| t.family == *family)
                .map(|t| ThreatRow {
                    id: t.id,
                    name: t.shown_name(ctx.lang()).to_owned(),
                    name_lang: ctx.tr.lang_of(t.shown_name(ctx.lang())),
                    added: t.origin == ThreatOrigin::Addition,
                    description: lines(t.shown_description(ctx.lang())),
                    description_lang: ctx.tr.lang_of(t.shown_description(ctx.lang())),
                    retired: t.retired_at.map(|at| ctx.datetime(at)),
                })
                .collect(),
        })
        .collect();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        t: ctx.tr,
        layout: Layout::load(state, "threats", PATH, Some(&signed.0)).await,
        groups,
        can_edit: signed.0.acting.may(Register::Threats, Act::Edit),
        notice,
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
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub(super) fn notice_key(saved: Option<&str>) -> Option<&'static str> {
    match saved {
        Some("created") => Some("threat.saved.created"),
        Some("updated") => Some("threat.saved.updated"),
        Some("retired") => Some("threat.saved.retired"),
        Some("restored") => Some("threat.saved.restored"),
        Some("unchanged") => Some("threat.saved.unchanged"),
        _ => None,
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<SavedQuery>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Threats,
            Act::Read,
            "threats.view",
        )
        .await?;
    let notice = notice_key(query.saved.as_deref());
    render_list(&state, &ctx, &signed, notice, ThreatForm::default(), &[]).await
}

/// A URL-encoded body as name/value pairs, read after the role check.
pub(super) async fn read_fields(request: Request) -> Result<Vec<(String, String)>, AppError> {
    let WebForm(pairs) = WebForm::<Vec<(String, String)>>::from_request(request, &()).await?;
    Ok(pairs)
}

pub async fn create_threat(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Threats,
            Act::Edit,
            "threats.create",
        )
        .await?;
    let form = form_from_fields(&read_fields(request).await?);
    match app_threats::create_threat(&state.app, &signed.0.acting, &form).await {
        Ok(id) => Ok(see_other(&format!("{PATH}?saved=created#threat-{id}"))),
        Err(failure) => {
            let problems = problems_of(failure)?;
            render_list(&state, &ctx, &signed, None, form, &problems).await
        }
    }
}
