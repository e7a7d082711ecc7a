//! What an import would do, row by row: 新規 (a new asset), 更新 (an asset named by its
//! number, with each changed field old → new in the words of the register), 変更なし,
//! 要確認 (a row without number that looks like an existing asset: someone must choose)
//! or エラー. Pure: the caller loads the file, the register and the users.

use std::collections::{HashMap, HashSet};

use mamori_domain::asset::{self, Asset};
use mamori_domain::classification::Scheme;
use mamori_domain::search::normalise;
use mamori_domain::wareki::Lang;
use mamori_sheet::{Format, Table};
use mamori_store::assets::AssetRecord;
use serde::{Deserialize, Serialize};

use super::values::ValueMapping;
use crate::assets::files::{self, Directory, Mapping, RowError, cell_text, record_cells};

/// What to do with a row that looks like an existing asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateChoice {
    /// Register it as a new asset all the same.
    Create,
    /// It is that asset: update it with the row.
    Update,
    /// Leave the row out.
    Skip,
}

impl DuplicateChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateChoice::Create => "create",
            DuplicateChoice::Update => "update",
            DuplicateChoice::Skip => "skip",
        }
    }

    pub fn parse(text: &str) -> Option<DuplicateChoice> {
        [
            DuplicateChoice::Create,
            DuplicateChoice::Update,
            DuplicateChoice::Skip,
        ]
        .into_iter()
        .find(|c| c.as_str() == text)
    }
}

/// What a number column none of whose numbers is a registered asset holds: the
/// register's own numbering (No. 1, 2, 3 …, 管理番号 A-001), not mamori's asset numbers.
/// Asked, never guessed: every row is then planned as a row without number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnNumbers {
    /// Keep each row's number in the asset's notes ("No.: 12"), so the old register can
    /// still be looked up.
    Keep,
    /// Leave the numbers out.
    Ignore,
}

impl OwnNumbers {
    pub fn as_str(self) -> &'static str {
        match self {
            OwnNumbers::Keep => "keep",
            OwnNumbers::Ignore => "ignore",
        }
    }

    pub fn parse(text: &str) -> Option<OwnNumbers> {
        [OwnNumbers::Keep, OwnNumbers::Ignore]
            .into_iter()
            .find(|c| c.as_str() == text)
    }
}

/// A number column found to be the register's own numbering, and the answer if given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnNumbering {
    /// The column's header as written.
    pub header: String,
    /// Rows with a number in it.
    pub rows: usize,
    pub answer: Option<OwnNumbers>,
}

/// One field an update changes, in the words an export writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// What happens to one row.
#[derive(Debug, Clone)]
pub enum RowPlan {
    New(Asset),
    Update {
        id: i64,
        before: Box<AssetRecord>,
        after: Asset,
        changes: Vec<FieldChange>,
        /// Why the classification changes ("" when it does not).
        reason: String,
        /// The classification changes and no reason was given (row or batch).
        needs_reason: bool,
    },
    Unchanged(i64),
    /// Looks like an existing asset and no choice was made yet.
    Undecided(Asset),
    Skipped,
    Error(Vec<RowError>),
}

/// A row of the file and its plan. `duplicate_of` names the existing asset a row
/// without number looked like (whatever was chosen for it).
#[derive(Debug, Clone)]
pub struct PlannedRow {
    pub line: usize,
    pub name: String,
    /// The row's cells as written, kept for rows with errors (to show the value typed).
    pub cells: Vec<String>,
    pub duplicate_of: Option<i64>,
    pub choice: Option<DuplicateChoice>,
    pub plan: RowPlan,
}

/// How many rows of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanCounts {
    pub rows: usize,
    pub new: usize,
    pub update: usize,
    pub unchanged: usize,
    pub undecided: usize,
    pub skipped: usize,
    pub error_rows: usize,
    pub errors: usize,
    /// Updates that change a classification without a reason.
    pub needs_reason: usize,
}

/// The plan of a whole file.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub rows: Vec<PlannedRow>,
    /// Problems of the file or the mapping as a whole (line 0).
    pub file_errors: Vec<RowError>,
    /// Set when the number column is the register's own numbering.
    pub own_numbers: Option<OwnNumbering>,
    /// Values kept as written (a 保存期間 no reading fits): said, never refused.
    pub notes: Vec<RowError>,
    pub counts: PlanCounts,
}

