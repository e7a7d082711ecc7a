//! The register's list page: filters, search, sort and pages over what the signed-in
//! user may see.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::assets::{AssetRecord, Category, Page, Segment, Sort, Status};
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, Register};
use mamori_domain::classification::{Axis, Scheme};

use super::{
    Choice, ListParams, category_key, classification_line, coded_choices, holder_choices,
    holder_type_key, level_choices, segment_key, status_key,
};
use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::params::pagination::MAX_PER_PAGE;
use crate::http::print::{Orientation, PrintQuery};
use crate::http::{Layout, render};
use crate::state::AppState;

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

impl ListRow {
    fn of(a: &AssetRecord, scheme: &Scheme, tr: &Tr) -> ListRow {
        ListRow {
            id: a.id,
            name: a.name.clone(),
            category: tr.t(category_key(a.category)).to_owned(),
            holder: a
                .holder_name
                .clone()
                .unwrap_or_else(|| tr.t(holder_type_key(a.holder_type)).to_owned()),
            location: a.location.clone(),
            classification: classification_line(tr, scheme, a),
            status: tr.t(status_key(a.status)).to_owned(),
            disposed: a.status == Status::Disposed,
            tags: a.tags.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "assets/list.html")]
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
    /// The print view's orientation, when asked for (`?print=landscape`).
    print: Option<Orientation>,
    print_max: u32,
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

/// Where the list's pager stands: the range shown, "page n of m", and the links.
struct Pager {
    range: String,
    page_label: String,
    prev: Option<String>,
    next: Option<String>,
}

fn pager(
    tr: &Tr,
    query: &str,
    offset: i64,
    shown: usize,
    total: i64,
    page: u32,
    per: u32,
) -> Pager {
    let pages = (total.max(1) as u64).div_ceil(u64::from(per)).max(1);
    let link = |p: u64| {
        let sep = if query.is_empty() { "" } else { "&" };
        format!("/assets?{query}{sep}page={p}")
    };
    let current = u64::from(page);
    let range = if shown == 0 {
        tr.f("asset.range_empty", &[("total", total.to_string())])
    } else {
        tr.f(
            "asset.range",
            &[
                ("total", total.to_string()),
                ("first", (offset + 1).to_string()),
                ("last", (offset + shown as i64).to_string()),
            ],
        )
    };
    Pager {
        range,
        page_label: tr.f(
            "asset.page_of",
            &[("page", current.to_string()), ("pages", pages.to_string())],
        ),
        prev: (current > 1).then(|| link((current - 1).min(pages))),
        next: (current < pages).then(|| link(current + 1)),
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(mut params): ApiQuery<ListParams>,
    ApiQuery(print): ApiQuery<PrintQuery>,
) -> Result<Response, AppError> {
    let print = print.orientation()?;
    if print.is_some() && params.per_page.is_none() {
        // On paper the whole register (up to a page's limit) rather than 50 rows.
        params.per_page = Some(MAX_PER_PAGE.to_string());
    }
    let acting = &signed.0.acting;
    let scheme = mamori_app::assets::scheme(&state.app, acting).await?;
    let (request, page_request) = params.request(&scheme)?;
    // Level names in the reader's language (the filters above read codes).
    let scheme = mamori_domain::classification_presets_en::for_reader(scheme, ctx.lang());
    let page: Page = mamori_app::assets::list(&state.app, acting, &request).await?;
    let tr = ctx.tr;
    let rows: Vec<ListRow> = page
        .assets
        .iter()
        .map(|a| ListRow::of(a, &scheme, &tr))
        .collect();
    let query = params.filter_query();
    let pager = pager(
        &tr,
        &query,
        request.offset,
        rows.len(),
        page.total,
        page_request.page,
        page_request.per_page,
    );
    let label_ids = rows
        .iter()
        .map(|r| r.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let page = ListPage {
        t: tr,
        layout: Layout::load(&state, "assets", "/assets", Some(&signed.0)).await,
        rows,
        range: pager.range,
        page_label: pager.page_label,
        prev: pager.prev,
        next: pager.next,
        export_query: query,
        label_ids,
        categories: coded_choices(Category::ALL, Category::as_str, category_key, &tr),
        statuses: coded_choices(Status::ALL, Status::as_str, status_key, &tr),
        segments: coded_choices(Segment::ALL, Segment::as_str, segment_key, &tr),
        confidentiality: level_choices(&scheme, Axis::Confidentiality),
        integrity: level_choices(&scheme, Axis::Integrity),
        availability: level_choices(&scheme, Axis::Availability),
        holders: holder_choices(&state, &signed, &tr).await?,
        sorts: coded_choices(&Sort::ALL, Sort::as_str, sort_key, &tr),
        may_edit: acting.may(Register::Assets, Act::Edit),
        params,
        print,
        print_max: MAX_PER_PAGE,
    };
    render(StatusCode::OK, &page)
}
