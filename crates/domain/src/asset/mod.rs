//! Information assets (clauses 2(3), 4(2) and 6(2)): what an asset is, which values its
//! fields take, and the one check that the form, the API and a spreadsheet import all
//! go through. Values are read the way registers write them (ア/イ/ウ, 紙/電子/両方,
//! 議員/議会事務局, 永年, 5年, 任期中 …) as well as by their codes.

pub use crate::field::FieldProblem;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::classification::{Axis, Scheme};
use crate::search::normalise;
use crate::text::{TextProblem, single_line};
use crate::user::OrgRole;

/// Declares an enum of codes with the words registers use for each value.
macro_rules! coded {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal [$($alias:literal),*]),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Reads the code or any word a register uses for the value.
            pub fn parse(input: &str) -> Option<$name> {
                // Stored records hold the code itself: read it without normalising
                // every alias (that was a tenth of the server's time under load).
                match input {
                    $($code => return Some($name::$variant),)+
                    _ => {}
                }
                let wanted = normalise(input);
                $(
                    if wanted == $code $(|| wanted == normalise($alias))* {
                        return Some($name::$variant);
                    }
                )+
                None
            }
        }
    };
}

coded! {
    /// Clause 4(2): ア networks, systems, facilities and media; イ information,
    /// printouts included; ウ system documents.
    Category {
        Infrastructure = "infrastructure" ["ア", "(ア)", "ネットワーク", "ネットワーク、情報システム等"],
        Information = "information" ["イ", "(イ)", "情報", "情報資産"],
        SystemDocument = "system_document" ["ウ", "(ウ)", "システム関連文書", "設計書"]
    }
}

coded! {
    Form {
        Electronic = "electronic" ["電子", "電磁的記録", "データ", "electronic"],
        Paper = "paper" ["紙", "紙媒体", "書面"],
        Both = "both" ["両方", "電子・紙", "紙・電子", "紙及び電子"]
    }
}

coded! {
    HolderType {
        Member = "member" ["議員"],
        Secretariat = "secretariat" ["議会事務局", "事務局", "職員", "議会事務局職員"]
    }
}

coded! {
    /// Clause 6(3): the three segments of the strengthened network, or none.
    Segment {
        Core = "core" ["基幹系", "個人番号利用事務系", "マイナンバー利用事務系"],
        Lgwan = "lgwan" ["lgwan接続系", "lgwan系", "lgwan"],
        Internet = "internet" ["インターネット接続系", "インターネット系", "インターネット"],
        None = "none" ["なし", "無し", "該当なし", "-", "ー"]
    }
}

coded! {
    /// Withdrawn (取消): registered by mistake; kept for the audit trail, gone from lists.
    Status {
        InUse = "in_use" ["使用中", "利用中", "運用中", "現用"],
        Archived = "archived" ["保存", "保管", "保存中", "非現用"],
        Disposed = "disposed" ["廃棄", "廃棄済", "廃棄済み"],
        Withdrawn = "withdrawn" ["取消", "取消済み", "取り消し"]
    }
}

coded! {
    /// Clause 2(3) proviso: publicly sold publications are not information assets.
    Publication {
        Gazette = "gazette" ["官報"],
        WhitePaper = "white_paper" ["白書"],
        Newspaper = "newspaper" ["新聞", "新聞紙"],
        Magazine = "magazine" ["雑誌"],
        Book = "book" ["書籍", "図書", "本"]
    }
}

mod retention;
pub use retention::{MAX_RETENTION, NoProposal, Retention, RetentionReading, fiscal_year};

pub const MAX_NAME: usize = 200;
pub const MAX_LONG_TEXT: usize = 10_000;
pub const MAX_LOCATION: usize = 200;
pub const MAX_TAG: usize = 40;
pub const MAX_TAGS: usize = 20;
pub const MAX_CLAUSE_REFS: usize = 20;