impl Plan {
    /// Whether confirming would import: no error, no open choice, every reason given.
    pub fn is_ready(&self) -> bool {
        self.file_errors.is_empty()
            && self.counts.error_rows == 0
            && self.counts.undecided == 0
            && self.counts.needs_reason == 0
            && self.own_numbers.as_ref().is_none_or(|o| o.answer.is_some())
    }

    /// Whether confirming would write anything.
    pub fn writes(&self) -> bool {
        self.counts.new + self.counts.update > 0
    }

    /// Every row error in line order (file problems first).
    pub fn errors(&self) -> impl Iterator<Item = &RowError> {
        self.file_errors
            .iter()
            .chain(self.rows.iter().flat_map(|r| match &r.plan {
                RowPlan::Error(errors) => errors.as_slice(),
                _ => &[],
            }))
    }
}

/// The register as an import compares against: the assets the importer may see, by
/// number and by (name, holder) for finding possible duplicates.
#[derive(Debug, Default)]
pub struct Register {
    by_id: HashMap<i64, AssetRecord>,
    by_key: HashMap<(String, Option<i64>), i64>,
}

impl Register {
    pub fn new(records: impl IntoIterator<Item = AssetRecord>) -> Register {
        let mut register = Register::default();
        for record in records {
            register
                .by_key
                .entry(key(&record.name, record.holder_id))
                .or_insert(record.id);
            register.by_id.insert(record.id, record);
        }
        register
    }
}

fn key(name: &str, holder: Option<i64>) -> (String, Option<i64>) {
    (normalise(name.trim()), holder)
}

/// What the person said in the preview: one reason for the batch, and a choice for
/// each possible duplicate (by line).
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub reason: String,
    pub duplicates: HashMap<usize, DuplicateChoice>,
    /// The choice for every possible duplicate without its own (the command line).
    pub all_duplicates: Option<DuplicateChoice>,
    /// What the number column is, when none of its numbers is a registered asset.
    pub own_numbers: Option<OwnNumbers>,
}

/// Everything a plan is made from.
pub struct PlanInput<'a> {
    pub table: &'a Table,
    pub format: Format,
    pub mapping: &'a Mapping,
    pub scheme: &'a Scheme,
    pub directory: &'a Directory,
    pub register: &'a Register,
    pub choices: &'a Choices,
    pub values: &'a ValueMapping,
    /// Today in Japan: a past disposal date of an asset in use is noted against it.
    pub today: time::Date,
}

fn row_error(line: usize, field: &'static str, key: &'static str) -> RowError {
    RowError {
        line,
        field: Some(field),
        message_key: key,
        params: Vec::new(),
    }
}

