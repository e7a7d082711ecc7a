//! The information asset register (情報資産台帳): who may read and change it, how a list
//! request's filters are read, and the labels of coded values. Pages for the list, the
//! form, an asset and its records follow; import/export and classification settings
//! live in their own modules and use what is defined here.

use axum::http::StatusCode;
use mamori_domain::asset::{Category, EventKind, Form, HolderType, Segment, Status};
use mamori_domain::classification::{Axis, LifecycleStep, Scheme};
use mamori_domain::user::Role;
use mamori_store::assets::{Filter, Sort, Viewer};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::pagination::{PageQuery, PageRequest};
use crate::http::auth::SignedIn;
use crate::http::error::AppError;

/// Everyone but contractors reads the register: members and staff hold assets.
pub const READERS: &[Role] = &[
    Role::Admin,
    Role::SecurityOfficer,
    Role::User,
    Role::Auditor,
];
/// The secretariat's administrator and the security officer keep it.
pub const EDITORS: &[Role] = &[Role::Admin, Role::SecurityOfficer];
/// Those who oversee the register see every asset, the most confidential included.
pub const OVERSEERS: &[Role] = &[Role::SecurityOfficer, Role::Auditor];
/// Who decides take-out requests (never their own).
pub const APPROVERS: &[Role] = &[Role::SecurityOfficer];

/// What the signed-in user may see of the register.
pub fn viewer(signed: &SignedIn) -> Viewer {
    Viewer {
        user_id: Some(signed.user().id),
        sees_restricted: signed.has_role(OVERSEERS),
    }
}

pub fn category_key(value: Category) -> &'static str {
    match value {
        Category::Infrastructure => "asset.category.infrastructure",
        Category::Information => "asset.category.information",
        Category::SystemDocument => "asset.category.system_document",
    }
}

pub fn form_key(value: Form) -> &'static str {
    match value {
        Form::Electronic => "asset.form.electronic",
        Form::Paper => "asset.form.paper",
        Form::Both => "asset.form.both",
    }
}

pub fn holder_type_key(value: HolderType) -> &'static str {
    match value {
        HolderType::Member => "asset.holder_type.member",
        HolderType::Secretariat => "asset.holder_type.secretariat",
    }
}

pub fn segment_key(value: Segment) -> &'static str {
    match value {
        Segment::Core => "asset.segment.core",
        Segment::Lgwan => "asset.segment.lgwan",
        Segment::Internet => "asset.segment.internet",
        Segment::None => "asset.segment.none",
    }
}

pub fn status_key(value: Status) -> &'static str {
    match value {
        Status::InUse => "asset.status.in_use",
        Status::Archived => "asset.status.archived",
        Status::Disposed => "asset.status.disposed",
    }
}

pub fn event_key(value: EventKind) -> &'static str {
    match value {
        EventKind::TakeOut => "asset.event.take_out",
        EventKind::Return => "asset.event.return",
        EventKind::Lending => "asset.event.lending",
        EventKind::LendingReturn => "asset.event.lending_return",
        EventKind::Transfer => "asset.event.transfer",
        EventKind::Provision => "asset.event.provision",
        EventKind::Publication => "asset.event.publication",
        EventKind::Disposal => "asset.event.disposal",
    }
}

pub fn axis_key(value: Axis) -> &'static str {
    match value {
        Axis::Confidentiality => "axis.confidentiality",
        Axis::Integrity => "axis.integrity",
        Axis::Availability => "axis.availability",
    }
}

pub fn step_key(value: LifecycleStep) -> &'static str {
    match value {
        LifecycleStep::Create => "lifecycle.create",
        LifecycleStep::Obtain => "lifecycle.obtain",
        LifecycleStep::Use => "lifecycle.use",
        LifecycleStep::Store => "lifecycle.store",
        LifecycleStep::Send => "lifecycle.send",
        LifecycleStep::Carry => "lifecycle.carry",
        LifecycleStep::Provide => "lifecycle.provide",
        LifecycleStep::Dispose => "lifecycle.dispose",
    }
}

/// The label of a field of an asset (`mamori_domain::asset::FIELDS`), for forms, error
/// lists and spreadsheet headers.
pub fn field_key(field: &str) -> &'static str {
    match field {
        "name" => "asset.field.name",
        "description" => "asset.field.description",
        "category" => "asset.field.category",
        "form" => "asset.field.form",
        "holder_type" => "asset.field.holder_type",
        "holder" => "asset.field.holder",
        "managing_role" => "asset.field.managing_role",
        "location" => "asset.field.location",
        "segment" => "asset.field.segment",
        "confidentiality" => "asset.field.confidentiality",
        "integrity" => "asset.field.integrity",
        "availability" => "asset.field.availability",
        "retention" => "asset.field.retention",
        "disposal_due" => "asset.field.disposal_due",
        "status" => "asset.field.status",
        "tags" => "asset.field.tags",
        "notes" => "asset.field.notes",
        "clauses" => "asset.field.clauses",
        "publication" => "asset.field.publication",
        "reason" => "asset.field.reason",
        _ => "asset.field.unknown",
    }
}

