//! Reading regulation documents: a Word .docx with Word's own numbering, a page saved
//! from a 例規集 system in Shift_JIS, and hostile files that must stay bounded.

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use mamori_sheet::SheetError;
use mamori_sheet::document::{DocumentFormat, detect, docx_text, html_text};
use zip::write::SimpleFileOptions;

fn data(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

/// A zip of the named parts, deflated.
fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        out.start_file(*name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The test .docx: the three parts under tests/data/policy_docx.
fn regulation_docx() -> Vec<u8> {
    let part = |name: &str| std::fs::read(data(&format!("policy_docx/{name}"))).unwrap();
    zip_of(&[
        ("[Content_Types].xml", part("[Content_Types].xml")),
        ("word/document.xml", part("word/document.xml")),
        ("word/numbering.xml", part("word/numbering.xml")),
    ])
}

#[test]
fn docx_paragraphs_with_the_numbers_word_generates() {
    let bytes = regulation_docx();
    assert_eq!(detect(&bytes), DocumentFormat::Docx);
    let text = docx_text(&bytes).unwrap();
    let expected = "\
○大川町議会タブレット端末管理要綱
令和7年3月1日\u{3000}議長決裁

（目的）
第１条\u{3000}この要綱は、議員に貸与するタブレット端末の管理について定める。
（定義）
第２条\u{3000}この要綱において、次の各号に掲げる用語の意義は、当該各号に定めるところによる。
（１）\u{3000}端末　議会が貸与するタブレット端末をいう。
（２）\u{3000}情報資産　端末で取り扱う情報をいう。次に掲げるものを含む。
ア\u{3000}会議資料
イ\u{3000}議員間の連絡&通知。
（管理）
第３条\u{3000}議員は、端末を善良な管理者の注意をもって管理しなければならない。
2　議員は、端末を紛失したときは、直ちに議長に届け出なければならない。

附　則
１\u{3000}この要綱は、令和7年4月1日から施行する。
２\u{3000}この要綱の施行の際現に貸与している端末は、この要綱により貸与したものとみなす。
附　則（令和8年3月18日議長決裁）
１\u{3000}この要綱は、令和8年4月1日から施行する。
";
    assert_eq!(text, expected);
}

#[test]
fn a_zip_without_a_document_is_not_a_word_file() {
    let other = zip_of(&[("readme.txt", b"hello".to_vec())]);
    assert!(matches!(docx_text(&other), Err(SheetError::NotADocument)));
    let truncated = &regulation_docx()[..200];
    assert!(matches!(
        docx_text(truncated),
        Err(SheetError::BrokenDocument(_))
    ));
    let empty = zip_of(&[(
        "word/document.xml",
        br#"<w:document xmlns:w="x"><w:body><w:p/></w:body></w:document>"#.to_vec(),
    )]);
    assert!(matches!(docx_text(&empty), Err(SheetError::Empty)));
}

#[test]
fn a_hostile_docx_stays_bounded() {
    // 40 MiB of one paragraph deflate to a few dozen KiB: inflating stops at the first
    // run of text longer than any cell may be, instead of filling memory.
    let mut xml = b"<w:document xmlns:w=\"x\"><w:body><w:p><w:r><w:t>".to_vec();
    xml.resize(xml.len() + 40 * 1024 * 1024, b'a');
    xml.extend_from_slice(b"</w:t></w:r></w:p></w:body></w:document>");
    let bomb = zip_of(&[("word/document.xml", xml)]);
    assert!(
        bomb.len() < 1024 * 1024,
        "compressed to {} bytes",
        bomb.len()
    );
    let started = Instant::now();
    assert!(matches!(
        docx_text(&bomb),
        Err(SheetError::TextTooLong { max: 100_000 })
    ));
    assert!(started.elapsed() < Duration::from_secs(20));

    // The same in many short paragraphs: the text kept stops at its limit.
    let mut xml = b"<w:document xmlns:w=\"x\"><w:body>".to_vec();
    for _ in 0..200_000 {
        xml.extend_from_slice(b"<w:p><w:r><w:t>");
        xml.resize(xml.len() + 100, b'a');
        xml.extend_from_slice(b"</w:t></w:r></w:p>");
    }
    xml.extend_from_slice(b"</w:body></w:document>");
    let many = zip_of(&[("word/document.xml", xml)]);
    assert!(matches!(docx_text(&many), Err(SheetError::TooLarge { .. })));

    // Elements nested a million deep are refused at the depth limit.
    let mut xml = b"<w:document xmlns:w=\"x\"><w:body>".to_vec();
    for _ in 0..1_000_000 {
        xml.extend_from_slice(b"<w:p>");
    }
    let nested = zip_of(&[("word/document.xml", xml)]);
    assert!(matches!(
        docx_text(&nested),
        Err(SheetError::BrokenDocument(detail)) if detail.contains("nested")
    ));

    // A directory that declares more than the limit is refused before inflating.
    let mut lying = zip_of(&[("word/document.xml", b"<w:document/>".to_vec())]);
    let central = lying
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central directory");
    lying[central + 24..central + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    assert!(matches!(
        docx_text(&lying),
        Err(SheetError::TooLarge { max_mib: 256 })
    ));
}

#[test]
fn html_page_in_shift_jis_gives_the_regulation_body_only() {
    let bytes = std::fs::read(data("reiki_page.html")).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the page is Shift_JIS"
    );
    assert_eq!(detect(&bytes), DocumentFormat::Html);
    let text = html_text(&bytes).unwrap();
    let expected = "\
○大川町議会情報公開規程
令和6年12月20日議会訓令第2号
目次
第1章　総則（第1条・第2条）
第2章　公開の手続（第3条―第5条）
附則
第1章　総則
（目的）
第1条　この規程は、議会の保有する情報の公開に関し必要な事項を定める。
（定義）
第2条　この規程において「情報」とは、議会事務局の職員が職務上作成し、又は取得した文書等をいう。
第2章　公開の手続
第3条　何人も、議長に対し、情報の公開を請求することができる。
第4条　議長は、次に掲げる情報を除き、公開しなければならない。
(1) 個人に関する情報
(2) 法令の規定により公開できない情報&これに準ずる情報
第5条　公開の方法は、閲覧又は写しの交付とする。
2　写しの交付に要する費用は、請求者の負担とする。
附　則
この規程は、令和7年4月1日から施行する。
";
    assert_eq!(text, expected);
}

#[test]
fn html_encodings_by_bom_meta_or_content() {
    let page =
        "<html><body><p>第1条　本文&#12288;です。</p><p>&unknown; &lt;x&gt;</p></body></html>";
    assert_eq!(
        html_text(page.as_bytes()).unwrap(),
        "第1条　本文\u{3000}です。\n&unknown; <x>\n"
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(page.as_bytes());
    assert_eq!(detect(&bom), DocumentFormat::Html);
    assert!(html_text(&bom).unwrap().starts_with("第1条"));
    // No declaration, not UTF-8: Shift_JIS.
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(page);
    assert!(html_text(&sjis).unwrap().starts_with("第1条　本文"));
    // A text file is not a page.
    assert_eq!(detect("第1条 本文".as_bytes()), DocumentFormat::Text);
    assert_eq!(
        detect(b"<?xml version=\"1.0\"?>\n<html><body>x</body></html>"),
        DocumentFormat::Html
    );
}

#[test]
fn a_hostile_page_stays_bounded() {
    // Many unclosed scripts and nested chrome: one pass over the page.
    let mut page = String::from("<html><body>");
    for _ in 0..50_000 {
        page.push_str("<script>x<y</script><div class=\"side\"><div>");
    }
    page.push_str("<p>第1条 本文</p>");
    let started = Instant::now();
    let read = html_text(page.as_bytes());
    assert!(started.elapsed() < Duration::from_secs(10));
    // The unclosed side bars swallow the rest: nothing of the body is invented.
    assert!(matches!(read, Err(SheetError::Empty)));
}
