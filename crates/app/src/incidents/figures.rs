//! A 年度's incident figures for the annual report — by family of clause 3, severity
//! and stage, time to first response and to close — and the year's list as .xlsx.
//! Counts reveal incidents, so both are for those who see every incident. Personal
//! information (who reported, how to reach them, where, what they wrote) is left out
//! of the export unless asked for, and the export says in the audit trail which it was.

use mamori_domain::access::{Act, Register};
use mamori_domain::calendar::FiscalYear;
use mamori_domain::incident_figures::{self, Figures};
use mamori_domain::wareki::{JST, Lang};
use mamori_store::incidents::{self as store, Filter, IncidentRecord, Reach, YearRow};
use time::OffsetDateTime;

use super::Severity;
use crate::i18n::Tr;
use crate::sheets::SheetData;
use crate::{Acting, App, Failure};

/// A year's figures, with the levels they are counted by.
#[derive(Debug, Clone)]
pub struct YearFigures {
    pub year: FiscalYear,
    pub figures: Figures,
    pub severities: Vec<Severity>,
    /// The outside reports the duties asked of the year's incidents, as they stand.
    pub reports: super::reports::ReportTally,
}

/// The figures of the incidents numbered in `year`.
pub async fn figures(app: &App, acting: &Acting, year: FiscalYear) -> Result<YearFigures, Failure> {
    app.permit(acting, Register::Incidents, Act::SeeAll, "incident.figures")
        .await?;
    Ok(year_data(app, year).await?.0)
}

/// The year's figures, with the incidents and rows they were counted from (read once,
/// for the export too).
async fn year_data(
    app: &App,
    year: FiscalYear,
) -> Result<(YearFigures, Vec<IncidentRecord>, Vec<YearRow>), Failure> {
    let severities = store::severities(app.store()).await?;
    let codes: Vec<String> = severities.iter().map(|s| s.code.clone()).collect();
    let rows = store::year_rows(app.store(), year.year()).await?;
    let handled: Vec<_> = rows.iter().map(|r| r.handled.clone()).collect();
    let records: Vec<IncidentRecord> = store::list(
        app.store(),
        &Filter {
            year: Some(year.year()),
            ..Filter::all(Reach::All)
        },
    )
    .await?
    .rows
    .into_iter()
    .map(|(r, _)| r)
    .collect();
    let figures = YearFigures {
        year,
        figures: incident_figures::figures(&handled, &codes),
        severities,
        reports: super::reports::tally(app, &records).await?,
    };
    Ok((figures, records, rows))
}

/// A severity's name in `lang`, or the "not assessed" word.
pub fn severity_label(tr: &Tr, levels: &[Severity], code: Option<&str>) -> String {
    match code.and_then(|c| levels.iter().find(|l| l.code == c)) {
        Some(level) => match tr.lang {
            Lang::Ja => level.name_ja.clone(),
            Lang::En => level.name_en.clone(),
        },
        None => code.map_or_else(|| tr.t("incident.unset").to_owned(), str::to_owned),
    }
}

/// Hours as the figures show them: one decimal.
pub fn hours_text(hours: Option<f64>) -> String {
    hours.map_or_else(String::new, |h| format!("{h:.1}"))
}

