//! What every form page shares: the field problems of a refused input, put into the
//! user's words, and looked up by field for the template.

use mamori_app::i18n::Tr;
use mamori_domain::field::FieldProblem;

/// One refused field, as the error summary and the field itself show it.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// The problems in `tr`'s language, each prefixed with its field's label (found under
/// `label_key(field)`), so the summary at the top of the form reads on its own.
pub fn field_errors(
    problems: &[FieldProblem],
    tr: &Tr,
    label_key: impl Fn(&str) -> &'static str,
) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| FieldError {
            field: p.field,
            message: format!("{}：{}", tr.t(label_key(p.field)), tr.f(p.key, &p.params)),
        })
        .collect()
}

/// The message for `field`, if it was refused.
pub fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}
