//! The audit page's filters as typed (query string), read into a store filter: Japan
//! dates in any accepted form, action groups, bounded text.

use super::*;
use crate::http::params::present;

/// Entries per page on the audit page.
pub const PER_PAGE: u32 = 100;

/// Longest text accepted in the actor and target-type filters.
const MAX_FILTER_CHARS: usize = 100;

/// The filters as they arrive in the query string, kept as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub target_type: Option<String>,
    /// With `target_type`, one record's entries (a redaction's page links to them).
    #[serde(default)]
    pub target_id: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub per_page: Option<String>,
}

impl FilterQuery {
    /// Reads a raw query string after the access check, so that a refused caller gets
    /// 403 whatever they sent.
    pub fn parse(raw: Option<&str>) -> Result<FilterQuery, AppError> {
        serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "malformed_query",
                "error.malformed_query",
            )
            .with("detail", e)
        })
    }
}

/// A filter that could not be read: the field, and a locale key with its parameters.
#[derive(Debug, Clone)]
pub struct FilterProblem {
    pub field: &'static str,
    pub code: &'static str,
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl FilterProblem {
    pub fn message(&self, tr: &Tr) -> String {
        tr.f(self.key, &self.params)
    }

    /// As an API error: 422 naming the query parameter.
    pub fn into_error(self, tr: &Tr) -> AppError {
        let name = self.field;
        self.into_error_named(tr, name)
    }

    fn into_error_named(self, tr: &Tr, name: &str) -> AppError {
        AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            self.code,
            "audit.error.parameter",
        )
        .with("name", name)
        .with("detail", self.message(tr))
    }

    /// As an error page: 422 naming the field as the form labels it.
    pub fn into_page_error(self, tr: &Tr) -> AppError {
        let label = match self.field {
            "actor" => tr.t("audit.actor"),
            "action" => tr.t("audit.operation"),
            "target_type" => tr.t("audit.target_type"),
            "target_id" => tr.t("audit.target_id"),
            "from" => tr.t("audit.from"),
            _ => tr.t("audit.to"),
        };
        self.into_error_named(tr, label)
    }
}

/// A filter ready for the store, and the Japan dates it was given as (for the record of
/// an export).
#[derive(Debug, Clone, Default)]
pub struct ParsedFilter {
    pub filter: AuditFilter,
    pub from_date: Option<Date>,
    pub to_date: Option<Date>,
}

/// The action groups: `auth.` for every `auth.*` action, in the order of [`audit::ACTIONS`].
pub fn action_groups() -> Vec<String> {
    let mut groups: Vec<String> = Vec::new();
    for action in audit::ACTIONS {
        if let Some((prefix, _)) = action.split_once('.') {
            let group = format!("{prefix}.");
            if !groups.contains(&group) {
                groups.push(group);
            }
        }
    }
    groups.sort();
    groups
}

/// 00:00 in Japan on `date`, as stored.
fn japan_midnight(date: Date) -> String {
    crate::http::params::timestamp(date.midnight().assume_offset(JST))
}

/// Reads the filters. Dates are Japan dates in any form [`wareki::parse_date_input`]
/// accepts: `from` is 00:00 JST of its day, `to` 00:00 JST of the day after (exclusive).
/// With `instants`, an RFC 3339 timestamp is taken as the exact bound (the API).
pub fn parse_filter(
    query: &FilterQuery,
    instants: bool,
) -> Result<ParsedFilter, Vec<FilterProblem>> {
    let mut problems = Vec::new();
    let mut parsed = ParsedFilter::default();
    let too_long = |field: &'static str| FilterProblem {
        field,
        code: "invalid_filter",
        key: "field.error.too_long",
        params: vec![("max", MAX_FILTER_CHARS.to_string())],
    };
    if let Some(actor) = present(&query.actor) {
        if actor.chars().count() > MAX_FILTER_CHARS {
            problems.push(too_long("actor"));
        } else {
            parsed.filter.actor = Some(actor.to_owned());
        }
    }
    if let Some(target_type) = present(&query.target_type) {
        if target_type.chars().count() > MAX_FILTER_CHARS {
            problems.push(too_long("target_type"));
        } else {
            parsed.filter.target_type = Some(target_type.to_owned());
        }
    }
    if let Some(target_id) = present(&query.target_id) {
        if target_id.chars().count() > MAX_FILTER_CHARS {
            problems.push(too_long("target_id"));
        } else {
            parsed.filter.target_id = Some(target_id.to_owned());
        }
    }
    if let Some(action) = present(&query.action) {
        let known = audit::ACTIONS.contains(&action) || action_groups().iter().any(|g| g == action);
        if known {
            parsed.filter.action = Some(action.to_owned());
        } else {
            problems.push(FilterProblem {
                field: "action",
                code: "invalid_action",
                key: "audit.error.unknown_action",
                params: vec![("action", action.chars().take(MAX_FILTER_CHARS).collect())],
            });
        }
    }
    let mut bound = |field: &'static str, text: Option<&str>, next_day: bool| {
        let text = text?;
        if instants && let Some(at) = parse_timestamp(text) {
            return Some((None, Some(crate::http::params::timestamp(at))));
        }
        match wareki::parse_date_input(text) {
            Ok(date) => {
                let at = if next_day {
                    // The last day there is has no day after it: no upper bound.
                    date.next_day().map(japan_midnight)
                } else {
                    Some(japan_midnight(date))
                };
                Some((Some(date), at))
            }
            Err(e) => {
                problems.push(FilterProblem {
                    field,
                    code: "invalid_date",
                    key: e.message_key(),
                    params: e.params(),
                });
                None
            }
        }
    };
    if let Some((date, at)) = bound("from", present(&query.from), false) {
        parsed.from_date = date;
        parsed.filter.from = at;
    }
    if let Some((date, at)) = bound("to", present(&query.to), true) {
        parsed.to_date = date;
        parsed.filter.to = at;
    }
    if let (Some(from), Some(to)) = (&parsed.filter.from, &parsed.filter.to)
        && from >= to
    {
        problems.push(FilterProblem {
            field: "to",
            code: "invalid_range",
            key: "audit.error.range",
            params: Vec::new(),
        });
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(problems)
    }
}

/// A stored or typed RFC 3339 moment.
pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}
