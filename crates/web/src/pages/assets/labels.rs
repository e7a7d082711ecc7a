//! Labels for information assets (clause 6(2)): a print page that lays out one label per
//! asset — organisation, asset name, asset number and the classification line such as
//! 「自治体機密性2・完全性2・可用性1」 — on the A4 label sheets sold in Japan. The page
//! has no inline script or style (the Content-Security-Policy forbids both): its print
//! stylesheet and the print button's script are served from the binary.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mamori_app::assets::LabelsData;
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::http::extract::ApiQuery;
use crate::http::params::present;
use crate::http::render;
use crate::pages::assets::{classification_line, permit};
use crate::state::AppState;
use mamori_app::i18n::Tr;
use mamori_domain::access::{Act, Register};

/// Most assets on one request.
pub const MAX_ASSETS: usize = 200;
/// Most label positions on one request (used positions skipped included): 100 sheets of
/// 24, so that a mistyped number of copies cannot ask for a page of thousands of sheets.
pub const MAX_LABELS: usize = 2_400;
/// Copies of each asset's label, at most this many sheets' worth.
pub const MAX_COPY_SHEETS: usize = 10;

/// A label sheet. Sizes are those of the common gapless A4 sheets (e.g. A-one 72212,
/// 72224 and 72210 and their equivalents); the print stylesheet places them to the
/// millimetre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    /// 12面: 2 columns × 6 rows, 86.4 × 42.3 mm.
    Twelve,
    /// 24面: 3 columns × 8 rows, 70 × 33.9 mm.
    TwentyFour,
    /// 10面: 2 columns × 5 rows, 86.4 × 50.8 mm.
    Ten,
}

impl Sheet {
    pub const ALL: [Sheet; 3] = [Sheet::Twelve, Sheet::TwentyFour, Sheet::Ten];

    pub fn code(self) -> &'static str {
        match self {
            Sheet::Twelve => "12",
            Sheet::TwentyFour => "24",
            Sheet::Ten => "10",
        }
    }

    pub fn parse(value: &str) -> Option<Sheet> {
        let value = value.trim().trim_end_matches('面');
        Sheet::ALL.into_iter().find(|s| s.code() == value)
    }

    pub fn labels(self) -> usize {
        match self {
            Sheet::Twelve => 12,
            Sheet::TwentyFour => 24,
            Sheet::Ten => 10,
        }
    }

    /// The locale key describing the sheet in the layout choice.
    pub fn label_key(self) -> &'static str {
        match self {
            Sheet::Twelve => "asset.labels.layout_12",
            Sheet::TwentyFour => "asset.labels.layout_24",
            Sheet::Ten => "asset.labels.layout_10",
        }
    }
}

/// The query string, kept as text so that a wrong value gets our own message.
#[derive(Debug, Default, Deserialize)]
pub struct LabelsQuery {
    /// Asset ids separated by commas: `1,2,3`.
    pub ids: Option<String>,
    /// `12`, `24` or `10` labels a sheet; 12 when absent.
    pub layout: Option<String>,
    /// The first free position on the sheet (1 = top left), to use a partly used sheet.
    pub start: Option<String>,
    /// Labels printed for each asset.
    pub copies: Option<String>,
}

/// What a request asks for, checked.
#[derive(Debug, PartialEq, Eq)]
pub struct LabelRequest {
    pub ids: Vec<i64>,
    pub sheet: Sheet,
    pub start: usize,
    pub copies: usize,
}

fn bad(key: &'static str) -> AppError {
    AppError::new(StatusCode::BAD_REQUEST, "invalid_label_request", key)
}

/// A whole number from 1 to `max`, or `default` when absent.
fn number(
    value: &Option<String>,
    default: usize,
    max: usize,
    key: &'static str,
) -> Result<usize, AppError> {
    match present(value) {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| bad(key).with("max", max)),
    }
}

