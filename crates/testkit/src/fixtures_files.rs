//! Fixtures of the file store: small real documents written here (a one-page PDF, a
//! CSV in Shift_JIS), and the audit entries of an action against a record.

use crate::TestServer;

/// A one-page PDF whose page shows `text` (ASCII), with a correct cross-reference
/// table, as a scanner or a word processor would write it.
pub fn pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A CSV as Excel on Japanese Windows saves it (Shift_JIS): 「研修名,受講日」 and one row
/// 「情報セキュリティ研修,2026-06-01」.
pub fn shift_jis_csv() -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"\x8c\xa4\x8f\x43\x96\xbc,\x8e\xf3\x8d\x75\x93\xfa\r\n");
    out.extend_from_slice(
        b"\x8f\xee\x95\xf1\x83\x5a\x83\x4c\x83\x85\x83\x8a\x83\x65\x83\x42\x8c\xa4\x8f\x43,2026-06-01\r\n",
    );
    out
}

/// The audit entries of `action` against record `target_type` `target_id`, oldest
/// first, as their `changes` JSON.
pub async fn audit_changes(
    server: &TestServer,
    action: &str,
    target_type: &str,
    target_id: i64,
) -> Vec<serde_json::Value> {
    let filter = mamori_store::audit::AuditFilter {
        action: Some(action.to_owned()),
        target_type: Some(target_type.to_owned()),
        target_id: Some(target_id.to_string()),
        ..Default::default()
    };
    let (mut records, _) = mamori_store::audit::search(&server.store, &filter, 1000, 0)
        .await
        .expect("audit search");
    records.reverse();
    records
        .into_iter()
        .map(|r| serde_json::from_str(&r.changes).expect("changes are JSON"))
        .collect()
}
