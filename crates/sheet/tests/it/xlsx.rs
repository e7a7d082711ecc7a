//! xlsx written by us, by rust_xlsxwriter directly, and damaged in the ways uploads are.

use std::io::{Cursor, Read, Write};

use mamori_sheet::{Format, SheetError, Table, detect, read, write_xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Formula, Workbook};
use zip::write::SimpleFileOptions;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn key(r: Result<Table, SheetError>) -> &'static str {
    r.expect_err("should be refused").message_key()
}

#[test]
fn written_xlsx_reads_back_identically() {
    let headers = strings(&["資産名", "ｼｻﾝｶﾅ", "式", "備考", "空", "長文"]);
    let long = "情報資産".repeat(2_500); // 10,000 characters
    let rows = vec![
        strings(&[
            "庁内LAN",
            "ﾁｮｳﾅｲ",
            "=1+1",
            "<script>alert(1)</script>",
            "",
            &long,
        ]),
        strings(&["議事録\n(令和8年)", "", "+81-3", "a\r\nb", "", "@SUM(A1)"]),
        strings(&["  前後に空白  ", "00123", "-5", "'quote", "", "TRUE"]),
        strings(&["制御\u{1}文字", "_x0041_", "😀", "1.50", "", "\t"]),
    ];
    let bytes = write_xlsx("資産台帳", &headers, rows.clone().into_iter()).unwrap();
    assert_eq!(detect(&bytes), Format::Xlsx);

    let table = read(&bytes, 100).unwrap();
    assert_eq!(table.headers, headers);
    let got: Vec<_> = table.rows.iter().map(|r| r.cells.clone()).collect();
    assert_eq!(got, rows);
    let lines: Vec<_> = table.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3, 4, 5]);
}

