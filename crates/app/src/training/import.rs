//! A session's sign-in sheet (出席簿) read into its attendance: .xlsx or CSV/TSV (UTF-8
//! or Shift_JIS), with a login or a name column and, optionally, a mark column. Every
//! row is read first; a person the sheet names who cannot be found, a name two people
//! share, or a mark that cannot be read is listed by its line, and then nothing is
//! written — the organiser corrects the sheet rather than mamori guessing.

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::training::{Attendance, Way};
use mamori_store::training as store;

use crate::{Acting, App, Failure};

/// Largest sign-in sheet accepted (a few hundred people at most).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Problems named one by one before the rest are counted.
const PROBLEMS_SHOWN: usize = 50;

/// What an import recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// People whose attendance was written.
    pub recorded: usize,
    /// Rows naming a person with the mark left blank: nothing recorded for them.
    pub blank: usize,
}

/// Header words, written without spaces and in lower case.
const LOGIN_HEADERS: [&str; 8] = [
    "ログインid",
    "ログイン",
    "login",
    "loginid",
    "userid",
    "ユーザーid",
    "アカウント",
    "id",
];
const NAME_HEADERS: [&str; 9] = [
    "氏名",
    "名前",
    "name",
    "fullname",
    "displayname",
    "議員名",
    "職員名",
    "受講者",
    "出席者",
];
const MARK_HEADERS: [&str; 9] = [
    "出欠",
    "出欠席",
    "出席",
    "attendance",
    "status",
    "出欠状況",
    "受講",
    "参加",
    "結果",
];
/// A signature column: anything written in it means the person signed in.
const SIGNATURE_HEADERS: [&str; 4] = ["署名", "サイン", "signature", "sign"];

/// Text as compared: widths folded, spaces of both widths dropped, lower case.
fn folded(text: &str) -> String {
    text.chars()
        .map(mamori_domain::user::fold_full_width)
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

fn column(headers: &[String], words: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| words.contains(&folded(h).as_str()))
}

/// Reads `bytes` as the sign-in sheet of a session and records it, all or nothing.
pub async fn import_attendance(
    app: &App,
    acting: &Acting,
    session_id: i64,
    bytes: &[u8],
) -> Result<ImportReport, Failure> {
    let permit = app
        .permit(acting, Register::Training, Act::Edit, "training.import")
        .await?;
    let session = super::open_session(app, session_id).await?;
    if bytes.len() > MAX_BYTES {
        return Err(Failure::invalid(
            FieldProblem::new("file", "training.error.file_size").with("max_kb", MAX_BYTES / 1024),
        ));
    }
    let (format, table) = crate::assets::files::read_table(bytes).map_err(|e| {
        Failure::invalid(FieldProblem::new("file", "training.error.unreadable").with("why", e))
    })?;
    let login_col = column(&table.headers, &LOGIN_HEADERS);
    let name_col = column(&table.headers, &NAME_HEADERS);
    let mark_col = column(&table.headers, &MARK_HEADERS);
    let signature_col = column(&table.headers, &SIGNATURE_HEADERS);
    if login_col.is_none() && name_col.is_none() {
        return Err(Failure::invalid(FieldProblem::new(
            "file",
            "training.error.no_person_column",
        )));
    }
    let people = store::trainees(app.store()).await?;
    let mut marks: Vec<(i64, Attendance)> = Vec::new();
    let mut problems = Vec::new();
    let mut blank = 0;
    for row in &table.rows {
        let cell = |col: Option<usize>| -> String {
            col.and_then(|c| row.cells.get(c))
                .map(|v| crate::assets::files::cell_text(format, v).trim().to_owned())
                .unwrap_or_default()
        };
        let (login, name) = (cell(login_col), cell(name_col));
        if login.is_empty() && name.is_empty() {
            continue;
        }
        let found: Vec<i64> = if !login.is_empty() {
            people
                .iter()
                .filter(|p| folded(&p.login) == folded(&login))
                .map(|p| p.user_id)
                .collect()
        } else {
            people
                .iter()
                .filter(|p| folded(&p.display_name) == folded(&name))
                .map(|p| p.user_id)
                .collect()
        };
        let named = if login.is_empty() { &name } else { &login };
        let user_id = match found.as_slice() {
            [one] => *one,
            [] => {
                problems.push(
                    FieldProblem::new("file", "training.error.unknown_row")
                        .with("line", row.line)
                        .with("name", named),
                );
                continue;
            }
            _ => {
                problems.push(
                    FieldProblem::new("file", "training.error.ambiguous_row")
                        .with("line", row.line)
                        .with("name", named),
                );
                continue;
            }
        };
        let status = match (mark_col, signature_col) {
            (Some(_), _) => {
                let mark = cell(mark_col);
                if mark.is_empty() {
                    blank += 1;
                    continue;
                }
                match Attendance::from_sheet(&mark) {
                    Some(s) => s,
                    None => {
                        problems.push(
                            FieldProblem::new("file", "training.error.mark_row")
                                .with("line", row.line)
                                .with("mark", mark),
                        );
                        continue;
                    }
                }
            }
            (None, Some(_)) if cell(signature_col).is_empty() => Attendance::Absent,
            // A list of names with no mark column is the list of those who came.
            _ => Attendance::Present,
        };
        if marks.iter().any(|(u, _)| *u == user_id) {
            problems.push(
                FieldProblem::new("file", "training.error.twice_row")
                    .with("line", row.line)
                    .with("name", named),
            );
            continue;
        }
        marks.push((user_id, status));
    }
    if !problems.is_empty() {
        let more = problems.len().saturating_sub(PROBLEMS_SHOWN);
        problems.truncate(PROBLEMS_SHOWN);
        if more > 0 {
            problems
                .push(FieldProblem::new("file", "training.error.more_rows").with("count", more));
        }
        return Err(Failure::Invalid(problems));
    }
    if marks.is_empty() {
        return Err(Failure::invalid(FieldProblem::new(
            "file",
            "training.error.no_rows",
        )));
    }
    let mut tx = permit.write(app).await?;
    store::record_attendance(&mut tx, session.id, &marks, Way::Imported).await?;
    tx.commit().await?;
    Ok(ImportReport {
        recorded: marks.len(),
        blank,
    })
}
