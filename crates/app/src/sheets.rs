//! Spreadsheet files for every register: the types an import preview shows, and one
//! place that writes a table as .xlsx or CSV off the async threads.

pub use mamori_sheet::{Format, Row, SheetData, SheetError, Table, csv_head, csv_lines};

/// Writes `rows` under `headers` as `format`. The work runs on a blocking thread so a
/// large register does not hold up other requests.
pub async fn write_table(
    format: Format,
    sheet_name: &'static str,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
) -> Result<Vec<u8>, SheetError> {
    tokio::task::spawn_blocking(move || write(format, sheet_name, &headers, rows.into_iter()))
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "spreadsheet writer stopped");
            Err(SheetError::Write(e.to_string()))
        })
}

/// Writes several headed tables as one .xlsx workbook, a sheet each, off the async
/// threads.
pub async fn write_book(sheets: Vec<SheetData>) -> Result<Vec<u8>, SheetError> {
    tokio::task::spawn_blocking(move || mamori_sheet::write_xlsx_book(&sheets))
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "spreadsheet writer stopped");
            Err(SheetError::Write(e.to_string()))
        })
}

/// Writes rows as they come (a register exported batch by batch).
pub fn write(
    format: Format,
    sheet_name: &str,
    headers: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, SheetError> {
    match format {
        Format::Xlsx => mamori_sheet::write_xlsx(sheet_name, headers, rows),
        Format::Csv => Ok(mamori_sheet::write_csv(headers, rows)),
    }
}

/// Writes an import template: the workbook with its lists and guide, or for CSV the
/// header and example rows only (a CSV has no second sheet and no drop-down lists).
pub fn write_template(
    format: Format,
    template: &mamori_sheet::Template,
) -> Result<Vec<u8>, SheetError> {
    match format {
        Format::Xlsx => mamori_sheet::write_template_xlsx(template),
        Format::Csv => Ok(mamori_sheet::write_csv(
            &template.headers,
            std::iter::once(template.example.clone()),
        )),
    }
}