/// An asset as typed: every field text, as a form, a JSON body or a spreadsheet row
/// gives it. `check` turns it into an [`Asset`] or says what is wrong with each field.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AssetInput {
    pub name: String,
    pub description: String,
    pub category: String,
    pub form: String,
    pub holder_type: String,
    /// A user: their id, login id or display name. Optional.
    pub holder: String,
    pub managing_role: String,
    pub location: String,
    pub segment: String,
    pub confidentiality: String,
    pub integrity: String,
    pub availability: String,
    pub retention: String,
    /// ISO or 和暦.
    pub disposal_due: String,
    pub status: String,
    /// Separated by commas (、，,) or new lines.
    pub tags: String,
    pub notes: String,
    /// Clause references such as "6(2)", separated like tags.
    pub clauses: String,
    /// 個人情報の有無: `yes` / `no` or the words registers use (あり・なし, 有・無, ○・×);
    /// empty is no.
    pub personal_info: String,
    /// The clause 2(3) question: empty or "no" when the item is not a publicly sold
    /// publication, otherwise its kind.
    pub publication: String,
}

/// A checked asset, ready to store. Levels are ids of the active scheme's levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    pub name: String,
    pub description: String,
    pub category: Category,
    pub form: Form,
    pub holder_type: HolderType,
    pub holder_id: Option<i64>,
    pub managing_role: Option<OrgRole>,
    pub location: String,
    pub segment: Segment,
    pub confidentiality: i64,
    pub integrity: i64,
    pub availability: i64,
    pub retention: Option<Retention>,
    pub disposal_due: Option<Date>,
    pub status: Status,
    pub tags: Vec<String>,
    pub notes: String,
    pub clauses: Vec<String>,
    /// 個人情報の有無: opening such an asset is recorded (who viewed what).
    #[serde(default)]
    pub holds_personal_info: bool,
}

/// The fields of an asset in the order forms and spreadsheets show them.
pub const FIELDS: [&str; 20] = [
    "name",
    "description",
    "category",
    "form",
    "holder_type",
    "holder",
    "managing_role",
    "location",
    "segment",
    "confidentiality",
    "integrity",
    "availability",
    "retention",
    "disposal_due",
    "status",
    "tags",
    "notes",
    "clauses",
    "personal_info",
    "publication",
];

/// Spreadsheet headers recognised for each field, beside the field's own name.
/// "number" is not an asset field: it names the column of asset numbers, which the
/// import reads on its own.
const HEADERS: [(&str, &[&str]); 21] = [
    (
        "number",
        &[
            "資産番号",
            "資産id",
            "資産no",
            "管理番号",
            "管理no",
            "no",
            "no.",
            "番号",
            "id",
            "number",
            "asset number",
            "asset no.",
            "asset no",
        ],
    ),
    // Not an asset field either: why a row's classification changes (an import's update).
    (
        "reason",
        &["変更理由", "change reason", "reason for change"],
    ),
    (
        "name",
        &[
            "資産名",
            "情報資産名",
            "名称",
            "資産の名称",
            "情報資産の名称",
            "name",
        ],
    ),
    ("description", &["説明", "内容", "概要", "description"]),
    (
        "category",
        &[
            "分類",
            "区分",
            "資産区分",
            "資産分類",
            "種別",
            "資産の種類",
            "資産種別",
            "資産の種別",
            "asset type",
            "category",
        ],
    ),
    ("form", &["形態", "媒体", "記録媒体", "媒体の種類", "form"]),
    ("holder_type", &["保有者区分", "保有区分", "holder type"]),
    (
        "holder",
        &[
            "保有者",
            "管理者",
            "所有者",
            "担当者",
            "保有者名",
            "管理者名",
            "holder",
        ],
    ),
    (
        "managing_role",
        &["管理責任者", "管理する役割", "managing role"],
    ),
    (
        "location",
        &[
            "保管場所",
            "保存場所",
            "設置場所",
            "所在",
            "所在地",
            "場所",
            "保管先",
            "location",
        ],
    ),
    (
        "segment",
        &[
            "ネットワーク",
            "セグメント",
            "系",
            "ネットワーク区分",
            "network segment",
            "segment",
        ],
    ),
    (
        "confidentiality",
        &["機密性", "機密性区分", "confidentiality"],
    ),
    ("integrity", &["完全性", "完全性区分", "integrity"]),
    ("availability", &["可用性", "可用性区分", "availability"]),
    (
        "retention",
        &[
            "保存期間",
            "保存年限",
            "保管期間",
            "保存期限",
            "retention",
            "retention period",
        ],
    ),
    (
        "disposal_due",
        &[
            "廃棄予定日",
            "廃棄日",
            "廃棄予定",
            "廃棄予定年月日",
            "disposal due",
            "disposal date",
        ],
    ),
    ("status", &["状態", "ステータス", "利用状況", "status"]),
    ("tags", &["タグ", "キーワード", "tags"]),
    (
        "notes",
        &["備考", "メモ", "摘要", "notes", "remarks", "memo"],
    ),
    (
        "clauses",
        &["関連条項", "条項", "clauses", "policy clauses"],
    ),
    (
        "personal_info",
        &[
            "個人情報",
            "個人情報の有無",
            "個人情報有無",
            "個人情報を含む",
            "個人情報の記録",
            "personal information",
            "holds personal information",
        ],
    ),
];

