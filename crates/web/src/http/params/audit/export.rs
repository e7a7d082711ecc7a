//! The CSV export of the audit trail, for Excel (UTF-8 with BOM, CRLF), streamed as it
//! is read; recorded before the first byte leaves.

use super::*;

/// What an export records about itself: the filter, as given.
fn export_described(parsed: &ParsedFilter) -> Vec<(&'static str, String)> {
    let filter = &parsed.filter;
    let fields = [
        ("actor", filter.actor.clone()),
        ("action", filter.action.clone()),
        ("target_type", filter.target_type.clone()),
        ("target_id", filter.target_id.clone()),
        (
            "from",
            parsed
                .from_date
                .map(|d| d.to_string())
                .or(filter.from.clone()),
        ),
        (
            "to",
            parsed.to_date.map(|d| d.to_string()).or(filter.to.clone()),
        ),
    ];
    fields
        .into_iter()
        .filter_map(|(field, value)| Some((field, value?)))
        .collect()
}

fn csv_header(tr: &Tr) -> Vec<u8> {
    let header: Vec<String> = [
        "audit.id",
        "audit.at_csv",
        "audit.actor",
        "audit.client_addr",
        "audit.operation",
        "audit.action_code",
        "audit.target_type",
        "audit.target_id",
        "audit.changes",
    ]
    .iter()
    .map(|key| tr.t(key).to_owned())
    .collect();
    csv_head(&header)
}

fn csv_rows(tr: &Tr, records: &[AuditRecord]) -> Vec<u8> {
    csv_lines(records.iter().map(|record| {
        let at = parse_timestamp(&record.at)
            .and_then(|at| at.checked_to_offset(JST))
            .map(|at| {
                format!(
                    "{} {:02}:{:02}:{:02}",
                    at.date(),
                    at.hour(),
                    at.minute(),
                    at.second()
                )
            })
            .unwrap_or_else(|| record.at.clone());
        vec![
            record.id.to_string(),
            at,
            actor_label(tr, record),
            record.client_addr.clone().unwrap_or_default(),
            action_label(tr, &record.action),
            record.action.clone(),
            target_type_label(tr, &record.target_type),
            record.target_id.clone().unwrap_or_default(),
            change_lines(tr, &record.changes).join("\n"),
        ]
    }))
}

/// The CSV export of the page (`api` false) and of `GET /api/v1/audit/export.csv`
/// (`api` true: instants are accepted, and problems name the query parameter).
pub async fn export(
    state: &AppState,
    ctx: &Ctx,
    signed: &SignedIn,
    raw: Option<&str>,
    api: bool,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    audit::may_read(&state.app, acting, "audit.export").await?;
    let query = FilterQuery::parse(raw)?;
    let tr = ctx.tr;
    let parsed = parse_filter(&query, api).map_err(|problems| {
        problems
            .into_iter()
            .next()
            .map(|p| {
                if api {
                    p.into_error(&tr)
                } else {
                    p.into_page_error(&tr)
                }
            })
            .unwrap_or_else(AppError::internal)
    })?;
    let described = export_described(&parsed);
    let mut export = audit::export(&state.app, acting, &parsed.filter, &described).await?;
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        if sender.send(Ok(Bytes::from(csv_header(&tr)))).await.is_err() {
            return;
        }
        loop {
            match export.next_batch().await {
                Ok(Some(records)) => {
                    let chunk = Bytes::from(csv_rows(&tr, &records));
                    if sender.send(Ok(chunk)).await.is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    // Break the download rather than end it as if it were complete.
                    tracing::error!(error = %e, "audit export failed part-way");
                    let _ = sender
                        .send(Err(std::io::Error::other("audit export failed")))
                        .await;
                    return;
                }
            }
        }
    });
    Ok(csv_response(
        Body::from_stream(crate::http::download::Chunks(receiver)),
        "audit",
    ))
}
