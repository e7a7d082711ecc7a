//! The register as a file, tested both ways: every export imports again to the same
//! data, and every row problem is named.

use mamori_domain::asset::{Category, Form, HolderType, Retention, Segment, Status};
use mamori_domain::classification::Axis;
use mamori_domain::user::OrgRole;
use mamori_domain::wareki::Lang;
use mamori_sheet::Row;
use mamori_store::assets::AssetRecord;

use crate::policies::Citations;

use super::export::*;
use super::*;

pub(crate) fn scheme() -> Scheme {
    let mut scheme = mamori_domain::classification_presets::guideline_2024();
    for (i, level) in scheme.levels.iter_mut().enumerate() {
        level.id = i as i64 + 1;
    }
    scheme
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
    Table {
        headers: strings(headers),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, cells)| Row {
                line: i + 2,
                cells: strings(cells).into(),
            })
            .collect(),
    }
}

pub(crate) fn holders() -> Holders {
    Holders::new([(7, "sato".to_owned(), "佐藤 一郎".to_owned())])
}

pub(crate) fn record(scheme: &Scheme) -> AssetRecord {
    let level = |axis, code| scheme.find_level(axis, code).unwrap().id;
    AssetRecord {
        id: 1,
        name: "=cmd|' /C calc'!A0 本会議録".into(),
        description: "一行目\n二行目, \"引用\"".into(),
        category: Category::Information,
        form: Form::Both,
        holder_type: HolderType::Member,
        holder_id: Some(7),
        holder_name: Some("佐藤 一郎".into()),
        managing_role: Some(OrgRole::SecurityManager),
        location: "議会事務局 書庫".into(),
        segment: Segment::Lgwan,
        confidentiality_id: level(Axis::Confidentiality, "3A"),
        integrity_id: level(Axis::Integrity, "2"),
        availability_id: level(Axis::Availability, "1"),
        restricted: true,
        retention: Retention::new("契約終了後5年"),
        disposal_due: Some(time::macros::date!(2027 - 03 - 31)),
        status: Status::Archived,
        notes: "-5 から始まる備考".into(),
        tags: vec!["会議録".into(), "本会議".into()],
        clauses: vec!["2(3)".into(), "6(2)".into()],
        holds_personal_info: true,
        created_at: time::OffsetDateTime::UNIX_EPOCH,
        updated_at: time::OffsetDateTime::UNIX_EPOCH,
    }
}

#[test]
fn exported_headers_are_recognised_in_both_languages() {
    for lang in [Lang::Ja, Lang::En] {
        let headers = headers(lang);
        let mapping = Mapping::guess(&headers);
        let fields: Vec<_> = mapping.columns().iter().map(|f| f.unwrap()).collect();
        let expected: Vec<_> = std::iter::once("number").chain(export_fields()).collect();
        assert_eq!(fields, expected, "{lang:?}: the asset number first");
    }
}

#[test]
fn register_words_read_back_as_their_values() {
    for v in Category::ALL {
        assert_eq!(Category::parse(category_word(*v)), Some(*v));
    }
    for v in Form::ALL {
        assert_eq!(Form::parse(form_word(*v)), Some(*v));
    }
    for v in HolderType::ALL {
        assert_eq!(HolderType::parse(holder_type_word(*v)), Some(*v));
    }
    for v in Segment::ALL {
        assert_eq!(Segment::parse(segment_word(*v)), Some(*v));
    }
    for v in Status::ALL {
        assert_eq!(Status::parse(status_word(*v)), Some(*v));
    }
}

