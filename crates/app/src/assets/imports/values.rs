//! The value mapping step: for each mapped coded column, the values the scheme and the
//! register's words do not understand (高/中/低, ○/×, A/B/C …), each with its row count,
//! and what the person said they mean — one of the field's values, "leave empty" (where
//! the field may be empty) or "refuse these rows". Nothing is guessed: a value without
//! an answer stays a row error.

use std::collections::{BTreeMap, HashMap};

use mamori_domain::asset::{Category, Form, HolderType, Segment, Status};
use mamori_domain::classification::{Axis, Scheme};
use mamori_sheet::{Format, Table};
use serde::{Deserialize, Serialize};

use crate::assets::files::{Mapping, RowError, cell_text};

/// The coded fields a value mapping covers, in form order.
pub const CODED: [&str; 8] = [
    "category",
    "form",
    "holder_type",
    "segment",
    "confidentiality",
    "integrity",
    "availability",
    "status",
];

/// Distinct unknown values listed per column: a column with more is not a coded column
/// and is better mapped again than answered value by value.
const MAX_VALUES: usize = 50;

/// What a value of the file means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Meaning {
    /// This code of the field (a level code for the three axes).
    Value(String),
    /// Leave the field empty (its default applies).
    Empty,
    /// Refuse the rows that hold it.
    Refuse,
}

impl Meaning {
    /// `value:CODE`, `empty` or `refuse`: how forms send a meaning.
    pub fn parse(text: &str) -> Option<Meaning> {
        match text {
            "empty" => Some(Meaning::Empty),
            "refuse" => Some(Meaning::Refuse),
            _ => text
                .strip_prefix("value:")
                .filter(|c| !c.is_empty())
                .map(|c| Meaning::Value(c.to_owned())),
        }
    }

    pub fn form_value(&self) -> String {
        match self {
            Meaning::Value(code) => format!("value:{code}"),
            Meaning::Empty => "empty".to_owned(),
            Meaning::Refuse => "refuse".to_owned(),
        }
    }
}

/// Per field, per value as written (trimmed), what it means.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueMapping(pub BTreeMap<String, BTreeMap<String, Meaning>>);

impl ValueMapping {
    pub fn meaning(&self, field: &str, value: &str) -> Option<&Meaning> {
        self.0.get(field)?.get(value.trim())
    }

    pub fn set(&mut self, field: &str, value: &str, meaning: Meaning) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .insert(value.trim().to_owned(), meaning);
    }

    /// Checks every meaning against the field's values: a code the field does not have,
    /// or "empty" for a field that must be filled, is refused.
    pub fn check(&self, scheme: &Scheme) -> Result<(), (String, String)> {
        for (field, values) in &self.0 {
            for (value, meaning) in values {
                let fine = CODED.contains(&field.as_str())
                    && match meaning {
                        Meaning::Value(code) => choices(field, scheme).iter().any(|c| c == code),
                        Meaning::Empty => may_be_empty(field),
                        Meaning::Refuse => true,
                    };
                if !fine {
                    return Err((field.clone(), value.clone()));
                }
            }
        }
        Ok(())
    }
}

fn axis(field: &str) -> Option<Axis> {
    match field {
        "confidentiality" => Some(Axis::Confidentiality),
        "integrity" => Some(Axis::Integrity),
        "availability" => Some(Axis::Availability),
        _ => None,
    }
}

/// Whether the check gives the field a default when it is empty.
pub fn may_be_empty(field: &str) -> bool {
    matches!(field, "segment" | "status")
}

