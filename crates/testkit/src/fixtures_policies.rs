//! Policy fixtures: the seed text (佐久市議会情報セキュリティ基本方針), a member holding
//! the CISO post, an imported draft, and a published version — built through the API,
//! as a script would.

use mamori_domain::user::{OrgRole, Role};
use serde_json::{Value, json};

use crate::{TestServer, Web};

/// Where the seed policy lives: `shared/seeds/` beside the workspace (found from any
/// checkout nested below it, a worktree included).
pub fn seed_path() -> std::path::PathBuf {
    let file = "shared/seeds/000_eb89c773407ffd89.txt";
    let root = crate::workspace_root();
    root.ancestors()
        .skip(1)
        .map(|dir| dir.join(file))
        .find(|path| path.exists())
        .unwrap_or_else(|| root.join("..").join(file))
}

/// A test file under `crates/sheet/tests/data/`.
fn sheet_data(path: &str) -> std::path::PathBuf {
    crate::workspace_root()
        .join("crates/sheet/tests/data")
        .join(path)
}

/// A regulation typed in Word with automatic numbering (第１条, （１）, ア, 附則 １ …):
/// the parts under `crates/sheet/tests/data/policy_docx/`, zipped as a .docx.
pub fn regulation_docx() -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for name in [
        "[Content_Types].xml",
        "word/document.xml",
        "word/numbering.xml",
    ] {
        let part = std::fs::read(sheet_data(&format!("policy_docx/{name}"))).expect("docx part");
        out.start_file(name, options).expect("zip entry");
        out.write_all(&part).expect("zip write");
    }
    out.finish().expect("zip").into_inner()
}

/// A page saved from a 例規集 system, in Shift_JIS, with navigation, a side menu and a
/// script around the regulation.
pub fn reiki_page() -> Vec<u8> {
    std::fs::read(sheet_data("reiki_page.html")).expect("the saved page")
}

/// How many policy documents are stored.
pub async fn documents_count(server: &TestServer) -> usize {
    mamori_store::policies::documents(&server.store)
        .await
        .expect("documents")
        .len()
}

/// The seed policy's text.
pub fn seed() -> String {
    std::fs::read_to_string(seed_path()).expect("the seed policy")
}

/// Gives user `id` organisational posts (CISO, 統括情報セキュリティ責任者…).
pub async fn give_posts(server: &TestServer, id: i64, posts: &[OrgRole]) {
    let mut tx = server
        .store
        .write(mamori_store::Actor::system("test"))
        .await
        .expect("write");
    mamori_store::users::set_org_roles(&mut tx, id, posts)
        .await
        .expect("posts");
    tx.commit().await.expect("commit");
}

/// A member holding the CISO post (who approves policies), signed in.
pub async fn ciso<'a>(server: &'a TestServer, login: &str) -> (i64, Web<'a>) {
    let (id, web) = server.web_as(login, Role::User).await;
    give_posts(server, id, &[OrgRole::Ciso]).await;
    (id, web)
}

/// A stored version: its document and version ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub document: i64,
    pub version: i64,
    /// The content hash an acknowledgement names.
    pub hash: String,
}

impl Stored {
    /// `/policies/{document}/versions/{version}`
    pub fn page(&self) -> String {
        format!("/policies/{}/versions/{}", self.document, self.version)
    }

    /// `/api/v1/policies/{document}/versions/{version}`
    pub fn api(&self) -> String {
        format!("/api/v1{}", self.page())
    }
}

/// Imports `text` as a draft through the API, as `editor` (a security officer).
pub async fn import_text(editor: &Web<'_>, text: &str, document: Option<i64>) -> Stored {
    import_as(editor, "basic_policy", text, document).await
}

/// Imports `text` as a draft of a document of `kind` through the API, as `editor`.
pub async fn import_as(editor: &Web<'_>, kind: &str, text: &str, document: Option<i64>) -> Stored {
    let mut body = json!({"kind": kind, "text": text});
    if let Some(document) = document {
        body["document_id"] = json!(document);
    }
    let response = editor.post_json("/api/v1/policies/import", &body).await;
    assert_eq!(response.status().as_u16(), 201, "import");
    let out: Value = response.json().await.expect("import body");
    let (document, version) = (
        out["document_id"].as_i64().expect("document_id"),
        out["version_id"].as_i64().expect("version_id"),
    );
    let detail = editor
        .json(&format!("/api/v1/policies/{document}/versions/{version}"))
        .await;
    Stored {
        document,
        version,
        hash: detail["version"]["content_hash"]
            .as_str()
            .expect("hash")
            .to_owned(),
    }
}

/// The seed imported as a draft by `editor`.
pub async fn imported_seed(editor: &Web<'_>) -> Stored {
    import_text(editor, &seed(), None).await
}

/// Approves (決裁) and publishes `stored`: `approver` holds an approving post.
pub async fn approve_and_publish(editor: &Web<'_>, approver: &Web<'_>, stored: &Stored) {
    let approved = approver
        .post_json(
            &format!("{}/approve", stored.api()),
            &json!({"approved_on": "令和8年3月18日"}),
        )
        .await;
    assert_eq!(approved.status().as_u16(), 200, "approve");
    let published = editor
        .post_json(&format!("{}/publish", stored.api()), &json!({}))
        .await;
    assert_eq!(published.status().as_u16(), 200, "publish");
}

/// The seed imported by a new security officer `officer`, approved by a new CISO `gicho`
/// and published: the version every user is asked to acknowledge.
pub async fn published_seed(server: &TestServer) -> Stored {
    let (_, officer) = server.web_as("officer", Role::SecurityOfficer).await;
    let (_, gicho) = ciso(server, "gicho").await;
    let stored = imported_seed(&officer).await;
    approve_and_publish(&officer, &gicho, &stored).await;
    stored
}

/// A pledge (誓約書) as an assembly might word it.
pub const PLEDGE_TEXT: &str = "情報セキュリティに関する誓約書

1 私は、議会の情報セキュリティ基本方針及び対策基準を遵守します。
2 職務上知り得た情報を、許可なく外部に持ち出し、又は漏らしません。
3 情報セキュリティに関する事故を知ったときは、直ちに報告します。
";

/// [`PLEDGE_TEXT`] imported as a pledge by `editor`, approved by `approver` (who holds
/// an approving post) and published: the version users are asked to sign.
pub async fn published_pledge(editor: &Web<'_>, approver: &Web<'_>) -> Stored {
    let stored = import_as(editor, "pledge", PLEDGE_TEXT, None).await;
    approve_and_publish(editor, approver, &stored).await;
    stored
}

/// The text of an emergency response plan (緊急時対応計画); its scenarios are the
/// presets a new plan starts with.
pub const RESPONSE_PLAN_TEXT: &str = "○○市議会緊急時対応計画

第1条 この計画は、情報セキュリティ基本方針第6条第7号に基づき、緊急時の対応を定める。
第2条 緊急時には、別に定めるシナリオごとの対応手順に従い、直ちに連絡する。
";

/// [`RESPONSE_PLAN_TEXT`] imported as a response plan by `editor`: a draft with one
/// scenario per family of clause 3.
pub async fn draft_response_plan(editor: &Web<'_>) -> Stored {
    import_as(editor, "response_plan", RESPONSE_PLAN_TEXT, None).await
}

/// [`RESPONSE_PLAN_TEXT`] imported by `editor`, approved by `approver` and published.
pub async fn published_response_plan(editor: &Web<'_>, approver: &Web<'_>) -> Stored {
    let stored = draft_response_plan(editor).await;
    approve_and_publish(editor, approver, &stored).await;
    stored
}
