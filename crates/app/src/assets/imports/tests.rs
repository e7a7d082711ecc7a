//! The plan of an import row by row, and the value mapping, without a database.

use std::collections::HashMap;

use mamori_domain::classification::Axis;
use mamori_domain::wareki::Lang;
use mamori_sheet::{Format, Row, Table};

use super::plan::{self, PlanInput, Register};
use super::values::{self, Meaning, ValueMapping};
use super::{Choices, DuplicateChoice, OwnNumbers, RowPlan};
use crate::assets::files::tests::{holders, record, scheme};
use crate::assets::files::{Directory, Mapping, headers, record_cells};

fn directory() -> Directory {
    Directory {
        holders: holders(),
        logins: HashMap::from([(7, "sato".to_owned())]),
        names: HashMap::from([(7, "佐藤 一郎".to_owned())]),
    }
}

/// The registered asset as its export row, with `edit` applied to the cells.
fn exported(edit: impl Fn(&mut Vec<String>)) -> Table {
    let scheme = scheme();
    let mut cells = record_cells(&record(&scheme), &scheme, Lang::Ja, &directory().logins);
    edit(&mut cells);
    Table {
        headers: headers(Lang::Ja),
        rows: vec![Row {
            line: 2,
            cells: cells.into(),
        }],
    }
}

fn plan_of(table: &Table, choices: &Choices) -> plan::Plan {
    let scheme = scheme();
    plan::plan(&PlanInput {
        table,
        format: Format::Xlsx,
        mapping: &Mapping::guess(&table.headers),
        scheme: &scheme,
        directory: &directory(),
        register: &Register::new([record(&scheme)]),
        choices,
        values: &ValueMapping::default(),
        today: time::macros::date!(2026 - 12 - 02),
    })
}

fn column(table: &Table, header: &str) -> usize {
    table.headers.iter().position(|h| h == header).unwrap()
}

#[test]
fn an_unedited_export_row_is_unchanged_and_one_edit_is_one_change() {
    let plan = plan_of(&exported(|_| {}), &Choices::default());
    assert!(
        matches!(plan.rows[0].plan, RowPlan::Unchanged(1)),
        "{plan:?}"
    );
    assert!(plan.is_ready() && !plan.writes());

    let table = exported(|_| {});
    let location = column(&table, "保管場所");
    let plan = plan_of(
        &exported(|cells| cells[location] = "書庫 2".into()),
        &Choices::default(),
    );
    let RowPlan::Update {
        changes,
        needs_reason,
        ..
    } = &plan.rows[0].plan
    else {
        panic!("{plan:?}");
    };
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (changes[0].field, &*changes[0].old, &*changes[0].new),
        ("location", "議会事務局 書庫", "書庫 2")
    );
    assert!(!needs_reason);
    // Tags in another order are the same tags.
    let tags = column(&table, "タグ");
    let plan = plan_of(
        &exported(|cells| cells[tags] = "本会議、会議録".into()),
        &Choices::default(),
    );
    assert!(
        matches!(plan.rows[0].plan, RowPlan::Unchanged(1)),
        "{plan:?}"
    );
}

#[test]
fn a_classification_change_needs_a_reason_from_the_row_or_the_batch() {
    let table = exported(|_| {});
    let confidentiality = column(&table, "機密性");
    let changed = exported(|cells| cells[confidentiality] = "3B".into());
    let plan = plan_of(&changed, &Choices::default());
    assert_eq!(plan.counts.needs_reason, 1);
    assert!(!plan.is_ready());
    let choices = Choices {
        reason: "見直しのため".into(),
        ..Choices::default()
    };
    let plan = plan_of(&changed, &choices);
    let RowPlan::Update {
        reason,
        needs_reason,
        ..
    } = &plan.rows[0].plan
    else {
        panic!("{plan:?}");
    };
    assert_eq!((reason.as_str(), *needs_reason), ("見直しのため", false));
    assert!(plan.is_ready());
}

/// The registered row, and a second row whose number cell is `number`.
fn with_second_number(number: &str) -> Table {
    let mut table = exported(|_| {});
    let mut second = table.rows[0].clone();
    second.line = 3;
    second.cells.set(0, number);
    table.rows.push(second);
    table
}