#[test]
fn an_exported_row_checks_to_the_same_asset_in_both_languages() {
    let scheme = scheme();
    let record = record(&scheme);
    let logins = HashMap::from([(7, "sato".to_owned())]);
    for lang in [Lang::Ja, Lang::En] {
        for format in [Format::Csv, Format::Xlsx] {
            let cells = record_cells(&record, &scheme, lang, &logins);
            let cells = match format {
                // What the file holds after our CSV writer's formula guard.
                Format::Csv => cells
                    .iter()
                    .map(|c| mamori_sheet::csv_cell_guard(c).into_owned())
                    .collect(),
                Format::Xlsx => cells,
            };
            let headers = headers(lang);
            let table = Table {
                headers: headers.clone(),
                rows: vec![Row {
                    line: 2,
                    cells: cells.into(),
                }],
            };
            let checked = validate(
                &table,
                format,
                &Mapping::guess(&headers),
                &scheme,
                &holders(),
                |_| {},
            );
            assert!(checked.errors.is_empty(), "{lang:?}: {:?}", checked.errors);
            assert_eq!(
                checked.assets[0].1,
                record.as_asset(),
                "{lang:?} {format:?}"
            );
        }
    }
    let ja = record_cells(&record, &scheme, Lang::Ja, &logins);
    assert!(ja.contains(&"イ".to_owned()) && ja.contains(&"契約終了後5年".to_owned()));
    assert!(ja.contains(&"sato".to_owned()) && ja.contains(&"会議録、本会議".to_owned()));
    let en = record_cells(&record, &scheme, Lang::En, &logins);
    // The retention period is the register's own text in both languages.
    assert!(en.contains(&"information".to_owned()) && en.contains(&"契約終了後5年".to_owned()));
}

#[test]
fn guess_takes_the_first_column_for_a_field() {
    let mapping = Mapping::guess(&strings(&["資産名", "備考", "何か", "Notes", ""]));
    assert_eq!(
        mapping.columns(),
        &[Some("name"), Some("notes"), None, None, None]
    );
    assert_eq!(
        mapping.unrecognised(&strings(&["資産名", "備考", "何か", "Notes", ""])),
        vec!["何か", "Notes"]
    );
    let twice = Mapping::chosen(vec![Some("name"), None, Some("name")]);
    let t = table(&["a", "b", "c"], &[&["x", "y", "z"]]);
    let checked = validate(&t, Format::Csv, &twice, &scheme(), &holders(), |_| {});
    assert_eq!(checked.errors.len(), 1);
    assert_eq!(checked.errors[0].field, Some("name"));
    assert_eq!(
        checked.errors[0].message_key,
        "asset.import.error.duplicate_field"
    );
}

#[test]
fn every_row_is_checked_and_every_problem_listed() {
    let scheme = scheme();
    let t = table(
        &[
            "資産名",
            "分類",
            "形態",
            "保有者区分",
            "機密性",
            "完全性",
            "可用性",
            "廃棄予定日",
            "市販の刊行物",
        ],
        &[
            &["会議録", "イ", "紙", "議会事務局", "2", "2", "1", "", ""],
            &[
                "不明な区分",
                "イ",
                "紙",
                "議会事務局",
                "3",
                "2",
                "1",
                "",
                "",
            ],
            &[
                "日付誤り",
                "イ",
                "紙",
                "議会事務局",
                "2",
                "2",
                "1",
                "2026-02-30",
                "",
            ],
            &["官報", "イ", "紙", "議会事務局", "1", "1", "1", "", ""],
            &[
                "ずれた行",
                "イ",
                "紙",
                "議会事務局",
                "1",
                "1",
                "1",
                "",
                "",
                "余分",
            ],
        ],
    );
    let mut mapping = Mapping::guess(&t.headers);
    assert_eq!(mapping.field_of(8), None);
    mapping.columns[8] = Some("publication");
    let mut rows = to_inputs(&t, &mapping, Format::Xlsx);
    rows[3].1.publication = "官報".into();
    let errors = check_all(&rows, &scheme, &holders()).unwrap_err();
    let found: Vec<_> = errors
        .iter()
        .map(|e| (e.line, e.field.unwrap(), e.message_key))
        .collect();
    assert_eq!(
        found,
        vec![
            (3, "confidentiality", "asset.error.unknown_level"),
            (4, "disposal_due", errors[1].message_key),
            (5, "publication", "asset.error.publication"),
        ]
    );
    // One of the date parser's own messages (which one depends on the mistake).
    assert_eq!(errors[1].message_key.split('.').next(), Some("date"));

    let checked = validate(&t, Format::Xlsx, &mapping, &scheme, &holders(), |_| {});
    let stray = checked.errors.iter().find(|e| e.line == 6).unwrap();
    assert_eq!(stray.message_key, "asset.import.error.stray_cells");
    assert_eq!(stray.params, vec![("column", "J".to_owned())]);
}