/// The plan of every row of the file.
pub fn plan(input: &PlanInput<'_>) -> Plan {
    let PlanInput {
        table,
        format,
        mapping,
        scheme,
        directory,
        register,
        choices,
        values,
        today,
    } = *input;
    // The value mapping's answers replace the values they speak of; refused rows keep
    // only that refusal as their error.
    let mapped;
    let (table, mut refused) = if values.0.is_empty() {
        (table, HashMap::new())
    } else {
        let mut copy = table.clone();
        let refused = super::values::apply(&mut copy, format, mapping, values);
        mapped = copy;
        (&mapped, refused)
    };
    let mut plan = Plan::default();
    // Each row is read and checked in turn, so that a big file's rows are never all held
    // as typed input at once.
    let mapping_ok = match mapping.check() {
        Ok(()) => true,
        Err(error) => {
            plan.file_errors.push(error);
            false
        }
    };
    if table.rows.is_empty() {
        plan.file_errors
            .push(files::RowError::file("asset.import.error.no_rows"));
    }
    if mapping_ok
        && let Some(error) = files::only_examples(
            table
                .rows
                .iter()
                .map(|row| files::row_input(row, mapping, format)),
        )
    {
        plan.file_errors.push(error);
        count(&mut plan);
        return plan;
    }
    let width = table.headers.len();
    let notes = std::cell::RefCell::new(Vec::new());
    let check = |row: &mamori_sheet::Row| -> (Option<Asset>, Vec<RowError>) {
        if !mapping_ok {
            return (None, Vec::new());
        }
        let input = files::row_input(row, mapping, format);
        let (asset, mut errors) =
            match files::check_input(row.line, &input, scheme, &directory.holders) {
                Ok((asset, note)) => {
                    notes.borrow_mut().extend(note);
                    notes.borrow_mut().extend(past_disposal(
                        row.line,
                        &asset,
                        &input.disposal_due,
                        today,
                    ));
                    (Some(asset), Vec::new())
                }
                Err(errors) => (None, errors),
            };
        errors.extend(files::stray_cell(row, width));
        (asset, errors)
    };
    let cell = |row: &mamori_sheet::Row, field: &str| -> String {
        mapping
            .column_of(field)
            .and_then(|c| row.cells.get(c))
            .map(|c| cell_text(format, c).trim().to_owned())
            .unwrap_or_default()
    };
    let registered = |text: &str| {
        let digits: String = text
            .chars()
            .map(mamori_domain::user::fold_full_width)
            .collect();
        digits
            .parse::<i64>()
            .is_ok_and(|n| register.by_id.contains_key(&n))
    };
    plan.own_numbers = mapping.column_of("number").and_then(|column| {
        let numbers: Vec<String> = table
            .rows
            .iter()
            .map(|row| cell(row, "number"))
            .filter(|text| !text.is_empty())
            .collect();
        (!numbers.is_empty() && !numbers.iter().any(|text| registered(text))).then(|| {
            OwnNumbering {
                header: table.headers.get(column).cloned().unwrap_or_default(),
                rows: numbers.len(),
                answer: choices.own_numbers,
            }
        })
    });
    let own_header = plan.own_numbers.as_ref().map(|o| o.header.clone());
    let keep_own = choices.own_numbers == Some(OwnNumbers::Keep);
    let mut numbers_seen = HashSet::new();
    for row in &table.rows {
        let line = row.line;
        let number_text = match &own_header {
            Some(_) => String::new(),
            None => cell(row, "number"),
        };
        let name_column = mapping.column_of("name");
        let name = name_column
            .and_then(|c| row.cells.get(c))
            .map(|c| cell_text(format, c).to_owned())
            .unwrap_or_default();
        let (mut asset, mut row_errors) = check(row);
        if let (Some(header), Some(asset), true) = (&own_header, asset.as_mut(), keep_own) {
            keep_own_number(asset, header, &cell(row, "number"));
        }
        if let Some(refusal) = refused.remove(&line) {
            row_errors = refusal;
        }
        let number = if number_text.is_empty() {
            None
        } else {
            let digits: String = number_text
                .chars()
                .map(mamori_domain::user::fold_full_width)
                .collect();
            match digits.parse::<i64>() {
                Ok(n) if n > 0 && register.by_id.contains_key(&n) => {
                    if numbers_seen.insert(n) {
                        Some(n)
                    } else {
                        row_errors.push(row_error(
                            line,
                            "number",
                            "asset.import.error.number_twice",
                        ));
                        None
                    }
                }
                Ok(n) if n > 0 => {
                    row_errors.push(row_error(
                        line,
                        "number",
                        "asset.import.error.unknown_number",
                    ));
                    None
                }
                _ => {
                    row_errors.push(row_error(line, "number", "asset.import.error.bad_number"));
                    None
                }
            }
        };
        let mut planned = PlannedRow {
            line,
            name,
            cells: Vec::new(),
            duplicate_of: None,
            choice: None,
            plan: RowPlan::Skipped,
        };
        planned.plan = match (asset, row_errors.is_empty()) {
            (Some(asset), true) => {
                let reason = match cell(row, "reason") {
                    r if r.is_empty() => choices.reason.trim().to_owned(),
                    r => r,
                };
                match number {
                    Some(id) => update_plan(line, &register.by_id[&id], asset, reason, input),
                    None => {
                        let existing = register.by_key.get(&key(&asset.name, asset.holder_id));
                        match existing {
                            None => RowPlan::New(asset),
                            Some(&id) => {
                                planned.duplicate_of = Some(id);
                                planned.choice = choices
                                    .duplicates
                                    .get(&line)
                                    .copied()
                                    .or(choices.all_duplicates);
                                match planned.choice {
                                    None => RowPlan::Undecided(asset),
                                    Some(DuplicateChoice::Create) => RowPlan::New(asset),
                                    Some(DuplicateChoice::Skip) => RowPlan::Skipped,
                                    Some(DuplicateChoice::Update) => update_plan(
                                        line,
                                        &register.by_id[&id],
                                        asset,
                                        reason,
                                        input,
                                    ),
                                }
                            }
                        }
                    }
                }
            }
            (_, _) => {
                row_errors
                    .sort_by_key(|e| e.field.map(|f| asset::FIELDS.iter().position(|x| *x == f)));
                RowPlan::Error(row_errors)
            }
        };
        if matches!(planned.plan, RowPlan::Error(_)) {
            planned.cells = row.cells.to_vec();
        }
        plan.rows.push(planned);
    }
    plan.notes = notes.into_inner();
    count(&mut plan);
    plan
}

