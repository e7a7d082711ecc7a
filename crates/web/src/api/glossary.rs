//! The glossary as data: every term mamori uses, in both languages, with its one-line
//! definition and the basic policy's clause. The same terms as the glossary page.

use axum::Json;
use mamori_domain::glossary::TERMS;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct TermOut {
    /// A stable identifier (asset_type, classification, permission, post …).
    pub code: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
    pub definition_ja: &'static str,
    pub definition_en: &'static str,
    /// The clause of the basic policy that defines or uses the term (2(3), 4(2)); absent
    /// for words of mamori's own work.
    pub clause: Option<&'static str>,
}

#[derive(Serialize, ToSchema)]
pub struct Glossary {
    pub items: Vec<TermOut>,
}

/// The glossary: the words mamori uses, in Japanese and English, each defined.
#[utoipa::path(get, path = "/api/v1/glossary", tag = "reference",
    responses((status = 200, body = Glossary)))]
pub async fn list_terms() -> Json<Glossary> {
    Json(Glossary {
        items: TERMS
            .iter()
            .map(|t| TermOut {
                code: t.code,
                ja: t.ja,
                en: t.en,
                definition_ja: t.definition_ja,
                definition_en: t.definition_en,
                clause: t.clause,
            })
            .collect(),
    })
}

/// The part of the OpenAPI document this module serves.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_terms), components(schemas(TermOut, Glossary)))]
pub struct Doc;