/// The list's query string, shared by the page, the API and the exports. Kept as text
/// so that a wrong value gets our own message rather than the framework's.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words to find in name, description and notes (two characters or more find
    /// inside words; half-width kana match full-width).
    pub q: Option<String>,
    /// infrastructure, information or system_document (or ア/イ/ウ).
    pub category: Option<String>,
    /// electronic, paper or both.
    pub form: Option<String>,
    /// member or secretariat.
    pub holder_type: Option<String>,
    /// A user id.
    pub holder: Option<String>,
    /// core, lgwan, internet or none.
    pub segment: Option<String>,
    /// in_use, archived or disposed.
    pub status: Option<String>,
    /// A level code of the active scheme ("3A", "2").
    pub confidentiality: Option<String>,
    pub integrity: Option<String>,
    pub availability: Option<String>,
    pub tag: Option<String>,
    /// newest, oldest, name, updated or confidentiality.
    pub sort: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub per_page: Option<String>,
}

fn bad_filter(name: &'static str) -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "invalid_filter",
        "asset.error.filter",
    )
    .with("name", name)
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn coded<T>(
    value: &Option<String>,
    name: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, AppError> {
    present(value)
        .map(|v| parse(v).ok_or_else(|| bad_filter(name)))
        .transpose()
}

impl ListParams {
    /// The filter these parameters ask for; a level is named by its code in `scheme`.
    pub fn filter(&self, scheme: &Scheme) -> Result<Filter, AppError> {
        let level = |value: &Option<String>, name: &'static str, axis: Axis| {
            coded(value, name, |v| scheme.find_level(axis, v).map(|l| l.id))
        };
        let q = self.q.clone().unwrap_or_default();
        if q.chars().count() > mamori_domain::search::MAX_QUERY {
            return Err(bad_filter("q"));
        }
        let tag = present(&self.tag).map(str::to_owned);
        if tag.as_ref().is_some_and(|t| t.chars().count() > 100) {
            return Err(bad_filter("tag"));
        }
        Ok(Filter {
            q,
            category: coded(&self.category, "category", Category::parse)?,
            form: coded(&self.form, "form", Form::parse)?,
            holder_type: coded(&self.holder_type, "holder_type", HolderType::parse)?,
            holder_id: coded(&self.holder, "holder", |v| {
                v.parse::<i64>().ok().filter(|id| *id > 0)
            })?,
            segment: coded(&self.segment, "segment", Segment::parse)?,
            status: coded(&self.status, "status", Status::parse)?,
            confidentiality: level(
                &self.confidentiality,
                "confidentiality",
                Axis::Confidentiality,
            )?,
            integrity: level(&self.integrity, "integrity", Axis::Integrity)?,
            availability: level(&self.availability, "availability", Axis::Availability)?,
            tag,
        })
    }

    pub fn sort(&self) -> Result<Sort, AppError> {
        Ok(coded(&self.sort, "sort", Sort::parse)?.unwrap_or_default())
    }

    pub fn page(&self) -> Result<PageRequest, AppError> {
        PageQuery {
            page: self.page.clone(),
            per_page: self.per_page.clone(),
        }
        .parse()
    }

    /// The query string of these filters (without page), to carry into links such as
    /// the next page or an export of what is shown.
    pub fn filter_query(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("category", &self.category),
            ("form", &self.form),
            ("holder_type", &self.holder_type),
            ("holder", &self.holder),
            ("segment", &self.segment),
            ("status", &self.status),
            ("confidentiality", &self.confidentiality),
            ("integrity", &self.integrity),
            ("availability", &self.availability),
            ("tag", &self.tag),
            ("sort", &self.sort),
        ];
        pairs
            .iter()
            .filter_map(|(name, value)| {
                present(value).map(|v| format!("{name}={}", crate::http::auth::percent_encode(v)))
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

// ---------------------------------------------------------------- shared page parts

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use mamori_domain::asset::{
    self, Approval, AssetInput, FieldProblem, Holders, Publication, Retention, check_change,
    check_event,
};
use mamori_domain::user::{OrgRole, may_approve};
use mamori_store::StoreError;
use mamori_store::assets::{self as store_assets, AssetRecord, EventRecord, NewEvent};
use mamori_store::classification;

use crate::http::context::Ctx;
use crate::http::extract::{ApiQuery, WebForm};
use crate::http::{Layout, render, see_other};
use crate::pages::setup::FieldError;
use crate::pages::users::{org_role_label, parse_id};
use crate::state::AppState;
use mamori_app::i18n::Tr;

/// A choice in a select or a set of radio buttons: its value and the label's locale key
/// (or the label itself, for data such as level names).
pub struct Choice {
    pub value: String,
    pub label: String,
}

fn coded_choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
    tr: &Tr,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).to_owned(),
            label: tr.t(key(*v)).to_owned(),
        })
        .collect()
}