/// The codes a value may be mapped to (for the levels, the active scheme's).
pub fn choices(field: &str, scheme: &Scheme) -> Vec<String> {
    let codes = |all: Vec<&'static str>| all.into_iter().map(str::to_owned).collect();
    match field {
        "category" => codes(Category::ALL.iter().map(|v| v.as_str()).collect()),
        "form" => codes(Form::ALL.iter().map(|v| v.as_str()).collect()),
        "holder_type" => codes(HolderType::ALL.iter().map(|v| v.as_str()).collect()),
        "segment" => codes(Segment::ALL.iter().map(|v| v.as_str()).collect()),
        // A file cannot withdraw an asset (that is its own action).
        "status" => codes(
            Status::ALL
                .iter()
                .filter(|s| **s != Status::Withdrawn)
                .map(|v| v.as_str())
                .collect(),
        ),
        other => match axis(other) {
            Some(axis) => scheme
                .levels_of(axis)
                .iter()
                .map(|l| l.code.clone())
                .collect(),
            None => Vec::new(),
        },
    }
}

/// Whether the check reads `text` for `field` as it is.
pub fn understood(field: &str, text: &str, scheme: &Scheme) -> bool {
    match field {
        "category" => Category::parse(text).is_some(),
        "form" => Form::parse(text).is_some(),
        "holder_type" => HolderType::parse(text).is_some(),
        "segment" => Segment::parse(text).is_some(),
        "status" => Status::parse(text).is_some(),
        other => axis(other).is_some_and(|axis| scheme.find_level(axis, text).is_some()),
    }
}

/// A value of a coded column the check does not read, and how many rows hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub field: &'static str,
    pub value: String,
    pub rows: usize,
    /// What the person said it means, if they did.
    pub meaning: Option<Meaning>,
}

/// Every value of a mapped coded column that the check would not read (blank cells are
/// left out: the field's own rule says what an empty cell is), in file order.
pub fn unknown_values(
    table: &Table,
    format: Format,
    mapping: &Mapping,
    scheme: &Scheme,
    values: &ValueMapping,
) -> Vec<UnknownValue> {
    let mut out = Vec::new();
    for field in CODED {
        let Some(column) = mapping.column_of(field) else {
            continue;
        };
        let mut found: Vec<(String, usize)> = Vec::new();
        // Per distinct value: its place in `found`, or None when the check reads it. A
        // register has few distinct values per coded column and many rows.
        let mut seen: HashMap<&str, Option<usize>> = HashMap::new();
        for row in &table.rows {
            let text = row
                .cells
                .get(column)
                .map(|c| cell_text(format, c).trim())
                .unwrap_or("");
            if text.is_empty() {
                continue;
            }
            let place = *seen.entry(text).or_insert_with(|| {
                (!understood(field, text, scheme) && found.len() < MAX_VALUES).then(|| {
                    found.push((text.to_owned(), 0));
                    found.len() - 1
                })
            });
            if let Some(i) = place {
                found[i].1 += 1;
            }
        }
        out.extend(found.into_iter().map(|(value, rows)| UnknownValue {
            field,
            meaning: values.meaning(field, &value).cloned(),
            value,
            rows,
        }));
    }
    out
}

/// Applies a value mapping to the table's cells: mapped values become their code (or an
/// empty cell); rows holding a value to refuse get an error each.
pub fn apply(
    table: &mut Table,
    format: Format,
    mapping: &Mapping,
    values: &ValueMapping,
) -> HashMap<usize, Vec<RowError>> {
    let mut refused: HashMap<usize, Vec<RowError>> = HashMap::new();
    if values.0.is_empty() {
        return refused;
    }
    for field in CODED {
        let (Some(column), Some(meanings)) = (mapping.column_of(field), values.0.get(field)) else {
            continue;
        };
        for row in &mut table.rows {
            let Some(cell) = row.cells.get(column) else {
                continue;
            };
            match meanings.get(cell_text(format, cell).trim()) {
                Some(Meaning::Value(code)) => row.cells.set(column, code),
                Some(Meaning::Empty) => row.cells.set(column, ""),
                Some(Meaning::Refuse) => refused.entry(row.line).or_default().push(RowError {
                    line: row.line,
                    field: Some(field),
                    message_key: "asset.import.error.refused_value",
                    params: vec![("value", cell.to_owned())],
                }),
                None => {}
            }
        }
    }
    refused
}
