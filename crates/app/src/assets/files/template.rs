//! The import template: a blank register in the export's column order with one example
//! row, drop-down lists for the coded columns and the active scheme's levels, and a
//! sheet that explains every column (.xlsx); the same headers and example as CSV.
//! The example row is recognised on import, so sending the template back untouched
//! gives a clear answer instead of an asset called 「（記入例）…」.

use mamori_domain::access::{Act, Register};
use mamori_domain::asset::{AssetInput, Category, Form, HolderType, Segment, Status};
use mamori_domain::classification::{Axis, Scheme};
use mamori_domain::search::normalise;
use mamori_domain::wareki::Lang;
use mamori_sheet::{Choices, Template};

use super::export::{category_word, form_word, holder_type_word, segment_word, status_word};
use super::{ExportError, Format, export_fields};
use crate::assets::field_key;
use crate::i18n::Tr;
use crate::policies::Citations;
use crate::{Acting, App, Failure};

/// The fields a row cannot do without (the rest may stay blank).
const REQUIRED: [&str; 7] = [
    "name",
    "category",
    "form",
    "holder_type",
    "confidentiality",
    "integrity",
    "availability",
];

/// A level to show in the example: one above the lowest, as most registers' rows are.
fn example_level(scheme: &Scheme, axis: Axis) -> String {
    let levels = scheme.levels_of(axis);
    let pick = levels.len().saturating_sub(2);
    levels.get(pick).map(|l| l.code.clone()).unwrap_or_default()
}

/// The example row, in [`export_fields`] order, in the words of `lang`.
pub fn example_cells(lang: Lang, scheme: &Scheme) -> Vec<String> {
    let tr = Tr::new(lang);
    let ja = lang == Lang::Ja;
    let word = |japanese: &str, code: &str| if ja { japanese } else { code }.to_owned();
    export_fields()
        .map(|field| match field {
            "name" => tr.t("asset.template.example_name").to_owned(),
            "description" => tr.t("asset.template.example_description").to_owned(),
            "category" => word(
                category_word(Category::Information),
                Category::Information.as_str(),
            ),
            "form" => word(form_word(Form::Both), Form::Both.as_str()),
            "holder_type" => word(
                holder_type_word(HolderType::Secretariat),
                HolderType::Secretariat.as_str(),
            ),
            "location" => tr.t("asset.template.example_location").to_owned(),
            "segment" => word(segment_word(Segment::Lgwan), Segment::Lgwan.as_str()),
            "confidentiality" => example_level(scheme, Axis::Confidentiality),
            "integrity" => example_level(scheme, Axis::Integrity),
            "availability" => example_level(scheme, Axis::Availability),
            "retention" => tr.t("asset.template.example_retention").to_owned(),
            "status" => word(status_word(Status::InUse), Status::InUse.as_str()),
            "tags" => tr.t("asset.template.example_tags").to_owned(),
            "clauses" => "6(2)".to_owned(),
            "personal_info" => super::export::personal_word(false, lang),
            _ => String::new(),
        })
        .collect()
}

/// Whether a row is the template's example (in either language): its name and
/// description are the example's. Levels and words may differ from one scheme or
/// edit to the next; those two texts are what nobody writes for a real asset.
pub fn is_example(input: &AssetInput) -> bool {
    [Lang::Ja, Lang::En].into_iter().any(|lang| {
        let tr = Tr::new(lang);
        normalise(&input.name) == normalise(tr.t("asset.template.example_name"))
            && normalise(&input.description)
                == normalise(tr.t("asset.template.example_description"))
    })
}

/// The values each coded column offers in a drop-down list.
fn lists(lang: Lang, scheme: &Scheme) -> Vec<Choices> {
    let ja = lang == Lang::Ja;
    fn words<T: Copy>(
        all: &[T],
        ja: bool,
        word: fn(T) -> &'static str,
        code: fn(T) -> &'static str,
    ) -> Vec<String> {
        all.iter()
            .map(|v| if ja { word(*v) } else { code(*v) }.to_owned())
            .collect()
    }
    let levels = |axis: Axis| -> Vec<String> {
        scheme
            .levels_of(axis)
            .iter()
            .map(|l| l.code.clone())
            .collect()
    };
    export_fields()
        .enumerate()
        .filter_map(|(column, field)| {
            let values = match field {
                "category" => words(Category::ALL, ja, category_word, Category::as_str),
                "form" => words(Form::ALL, ja, form_word, Form::as_str),
                "holder_type" => words(HolderType::ALL, ja, holder_type_word, HolderType::as_str),
                "segment" => words(Segment::ALL, ja, segment_word, Segment::as_str),
                // Withdrawal is an action with its reason, never a value in a file.
                "status" => words(
                    &Status::ALL
                        .iter()
                        .copied()
                        .filter(|s| *s != Status::Withdrawn)
                        .collect::<Vec<_>>(),
                    ja,
                    status_word,
                    Status::as_str,
                ),
                "confidentiality" => levels(Axis::Confidentiality),
                "integrity" => levels(Axis::Integrity),
                "availability" => levels(Axis::Availability),
                "personal_info" => [true, false]
                    .into_iter()
                    .map(|yes| super::export::personal_word(yes, lang))
                    .collect(),
                _ => return None,
            };
            Some(Choices { column, values })
        })
        .collect()
}