fn level_choices(scheme: &Scheme, axis: Axis) -> Vec<Choice> {
    scheme
        .levels_of(axis)
        .iter()
        .map(|l| Choice {
            value: l.code.clone(),
            label: l.name.clone(),
        })
        .collect()
}

fn level_name(scheme: &Scheme, id: i64) -> String {
    scheme
        .level(id)
        .map(|l| l.name.clone())
        .unwrap_or_else(|| format!("#{id}"))
}

fn level_code(scheme: &Scheme, id: i64) -> String {
    scheme.level(id).map(|l| l.code.clone()).unwrap_or_default()
}

/// The label line of an asset: 「機密性2・完全性2・可用性1」.
pub fn classification_line(scheme: &Scheme, record: &AssetRecord) -> String {
    [
        record.confidentiality_id,
        record.integrity_id,
        record.availability_id,
    ]
    .iter()
    .map(|id| level_name(scheme, *id))
    .collect::<Vec<_>>()
    .join("・")
}

fn retention_label(retention: Option<Retention>, tr: &Tr) -> String {
    match retention {
        None => String::new(),
        Some(r) if tr.lang == mamori_domain::wareki::Lang::Ja => r.japanese(),
        Some(Retention::Permanent) => "Permanent".into(),
        Some(Retention::Years(n)) => format!("{n} years"),
        Some(Retention::UnderOneYear) => "Under a year".into(),
        Some(Retention::TermOfOffice) => "Term of office".into(),
        Some(Retention::UntilContractEnd) => "Until the contract ends".into(),
    }
}

fn date_label(ctx: &Ctx, iso: &str) -> String {
    time::Date::parse(iso, &time::format_description::well_known::Iso8601::DATE)
        .map(|d| ctx.date(d))
        .unwrap_or_else(|_| iso.to_owned())
}

fn datetime_label(ctx: &Ctx, text: &str) -> String {
    mamori_store::parse_timestamp(text)
        .map(|at| ctx.datetime(at))
        .unwrap_or_else(|| text.to_owned())
}

/// Everyone who may hold an asset, for the holder select and for reading holders.
async fn holders(state: &AppState) -> Result<(Holders, Vec<Choice>), AppError> {
    let (users, _) = mamori_store::users::list_summaries(&state.store, 100_000, 0).await?;
    let choices = users
        .iter()
        .filter(|s| s.user.active)
        .map(|s| Choice {
            value: s.user.id.to_string(),
            label: format!("{}（{}）", s.user.display_name, s.user.login),
        })
        .collect();
    let holders = Holders::new(
        users
            .into_iter()
            .map(|s| (s.user.id, s.user.login, s.user.display_name)),
    );
    Ok((holders, choices))
}

fn field_errors(problems: &[FieldProblem], tr: &Tr) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| FieldError {
            field: p.field,
            message: format!("{}：{}", tr.t(field_key(p.field)), tr.f(p.key, &p.params)),
        })
        .collect()
}

// ---------------------------------------------------------------- the list

struct ListRow {
    id: i64,
    name: String,
    category: String,
    holder: String,
    location: String,
    classification: String,
    status: String,
    disposed: bool,
    tags: Vec<String>,
}

#[derive(Template)]
#[template(path = "assets_list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    params: ListParams,
    rows: Vec<ListRow>,
    range: String,
    page_label: String,
    prev: Option<String>,
    next: Option<String>,
    export_query: String,
    label_ids: String,
    categories: Vec<Choice>,
    statuses: Vec<Choice>,
    segments: Vec<Choice>,
    confidentiality: Vec<Choice>,
    integrity: Vec<Choice>,
    availability: Vec<Choice>,
    holders: Vec<Choice>,
    sorts: Vec<Choice>,
    may_edit: bool,
}

impl ListPage {
    fn selected(&self, name: &str, value: &str) -> bool {
        let current = match name {
            "category" => &self.params.category,
            "status" => &self.params.status,
            "segment" => &self.params.segment,
            "confidentiality" => &self.params.confidentiality,
            "integrity" => &self.params.integrity,
            "availability" => &self.params.availability,
            "holder" => &self.params.holder,
            "tag" => &self.params.tag,
            "sort" => &self.params.sort,
            _ => return false,
        };
        current.as_deref().map(str::trim) == Some(value)
    }
}

