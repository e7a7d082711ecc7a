//! The audit trail as the page and the API both read and write it: the filters of the
//! query string, the CSV export, and the labels of actions, actors and changes.

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;
use mamori_app::audit::{self, AuditFilter, AuditRecord};
use mamori_domain::wareki::{self, JST};
use serde::Deserialize;
use serde_json::Value;
use time::{Date, OffsetDateTime};

use crate::http::auth::SignedIn;
use crate::http::context::Ctx;
use crate::http::download::csv_response;
use crate::http::error::AppError;
use crate::state::AppState;
use mamori_app::i18n::{self, Tr};
use mamori_app::sheets::{csv_head, csv_lines};

mod export;
mod filter;

pub use export::export;
pub use filter::{
    FilterProblem, FilterQuery, PER_PAGE, ParsedFilter, action_groups, parse_filter,
    parse_timestamp,
};

/// A string from the catalogue if there is one (labels of open-ended codes).
pub fn lookup(tr: &Tr, key: &str) -> Option<&'static str> {
    i18n::catalog(tr.lang).get(key).map(String::as_str)
}

pub fn action_label(tr: &Tr, action: &str) -> String {
    lookup(tr, &format!("audit.action.{action}"))
        .map(str::to_owned)
        .unwrap_or_else(|| action.to_owned())
}

pub fn group_label(tr: &Tr, group: &str) -> String {
    let name = group.trim_end_matches('.');
    lookup(tr, &format!("audit.group.{name}"))
        .map(str::to_owned)
        .unwrap_or_else(|| group.to_owned())
}

pub fn target_type_label(tr: &Tr, target_type: &str) -> String {
    lookup(tr, &format!("audit.target_kind.{target_type}"))
        .map(str::to_owned)
        .unwrap_or_else(|| target_type.to_owned())
}

pub fn actor_label(tr: &Tr, record: &AuditRecord) -> String {
    if record.actor_id.is_none() && record.actor_label == "anonymous" {
        tr.t("audit.anonymous").to_owned()
    } else {
        record.actor_label.clone()
    }
}

/// What was acted on, e.g. "利用者：12" or "画面・機能：監査記録の閲覧".
pub fn target_text(tr: &Tr, record: &AuditRecord) -> String {
    let kind = target_type_label(tr, &record.target_type);
    match record.target_id.as_deref() {
        None => kind,
        Some(id) => {
            // A refused route names what was refused; show its name where it has one.
            let id = if record.target_type == "route" {
                lookup(tr, id).unwrap_or(id)
            } else {
                id
            };
            tr.f(
                "audit.target_with_id",
                &[("kind", kind), ("id", id.to_owned())],
            )
        }
    }
}

/// A value as the page shows it. Personal information removed after its retention
/// period stands as `{"redacted": true}` (the mark of `mamori_store::audit_redaction`).
pub fn value_text(tr: &Tr, value: &Value) -> String {
    match value {
        Value::Null => tr.t("audit.none_value").to_owned(),
        Value::Object(map) if map.len() == 1 && map.get("redacted") == Some(&Value::Bool(true)) => {
            tr.t("audit.redacted_value").to_owned()
        }
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// `{"field": [before, after]}` as lines "field: before → after"; "field: after" when
/// there was nothing before. Anything else is shown as stored.
pub fn change_lines(tr: &Tr, changes: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<Value>(changes) else {
        return vec![changes.to_owned()];
    };
    let Value::Object(fields) = value else {
        return vec![changes.to_owned()];
    };
    fields
        .iter()
        .map(|(field, change)| {
            let name = lookup(tr, &format!("audit.field.{field}")).unwrap_or(field);
            match change {
                Value::Array(pair) if pair.len() == 2 => {
                    if pair[0].is_null() {
                        format!("{name}: {}", value_text(tr, &pair[1]))
                    } else {
                        format!(
                            "{name}: {} → {}",
                            value_text(tr, &pair[0]),
                            value_text(tr, &pair[1])
                        )
                    }
                }
                other => format!("{name}: {}", value_text(tr, other)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_domain::wareki::Lang;

    #[test]
    fn changes_read_as_before_and_after() {
        let tr = Tr::new(Lang::En);
        let lines = change_lines(&tr, r#"{"locale":["ja","en"],"stage":[null,"active"]}"#);
        assert_eq!(lines, vec!["locale: ja → en", "stage: active"]);
        assert_eq!(change_lines(&tr, "{}"), Vec::<String>::new());
        assert_eq!(change_lines(&tr, "not json"), vec!["not json"]);
        assert_eq!(
            change_lines(&tr, r#"{"active":[true,null]}"#),
            vec!["active: true → (none)"]
        );
    }

    #[test]
    fn a_value_removed_after_its_retention_period_says_so() {
        let ja = Tr::new(Lang::Ja);
        let en = Tr::new(Lang::En);
        let redacted =
            r#"{"mail":[{"redacted":true},{"redacted":true}],"note":[null,{"redacted":true}]}"#;
        assert_eq!(
            change_lines(&en, redacted),
            vec![
                "mail: (removed after its retention period) → (removed after its retention period)",
                "note: (removed after its retention period)",
            ]
        );
        assert_eq!(
            value_text(&ja, &serde_json::json!({"redacted": true})),
            "（保存期間経過により削除）"
        );
        // Only the mark itself: an object that merely holds the word is shown as stored.
        let other = serde_json::json!({"redacted": true, "by": 3});
        assert_eq!(value_text(&en, &other), other.to_string());
        assert_eq!(
            value_text(&en, &serde_json::json!({"redacted": false})),
            r#"{"redacted":false}"#
        );
    }

    #[test]
    fn every_action_group_has_a_label() {
        for group in action_groups() {
            let key = format!("audit.group.{}", group.trim_end_matches('.'));
            assert!(i18n::JA.contains_key(&key), "{key} missing in ja.toml");
            assert!(i18n::EN.contains_key(&key), "{key} missing in en.toml");
        }
    }

    #[test]
    fn dates_are_japan_days() {
        let query = FilterQuery {
            from: Some("令和8年3月18日".into()),
            to: Some("2026/3/18".into()),
            ..FilterQuery::default()
        };
        let parsed = parse_filter(&query, false).unwrap();
        assert_eq!(parsed.filter.from.as_deref(), Some("2026-03-17T15:00:00Z"));
        assert_eq!(parsed.filter.to.as_deref(), Some("2026-03-18T15:00:00Z"));

        let backwards = FilterQuery {
            from: Some("2026-03-19".into()),
            to: Some("2026-03-18".into()),
            ..FilterQuery::default()
        };
        let problems = parse_filter(&backwards, false).unwrap_err();
        assert_eq!(problems[0].field, "to");

        let bad = FilterQuery {
            from: Some("2026-02-30".into()),
            action: Some("nothing.such".into()),
            ..FilterQuery::default()
        };
        let problems = parse_filter(&bad, false).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["action", "from"]);

        let instant = FilterQuery {
            from: Some("2026-03-18T10:00:00+09:00".into()),
            ..FilterQuery::default()
        };
        assert!(parse_filter(&instant, false).is_err());
        assert_eq!(
            parse_filter(&instant, true).unwrap().filter.from.as_deref(),
            Some("2026-03-18T01:00:00Z")
        );
    }
}