#[test]
fn files_without_rows_or_names_are_refused() {
    let scheme = scheme();
    let empty = table(&["資産名"], &[]);
    let checked = validate(
        &empty,
        Format::Csv,
        &Mapping::guess(&empty.headers),
        &scheme,
        &holders(),
        |_| {},
    );
    assert_eq!(checked.errors[0].message_key, "asset.import.error.no_rows");
    let nameless = table(&["分類"], &[&["イ"]]);
    let checked = validate(
        &nameless,
        Format::Csv,
        &Mapping::guess(&nameless.headers),
        &scheme,
        &holders(),
        |_| {},
    );
    assert_eq!(
        checked.errors[0].message_key,
        "asset.import.error.name_unmapped"
    );
}

#[test]
fn csv_cells_are_unguarded_and_xlsx_cells_kept() {
    let t = table(&["資産名"], &[&["'=1+1"]]);
    let mapping = Mapping::guess(&t.headers);
    assert_eq!(to_inputs(&t, &mapping, Format::Csv)[0].1.name, "=1+1");
    assert_eq!(to_inputs(&t, &mapping, Format::Xlsx)[0].1.name, "'=1+1");
}

#[test]
fn column_letters_as_excel_shows_them() {
    assert_eq!(column_letters(0), "A");
    assert_eq!(column_letters(25), "Z");
    assert_eq!(column_letters(26), "AA");
    assert_eq!(column_letters(27), "AB");
}

#[test]
fn retention_text_no_reading_fits_is_a_note_not_an_error() {
    let scheme = scheme();
    let t = table(
        &[
            "資産名",
            "分類",
            "形態",
            "保有者区分",
            "機密性",
            "完全性",
            "可用性",
            "保存期間",
        ],
        &[
            &[
                "会議録",
                "イ",
                "紙",
                "議会事務局",
                "2",
                "2",
                "1",
                "契約終了後5年",
            ],
            &[
                "委員会資料",
                "イ",
                "紙",
                "議会事務局",
                "2",
                "2",
                "1",
                "事業完了後3年",
            ],
        ],
    );
    let checked = validate(
        &t,
        Format::Csv,
        &Mapping::guess(&t.headers),
        &scheme,
        &holders(),
        |_| {},
    );
    assert!(checked.errors.is_empty(), "{:?}", checked.errors);
    assert_eq!(checked.assets.len(), 2);
    assert_eq!(checked.notes.len(), 1);
    let note = &checked.notes[0];
    assert_eq!((note.line, note.field), (3, Some("retention")));
    assert_eq!(note.message_key, "asset.import.note.retention_kept");
    assert_eq!(note.params, vec![("text", "事業完了後3年".to_owned())]);
    let kept = checked.assets[1].1.retention.as_ref().unwrap();
    assert_eq!((kept.text.as_str(), kept.reading), ("事業完了後3年", None));
}