fn sort_key(sort: Sort) -> &'static str {
    match sort {
        Sort::Newest => "asset.sort.newest",
        Sort::Oldest => "asset.sort.oldest",
        Sort::Name => "asset.sort.name",
        Sort::Updated => "asset.sort.updated",
        Sort::Confidentiality => "asset.sort.confidentiality",
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, AppError> {
    signed.require(&state, READERS, "assets.list").await?;
    let scheme = classification::active(&state.store).await?;
    let filter = params.filter(&scheme)?;
    let sort = params.sort()?;
    let request = params.page()?;
    let offset = i64::try_from(request.offset()).unwrap_or(i64::MAX);
    let viewer = viewer(&signed);
    let page = store_assets::list(
        &state.store,
        viewer,
        &filter,
        sort,
        offset,
        i64::from(request.per_page),
    )
    .await?;
    let tr = ctx.tr;
    let rows: Vec<ListRow> = page
        .assets
        .iter()
        .map(|a| ListRow {
            id: a.id,
            name: a.name.clone(),
            category: tr.t(category_key(a.category)).to_owned(),
            holder: a
                .holder_name
                .clone()
                .unwrap_or_else(|| tr.t(holder_type_key(a.holder_type)).to_owned()),
            location: a.location.clone(),
            classification: classification_line(&scheme, a),
            status: tr.t(status_key(a.status)).to_owned(),
            disposed: a.status == Status::Disposed,
            tags: a.tags.clone(),
        })
        .collect();
    let per_page = u64::from(request.per_page);
    let pages = (page.total.max(1) as u64).div_ceil(per_page).max(1);
    let query = params.filter_query();
    let link = |p: u64| {
        let mut q = query.clone();
        if !q.is_empty() {
            q.push('&');
        }
        format!("/assets?{q}page={p}")
    };
    let current = u64::from(request.page);
    let range = if rows.is_empty() {
        tr.f("asset.range_empty", &[("total", page.total.to_string())])
    } else {
        tr.f(
            "asset.range",
            &[
                ("total", page.total.to_string()),
                ("first", (offset + 1).to_string()),
                ("last", (offset + rows.len() as i64).to_string()),
            ],
        )
    };
    let (_, holder_choices) = holders(&state).await?;
    let label_ids = rows
        .iter()
        .map(|r| r.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let page = ListPage {
        t: tr,
        layout: Layout::load(&state, "assets", "/assets", Some(&signed.0)).await,
        rows,
        range,
        page_label: tr.f(
            "asset.page_of",
            &[("page", current.to_string()), ("pages", pages.to_string())],
        ),
        prev: (current > 1).then(|| link((current - 1).min(pages))),
        next: (current < pages).then(|| link(current + 1)),
        export_query: query,
        label_ids,
        categories: coded_choices(Category::ALL, Category::as_str, category_key, &tr),
        statuses: coded_choices(Status::ALL, Status::as_str, status_key, &tr),
        segments: coded_choices(Segment::ALL, Segment::as_str, segment_key, &tr),
        confidentiality: level_choices(&scheme, Axis::Confidentiality),
        integrity: level_choices(&scheme, Axis::Integrity),
        availability: level_choices(&scheme, Axis::Availability),
        holders: holder_choices,
        sorts: Sort::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: tr.t(sort_key(*s)).to_owned(),
            })
            .collect(),
        may_edit: signed.has_role(EDITORS),
        params,
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- the form

/// The form's fields as typed, and the reason for a change of classification.
#[derive(Debug, Default, Deserialize)]
pub struct AssetForm {
    #[serde(flatten)]
    pub input: AssetInput,
    #[serde(default)]
    pub reason: String,
}

#[derive(Template)]
#[template(path = "asset_form.html")]
struct FormPage {
    t: Tr,
    layout: Layout,
    /// The asset being edited; None for a new one.
    id: Option<i64>,
    form: AssetInput,
    reason: String,
    errors: Vec<FieldError>,
    categories: Vec<Choice>,
    forms: Vec<Choice>,
    holder_types: Vec<Choice>,
    holders: Vec<Choice>,
    managing_roles: Vec<Choice>,
    segments: Vec<Choice>,
    statuses: Vec<Choice>,
    confidentiality: Vec<Choice>,
    integrity: Vec<Choice>,
    availability: Vec<Choice>,
    publications: Vec<Choice>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

fn publication_key(value: Publication) -> &'static str {
    match value {
        Publication::Gazette => "asset.publication.gazette",
        Publication::WhitePaper => "asset.publication.white_paper",
        Publication::Newspaper => "asset.publication.newspaper",
        Publication::Magazine => "asset.publication.magazine",
        Publication::Book => "asset.publication.book",
    }
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    id: Option<i64>,
    form: AssetForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let scheme = classification::active(&state.store).await?;
    let (_, holder_choices) = holders(state).await?;
    let path = match id {
        Some(id) => format!("/assets/{id}/edit"),
        None => "/assets/new".to_owned(),
    };
    let mut publications = vec![Choice {
        value: "no".into(),
        label: tr.t("asset.publication.no").to_owned(),
    }];
    publications.extend(coded_choices(
        Publication::ALL,
        Publication::as_str,
        publication_key,
        &tr,
    ));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        t: tr,
        layout: Layout::load(state, "assets", &path, Some(&signed.0)).await,
        id,
        form: form.input,
        reason: form.reason,
        errors,
        categories: coded_choices(Category::ALL, Category::as_str, category_key, &tr),
        forms: coded_choices(Form::ALL, Form::as_str, form_key, &tr),
        holder_types: coded_choices(HolderType::ALL, HolderType::as_str, holder_type_key, &tr),
        holders: holder_choices,
        managing_roles: OrgRole::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str().to_owned(),
                label: tr.t(org_role_label(*r)).to_owned(),
            })
            .collect(),
        segments: coded_choices(Segment::ALL, Segment::as_str, segment_key, &tr),
        statuses: coded_choices(Status::ALL, Status::as_str, status_key, &tr),
        confidentiality: level_choices(&scheme, Axis::Confidentiality),
        integrity: level_choices(&scheme, Axis::Integrity),
        availability: level_choices(&scheme, Axis::Availability),
        publications,
    };
    render(status, &page)
}