/// What a column accepts, for the guide sheet.
fn allowed(tr: &Tr, field: &str, choices: &[Choices], column: usize) -> String {
    if let Some(list) = choices.iter().find(|c| c.column == column) {
        let joined = list.values.join(" / ");
        return match field {
            "confidentiality" | "integrity" | "availability" => {
                tr.f("asset.template.allowed_levels", &[("levels", joined)])
            }
            _ => tr.f("asset.template.allowed_list", &[("values", joined)]),
        };
    }
    let key = match field {
        "holder" => "asset.import.help_holder",
        "managing_role" => "asset.template.allowed_managing_role",
        "retention" => "asset.import.help_retention",
        "disposal_due" => "asset.import.help_disposal_due",
        "tags" | "clauses" => "asset.import.help_tags",
        _ => "asset.template.allowed_text",
    };
    tr.t(key).to_owned()
}

fn about_key(field: &str) -> &'static str {
    match field {
        "name" => "asset.template.about_name",
        "description" => "asset.template.about_description",
        "category" => "asset.template.about_category",
        "form" => "asset.template.about_form",
        "holder_type" => "asset.template.about_holder_type",
        "holder" => "asset.template.about_holder",
        "managing_role" => "asset.template.about_managing_role",
        "location" => "asset.template.about_location",
        "segment" => "asset.template.about_segment",
        "confidentiality" | "integrity" | "availability" => "asset.template.about_level",
        "retention" => "asset.template.about_retention",
        "disposal_due" => "asset.template.about_disposal_due",
        "status" => "asset.template.about_status",
        "tags" => "asset.template.about_tags",
        "notes" => "asset.template.about_notes",
        "personal_info" => "asset.template.about_personal_info",
        _ => "asset.template.about_clauses",
    }
}

/// The clause a column's explanation cites, if any.
fn about_clause(field: &str) -> &'static str {
    match field {
        "category" => "4(2)",
        "segment" => "6(3)",
        _ => "",
    }
}

/// What a column means, its citation in the published policy's numbering.
fn about(tr: &Tr, citations: &Citations, field: &str) -> String {
    match about_clause(field) {
        "" => tr.t(about_key(field)).to_owned(),
        clause => tr.f(
            about_key(field),
            &[("cite", citations.cite(clause, tr.lang))],
        ),
    }
}

/// The whole template for `lang` and `scheme`, citing in `citations`' numbering.
pub fn build(lang: Lang, scheme: &Scheme, citations: &Citations) -> Template {
    let tr = Tr::new(lang);
    // No asset number: a template registers new assets, and the number is mamori's to give.
    let headers = export_fields()
        .map(|field| tr.t(field_key(field)).to_owned())
        .collect();
    let example = example_cells(lang, scheme);
    let lists = lists(lang, scheme);
    let guide_rows = export_fields()
        .enumerate()
        .map(|(column, field)| {
            vec![
                tr.t(field_key(field)).to_owned(),
                about(&tr, citations, field),
                tr.t(if REQUIRED.contains(&field) {
                    "asset.template.required"
                } else {
                    "asset.template.optional"
                })
                .to_owned(),
                allowed(&tr, field, &lists, column),
                example[column].clone(),
            ]
        })
        .collect();
    Template {
        sheet_name: tr.t("asset.export.sheet_name").to_owned(),
        headers,
        example,
        lists,
        list_warning_title: tr.t("asset.template.list_warning_title").to_owned(),
        list_warning: tr.t("asset.template.list_warning").to_owned(),
        guide_name: tr.t("asset.template.guide_name").to_owned(),
        guide_headers: [
            "asset.template.guide_column",
            "asset.template.guide_meaning",
            "asset.template.guide_required",
            "asset.template.guide_allowed",
            "asset.template.guide_example",
        ]
        .into_iter()
        .map(|key| tr.t(key).to_owned())
        .collect(),
        guide_rows,
    }
}

/// The template as a file, for someone who may import into the register. The scheme
/// is the one in use now, so its levels are the ones the import will accept.
pub async fn template(
    app: &App,
    acting: &Acting,
    lang: Lang,
    format: Format,
) -> Result<Vec<u8>, ExportError> {
    app.permit(acting, Register::Assets, Act::Edit, "asset.template.title")
        .await?;
    let scheme = mamori_store::classification::active(app.store())
        .await
        .map_err(Failure::from)?;
    let citations = crate::policies::citations(app, Some(acting)).await?;
    let template = build(lang, &scheme, &citations);
    tokio::task::spawn_blocking(move || crate::sheets::write_template(format, &template))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "template writer stopped");
            ExportError::Sheet(mamori_sheet::SheetError::Write(e.to_string()))
        })?
        .map_err(ExportError::Sheet)
}