#[test]
fn the_template_reads_back_as_its_example_only() {
    let scheme = scheme();
    for lang in [Lang::Ja, Lang::En] {
        let template = template::build(lang, &scheme, &Citations::seed_style());
        // The export's headers less the asset number: a template registers new assets.
        assert_eq!(template.headers, headers(lang)[1..]);
        assert_eq!(template.guide_rows.len(), template.headers.len());
        // The example is a valid asset in itself: only its being the example stops it.
        let inputs = to_inputs(
            &table(
                &template
                    .headers
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
                &[&template
                    .example
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()],
            ),
            &Mapping::guess(&template.headers),
            Format::Csv,
        );
        let mut example = inputs[0].1.clone();
        assert!(is_example(&example), "{lang:?}");
        assert!(example.check(&scheme, &holders()).is_ok(), "{lang:?}");
        example.name.push('2');
        assert!(!is_example(&example));

        let only = table(
            &template
                .headers
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            &[&template
                .example
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()],
        );
        let checked = validate(
            &only,
            Format::Csv,
            &Mapping::guess(&only.headers),
            &scheme,
            &holders(),
            |_| {},
        );
        assert!(checked.assets.is_empty());
        assert_eq!(checked.errors.len(), 1);
        assert_eq!(checked.errors[0].line, 0);
        assert_eq!(
            checked.errors[0].message_key,
            "asset.import.error.template_only"
        );
    }
    // Left above real rows, the example is refused as a row of its own.
    let t = template::build(Lang::Ja, &scheme, &Citations::seed_style());
    let mut real = t.example.clone();
    real[0] = "本会議録".into();
    real[1] = String::new();
    let rows = [
        t.example.iter().map(String::as_str).collect::<Vec<_>>(),
        real.iter().map(String::as_str).collect::<Vec<_>>(),
    ];
    let mixed = table(
        &t.headers.iter().map(String::as_str).collect::<Vec<_>>(),
        &[&rows[0], &rows[1]],
    );
    let checked = validate(
        &mixed,
        Format::Csv,
        &Mapping::guess(&mixed.headers),
        &scheme,
        &holders(),
        |_| {},
    );
    assert_eq!(checked.assets.len(), 1);
    assert_eq!(checked.errors.len(), 1);
    assert_eq!(
        (checked.errors[0].line, checked.errors[0].message_key),
        (2, "asset.import.error.example_row")
    );
}

#[test]
fn the_template_lists_the_scheme_levels_and_the_coded_words() {
    let scheme = scheme();
    let template = template::build(Lang::Ja, &scheme, &Citations::seed_style());
    let column = |field: &str| export_fields().position(|f| f == field).unwrap();
    let list = |field: &str| {
        template
            .lists
            .iter()
            .find(|c| c.column == column(field))
            .map(|c| c.values.clone())
            .unwrap_or_default()
    };
    assert_eq!(list("category"), strings(&["ア", "イ", "ウ"]));
    assert_eq!(list("form"), strings(&["電子", "紙", "両方"]));
    assert_eq!(list("holder_type"), strings(&["議員", "議会事務局"]));
    assert_eq!(
        list("segment"),
        strings(&["基幹系", "LGWAN接続系", "インターネット接続系", "なし"])
    );
    assert_eq!(list("status"), strings(&["使用中", "保存", "廃棄済み"]));
    assert_eq!(
        list("confidentiality"),
        strings(&["3A", "3B", "3C", "2", "1"])
    );
    assert_eq!(list("personal_info"), strings(&["あり", "なし"]));
    assert_eq!(template.lists.len(), 9);
    let en = template::build(Lang::En, &scheme, &Citations::seed_style());
    assert!(
        en.lists
            .iter()
            .any(|c| c.values == strings(&["infrastructure", "information", "system_document"]))
    );
    // The guide cites the basic policy in its numbering (the seed's without one published).
    let meaning = |t: &mamori_sheet::Template, field: &str| t.guide_rows[column(field)][1].clone();
    assert!(meaning(&template, "category").starts_with("基本方針 4(2)の区分。"));
    assert!(meaning(&template, "segment").contains("（基本方針 6(3)）"));
    assert!(meaning(&en, "category").starts_with("Basic policy 4(2):"));
}