/// The form filled in from a stored asset, with levels by code and the holder by id.
fn input_from(record: &AssetRecord, scheme: &Scheme) -> AssetInput {
    AssetInput {
        name: record.name.clone(),
        description: record.description.clone(),
        category: record.category.as_str().to_owned(),
        form: record.form.as_str().to_owned(),
        holder_type: record.holder_type.as_str().to_owned(),
        holder: record
            .holder_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        managing_role: record
            .managing_role
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        location: record.location.clone(),
        segment: record.segment.as_str().to_owned(),
        confidentiality: level_code(scheme, record.confidentiality_id),
        integrity: level_code(scheme, record.integrity_id),
        availability: level_code(scheme, record.availability_id),
        retention: record.retention.map(|r| r.code()).unwrap_or_default(),
        disposal_due: record.disposal_due.clone().unwrap_or_default(),
        status: record.status.as_str().to_owned(),
        tags: record.tags.join("、"),
        notes: record.notes.clone(),
        clauses: record.clauses.join("、"),
        publication: "no".to_owned(),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "assets.new").await?;
    let form = AssetForm {
        input: AssetInput {
            category: Category::Information.as_str().into(),
            form: Form::Electronic.as_str().into(),
            holder_type: HolderType::Secretariat.as_str().into(),
            segment: Segment::None.as_str().into(),
            status: Status::InUse.as_str().into(),
            ..AssetInput::default()
        },
        reason: String::new(),
    };
    render_form(&state, &ctx, &signed, None, form, Vec::new()).await
}