#[test]
fn numbers_that_are_no_asset_or_come_twice_are_row_errors() {
    // Among numbers that are registered assets, one that is not is the row's error.
    let plan = plan_of(&with_second_number("999"), &Choices::default());
    assert!(plan.own_numbers.is_none(), "the column is mamori's");
    let RowPlan::Error(errors) = &plan.rows[1].plan else {
        panic!("{plan:?}");
    };
    assert_eq!(errors[0].message_key, "asset.import.error.unknown_number");
    let plan = plan_of(&with_second_number("一"), &Choices::default());
    assert!(
        matches!(&plan.rows[1].plan, RowPlan::Error(e) if e[0].message_key == "asset.import.error.bad_number")
    );
    let mut table = exported(|_| {});
    let mut second = table.rows[0].clone();
    second.line = 3;
    table.rows.push(second);
    let plan = plan_of(&table, &Choices::default());
    assert!(matches!(plan.rows[0].plan, RowPlan::Unchanged(1)));
    assert!(
        matches!(&plan.rows[1].plan, RowPlan::Error(e) if e[0].message_key == "asset.import.error.number_twice")
    );
    // Full-width digits are the same number.
    let plan = plan_of(
        &exported(|cells| cells[0] = "１".into()),
        &Choices::default(),
    );
    assert!(
        matches!(plan.rows[0].plan, RowPlan::Unchanged(1)),
        "{plan:?}"
    );
}

#[test]
fn a_number_column_with_no_registered_number_is_the_registers_own() {
    let table = exported(|cells| cells[0] = "A-001".into());
    let plan = plan_of(&table, &Choices::default());
    let own = plan.own_numbers.clone().expect("asked about");
    assert_eq!(
        (own.header.as_str(), own.rows, own.answer),
        ("資産番号", 1, None)
    );
    assert!(!plan.is_ready(), "waits for the answer");
    assert!(plan.errors().next().is_none(), "no row is refused for it");
    // Kept: the number goes into the notes; the row is planned as one without number
    // (here a possible duplicate of the registered asset of the same name).
    let keep = Choices {
        own_numbers: Some(OwnNumbers::Keep),
        all_duplicates: Some(DuplicateChoice::Create),
        ..Choices::default()
    };
    let plan = plan_of(&table, &keep);
    assert!(plan.is_ready(), "{plan:?}");
    let RowPlan::New(asset) = &plan.rows[0].plan else {
        panic!("{plan:?}");
    };
    assert!(
        asset.notes.ends_with("\n資産番号: A-001"),
        "{}",
        asset.notes
    );
    let ignore = Choices {
        own_numbers: Some(OwnNumbers::Ignore),
        ..keep
    };
    let plan = plan_of(&table, &ignore);
    let RowPlan::New(asset) = &plan.rows[0].plan else {
        panic!("{plan:?}");
    };
    assert!(!asset.notes.contains("A-001"));
}

#[test]
fn a_row_like_a_registered_asset_waits_for_a_choice() {
    let table = exported(|cells| cells[0].clear());
    let plan = plan_of(&table, &Choices::default());
    assert!(matches!(plan.rows[0].plan, RowPlan::Undecided(_)));
    assert_eq!(plan.rows[0].duplicate_of, Some(1));
    assert!(!plan.is_ready());
    for (choice, expected) in [
        (DuplicateChoice::Create, "new"),
        (DuplicateChoice::Update, "unchanged"),
        (DuplicateChoice::Skip, "skipped"),
    ] {
        let choices = Choices {
            duplicates: HashMap::from([(2, choice)]),
            ..Choices::default()
        };
        let plan = plan_of(&table, &choices);
        let kind = match plan.rows[0].plan {
            RowPlan::New(_) => "new",
            RowPlan::Unchanged(_) => "unchanged",
            RowPlan::Skipped => "skipped",
            _ => "other",
        };
        assert_eq!(kind, expected);
        assert!(plan.is_ready());
    }
}

