//! What every form page shares: the field problems of a refused input, put into the
//! user's words, and looked up by field for the template.

use mamori_app::i18n::Tr;
use mamori_domain::field::FieldProblem;

/// One refused field: `message` sits under the field, `summary` is its line in the error
/// summary at the top of the form, naming the field so that the list reads on its own.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
    pub summary: String,
}

/// The problems in `tr`'s language, each message prefixed with its field's label (found
/// under `label_key(field)`): forms whose fields sit far from their labels.
pub fn field_errors(
    problems: &[FieldProblem],
    tr: &Tr,
    label_key: impl Fn(&str) -> &'static str,
) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| {
            let label = tr.t(label_key(p.field));
            FieldError {
                field: p.field,
                message: tr.f(
                    "form.summary_item",
                    &[
                        ("label", label.to_owned()),
                        ("message", tr.f(p.key, &p.params)),
                    ],
                ),
                summary: summary_line(tr, Some(label), p),
            }
        })
        .collect()
}

/// The problems in `tr`'s language, the message alone under each field (its label is
/// right above it); the summary names the field by its `field.label.<field>` label.
pub fn named_errors(problems: &[FieldProblem], tr: &Tr) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| FieldError {
            field: p.field,
            message: tr.f(p.key, &p.params),
            summary: summary_line(tr, tr.get(&format!("field.label.{}", p.field)), p),
        })
        .collect()
}

/// "「議会の名称」を入力してください。" for a missing value, "label: message" otherwise;
/// the message alone when the field has no label.
fn summary_line(tr: &Tr, label: Option<&str>, problem: &FieldProblem) -> String {
    let message = tr.f(problem.key, &problem.params);
    match label {
        None => message,
        Some(label) if problem.key == "field.error.required" => {
            tr.f("form.summary_required", &[("label", label.to_owned())])
        }
        Some(label) => tr.f(
            "form.summary_item",
            &[("label", label.to_owned()), ("message", message)],
        ),
    }
}

/// The message for `field`, if it was refused.
pub fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// The status of a form page: 422 when it shows refused fields, 200 otherwise.
pub fn form_status(errors: &[FieldError]) -> axum::http::StatusCode {
    if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// One option of a radio group or a select.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// An id from a path: anything but a number is a page that does not exist.
pub fn parse_id(id: &str) -> Result<i64, crate::http::error::AppError> {
    id.parse::<i64>()
        .map_err(|_| crate::http::error::AppError::not_found())
}

/// A checkbox of a form: its value, label and whether it is ticked.
pub struct Tick {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

/// A URL-encoded body as name/value pairs: checkboxes repeat a name, which a struct
/// cannot take, and a missing field must be an error of ours, not a rejection.
#[derive(Debug, Default)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// Read after the access check, so that people without access learn nothing from
    /// the body's validation.
    pub async fn read(
        request: axum::extract::Request,
    ) -> Result<FormFields, crate::http::error::AppError> {
        use axum::extract::FromRequest;
        let crate::http::extract::WebForm(pairs) =
            crate::http::extract::WebForm::<Vec<(String, String)>>::from_request(request, &())
                .await?;
        Ok(FormFields(pairs))
    }

    /// The first value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name` (checkboxes, multi-selects).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// An approve-or-reject form: a take-out request, a risk acceptance.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub decision: String,
    pub note: String,
}

impl DecisionForm {
    /// The decision (true to approve) and its optional one-line note, or a 4xx saying
    /// what is wrong.
    pub fn read(&self) -> Result<(bool, String), crate::http::error::AppError> {
        let approve = match self.decision.as_str() {
            "approve" => true,
            "reject" => false,
            _ => {
                return Err(crate::http::error::AppError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    "invalid_decision",
                    "decision.error.choose",
                ));
            }
        };
        let note = match mamori_domain::text::single_line(&self.note, 500) {
            Ok(note) => note,
            Err(mamori_domain::text::TextProblem::Empty) => String::new(),
            Err(_) => {
                return Err(crate::http::error::AppError::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_note",
                    "decision.error.note",
                ));
            }
        };
        Ok((approve, note))
    }
}

/// A refused input shows the form again with every field's message, and so does one to
/// be confirmed (see [`asks_confirmation`]); any other failure is the error page.
pub fn form_problems(
    failure: mamori_app::Failure,
) -> Result<Vec<FieldProblem>, crate::http::error::AppError> {
    match failure {
        mamori_app::Failure::Invalid(problems) | mamori_app::Failure::Unconfirmed(problems) => {
            Ok(problems)
        }
        other => Err(other.into()),
    }
}

/// Whether a form shown again asks to confirm past dates: then it offers the box
/// 「過去の日付のまま登録する」 (`confirm_past_dates`), and only then.
pub fn asks_confirmation(problems: &[FieldProblem]) -> bool {
    problems.iter().any(|p| p.key == PAST_DATE)
}

/// The key of the question about a past date where the future is meant.
pub const PAST_DATE: &str = "date.confirm.past";

/// Whether a form's box `confirm_past_dates` is ticked.
pub fn past_dates_confirmed(value: &str) -> bool {
    matches!(value, "1" | "on" | "true")
}