/// Registers an asset: shared by the page and the API. Returns the new id, or the
/// problems with each field.
pub async fn register(
    state: &AppState,
    signed: &SignedIn,
    input: &AssetInput,
) -> Result<Result<i64, Vec<FieldProblem>>, AppError> {
    let scheme = classification::active(&state.store).await?;
    let (holders, _) = holders(state).await?;
    let asset = match input.check(&scheme, &holders) {
        Ok(asset) => asset,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut tx = state.store.write(signed.0.actor()).await?;
    let id = store_assets::create(&mut tx, &asset, &scheme).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "assets.create").await?;
    let WebForm(form) =
        <WebForm<AssetForm> as axum::extract::FromRequest<AppState>>::from_request(request, &state)
            .await?;
    match register(&state, &signed, &form.input).await? {
        Ok(id) => Ok(see_other(&format!("/assets/{id}?saved=1"))),
        Err(problems) => {
            let errors = field_errors(&problems, &ctx.tr);
            render_form(&state, &ctx, &signed, None, form, errors).await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "assets.edit").await?;
    let id = parse_id(&id)?;
    let record = store_assets::get(&state.store, viewer(&signed), id).await?;
    let scheme = classification::active(&state.store).await?;
    let form = AssetForm {
        input: input_from(&record, &scheme),
        reason: String::new(),
    };
    render_form(&state, &ctx, &signed, Some(id), form, Vec::new()).await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    signed.require(&state, EDITORS, "assets.update").await?;
    let id = parse_id(&id)?;
    let before = store_assets::get(&state.store, viewer(&signed), id).await?;
    let WebForm(form) =
        <WebForm<AssetForm> as axum::extract::FromRequest<AppState>>::from_request(request, &state)
            .await?;
    let scheme = classification::active(&state.store).await?;
    let (holders, _) = holders(&state).await?;
    let checked = form.input.check(&scheme, &holders).and_then(|asset| {
        check_change(&before.as_asset(), &asset, &form.reason)
            .map(|()| asset)
            .map_err(|p| vec![p])
    });
    match checked {
        Ok(asset) => {
            let mut tx = state.store.write(signed.0.actor()).await?;
            store_assets::update(&mut tx, id, &asset, &scheme, form.reason.trim()).await?;
            tx.commit().await?;
            Ok(see_other(&format!("/assets/{id}?saved=1")))
        }
        Err(problems) => {
            let errors = field_errors(&problems, &ctx.tr);
            render_form(&state, &ctx, &signed, Some(id), form, errors).await
        }
    }
}

// ---------------------------------------------------------------- one asset

struct LevelView {
    axis: &'static str,
    name: String,
    definition: String,
}

struct RuleView {
    step: &'static str,
    rules: Vec<String>,
}

struct HistoryView {
    at: String,
    by: String,
    classification: String,
    reason: String,
}

struct EventView {
    id: i64,
    kind: &'static str,
    occurred_on: String,
    person: String,
    counterparty: String,
    method: String,
    witness: String,
    due_back: String,
    notes: String,
    approval: &'static str,
    decided: String,
    recorded: String,
    may_decide: bool,
}

#[derive(Template)]
#[template(path = "asset_show.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    asset: AssetRecord,
    saved: bool,
    facts: Vec<(&'static str, String)>,
    levels: Vec<LevelView>,
    rules: Vec<RuleView>,
    history: Vec<HistoryView>,
    events: Vec<EventView>,
    event_kinds: Vec<Choice>,
    may_edit: bool,
    may_record: bool,
    disposed: bool,
    event_form: EventForm,
    event_errors: Vec<FieldError>,
    today: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

/// Whether the signed-in user may record lifecycle events on this asset: the register's
/// keepers on any asset, a holder on what they hold.
fn may_record(signed: &SignedIn, asset: &AssetRecord) -> bool {
    signed.has_role(EDITORS) || asset.holder_id == Some(signed.user().id)
}

#[allow(clippy::too_many_arguments)]
async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    asset: AssetRecord,
    saved: bool,
    event_form: EventForm,
    event_errors: Vec<FieldError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let scheme = classification::active(&state.store).await?;
    let level_ids = [
        (Axis::Confidentiality, asset.confidentiality_id),
        (Axis::Integrity, asset.integrity_id),
        (Axis::Availability, asset.availability_id),
    ];
    let levels = level_ids
        .iter()
        .map(|(axis, id)| {
            let level = scheme.level(*id);
            LevelView {
                axis: axis_key(*axis),
                name: level_name(&scheme, *id),
                definition: level.map(|l| l.definition.clone()).unwrap_or_default(),
            }
        })
        .collect();
    // The handling rules in force: each step gathers the rules of all three levels.
    let rules = LifecycleStep::ALL
        .iter()
        .map(|step| RuleView {
            step: step_key(*step),
            rules: level_ids
                .iter()
                .filter_map(|(_, id)| scheme.level(*id))
                .filter_map(|l| l.rules.get(step).map(|r| format!("【{}】{}", l.name, r)))
                .collect(),
        })
        .filter(|r| !r.rules.is_empty())
        .collect();
    let history = store_assets::classifications(&state.store, asset.id)
        .await?
        .into_iter()
        .map(|h| HistoryView {
            at: datetime_label(ctx, &h.changed_at),
            by: h
                .changed_by
                .unwrap_or_else(|| tr.t("asset.by_system").to_owned()),
            classification: [h.confidentiality_id, h.integrity_id, h.availability_id]
                .iter()
                .map(|id| level_name(&scheme, *id))
                .collect::<Vec<_>>()
                .join("・"),
            reason: if h.reason.is_empty() {
                tr.t("asset.initial_classification").to_owned()
            } else {
                h.reason
            },
        })
        .collect();
    let me = signed.user().id;
    let events = store_assets::events(&state.store, asset.id)
        .await?
        .into_iter()
        .map(|e: EventRecord| EventView {
            id: e.id,
            kind: event_key(e.kind),
            occurred_on: date_label(ctx, &e.occurred_on),
            person: e.person,
            counterparty: e.counterparty,
            method: e.method,
            witness: e.witness,
            due_back: e
                .due_back
                .as_deref()
                .map(|d| date_label(ctx, d))
                .unwrap_or_default(),
            notes: e.notes,
            approval: approval_key(e.approval),
            decided: match (&e.decided_by, &e.decided_at) {
                (Some(by), Some(at)) => {
                    format!("{by}（{}）{}", datetime_label(ctx, at), e.decision_note)
                }
                _ => String::new(),
            },
            recorded: format!(
                "{}（{}）",
                e.recorded_by
                    .clone()
                    .unwrap_or_else(|| tr.t("asset.by_system").to_owned()),
                datetime_label(ctx, &e.recorded_at)
            ),
            may_decide: e.approval == Approval::Pending
                && signed.has_role(APPROVERS)
                && e.recorded_by_id.is_none_or(|by| may_approve(by, me)),
        })
        .collect();
    let facts = vec![
        (
            "asset.field.category",
            tr.t(category_key(asset.category)).to_owned(),
        ),
        ("asset.field.form", tr.t(form_key(asset.form)).to_owned()),
        (
            "asset.field.holder_type",
            tr.t(holder_type_key(asset.holder_type)).to_owned(),
        ),
        (
            "asset.field.holder",
            asset.holder_name.clone().unwrap_or_default(),
        ),
        (
            "asset.field.managing_role",
            asset
                .managing_role
                .map(|r| tr.t(org_role_label(r)).to_owned())
                .unwrap_or_default(),
        ),
        ("asset.field.location", asset.location.clone()),
        (
            "asset.field.segment",
            tr.t(segment_key(asset.segment)).to_owned(),
        ),
        (
            "asset.field.retention",
            retention_label(asset.retention, &tr),
        ),
        (
            "asset.field.disposal_due",
            asset
                .disposal_due
                .as_deref()
                .map(|d| date_label(ctx, d))
                .unwrap_or_default(),
        ),
        (
            "asset.field.status",
            tr.t(status_key(asset.status)).to_owned(),
        ),
        ("asset.field.tags", asset.tags.join("、")),
        ("asset.field.clauses", asset.clauses.join("、")),
        (
            "asset.registered_at",
            datetime_label(ctx, &asset.created_at),
        ),
        ("asset.updated_at", datetime_label(ctx, &asset.updated_at)),
    ];
    let kinds: Vec<EventKind> = if signed.has_role(EDITORS) {
        EventKind::ALL.to_vec()
    } else {
        vec![EventKind::TakeOut, EventKind::Return]
    };
    let page = ShowPage {
        t: tr,
        layout: Layout::load(
            state,
            "assets",
            &format!("/assets/{}", asset.id),
            Some(&signed.0),
        )
        .await,
        saved,
        facts,
        levels,
        rules,
        history,
        events,
        event_kinds: coded_choices(&kinds, EventKind::as_str, event_key, &tr),
        may_edit: signed.has_role(EDITORS),
        may_record: may_record(signed, &asset),
        disposed: asset.status == Status::Disposed,
        event_form,
        event_errors,
        today: time::OffsetDateTime::now_utc()
            .to_offset(mamori_domain::wareki::JST)
            .date()
            .to_string(),
        asset,
    };
    render(status, &page)
}

fn approval_key(value: Approval) -> &'static str {
    match value {
        Approval::NotRequired => "asset.approval.not_required",
        Approval::Pending => "asset.approval.pending",
        Approval::Approved => "asset.approval.approved",
        Approval::Rejected => "asset.approval.rejected",
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ShowQuery>,
) -> Result<Response, AppError> {
    signed.require(&state, READERS, "assets.show").await?;
    let id = parse_id(&id)?;
    let asset = store_assets::get(&state.store, viewer(&signed), id).await?;
    render_show(
        &state,
        &ctx,
        &signed,
        asset,
        query.saved.is_some(),
        EventForm::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

// ---------------------------------------------------------------- lifecycle records

/// A lifecycle record as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct EventForm {
    pub kind: String,
    pub occurred_on: String,
    pub person: String,
    pub counterparty: String,
    pub method: String,
    pub witness: String,
    pub due_back: String,
    pub notes: String,
}

fn problem(field: &'static str, key: &'static str) -> FieldProblem {
    FieldProblem {
        field,
        key,
        params: Vec::new(),
    }
}

fn optional_text(field: &'static str, text: &str, problems: &mut Vec<FieldProblem>) -> String {
    match mamori_domain::text::single_line(text, 200) {
        Ok(v) => v,
        Err(mamori_domain::text::TextProblem::Empty) => String::new(),
        Err(p) => {
            problems.push(FieldProblem {
                field,
                key: p.message_key(),
                params: p.params(),
            });
            String::new()
        }
    }
}

fn date_field(
    field: &'static str,
    text: &str,
    problems: &mut Vec<FieldProblem>,
) -> Option<time::Date> {
    if text.trim().is_empty() {
        return None;
    }
    match mamori_domain::wareki::parse_date_input(text) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(FieldProblem {
                field,
                key: e.message_key(),
                params: e.params(),
            });
            None
        }
    }
}