fn when(at: OffsetDateTime) -> String {
    let at = at.to_offset(JST);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// The figures as rows of (what, how many), in `tr`'s language.
pub fn figure_rows(tr: &Tr, y: &YearFigures) -> Vec<Vec<String>> {
    let f = &y.figures;
    let mut rows = vec![vec![
        tr.t("incident.figures.total").to_owned(),
        f.total.to_string(),
    ]];
    for (family, n) in &f.by_family {
        let label = match family {
            Some(family) => format!(
                "{} — {}",
                tr.t("incident.figures.by_family"),
                tr.t(&format!("threat.family.{}", family.as_str()))
            ),
            None => format!(
                "{} — {}",
                tr.t("incident.figures.by_family"),
                tr.t("incident.unset")
            ),
        };
        rows.push(vec![label, n.to_string()]);
    }
    for (code, n) in &f.by_severity {
        rows.push(vec![
            format!(
                "{} — {}",
                tr.t("incident.figures.by_severity"),
                severity_label(tr, &y.severities, code.as_deref())
            ),
            n.to_string(),
        ]);
    }
    for (stage, n) in &f.by_stage {
        rows.push(vec![
            format!(
                "{} — {}",
                tr.t("incident.figures.by_stage"),
                tr.t(&stage.label_key())
            ),
            n.to_string(),
        ]);
    }
    rows.push(vec![
        tr.t("incident.figures.personal").to_owned(),
        f.personal.to_string(),
    ]);
    rows.push(vec![
        tr.t("incident.figures.people").to_owned(),
        f.people.to_string(),
    ]);
    for (key, d) in [
        ("first_response", f.first_response),
        ("to_close", f.to_close),
    ] {
        rows.push(vec![
            tr.t(&format!("incident.figures.{key}_median")).to_owned(),
            hours_text(d.median_hours),
        ]);
        rows.push(vec![
            tr.t(&format!("incident.figures.{key}_longest")).to_owned(),
            hours_text(d.longest_hours),
        ]);
    }
    rows
}

/// The year's figures and list as one workbook. `personal`: include who reported,
/// their contact, the place and the description.
pub async fn export_xlsx(
    app: &App,
    acting: &Acting,
    year: FiscalYear,
    personal: bool,
    lang: Lang,
) -> Result<Vec<u8>, Failure> {
    let permit = app
        .permit(acting, Register::Incidents, Act::SeeAll, "incident.export")
        .await?;
    let tr = Tr::new(lang);
    let (y, records, rows) = year_data(app, year).await?;
    let first_response = |id: i64| {
        rows.iter()
            .find(|r| r.id == id)
            .and_then(|r| r.handled.first_response_at)
    };
    let mut columns = vec![
        "number",
        "title",
        "noticed_at",
        "stage",
        "severity",
        "category",
        "personal",
        "people",
        "first_response_at",
        "closed_at",
        "summary",
        "cause",
    ];
    if personal {
        columns.extend(["reporter", "contact", "place", "description"]);
    }
    let headers = columns
        .iter()
        .map(|c| tr.t(&format!("incident.export.{c}")).to_owned())
        .collect();
    let list_rows: Vec<Vec<String>> = records
        .iter()
        .rev()
        .map(|r| {
            let mut row = vec![
                r.number.clone(),
                r.title.clone(),
                when(r.noticed_at),
                tr.t(&r.stage.label_key()).to_owned(),
                severity_label(&tr, &y.severities, r.severity.as_deref()),
                r.threat_name.clone().unwrap_or_default(),
                tr.t(&r.personal.label_key()).to_owned(),
                r.people.map(|n| n.to_string()).unwrap_or_default(),
                first_response(r.id).map(when).unwrap_or_default(),
                r.closed_at.map(when).unwrap_or_default(),
                r.summary.clone(),
                r.cause.clone(),
            ];
            if personal {
                row.extend([
                    r.reporter_name.clone(),
                    r.contact.clone(),
                    r.place.clone(),
                    r.description.clone(),
                ]);
            }
            row
        })
        .collect();
    let sheets = vec![
        SheetData {
            name: tr.t("incident.export.sheet_figures").to_owned(),
            headers: vec![
                tr.t("incident.export.what").to_owned(),
                tr.t("incident.export.count").to_owned(),
            ],
            rows: figure_rows(&tr, &y),
        },
        SheetData {
            name: tr.t("incident.export.sheet_list").to_owned(),
            headers,
            rows: list_rows,
        },
    ];
    let mut tx = permit.write(app).await?;
    tx.audit(
        mamori_store::AuditEntry::new("incident.export", "incident_year")
            .target(year.year().to_string())
            .change("rows", None::<usize>, records.len())
            .change("personal", None::<bool>, personal),
    )
    .await?;
    tx.commit().await?;
    crate::sheets::write_book(sheets).await.map_err(|e| {
        Failure::Store(mamori_store::StoreError::Io(std::io::Error::other(
            e.to_string(),
        )))
    })
}