impl LabelsQuery {
    pub fn check(&self) -> Result<LabelRequest, AppError> {
        let text = present(&self.ids).ok_or_else(|| bad("asset.labels.error.no_ids"))?;
        let mut ids: Vec<i64> = Vec::new();
        for piece in text
            .split([',', '、', '，', ' ', '\u{3000}', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let id = piece
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| {
                    bad("asset.labels.error.bad_id")
                        .with("value", piece.chars().take(20).collect::<String>())
                })?;
            if !ids.contains(&id) {
                ids.push(id);
            }
            if ids.len() > MAX_ASSETS {
                return Err(bad("asset.labels.error.too_many").with("max", MAX_ASSETS));
            }
        }
        if ids.is_empty() {
            return Err(bad("asset.labels.error.no_ids"));
        }
        let sheet = match present(&self.layout) {
            None => Sheet::Twelve,
            Some(text) => Sheet::parse(text).ok_or_else(|| bad("asset.labels.error.layout"))?,
        };
        let start = number(&self.start, 1, sheet.labels(), "asset.labels.error.start")?;
        let copies = number(
            &self.copies,
            1,
            sheet.labels() * MAX_COPY_SHEETS,
            "asset.labels.error.copies",
        )?;
        if start - 1 + ids.len() * copies > MAX_LABELS {
            return Err(bad("asset.labels.error.too_many_labels").with("max", MAX_LABELS));
        }
        Ok(LabelRequest {
            ids,
            sheet,
            start,
            copies,
        })
    }
}

/// One label as printed.
pub struct Label {
    pub name: String,
    pub number: String,
    pub classification: String,
}

/// One A4 sheet: every position, `None` where nothing is printed.
pub struct SheetView {
    pub caption: String,
    pub cells: Vec<Option<Label>>,
}

/// The positions in order: the used ones skipped, each asset's copies together, and the
/// last sheet filled up with blanks.
pub fn lay_out(labels: Vec<Label>, request: &LabelRequest) -> Vec<Vec<Option<Label>>> {
    let per_sheet = request.sheet.labels();
    let mut cells: Vec<Option<Label>> = (1..request.start).map(|_| None).collect();
    cells.extend(labels.into_iter().map(Some));
    let mut sheets = Vec::new();
    let mut cells = cells.into_iter().peekable();
    while cells.peek().is_some() {
        let mut sheet: Vec<Option<Label>> = cells.by_ref().take(per_sheet).collect();
        sheet.resize_with(per_sheet, || None);
        sheets.push(sheet);
    }
    sheets
}

pub struct LayoutChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "assets/labels.html")]
struct LabelsPage {
    t: Tr,
    organisation: Option<String>,
    ids: String,
    layout: &'static str,
    layouts: Vec<LayoutChoice>,
    start: usize,
    copies: usize,
    start_hint: String,
    copies_hint: String,
    summary: String,
    sheets: Vec<SheetView>,
    /// Where "back" leads: the asset itself when there is one, else the register.
    back: String,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    ApiQuery(query): ApiQuery<LabelsQuery>,
) -> Result<Response, AppError> {
    permit(
        &state,
        &signed,
        Register::Assets,
        Act::Read,
        "assets.labels",
    )
    .await?;
    let request = query.check()?;
    // An asset the viewer may not see is "not found", and so is the whole request: the
    // page must not tell which of the ids exist.
    let LabelsData {
        assets: records,
        scheme,
        organisation,
    } = mamori_app::assets::labels(&state.app, &signed.0.acting, &request.ids).await?;
    let scheme = mamori_domain::classification_presets_en::for_reader(scheme, ctx.lang());
    let mut labels = Vec::with_capacity(records.len() * request.copies);
    for record in &records {
        for _ in 0..request.copies {
            labels.push(Label {
                name: record.name.clone(),
                number: ctx
                    .tr
                    .f("asset.labels.number", &[("id", record.id.to_string())]),
                classification: classification_line(&ctx.tr, &scheme, record),
            });
        }
    }
    let label_count = labels.len();
    let sheets: Vec<SheetView> = lay_out(labels, &request)
        .into_iter()
        .enumerate()
        .map(|(index, cells)| SheetView {
            caption: ctx
                .tr
                .f("asset.labels.sheet", &[("n", (index + 1).to_string())]),
            cells,
        })
        .collect();
    let summary = ctx.tr.f(
        "asset.labels.summary",
        &[
            ("assets", records.len().to_string()),
            ("labels", label_count.to_string()),
            ("sheets", sheets.len().to_string()),
            ("layout", request.sheet.code().to_owned()),
        ],
    );
    let ids = request
        .ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let back = match request.ids.as_slice() {
        [only] => format!("/assets/{only}"),
        _ => "/assets".to_owned(),
    };
    let page = LabelsPage {
        t: ctx.tr,
        organisation,
        ids,
        layout: request.sheet.code(),
        layouts: Sheet::ALL
            .iter()
            .map(|s| LayoutChoice {
                code: s.code(),
                label: s.label_key(),
                selected: *s == request.sheet,
            })
            .collect(),
        start: request.start,
        copies: request.copies,
        start_hint: ctx.tr.f(
            "asset.labels.start_hint",
            &[("max", request.sheet.labels().to_string())],
        ),
        copies_hint: ctx.tr.f(
            "asset.labels.copies_hint",
            &[(
                "max",
                (request.sheet.labels() * MAX_COPY_SHEETS).to_string(),
            )],
        ),
        summary,
        sheets,
        back,
    };
    render(StatusCode::OK, &page)
}

