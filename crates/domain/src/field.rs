//! What is wrong with one field of an input: the one answer the form, the API, the
//! importer and the command line all give, in the same words.

use serde::Serialize;

use crate::text::TextProblem;

/// One field's problem. `key` is a locale key; `params` fill it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: &'static str,
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl FieldProblem {
    pub fn new(field: &'static str, key: &'static str) -> FieldProblem {
        FieldProblem {
            field,
            key,
            params: Vec::new(),
        }
    }

    /// A text rule broken (empty, too long, a control character…).
    pub fn text(field: &'static str, problem: TextProblem) -> FieldProblem {
        FieldProblem {
            field,
            key: problem.message_key(),
            params: problem.params(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> FieldProblem {
        self.params.push((name, value.to_string()));
        self
    }
}

/// Collects the problems of one input, so a check reports every field at once.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldProblem>);

impl Problems {
    pub fn new() -> Problems {
        Problems::default()
    }

    pub fn push(&mut self, problem: FieldProblem) {
        self.0.push(problem);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `value` when nothing was found wrong, else every problem.
    pub fn or<T>(self, value: T) -> Result<T, Vec<FieldProblem>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }

    pub fn into_vec(self) -> Vec<FieldProblem> {
        self.0
    }
}
