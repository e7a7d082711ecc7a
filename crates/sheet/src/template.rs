//! A blank register to fill in: the header row, one example row, drop-down lists on the
//! coded columns, and a second sheet that explains each column. Small by nature, so it
//! is written in memory (no constant-memory mode, which data validation does not need).

use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Format, Workbook};

use crate::SheetError;
use crate::xlsx::{MAX_COLUMN_WIDTH, valid_sheet_name, write_error, write_row};

/// Rows below the header that carry the drop-down lists: more than any register holds
/// in one go, few enough that the file stays small.
pub const TEMPLATE_ROWS: u32 = 10_000;

/// The values offered for one column.
#[derive(Debug, Clone)]
pub struct Choices {
    /// 0-based column index.
    pub column: usize,
    pub values: Vec<String>,
}

/// What a template holds. Texts come in the caller's language.
#[derive(Debug, Clone)]
pub struct Template {
    pub sheet_name: String,
    pub headers: Vec<String>,
    pub example: Vec<String>,
    pub lists: Vec<Choices>,
    /// Shown by Excel when a value is not in the list. The lists only warn: the import
    /// reads more words than a list can offer (紙媒体, 機密性2 …).
    pub list_warning_title: String,
    pub list_warning: String,
    pub guide_name: String,
    pub guide_headers: Vec<String>,
    pub guide_rows: Vec<Vec<String>>,
}

/// Writes the template as .xlsx: the register sheet first (what the import reads), the
/// guide second.
pub fn write_template_xlsx(template: &Template) -> Result<Vec<u8>, SheetError> {
    let mut workbook = Workbook::new();
    let bold = [
        Format::new().set_bold(),
        Format::new().set_bold().set_text_wrap(),
    ];
    let plain = [Format::new(), Format::new().set_text_wrap()];

    let sheet = workbook.add_worksheet();
    sheet
        .set_name(valid_sheet_name(&template.sheet_name))
        .map_err(write_error)?;
    let mut widths = Vec::new();
    write_row(sheet, 0, &template.headers, &bold, &mut widths)?;
    write_row(sheet, 1, &template.example, &plain, &mut widths)?;
    for choices in &template.lists {
        let column = u16::try_from(choices.column)
            .map_err(|_| SheetError::Write("column out of range".into()))?;
        let validation = DataValidation::new()
            .allow_list_strings(&choices.values)
            .map_err(write_error)?
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title(template.list_warning_title.as_str())
            .map_err(write_error)?
            .set_error_message(template.list_warning.as_str())
            .map_err(write_error)?;
        sheet
            .add_data_validation(1, column, TEMPLATE_ROWS, column, &validation)
            .map_err(write_error)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(write_error)?;
    set_widths(sheet, widths)?;

    let guide = workbook.add_worksheet();
    guide
        .set_name(valid_sheet_name(&template.guide_name))
        .map_err(write_error)?;
    let mut widths = Vec::new();
    write_row(guide, 0, &template.guide_headers, &bold, &mut widths)?;
    for (i, row) in template.guide_rows.iter().enumerate() {
        write_row(guide, i + 1, row, &plain, &mut widths)?;
    }
    guide.set_freeze_panes(1, 0).map_err(write_error)?;
    set_widths(guide, widths)?;
    workbook.save_to_buffer().map_err(write_error)
}

fn set_widths(
    sheet: &mut rust_xlsxwriter::Worksheet,
    widths: Vec<usize>,
) -> Result<(), SheetError> {
    for (col, width) in widths.into_iter().enumerate() {
        let width = (width + 2).clamp(8, MAX_COLUMN_WIDTH);
        sheet
            .set_column_width(col as u16, width as f64)
            .map_err(write_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    fn template() -> Template {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Template {
            sheet_name: "情報資産台帳".into(),
            headers: s(&["資産名", "分類", "機密性"]),
            example: s(&["議会だより原稿", "イ", "2"]),
            lists: vec![
                Choices {
                    column: 1,
                    values: s(&["ア", "イ", "ウ"]),
                },
                Choices {
                    column: 2,
                    values: s(&["3A", "3B", "3C", "2", "1"]),
                },
            ],
            list_warning_title: "一覧にない値".into(),
            list_warning: "取込時に確認されます。".into(),
            guide_name: "記入方法".into(),
            guide_headers: s(&["列", "意味"]),
            guide_rows: vec![s(&["資産名", "情報資産の名前"])],
        }
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn the_register_sheet_reads_back_and_carries_the_lists() {
        let bytes = write_template_xlsx(&template()).unwrap();
        let table = crate::read(&bytes, 10).unwrap();
        assert_eq!(table.headers, ["資産名", "分類", "機密性"]);
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].cells, ["議会だより原稿", "イ", "2"]);
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains(r#"<dataValidations count="2">"#), "{sheet}");
        assert!(sheet.contains("<formula1>\"ア,イ,ウ\"</formula1>"));
        assert!(sheet.contains("<formula1>\"3A,3B,3C,2,1\"</formula1>"));
        assert!(sheet.contains(r#"sqref="B2:B10001""#));
        assert!(sheet.contains(r#"errorStyle="warning""#));
        let guide = part(&bytes, "xl/worksheets/sheet2.xml");
        assert!(!guide.contains("dataValidation"));
        let workbook = part(&bytes, "xl/workbook.xml");
        assert!(workbook.contains("記入方法"));
    }

    #[test]
    fn a_list_longer_than_excel_takes_is_an_error_not_a_broken_file() {
        let mut t = template();
        t.lists[0].values = vec!["あ".repeat(100); 3];
        assert!(matches!(write_template_xlsx(&t), Err(SheetError::Write(_))));
    }
}