/// A header as compared: NFKC, lower case, without bracketed hints (「機密性（高・中・低）」,
/// 「完全性[A/B/C]」, 「備考【任意】」), marks of a required column (*, ※) and spaces.
fn header_words(header: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in normalise(header).chars() {
        match c {
            '(' | '[' | '【' | '〔' | '<' | '〈' | '《' => depth += 1,
            ')' | ']' | '】' | '〕' | '>' | '〉' | '》' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '*' | '※' | '◎' | '●' | '○' | ':' | '：' => {}
            _ if c.is_whitespace() => {}
            _ => out.push(c),
        }
    }
    out
}

/// The field a spreadsheet header names, or "number" / "reason" for the columns of asset
/// numbers and change reasons.
pub fn header_field(header: &str) -> Option<&'static str> {
    let h = header_words(header);
    if h.is_empty() {
        return None;
    }
    if let Some(field) = FIELDS.iter().find(|f| **f == h) {
        return Some(field);
    }
    HEADERS
        .iter()
        .find(|(_, names)| names.iter().any(|n| header_words(n) == h))
        .map(|(field, _)| *field)
}

/// Splits a list written with commas (ASCII, full-width, 読点) or new lines.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', '、', '，', '\n', ';', '；'])
        .map(|part| part.trim_matches(|c: char| c.is_whitespace()).to_owned())
        .filter(|part| !part.is_empty())
        .collect()
}

fn long_text(field: &'static str, text: &str, problems: &mut Vec<FieldProblem>) -> String {
    crate::text::multi_line(text, MAX_LONG_TEXT).unwrap_or_else(|problem| {
        problems.push(FieldProblem::text(field, problem));
        String::new()
    })
}

fn optional_line(
    field: &'static str,
    text: &str,
    max: usize,
    problems: &mut Vec<FieldProblem>,
) -> String {
    match single_line(text, max) {
        Ok(value) => value,
        Err(TextProblem::Empty) => String::new(),
        Err(problem) => {
            problems.push(FieldProblem::text(field, problem));
            String::new()
        }
    }
}

fn choice<T>(
    field: &'static str,
    text: &str,
    parse: impl Fn(&str) -> Option<T>,
    default: Option<T>,
    problems: &mut Vec<FieldProblem>,
) -> Option<T> {
    if text.trim().is_empty() {
        if default.is_none() {
            problems.push(FieldProblem::new(field, "field.error.required"));
        }
        return default;
    }
    let parsed = parse(text);
    if parsed.is_none() {
        problems.push(FieldProblem::new(field, "asset.error.unknown_value"));
    }
    parsed
}

/// Who an asset's holder can be, looked up by id, login id or display name.
#[derive(Debug, Default)]
pub struct Holders {
    by_word: HashMap<String, Option<i64>>,
}

impl Holders {
    /// `users` are (id, login id, display name). A display name two users share finds
    /// neither: the import must say which one by login id.
    pub fn new(users: impl IntoIterator<Item = (i64, String, String)>) -> Holders {
        let mut by_word: HashMap<String, Option<i64>> = HashMap::new();
        for (id, login, display) in users {
            by_word.insert(id.to_string(), Some(id));
            by_word.insert(normalise(&login), Some(id));
            let name = normalise(&display).replace([' ', '\u{3000}'], "");
            by_word
                .entry(name)
                .and_modify(|found| {
                    if *found != Some(id) {
                        *found = None
                    }
                })
                .or_insert(Some(id));
        }
        Holders { by_word }
    }