#[test]
fn written_xlsx_has_filter_frozen_header_and_widths() {
    let bytes = write_xlsx(
        "台帳",
        &strings(&["名称", "id"]),
        [strings(&["とても長い名前の情報資産", "1\n2"])].into_iter(),
    )
    .unwrap();
    let xml = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains(r#"<autoFilter ref="A1:B2"/>"#), "{xml}");
    assert!(xml.contains(r#"state="frozen""#));
    assert!(
        xml.contains(r#"<col min="1" max="1" width="26.7109375""#),
        "{xml}"
    );
    assert!(!xml.contains("<f>"), "no formulas");
    let styles = zip_entry(&bytes, "xl/styles.xml");
    assert!(
        styles.contains("<b/>") && styles.contains(r#"wrapText="1""#),
        "{styles}"
    );
}

#[test]
fn typed_cells_read_as_the_text_a_user_would_type() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    let datetime = CellFormat::new().set_num_format("yyyy/m/d h:mm");
    let time = CellFormat::new().set_num_format("h:mm");
    let duration = CellFormat::new().set_num_format("[h]:mm:ss");
    let heads = ["整数", "小数", "真偽", "日付", "日時", "時刻", "経過", "式"];
    for (col, head) in heads.iter().enumerate() {
        sheet.write_string(0, col as u16, *head).unwrap();
    }
    sheet.write_number(1, 0, 5).unwrap();
    sheet.write_number(1, 1, 2.5).unwrap();
    sheet.write_boolean(1, 2, true).unwrap();
    sheet.write_number_with_format(1, 3, 45_000, &date).unwrap();
    sheet
        .write_number_with_format(1, 4, 45_000.5, &datetime)
        .unwrap();
    sheet.write_number_with_format(1, 5, 0.75, &time).unwrap();
    sheet
        .write_number_with_format(1, 6, 1.5, &duration)
        .unwrap();
    let when = ExcelDateTime::from_ymd(2026, 3, 18).unwrap();
    sheet
        .write_datetime_with_format(2, 3, &when, &date)
        .unwrap();
    let wareki = CellFormat::new().set_num_format(r#"[$-ja-JP-x-gannen]ggge"年"m"月"d"日""#);
    sheet
        .write_datetime_with_format(2, 4, &when, &wareki)
        .unwrap();
    sheet.write_number(2, 0, -1234567.125).unwrap();
    sheet.write_number(2, 1, 1e-7).unwrap();
    sheet.write_boolean(2, 2, false).unwrap();
    sheet
        .write_formula(1, 7, Formula::new("=1+1").set_result("2"))
        .unwrap();
    let table = read(&workbook.save_to_buffer().unwrap(), 10).unwrap();
    assert_eq!(
        table.rows[0].cells,
        strings(&[
            "5",
            "2.5",
            "TRUE",
            "2023-03-15",
            "2023-03-15T12:00:00",
            "18:00:00",
            "36:00:00",
            "2"
        ])
    );
    assert_eq!(
        table.rows[1].cells,
        strings(&[
            "-1234567.125",
            "0.0000001",
            "FALSE",
            "2026-03-18",
            "2026-03-18",
            "",
            "",
            ""
        ])
    );
}

#[test]
fn furigana_from_japanese_excel_is_not_part_of_the_text() {
    // Japanese Excel stores the reading typed through the IME next to the text.
    let mut workbook = Workbook::new();
    workbook.add_worksheet().write_string(0, 0, "資産").unwrap();
    let bytes = rezip(&workbook.save_to_buffer().unwrap(), |name, data| {
        (name == "xl/sharedStrings.xml").then(|| {
            let xml = String::from_utf8(data.to_vec()).unwrap();
            let ruby =
                r#"<t>資産</t><rPh sb="0" eb="2"><t>シサン</t></rPh><phoneticPr fontId="1"/>"#;
            assert!(xml.contains("<t>資産</t>"), "{xml}");
            xml.replace("<t>資産</t>", ruby).into_bytes()
        })
    });
    assert_eq!(read(&bytes, 10).unwrap().headers, ["資産"]);
}

#[test]
fn workbooks_in_the_1904_date_system() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "日付").unwrap();
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    sheet.write_number_with_format(1, 0, 43_538, &date).unwrap();
    let bytes = rezip(&workbook.save_to_buffer().unwrap(), |name, data| {
        (name == "xl/workbook.xml").then(|| {
            let xml = String::from_utf8(data.to_vec()).unwrap();
            assert!(xml.contains("<workbookPr "), "{xml}");
            xml.replace("<workbookPr ", r#"<workbookPr date1904="1" "#)
                .into_bytes()
        })
    });
    assert_eq!(read(&bytes, 10).unwrap().rows[0].cells, ["2023-03-15"]);
}

#[test]
fn empty_rows_are_skipped_but_lines_stay_true_to_the_sheet() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let blank = CellFormat::new().set_bold();
    sheet.write_blank(0, 5, &blank).unwrap(); // formatted, empty: not a header
    sheet.write_string(2, 1, "名称").unwrap();
    sheet.write_string(2, 2, "分類").unwrap();
    sheet.write_string(3, 1, "A").unwrap();
    sheet.write_string(5, 2, "機密性2").unwrap();
    sheet.write_blank(6, 1, &blank).unwrap();
    sheet.write_string(1_048_575, 0, "最終行").unwrap(); // far away, no dense allocation
    let table = read(&workbook.save_to_buffer().unwrap(), 10).unwrap();
    assert_eq!(table.headers, ["", "名称", "分類"]);
    let rows: Vec<_> = table
        .rows
        .iter()
        .map(|r| (r.line, r.cells.to_vec()))
        .collect();
    assert_eq!(
        rows,
        [
            (4, strings(&["", "A", ""])),
            (6, strings(&["", "", "機密性2"])),
            (1_048_576, strings(&["最終行", "", ""])),
        ]
    );
}

#[test]
fn limits() {
    let headers = strings(&["番号"]);
    let rows = |n: usize| (0..n).map(|i| vec![i.to_string()]);
    let ten = write_xlsx("s", &headers, rows(10)).unwrap();
    assert_eq!(read(&ten, 10).unwrap().rows.len(), 10);
    assert_eq!(key(read(&ten, 9)), "sheet.error.too_many_rows");

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "a").unwrap();
    sheet.write_string(1, 16_383, "far right").unwrap();
    let e = read(&workbook.save_to_buffer().unwrap(), 10).unwrap_err();
    assert!(
        matches!(e, SheetError::TooManyColumns { max: 200, line: 2 }),
        "{e}"
    );

    let wide = write_xlsx("s", &vec!["h".to_string(); 201], rows(0));
    assert_eq!(
        wide.unwrap_err().message_key(),
        "sheet.error.too_many_columns"
    );
    let huge = write_xlsx("s", &headers, [vec!["x".repeat(32_768)]].into_iter());
    assert!(matches!(
        huge,
        Err(SheetError::CellTooLong {
            max: 32_767,
            line: 2,
            column: 1
        })
    ));
    let empty = write_xlsx("s", &[], rows(0)).unwrap();
    assert_eq!(key(read(&empty, 10)), "sheet.error.empty");
}

#[test]
fn damaged_and_foreign_files_are_refused_without_panicking() {
    let good = write_xlsx("s", &strings(&["名称"]), [strings(&["値"])].into_iter()).unwrap();

    assert_eq!(
        key(read(&good[..good.len() / 2], 10)),
        "sheet.error.broken_xlsx"
    );
    for cut in (0..good.len()).step_by(37) {
        let _ = read(&good[..cut], 10);
    }

    let no_workbook = rezip(&good, |name, _| {
        (name == "xl/workbook.xml").then(|| b"<notWorkbook/>".to_vec())
    });
    assert_eq!(key(read(&no_workbook, 10)), "sheet.error.broken_xlsx");

    let bad_xml = rezip(&good, |name, data| {
        let end = data.windows(12).position(|w| w == b"</sheetData>");
        (name == "xl/worksheets/sheet1.xml").then(|| data[..end.unwrap_or(0)].to_vec())
    });
    assert_eq!(key(read(&bad_xml, 10)), "sheet.error.broken_xlsx");

    let mut plain = zip::ZipWriter::new(Cursor::new(Vec::new()));
    plain
        .start_file("readme.txt", SimpleFileOptions::default())
        .unwrap();
    plain
        .write_all("これは表ではありません".as_bytes())
        .unwrap();
    let plain = plain.finish().unwrap().into_inner();
    assert_eq!(detect(&plain), Format::Xlsx);
    assert_eq!(key(read(&plain, 10)), "sheet.error.not_a_spreadsheet");

    // Flip bytes all over a valid workbook: any error is fine, a panic is not.
    let mut seed = 0x2545_f491_u32;
    for _ in 0..300 {
        let mut bytes = good.clone();
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let at = seed as usize % bytes.len();
            bytes[at] ^= (seed >> 24) as u8 | 1;
        }
        let _ = read(&bytes, 10);
    }
}

#[test]
fn zip_bombs_are_refused_from_the_directory() {
    let good = write_xlsx("s", &strings(&["名称"]), [strings(&["値"])].into_iter()).unwrap();
    // Claim 2 GiB for the first entry in the central directory.
    let mut bomb = good.clone();
    let dir = bomb.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bomb[dir + 24..dir + 28].copy_from_slice(&0x8000_0000u32.to_le_bytes());
    let e = read(&bomb, 10).unwrap_err();
    assert_eq!(e.message_key(), "sheet.error.too_large");
    assert_eq!(e.params(), [("max", "1024".to_string())]);
}

/// Rewrites a zip, replacing the entries for which `change` returns new contents.
fn rezip(bytes: &[u8], change: impl Fn(&str, &[u8]) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        let data = change(&name, &data).unwrap_or(data);
        out.start_file(name, SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn zip_entry(zip: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut out = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    out
}

#[test]
fn hostile_workbooks_are_refused_as_they_are_read() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "名称").unwrap();
    let good = workbook.save_to_buffer().unwrap();

    // A shared string longer than any cell may be: stopped at the limit.
    let long = rezip(&good, |name, data| {
        (name == "xl/sharedStrings.xml").then(|| {
            let xml = String::from_utf8(data.to_vec()).unwrap();
            xml.replace("<t>名称</t>", &format!("<t>{}</t>", "a".repeat(1_000_000)))
                .into_bytes()
        })
    });
    assert_eq!(key(read(&long, 10)), "sheet.error.text_too_long");

    // One string in 200 columns of many rows: a small file whose table would be huge.
    let everywhere = rezip(&good, |name, data| {
        let xml = String::from_utf8(data.to_vec()).unwrap();
        match name {
            "xl/sharedStrings.xml" => Some(
                xml.replace("<t>名称</t>", &format!("<t>{}</t>", "a".repeat(50_000)))
                    .into_bytes(),
            ),
            "xl/worksheets/sheet1.xml" => {
                let row = format!("<row>{}</row>", r#"<c t="s"><v>0</v></c>"#.repeat(200));
                let start = xml.find("<sheetData>").unwrap() + "<sheetData>".len();
                let end = xml.find("</sheetData>").unwrap();
                Some(format!("{}{}{}", &xml[..start], row.repeat(100), &xml[end..]).into_bytes())
            }
            _ => None,
        }
    });
    assert_eq!(key(read(&everywhere, 1000)), "sheet.error.table_too_large");

    // Elements nested deeper than any workbook's.
    let nested = rezip(&good, |name, data| {
        (name == "xl/worksheets/sheet1.xml").then(|| {
            let xml = String::from_utf8(data.to_vec()).unwrap();
            xml.replace(
                "<sheetData>",
                &format!("<sheetData>{}", "<x>".repeat(10_000)),
            )
            .into_bytes()
        })
    });
    assert_eq!(key(read(&nested, 10)), "sheet.error.broken_xlsx");
}

#[test]
fn rows_written_out_of_order_or_in_pieces_read_in_sheet_order() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "名称").unwrap();
    let good = workbook.save_to_buffer().unwrap();
    // Row 3 before row 2, and row 3's second cell after row 2: a writer that is not
    // Excel may do both. Inline strings keep the XML self-contained.
    let cell =
        |at: &str, text: &str| format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#);
    let shuffled = rezip(&good, |name, data| {
        (name == "xl/worksheets/sheet1.xml").then(|| {
            let xml = String::from_utf8(data.to_vec()).unwrap();
            let rows = format!(
                r#"<row r="1">{}{}</row><row r="3">{}</row><row r="2">{}{}</row><row r="3">{}</row>"#,
                cell("A1", "名称"),
                cell("B1", "分類"),
                cell("A3", "会議録"),
                cell("A2", "議員名簿"),
                cell("B2", "イ"),
                cell("B3", "ロ"),
            );
            let start = xml.find("<sheetData>").unwrap() + "<sheetData>".len();
            let end = xml.find("</sheetData>").unwrap();
            format!("{}{rows}{}", &xml[..start], &xml[end..]).into_bytes()
        })
    });
    let table = read(&shuffled, 10).unwrap();
    assert_eq!(table.headers, ["名称", "分類"]);
    let rows: Vec<_> = table
        .rows
        .iter()
        .map(|r| (r.line, r.cells.to_vec()))
        .collect();
    assert_eq!(
        rows,
        [
            (2, strings(&["議員名簿", "イ"])),
            (3, strings(&["会議録", "ロ"])),
        ]
    );
}

#[test]
fn a_book_has_a_headed_sheet_per_table_and_names_made_unique() {
    let sheet = |name: &str, first: &str| mamori_sheet::SheetData {
        name: name.to_owned(),
        headers: strings(&["区分", "人数"]),
        rows: vec![strings(&[first, "3"])],
    };
    let bytes = mamori_sheet::write_xlsx_book(&[
        sheet("区分別", "議員"),
        sheet("役職/別", "委員長"),
        sheet("区分別", "職員"),
    ])
    .unwrap();
    // The first sheet reads back as any single-sheet file does.
    let table = read(&bytes, 10).unwrap();
    assert_eq!(table.headers, strings(&["区分", "人数"]));
    assert_eq!(table.rows[0].cells, strings(&["議員", "3"]));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut workbook = String::new();
    archive
        .by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut workbook)
        .unwrap();
    for name in ["区分別", "役職_別", "区分別 (2)"] {
        assert!(
            workbook.contains(&format!("name=\"{name}\"")),
            "{name} in {workbook}"
        );
    }
    let mut third = String::new();
    archive
        .by_name("xl/worksheets/sheet3.xml")
        .unwrap()
        .read_to_string(&mut third)
        .unwrap();
    assert!(third.contains("職員"), "{third}");
}