impl EventForm {
    fn check(&self) -> Result<NewEvent, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let kind = EventKind::parse(self.kind.trim());
        if kind.is_none() {
            problems.push(problem("kind", "asset.error.unknown_value"));
        }
        let occurred_on = date_field("occurred_on", &self.occurred_on, &mut problems);
        if occurred_on.is_none() && self.occurred_on.trim().is_empty() {
            problems.push(problem("occurred_on", "field.error.required"));
        }
        let person = optional_text("person", &self.person, &mut problems);
        if person.is_empty() && self.person.trim().is_empty() {
            problems.push(problem("person", "field.error.required"));
        }
        let counterparty = optional_text("counterparty", &self.counterparty, &mut problems);
        let method = optional_text("method", &self.method, &mut problems);
        let witness = optional_text("witness", &self.witness, &mut problems);
        let due_back = date_field("due_back", &self.due_back, &mut problems);
        let notes = mamori_domain::text::multi_line(&self.notes, asset::MAX_LONG_TEXT)
            .unwrap_or_else(|p| {
                problems.push(FieldProblem {
                    field: "notes",
                    key: p.message_key(),
                    params: p.params(),
                });
                String::new()
            });
        match (kind, occurred_on, problems.is_empty()) {
            (Some(kind), Some(occurred_on), true) => Ok(NewEvent {
                kind,
                occurred_on,
                person,
                counterparty,
                method,
                witness,
                due_back,
                notes,
            }),
            _ => Err(problems),
        }
    }
}

