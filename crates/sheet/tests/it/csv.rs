//! CSV and TSV as Japanese Excel and other tools produce them.

use encoding_rs::SHIFT_JIS;
use mamori_sheet::{Format, SheetError, Table, csv_cell_unguard, detect, read, write_csv};

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn key(r: Result<Table, SheetError>) -> &'static str {
    r.expect_err("should be refused").message_key()
}

fn lines_and_cells(t: &Table) -> Vec<(usize, Vec<String>)> {
    t.rows.iter().map(|r| (r.line, r.cells.to_vec())).collect()
}

#[test]
fn written_csv_reads_back_identically_after_unguarding() {
    let headers = strings(&["資産名", "ｼｻﾝｶﾅ", "式", "備考"]);
    let rows = vec![
        strings(&["庁内LAN", "ﾁｮｳﾅｲ", "=1+1", "<script>alert(1)</script>"]),
        strings(&["議事録\r\n(令和8年)", "", "-5", "a,\"b\""]),
        strings(&["'=既に引用", "@SUM(A1)", "+81", "\t字下げ"]),
        strings(&["  前後に空白  ", "00123", "", "x".repeat(10_000).as_str()]),
    ];
    let bytes = write_csv(&headers, rows.clone().into_iter());
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(
        text.starts_with("資産名,ｼｻﾝｶﾅ,式,備考\r\n庁内LAN,ﾁｮｳﾅｲ,'=1+1,"),
        "{text}"
    );
    assert_eq!(detect(&bytes), Format::Csv);

    let table = read(&bytes, 10).unwrap();
    assert_eq!(table.headers, headers);
    let unguard = |cells: &[String]| -> Vec<String> {
        cells
            .iter()
            .map(|c| csv_cell_unguard(c).to_owned())
            .collect()
    };
    let got: Vec<_> = table
        .rows
        .iter()
        .map(|r| unguard(&r.cells.to_vec()))
        .collect();
    assert_eq!(got, rows);
    // read itself keeps the guard: only the caller knows the file is our own export.
    assert_eq!(&table.rows[0].cells[2], "'=1+1");
    // The multi-line cell in row 3 of the file pushes the next record to line 5.
    let lines: Vec<_> = table.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3, 5, 6]);
}

#[test]
fn shift_jis_from_older_excel() {
    let text = "資産名,分類,備考\r\n庁内ＬＡＮ,機密性２,①～⑩ ﾊﾝｶｸ\r\n表計算,機密性1,～\\\r\n";
    let (sjis, _, unmappable) = SHIFT_JIS.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&sjis).is_err(), "really not UTF-8");
    let table = read(&sjis, 10).unwrap();
    assert_eq!(table.headers, ["資産名", "分類", "備考"]);
    assert_eq!(
        lines_and_cells(&table),
        [
            (2, strings(&["庁内ＬＡＮ", "機密性２", "①～⑩ ﾊﾝｶｸ"])),
            (3, strings(&["表計算", "機密性1", "～\\"])),
        ]
    );
}

#[test]
fn utf8_without_bom_and_plain_line_ends() {
    let table = read("名称,数\n機器,5\n\n端末,2.5\n".as_bytes(), 10).unwrap();
    assert_eq!(table.headers, ["名称", "数"]);
    assert_eq!(
        lines_and_cells(&table),
        [(2, strings(&["機器", "5"])), (4, strings(&["端末", "2.5"]))]
    );
    // Old Mac line ends and a DOS end-of-file marker.
    let table = read(b"a,b\r1,2\r\r3,4\r\x1A", 10).unwrap();
    assert_eq!(
        lines_and_cells(&table),
        [(2, strings(&["1", "2"])), (4, strings(&["3", "4"]))]
    );
}

#[test]
fn excel_unicode_text_is_tab_separated_utf16le() {
    let text = "資産名\t備考\r\n庁内LAN\t\"改行\r\nあり\"\r\nﾌｧｲﾙ\t, を含む\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let table = read(&bytes, 10).unwrap();
    assert_eq!(table.headers, ["資産名", "備考"]);
    assert_eq!(
        lines_and_cells(&table),
        [
            (2, strings(&["庁内LAN", "改行\r\nあり"])),
            (4, strings(&["ﾌｧｲﾙ", ", を含む"])),
        ]
    );

    let mut be = vec![0xFE, 0xFF];
    be.extend("a,b\n1,2\n".encode_utf16().flat_map(u16::to_be_bytes));
    assert_eq!(read(&be, 10).unwrap().rows[0].cells, ["1", "2"]);
    // An odd byte count cannot be UTF-16.
    assert_eq!(
        key(read(&bytes[..bytes.len() - 1], 10)),
        "sheet.error.encoding"
    );
}

#[test]
fn tabs_only_decide_when_the_header_has_no_commas() {
    let t = read("a\tb\n1\t2\n".as_bytes(), 10).unwrap();
    assert_eq!(t.headers, ["a", "b"]);
    let t = read("a,b\tc\n1,2\n".as_bytes(), 10).unwrap();
    assert_eq!(t.headers, ["a", "b\tc"]);
}

#[test]
fn excel_padding_short_rows_and_long_rows() {
    let t = read(b"a,b,,\r\n1,,,\r\n,,,\r\n1,2,3,\r\n", 10).unwrap();
    assert_eq!(t.headers, ["a", "b"]);
    assert_eq!(
        lines_and_cells(&t),
        [(2, strings(&["1", ""])), (4, strings(&["1", "2", "3"]))]
    );
    // Cells are kept as written: no trimming.
    assert_eq!(read(b"a\n x \n", 10).unwrap().rows[0].cells, [" x "]);
}