#[test]
fn unknown_values_are_listed_counted_and_mapped_only_as_told() {
    let scheme = scheme();
    let table = Table {
        headers: vec!["資産名".into(), "機密性".into(), "状態".into()],
        rows: ["高", "高", "中", "2"]
            .iter()
            .enumerate()
            .map(|(i, level)| Row {
                line: i + 2,
                cells: vec![format!("資産{i}"), (*level).to_owned(), "○".into()].into(),
            })
            .collect(),
    };
    let mapping = Mapping::guess(&table.headers);
    let mut answers = ValueMapping::default();
    let unknown = values::unknown_values(&table, Format::Csv, &mapping, &scheme, &answers);
    let listed: Vec<(&str, &str, usize)> = unknown
        .iter()
        .map(|u| (u.field, u.value.as_str(), u.rows))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("confidentiality", "高", 2),
            ("confidentiality", "中", 1),
            ("status", "○", 4)
        ]
    );
    assert_eq!(
        values::choices("confidentiality", &scheme).len(),
        scheme.levels_of(Axis::Confidentiality).len()
    );
    // Answers are checked against the field's values.
    answers.set("confidentiality", "高", Meaning::Empty);
    assert!(answers.check(&scheme).is_err(), "a level may not be empty");
    answers.set("confidentiality", "高", Meaning::Value("9Z".into()));
    assert!(answers.check(&scheme).is_err());
    answers.set("confidentiality", "高", Meaning::Value("3B".into()));
    answers.set("confidentiality", "中", Meaning::Refuse);
    answers.set("status", "○", Meaning::Empty);
    assert!(answers.check(&scheme).is_ok());
    let mut mapped = table.clone();
    let refused = values::apply(&mut mapped, Format::Csv, &mapping, &answers);
    assert_eq!(mapped.rows[0].cells.to_vec()[1..], ["3B", ""]);
    assert_eq!(
        &mapped.rows[3].cells[1], "2",
        "a value the scheme reads is left alone"
    );
    assert_eq!(refused.keys().copied().collect::<Vec<_>>(), vec![4]);
    assert_eq!(
        Meaning::parse(&Meaning::Value("2".into()).form_value()),
        Some(Meaning::Value("2".into()))
    );
}

#[test]
fn a_past_disposal_date_of_an_asset_in_use_is_imported_and_noted() {
    let table = exported(|_| {});
    let disposal = column(&table, "廃棄予定日");
    let status = column(&table, "状態");
    // The registered asset is 保存 (archived): these rows put it back in use.
    let in_use = |date: &'static str| {
        exported(move |cells| {
            cells[disposal] = date.into();
            cells[status] = "使用中".into();
        })
    };
    let past = in_use("平成31年4月1日");
    let plan = plan_of(&past, &Choices::default());
    assert!(plan.is_ready(), "never refused: {plan:?}");
    assert!(
        matches!(plan.rows[0].plan, RowPlan::Update { .. }),
        "{plan:?}"
    );
    let note = plan
        .notes
        .iter()
        .find(|n| n.message_key == "asset.import.note.past_disposal")
        .expect("noted");
    assert_eq!((note.line, note.field), (2, Some("disposal_due")));
    let params: HashMap<_, _> = note.params.iter().cloned().collect();
    assert_eq!(params["date:ja"], "平成31年4月1日");
    assert_eq!(params["today:ja"], "令和8年12月2日");
    let western = in_use("2019/4/1");
    let plan = plan_of(&western, &Choices::default());
    let note = plan
        .notes
        .iter()
        .find(|n| n.field == Some("disposal_due"))
        .expect("noted");
    assert!(
        note.params
            .contains(&("date:ja", "2019年4月1日".to_owned()))
    );

    // Disposed of, or still ahead: nothing to say.
    let disposed = exported(|cells| {
        cells[disposal] = "平成31年4月1日".into();
        cells[status] = "廃棄済み".into();
    });
    let plan = plan_of(&disposed, &Choices::default());
    assert!(
        plan.notes.iter().all(|n| n.field != Some("disposal_due")),
        "{plan:?}"
    );
    let ahead = in_use("令和20年3月31日");
    let plan = plan_of(&ahead, &Choices::default());
    assert!(plan.notes.iter().all(|n| n.field != Some("disposal_due")));
}