fn event_field_errors(problems: &[FieldProblem], tr: &Tr) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| FieldError {
            field: p.field,
            message: format!(
                "{}：{}",
                tr.t(event_field_key(p.field)),
                tr.f(p.key, &p.params)
            ),
        })
        .collect()
}

fn event_field_key(field: &str) -> &'static str {
    match field {
        "kind" => "asset.event_field.kind",
        "occurred_on" => "asset.event_field.occurred_on",
        "person" => "asset.event_field.person",
        "counterparty" => "asset.event_field.counterparty",
        "method" => "asset.event_field.method",
        "witness" => "asset.event_field.witness",
        "due_back" => "asset.event_field.due_back",
        "notes" => "asset.event_field.notes",
        _ => "asset.field.unknown",
    }
}

pub async fn record_event(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    signed
        .require(&state, READERS, "assets.record_event")
        .await?;
    let id = parse_id(&id)?;
    let asset = store_assets::get(&state.store, viewer(&signed), id).await?;
    if !may_record(&signed, &asset) {
        return Err(crate::http::auth::deny(&state, &signed.0, "assets.record_event").await);
    }
    let WebForm(form) =
        <WebForm<EventForm> as axum::extract::FromRequest<AppState>>::from_request(request, &state)
            .await?;
    let scheme = classification::active(&state.store).await?;
    let holder_only = !signed.has_role(EDITORS);
    let checked = form.check().and_then(|event| {
        if holder_only && !matches!(event.kind, EventKind::TakeOut | EventKind::Return) {
            return Err(vec![problem("kind", "asset.error.unknown_value")]);
        }
        check_event(
            event.kind,
            asset.status,
            asset.confidentiality_id,
            &scheme,
            &event.method,
        )
        .map(|approval| (event, approval))
        .map_err(|refusal| vec![problem("kind", refusal.message_key())])
    });
    match checked {
        Ok((event, approval)) => {
            let mut tx = state.store.write(signed.0.actor()).await?;
            store_assets::record_event(&mut tx, id, &event, approval).await?;
            tx.commit().await?;
            Ok(see_other(&format!("/assets/{id}#events")))
        }
        Err(problems) => {
            let errors = event_field_errors(&problems, &ctx.tr);
            render_show(
                &state,
                &ctx,
                &signed,
                asset,
                false,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn decide_event(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, event_id)): Path<(String, String)>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    signed
        .require(&state, APPROVERS, "assets.decide_event")
        .await?;
    let (id, event_id) = (parse_id(&id)?, parse_id(&event_id)?);
    store_assets::get(&state.store, viewer(&signed), id).await?;
    let event = store_assets::event(&state.store, event_id).await?;
    if event.asset_id != id {
        return Err(AppError::not_found());
    }
    if event
        .recorded_by_id
        .is_some_and(|by| !may_approve(by, signed.user().id))
    {
        let mut refused = crate::http::auth::deny(&state, &signed.0, "assets.decide_own").await;
        refused.message_key = "asset.error.own_request";
        return Err(refused);
    }
    let WebForm(form) = <WebForm<crate::pages::DecisionForm> as axum::extract::FromRequest<
        AppState,
    >>::from_request(request, &state)
    .await?;
    let (approve, note) = form.read()?;
    let mut tx = state.store.write(signed.0.actor()).await?;
    match store_assets::decide(&mut tx, event_id, approve, &note).await {
        Ok(()) => {}
        Err(StoreError::NotFound) => {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "already_decided",
                "asset.error.already_decided",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(see_other(&format!("/assets/{id}#events")))
}