    fn find(&self, input: &str) -> Option<i64> {
        let word = normalise(input);
        self.by_word
            .get(&word)
            .or_else(|| self.by_word.get(&word.replace([' ', '\u{3000}'], "")))
            .copied()
            .flatten()
    }
}

impl AssetInput {
    /// Checks every field against the active scheme; all problems at once.
    pub fn check(&self, scheme: &Scheme, holders: &Holders) -> Result<Asset, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        if !self.publication.trim().is_empty() && normalise(&self.publication) != "no" {
            problems.push(FieldProblem::new(
                "publication",
                if Publication::parse(&self.publication).is_some() {
                    "asset.error.publication"
                } else {
                    "asset.error.unknown_value"
                },
            ));
        }
        let name = match single_line(&self.name, MAX_NAME) {
            Ok(name) => name,
            Err(problem) => {
                problems.push(FieldProblem::text("name", problem));
                String::new()
            }
        };
        let description = long_text("description", &self.description, &mut problems);
        let notes = long_text("notes", &self.notes, &mut problems);
        let category = choice(
            "category",
            &self.category,
            Category::parse,
            None,
            &mut problems,
        );
        let form = choice("form", &self.form, Form::parse, None, &mut problems);
        let holder_type = choice(
            "holder_type",
            &self.holder_type,
            HolderType::parse,
            None,
            &mut problems,
        );
        let holder_id = if self.holder.trim().is_empty() {
            None
        } else {
            let found = holders.find(&self.holder);
            if found.is_none() {
                problems.push(FieldProblem::new("holder", "asset.error.unknown_holder"));
            }
            found
        };
        let managing_role = if self.managing_role.trim().is_empty() {
            None
        } else {
            let role = OrgRole::parse(self.managing_role.trim());
            if role.is_none() {
                problems.push(FieldProblem::new(
                    "managing_role",
                    "asset.error.unknown_value",
                ));
            }
            role
        };
        let location = optional_line("location", &self.location, MAX_LOCATION, &mut problems);
        let segment = choice(
            "segment",
            &self.segment,
            Segment::parse,
            Some(Segment::None),
            &mut problems,
        );
        let mut level = |field: &'static str, axis: Axis, text: &str| -> i64 {
            if text.trim().is_empty() {
                problems.push(FieldProblem::new(field, "field.error.required"));
                return 0;
            }
            match scheme.find_level(axis, text) {
                Some(level) => level.id,
                None => {
                    let names: Vec<String> = scheme
                        .levels_of(axis)
                        .iter()
                        .map(|l| l.code.clone())
                        .collect();
                    problems.push(FieldProblem {
                        field,
                        key: "asset.error.unknown_level",
                        params: vec![("levels", names.join(" / "))],
                    });
                    0
                }
            }
        };
        let confidentiality = level(
            "confidentiality",
            Axis::Confidentiality,
            &self.confidentiality,
        );
        let integrity = level("integrity", Axis::Integrity, &self.integrity);
        let availability = level("availability", Axis::Availability, &self.availability);
        // Kept as written whether or not it is recognised: see `Retention`.
        let retention = Retention::new(&optional_line(
            "retention",
            &self.retention,
            MAX_RETENTION,
            &mut problems,
        ));
        let disposal_due = if self.disposal_due.trim().is_empty() {
            None
        } else {
            match crate::wareki::parse_date_input(&self.disposal_due) {
                Ok(date) => Some(date),
                Err(error) => {
                    problems.push(FieldProblem {
                        field: "disposal_due",
                        key: error.message_key(),
                        params: error.params(),
                    });
                    None
                }
            }
        };
        let status = choice(
            "status",
            &self.status,
            Status::parse,
            Some(Status::InUse),
            &mut problems,
        );
        // A withdrawal says why and is audited as such: it is its own action, never a
        // value typed into a form or a file.
        if status == Some(Status::Withdrawn) {
            problems.push(FieldProblem::new(
                "status",
                "asset.error.withdraw_by_action",
            ));
        }
        let mut tags: Vec<String> = Vec::new();
        for tag in split_list(&self.tags) {
            match single_line(&tag, MAX_TAG) {
                Ok(tag) if !tags.contains(&tag) => tags.push(tag),
                Ok(_) => {}
                Err(problem) => problems.push(FieldProblem::text("tags", problem)),
            }
        }
        if tags.len() > MAX_TAGS {
            problems.push(FieldProblem {
                field: "tags",
                key: "asset.error.too_many",
                params: vec![("max", MAX_TAGS.to_string())],
            });
        }
        let mut clauses: Vec<String> = Vec::new();
        for clause in split_list(&self.clauses) {
            let clause: String = clause
                .chars()
                .map(crate::user::fold_full_width)
                .filter(|c| !c.is_whitespace())
                .collect();
            if clause.chars().count() > 40 || clause.chars().any(char::is_control) {
                problems.push(FieldProblem::new("clauses", "asset.error.clause"));
            } else if !clauses.contains(&clause) {
                clauses.push(clause);
            }
        }
        if clauses.len() > MAX_CLAUSE_REFS {
            problems.push(FieldProblem {
                field: "clauses",
                key: "asset.error.too_many",
                params: vec![("max", MAX_CLAUSE_REFS.to_string())],
            });
        }
        let holds_personal_info = personal_info(&self.personal_info);
        if holds_personal_info.is_none() {
            problems.push(FieldProblem::new(
                "personal_info",
                "asset.error.unknown_value",
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Asset {
            holds_personal_info: holds_personal_info.unwrap_or(false),
            name,
            description,
            category: category.expect("checked above"),
            form: form.expect("checked above"),
            holder_type: holder_type.expect("checked above"),
            holder_id,
            managing_role,
            location,
            segment: segment.expect("defaulted"),
            confidentiality,
            integrity,
            availability,
            retention,
            disposal_due,
            status: status.expect("defaulted"),
            tags,
            notes,
            clauses,
        })
    }
}