/// A disposal date already past on an asset in use: kept as the file says (the register
/// may be behind), never refused nor guessed, but said in the preview, in the way the
/// file wrote it (era or Western).
fn past_disposal(line: usize, asset: &Asset, typed: &str, today: time::Date) -> Option<RowError> {
    if asset.status != asset::Status::InUse {
        return None;
    }
    let asked = mamori_domain::field::past_date("disposal_due", typed, today)?;
    Some(RowError {
        line,
        field: Some("disposal_due"),
        message_key: "asset.import.note.past_disposal",
        params: asked.params,
    })
}

/// Adds "header: number" as a line of the asset's notes.
fn keep_own_number(asset: &mut Asset, header: &str, number: &str) {
    if number.is_empty() {
        return;
    }
    let line = format!("{}: {number}", header.trim());
    if asset.notes.is_empty() {
        asset.notes = line;
    } else {
        asset.notes = format!("{}\n{line}", asset.notes);
    }
}

fn count(plan: &mut Plan) {
    let mut counts = PlanCounts {
        rows: plan.rows.len(),
        errors: plan.file_errors.len(),
        ..PlanCounts::default()
    };
    for row in &plan.rows {
        match &row.plan {
            RowPlan::New(_) => counts.new += 1,
            RowPlan::Update { needs_reason, .. } => {
                counts.update += 1;
                counts.needs_reason += usize::from(*needs_reason);
            }
            RowPlan::Unchanged(_) => counts.unchanged += 1,
            RowPlan::Undecided(_) => counts.undecided += 1,
            RowPlan::Skipped => counts.skipped += 1,
            RowPlan::Error(errors) => {
                counts.error_rows += 1;
                counts.errors += errors.len();
            }
        }
    }
    plan.counts = counts;
}

/// An update of `before` with a row: unchanged when no cell an export writes differs.
fn update_plan(
    line: usize,
    before: &AssetRecord,
    after: Asset,
    reason: String,
    input: &PlanInput<'_>,
) -> RowPlan {
    let changes = changes(before, &after, input.scheme, &input.directory.logins);
    if changes.is_empty() {
        return RowPlan::Unchanged(before.id);
    }
    let levels = |a: &Asset| [a.confidentiality, a.integrity, a.availability];
    let reclassified = levels(&before.as_asset()) != levels(&after);
    // The rules of a form edit hold for a row too (a disposal is recorded, not typed).
    if let Err(problem) = asset::check_change(&before.as_asset(), &after, "-") {
        return RowPlan::Error(vec![RowError {
            line,
            field: Some(problem.field),
            message_key: problem.key,
            params: problem.params,
        }]);
    }
    RowPlan::Update {
        id: before.id,
        before: Box::new(before.clone()),
        needs_reason: reclassified && reason.is_empty(),
        reason: if reclassified { reason } else { String::new() },
        after,
        changes,
    }
}

/// The fields of `after` that differ from `before`, as an export writes them (lists as
/// sets: the order of tags is not a change).
pub fn changes(
    before: &AssetRecord,
    after: &Asset,
    scheme: &Scheme,
    logins: &HashMap<i64, String>,
) -> Vec<FieldChange> {
    let mut next = before.clone();
    next.name = after.name.clone();
    next.description = after.description.clone();
    next.category = after.category;
    next.form = after.form;
    next.holder_type = after.holder_type;
    next.holder_id = after.holder_id;
    next.managing_role = after.managing_role;
    next.location = after.location.clone();
    next.segment = after.segment;
    next.holds_personal_info = after.holds_personal_info;
    next.confidentiality_id = after.confidentiality;
    next.integrity_id = after.integrity;
    next.availability_id = after.availability;
    next.retention = after.retention.clone();
    next.disposal_due = after.disposal_due;
    next.status = after.status;
    next.tags = after.tags.clone();
    next.notes = after.notes.clone();
    next.clauses = after.clauses.clone();
    let old = record_cells(before, scheme, Lang::Ja, logins);
    let new = record_cells(&next, scheme, Lang::Ja, logins);
    let fields = std::iter::once("number").chain(files::export_fields());
    let as_set = |text: &str| {
        let mut items = asset::split_list(text);
        items.sort();
        items
    };
    fields
        .zip(old.into_iter().zip(new))
        .filter(|(field, (old, new))| match *field {
            "tags" | "clauses" => as_set(old) != as_set(new),
            _ => old != new,
        })
        .map(|(field, (old, new))| FieldChange { field, old, new })
        .collect()
}
