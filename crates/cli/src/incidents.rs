//! `mamori incidents list|figures` and `mamori export incidents FILE`: the incident
//! list, a 年度's figures and its workbook from the console, on the same use cases as
//! the pages (the console acts as the system, which sees every incident). The export
//! leaves personal information out unless `--personal` is given, and is audited.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use mamori_app::i18n::Tr;
use mamori_app::incidents::{self as app_incidents, ListQuery, figures};
use mamori_app::{Acting, App};
use mamori_domain::calendar::FiscalYear;

use crate::config::DataConfig;
use crate::people::failed;

#[derive(Subcommand)]
pub enum IncidentCommand {
    /// The incidents, the newest noticed first, one per line (number, noticed, stage,
    /// title), filtered as on the list page
    List {
        /// 年度: 2026 or 令和8年度
        #[arg(long, default_value = "")]
        year: String,
        /// A stage code, or open for every stage but closed
        #[arg(long, default_value = "")]
        stage: String,
        /// A severity code
        #[arg(long, default_value = "")]
        severity: String,
        /// Words to find in titles, descriptions and places
        #[arg(long, default_value = "")]
        search: String,
        /// At most this many lines
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// A 年度's figures for the annual report [default: this 年度]
    Figures {
        #[arg(long)]
        year: Option<String>,
    },
}

fn year_of(tr: &Tr, year: Option<&str>) -> anyhow::Result<FiscalYear> {
    match year.map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(FiscalYear::of(mamori_app::today())),
        Some(text) => mamori_domain::training::fiscal_year(text)
            .map_err(|_| anyhow::anyhow!("{}", tr.t("incident.error.year"))),
    }
}

pub async fn run(data: &DataConfig, tr: &Tr, command: IncidentCommand) -> anyhow::Result<ExitCode> {
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let acting = Acting::system("mamori incidents");
    let result = match command {
        IncidentCommand::List {
            year,
            stage,
            severity,
            search,
            limit,
        } => {
            list(
                &app,
                &acting,
                tr,
                (&year, &stage, &severity, &search),
                limit,
            )
            .await
        }
        IncidentCommand::Figures { year } => match year_of(tr, year.as_deref()) {
            Ok(fy) => figures::figures(&app, &acting, fy)
                .await
                .map(|y| {
                    println!(
                        "{}",
                        fy.label(mamori_domain::wareki::DateStyle::Wareki, tr.lang)
                    );
                    for row in figures::figure_rows(tr, &y) {
                        println!("{}", row.join("\t"));
                    }
                })
                .map_err(|f| failed(f, tr)),
            Err(e) => Err(e),
        },
    };
    app.close().await;
    result.map(|()| ExitCode::SUCCESS)
}

async fn list(
    app: &App,
    acting: &Acting,
    tr: &Tr,
    (year, stage, severity, search): (&str, &str, &str, &str),
    limit: i64,
) -> anyhow::Result<()> {
    let mut query = ListQuery::read(year, stage, severity, search).map_err(|f| failed(f, tr))?;
    query.limit = Some(limit.clamp(1, 10_000));
    let page = app_incidents::list(app, acting, &query)
        .await
        .map_err(|f| failed(f, tr))?;
    for listed in &page.rows {
        let r = &listed.record;
        let noticed = r.noticed_at.to_offset(mamori_domain::wareki::JST);
        println!(
            "{}\t{}\t{}\t{}",
            r.number,
            noticed.date(),
            tr.t(&r.stage.label_key()),
            r.title
        );
    }
    eprintln!(
        "{}",
        tr.f(
            "incident.page_status",
            &[
                ("from", u64::from(!page.rows.is_empty()).to_string()),
                ("to", page.rows.len().to_string()),
                ("total", page.total.to_string()),
            ],
        )
    );
    Ok(())
}

/// `mamori export incidents FILE`: the 年度's figures and list as .xlsx.
pub async fn export(
    data: &DataConfig,
    tr: &Tr,
    file: &Path,
    year: Option<&str>,
    personal: bool,
) -> anyhow::Result<ExitCode> {
    let fy = year_of(tr, year)?;
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let acting = Acting::system("mamori export incidents");
    let bytes = figures::export_xlsx(&app, &acting, fy, personal, tr.lang).await;
    app.close().await;
    let bytes = bytes.map_err(|f| failed(f, tr))?;
    std::fs::write(file, bytes).with_context(|| file.display().to_string())?;
    Ok(ExitCode::SUCCESS)
}