/// 個人情報の有無 as typed: `Some(true)` for yes (あり, 有, 含む, ○, はい…), `Some(false)`
/// for no or nothing written, `None` for anything else (never guessed).
pub fn personal_info(text: &str) -> Option<bool> {
    let word = crate::search::normalise(text)
        .trim()
        .to_lowercase()
        .replace([' ', '\u{3000}'], "");
    match word.as_str() {
        "yes" | "y" | "true" | "1" | "あり" | "有" | "有り" | "含む" | "○" | "〇" | "◯"
        | "はい" => Some(true),
        "" | "no" | "n" | "false" | "0" | "なし" | "無" | "無し" | "含まない" | "×" | "-"
        | "ー" | "いいえ" => Some(false),
        _ => None,
    }
}

/// The rules for changing a registered asset: a disposal is made by recording it (with
/// method and witness), a disposed asset stays disposed, and a change of classification
/// says why.
pub fn check_change(before: &Asset, after: &Asset, reason: &str) -> Result<(), FieldProblem> {
    let disposed = |a: &Asset| a.status == Status::Disposed;
    if disposed(before) && !disposed(after) {
        return Err(FieldProblem::new("status", "asset.error.disposed_stays"));
    }
    if !disposed(before) && disposed(after) {
        return Err(FieldProblem::new("status", "asset.error.dispose_by_record"));
    }
    let levels = |a: &Asset| [a.confidentiality, a.integrity, a.availability];
    if levels(before) != levels(after) && reason.trim().is_empty() {
        return Err(FieldProblem::new("reason", "asset.error.reason_required"));
    }
    if reason.chars().count() > MAX_LONG_TEXT {
        return Err(FieldProblem::text(
            "reason",
            TextProblem::TooLong { max: MAX_LONG_TEXT },
        ));
    }
    Ok(())
}

mod event;
pub use event::{
    Approval, EventInput, EventKind, EventRefusal, NewEvent, check_event, check_event_for,
    may_record, recordable_kinds,
};

#[cfg(test)]
mod tests;
