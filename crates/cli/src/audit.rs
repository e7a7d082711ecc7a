//! `mamori audit verify` (whole chain, from the checkpoint, or against an anchor) and
//! `mamori audit anchor`, shells over the audit use cases run as the command line.

use std::process::ExitCode;

use mamori_app::audit::ChainBreak;
use mamori_app::audit_anchor::{anchor_finding, anchor_text, break_finding, parse_anchor};
use mamori_app::i18n::Tr;
use mamori_app::{Acting, App};

use crate::config::DataConfig;
use crate::people::failed;

const LABEL: &str = "mamori audit verify";

fn print_break(tr: &Tr, found: &ChainBreak) {
    eprintln!("{}", break_finding(tr, found));
}

/// Checks the chain (whole, or from the checkpoint) and keeps the result for the page.
pub async fn verify(data: &DataConfig, tr: &Tr, full: bool) -> anyhow::Result<ExitCode> {
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let check = mamori_app::audit::check_chain(&app, &Acting::system(LABEL), full)
        .await
        .map_err(|f| failed(f, tr))?;
    match &check.first_break {
        None if check.full => {
            let entries = check.entries.to_string();
            println!("{}", tr.f("cli.audit_intact", &[("entries", entries)]));
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let params = [
                ("entries", check.entries.to_string()),
                ("id", check.up_to_id.to_string()),
            ];
            println!("{}", tr.f("audit_check.incremental_intact", &params));
            Ok(ExitCode::SUCCESS)
        }
        Some(found) => {
            print_break(tr, found);
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Checks the trail against an anchor typed as `<entry number>:<hash>`.
pub async fn verify_anchor(data: &DataConfig, tr: &Tr, typed: &str) -> anyhow::Result<ExitCode> {
    let Ok((id, hash)) = parse_anchor(typed) else {
        eprintln!("{}", tr.t("audit_anchor.malformed"));
        return Ok(ExitCode::from(2));
    };
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let found = mamori_app::audit::check_anchor(&app, &Acting::system(LABEL), id, &hash)
        .await
        .map_err(|f| failed(f, tr))?;
    let (holds, finding) = anchor_finding(tr, id, &found);
    if holds {
        println!("{finding}");
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("{finding}");
    Ok(ExitCode::FAILURE)
}

/// Prints the head of the chain as the anchor text.
pub async fn print_anchor(data: &DataConfig, tr: &Tr) -> anyhow::Result<ExitCode> {
    let app = App::open_in(&data.database_url, &data.data_dir)
        .await
        .map_err(|f| failed(f, tr))?;
    let head = mamori_app::audit::head(&app, &Acting::system("mamori audit anchor"))
        .await
        .map_err(|f| failed(f, tr))?;
    let Some(head) = head else {
        println!("{}", tr.t("audit_anchor.empty"));
        return Ok(ExitCode::SUCCESS);
    };
    let assembly = mamori_app::settings::organisation_name(&app).await;
    println!("{}", anchor_text(tr, assembly.as_deref(), &head));
    Ok(ExitCode::SUCCESS)
}