#[test]
fn malformed_text_is_refused() {
    let e = read("名称,備考\n機器,\"閉じていない\n次の行\n".as_bytes(), 10).unwrap_err();
    assert!(matches!(e, SheetError::Csv { line: 2, .. }), "{e}");
    assert_eq!(e.params(), [("line", "2".to_string())]);

    // 0x82 0x20 is neither UTF-8 nor a Shift_JIS character.
    assert_eq!(key(read(b"a,b\n\x82\x20,1\n", 10)), "sheet.error.encoding");
    // A BOM promises UTF-8.
    let (sjis, _, _) = SHIFT_JIS.encode("名称\n");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&sjis);
    assert_eq!(key(read(&bom, 10)), "sheet.error.encoding");

    assert_eq!(key(read(b"", 10)), "sheet.error.empty");
    assert_eq!(
        key(read(b"\xEF\xBB\xBF\r\n,,\r\n", 10)),
        "sheet.error.empty"
    );
}

#[test]
fn binary_files_are_not_spreadsheets() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    assert_eq!(key(read(png, 10)), "sheet.error.not_a_spreadsheet");
    assert_eq!(key(read(&png[..8], 10)), "sheet.error.not_a_spreadsheet");

    let mut seed = 0x9e37_79b9_u32;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            (seed >> 24) as u8
        })
        .collect();
    assert_eq!(key(read(&random, 10)), "sheet.error.not_a_spreadsheet");
    assert_eq!(
        key(read(b"PK\x05\x06\0\0", 10)),
        "sheet.error.not_a_spreadsheet"
    );

    let mut xls = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    xls.resize(512, 0);
    assert_eq!(key(read(&xls, 10)), "sheet.error.xls");
    xls.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(key(read(&xls, 10)), "sheet.error.encrypted");
}

#[test]
fn limits() {
    let body = |n: usize| {
        let mut s = "番号\n".to_string();
        for i in 0..n {
            s += &format!("{i}\n");
        }
        s
    };
    assert_eq!(read(body(3).as_bytes(), 3).unwrap().rows.len(), 3);
    let e = read(body(4).as_bytes(), 3).unwrap_err();
    assert_eq!(
        (e.message_key(), e.params()),
        ("sheet.error.too_many_rows", vec![("max", "3".into())])
    );

    let wide = format!("{}\n", vec!["h"; 201].join(","));
    let e = read(wide.as_bytes(), 3).unwrap_err();
    assert!(matches!(
        e,
        SheetError::TooManyColumns { max: 200, line: 1 }
    ));
    let ok = format!("{}\n", vec!["h"; 200].join(","));
    assert_eq!(read(ok.as_bytes(), 3).unwrap().headers.len(), 200);

    let long = format!("a,b\n1,{}\n", "字".repeat(100_001));
    let e = read(long.as_bytes(), 3).unwrap_err();
    assert!(matches!(
        e,
        SheetError::CellTooLong {
            max: 100_000,
            line: 2,
            column: 2
        }
    ));
}

#[test]
fn hostile_rows_are_refused_as_they_are_read() {
    // A million columns: refused at the 201st, on the right line.
    let wide = format!("a,b\r\n\r\n{}\r\n", "x,".repeat(1_000_000));
    let e = read(wide.as_bytes(), 10).unwrap_err();
    assert!(
        matches!(e, SheetError::TooManyColumns { max: 200, line: 3 }),
        "{e}"
    );
    // Excel's padding of a row with empty cells is not a column count.
    let padded = format!("a,b{}\r\n1,2\r\n", ",".repeat(1_000_000));
    assert_eq!(read(padded.as_bytes(), 10).unwrap().headers, ["a", "b"]);

    // A long cell in Shift_JIS, decoded piece by piece, is refused where it is.
    let text = format!("名称,備考\r\n庁内LAN,{}\r\n", "漢".repeat(200_000));
    let (sjis, _, _) = SHIFT_JIS.encode(&text);
    let e = read(&sjis, 10).unwrap_err();
    assert!(
        matches!(
            e,
            SheetError::CellTooLong {
                line: 2,
                column: 2,
                ..
            }
        ),
        "{e}"
    );

    // Many small cells: refused when the table outgrows its memory limit.
    let row = format!("{}\r\n", ["abcdefghijklmnopqrst"; 10].join(","));
    let big = row.repeat(200_000);
    assert_eq!(
        key(read(big.as_bytes(), 1_000_000)),
        "sheet.error.table_too_large"
    );
}

#[test]
fn a_register_as_large_as_an_import_may_be_is_read_whole() {
    // 100,000 rows of 30 columns in just under the import's 20 MiB: the table read from it
    // stays inside its memory limit, whose bound is for files that repeat, not for these.
    let headers: Vec<String> = (1..=30).map(|c| format!("項目{c}")).collect();
    let rows = (0..100_000).map(|r| {
        (0..30)
            .map(|c| match c {
                0 => format!("{r:06}"),
                1 => format!("資産{r}"),
                c if c % 2 == 0 => "機密性2".to_owned(),
                _ => "B".to_owned(),
            })
            .collect::<Vec<_>>()
    });
    let csv = write_csv(&headers, rows);
    assert!((19 << 20..20 << 20).contains(&csv.len()), "{}", csv.len());
    let table = read(&csv, 100_000).unwrap();
    assert_eq!(table.rows.len(), 100_000);
    assert_eq!(table.rows[99_999].cells.get(1), Some("資産99999"));
    assert_eq!(table.rows[99_999].line, 100_001);
}