fn embedded(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

/// The label sheets' stylesheet (screen preview and print).
pub async fn stylesheet() -> Response {
    embedded(
        "text/css; charset=utf-8",
        include_str!("../../../static/labels.css"),
    )
}

/// The print button's script: the CSP allows scripts from this site only, not inline.
pub async fn script() -> Response {
    embedded(
        "text/javascript; charset=utf-8",
        include_str!("../../../static/labels.js"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_app::i18n::{EN, JA};

    fn query(ids: &str, layout: &str, start: &str, copies: &str) -> LabelsQuery {
        let some = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        LabelsQuery {
            ids: some(ids),
            layout: some(layout),
            start: some(start),
            copies: some(copies),
        }
    }

    fn key(result: Result<LabelRequest, AppError>) -> &'static str {
        result.unwrap_err().message_key
    }

    #[test]
    fn reads_ids_layout_start_and_copies() {
        let request = query("3, 1,3、2", "24面", "5", "2").check().unwrap();
        assert_eq!(request.ids, vec![3, 1, 2]);
        assert_eq!(request.sheet, Sheet::TwentyFour);
        assert_eq!((request.start, request.copies), (5, 2));
        let defaults = query("7", "", "", "").check().unwrap();
        assert_eq!(defaults.sheet, Sheet::Twelve);
        assert_eq!((defaults.start, defaults.copies), (1, 1));
    }

    #[test]
    fn refuses_what_cannot_be_printed() {
        assert_eq!(
            key(query("", "", "", "").check()),
            "asset.labels.error.no_ids"
        );
        assert_eq!(
            key(query(" , ", "", "", "").check()),
            "asset.labels.error.no_ids"
        );
        assert_eq!(
            key(query("1,x", "", "", "").check()),
            "asset.labels.error.bad_id"
        );
        assert_eq!(
            key(query("0", "", "", "").check()),
            "asset.labels.error.bad_id"
        );
        let many = (1..=201)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            key(query(&many, "", "", "").check()),
            "asset.labels.error.too_many"
        );
        let most = (1..=200)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert!(query(&most, "", "", "").check().is_ok());
        assert_eq!(
            key(query("1", "21", "", "").check()),
            "asset.labels.error.layout"
        );
        assert_eq!(
            key(query("1", "12", "13", "").check()),
            "asset.labels.error.start"
        );
        assert_eq!(
            key(query("1", "12", "0", "").check()),
            "asset.labels.error.start"
        );
        assert_eq!(
            key(query("1", "12", "", "121").check()),
            "asset.labels.error.copies"
        );
        assert!(query("1", "12", "", "120").check().is_ok());
        assert_eq!(
            key(query(&most, "24", "", "20").check()),
            "asset.labels.error.too_many_labels"
        );
    }

    #[test]
    fn skips_used_positions_and_fills_the_last_sheet() {
        let request = query("1,2", "10", "9", "2").check().unwrap();
        let labels = (0..4)
            .map(|i| Label {
                name: format!("資産{i}"),
                number: String::new(),
                classification: String::new(),
            })
            .collect();
        let sheets = lay_out(labels, &request);
        assert_eq!(sheets.len(), 2);
        assert!(sheets.iter().all(|s| s.len() == 10));
        assert!(sheets[0][..8].iter().all(Option::is_none));
        assert_eq!(sheets[0][8].as_ref().unwrap().name, "資産0");
        assert_eq!(sheets[1][1].as_ref().unwrap().name, "資産3");
        assert!(sheets[1][2..].iter().all(Option::is_none));
    }

    #[test]
    fn every_message_exists_in_both_languages() {
        let mut keys = vec![
            "asset.labels.error.no_ids",
            "asset.labels.error.bad_id",
            "asset.labels.error.too_many",
            "asset.labels.error.layout",
            "asset.labels.error.start",
            "asset.labels.error.copies",
            "asset.labels.error.too_many_labels",
            "asset.labels.number",
            "asset.labels.sheet",
            "asset.labels.summary",
        ];
        keys.extend(Sheet::ALL.iter().map(|s| s.label_key()));
        for key in keys {
            assert!(JA.contains_key(key), "{key} missing in ja.toml");
            assert!(EN.contains_key(key), "{key} missing in en.toml");
        }
    }
}
