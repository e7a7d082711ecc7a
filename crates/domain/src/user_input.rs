//! The checks of what an administrator types about a user (the user form, the API and
//! the command line give the same answer): a new account, a change, a password chosen
//! for someone else, organisational posts, and the rule that nobody locks themself out.

use crate::field::{FieldProblem, Problems};
use crate::password;
use crate::text;
use crate::user::{DISPLAY_NAME_MAX, LoginId, OrgRole, Role, UserType};

pub fn login(input: &str) -> Result<LoginId, FieldProblem> {
    LoginId::parse(input).map_err(|p| FieldProblem {
        field: "login",
        key: p.message_key(),
        params: p.params(),
    })
}

pub fn display_name(input: &str) -> Result<String, FieldProblem> {
    text::single_line(input, DISPLAY_NAME_MAX).map_err(|p| FieldProblem::text("display_name", p))
}

/// The longest reading (ふりがな), in characters.
pub const READING_MAX: usize = 100;

/// An optional reading (ふりがな), kana only, kept in hiragana; empty: none.
pub fn reading(input: &str) -> Result<Option<String>, FieldProblem> {
    use crate::kana::ReadingProblem;
    crate::kana::reading(input, READING_MAX).map_err(|p| match p {
        ReadingProblem::NotKana { found } => {
            FieldProblem::new("reading", "users.error.reading_not_kana").with("found", found)
        }
        ReadingProblem::TooLong { max } => {
            FieldProblem::new("reading", "users.error.reading_too_long").with("max", max)
        }
    })
}

/// A value that is none of the allowed codes, naming them.
pub fn unknown_value(field: &'static str, value: &str, choices: &[&'static str]) -> FieldProblem {
    FieldProblem::new(field, "users.error.unknown_value")
        .with("value", value.chars().take(40).collect::<String>())
        .with("choices", choices.join(", "))
}

/// One code out of `all`, required.
fn choice<T: Copy>(
    field: &'static str,
    input: &str,
    all: &[T],
    code: impl Fn(T) -> &'static str,
) -> Result<T, FieldProblem> {
    match input.trim() {
        "" => Err(FieldProblem::new(field, "users.error.choose")),
        value => all
            .iter()
            .copied()
            .find(|t| code(*t) == value)
            .ok_or_else(|| {
                let codes: Vec<&'static str> = all.iter().map(|t| code(*t)).collect();
                unknown_value(field, value, &codes)
            }),
    }
}

pub fn role(input: &str) -> Result<Role, FieldProblem> {
    choice("role", input, &Role::ALL, Role::as_str)
}

pub fn user_type(input: &str) -> Result<UserType, FieldProblem> {
    choice("user_type", input, &UserType::ALL, UserType::as_str)
}

/// Organisational posts, sorted and without repeats.
pub fn org_roles<S: AsRef<str>>(input: &[S]) -> Result<Vec<OrgRole>, FieldProblem> {
    let mut roles = Vec::new();
    for value in input {
        let value = value.as_ref().trim();
        let role = OrgRole::parse(value).ok_or_else(|| {
            let codes: Vec<&'static str> = OrgRole::ALL.iter().map(|r| r.as_str()).collect();
            unknown_value("org_roles", value, &codes)
        })?;
        roles.push(role);
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// Active ("1") or deactivated ("0"), as the form's radio buttons send it.
pub fn active(input: &str) -> Result<bool, FieldProblem> {
    match input {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        "" => Err(FieldProblem::new("active", "users.error.choose")),
        other => Err(unknown_value("active", other, &["1", "0"])),
    }
}

/// A password chosen for `login`, by the national password rules.
pub fn password(field: &'static str, login: &str, input: &str) -> Result<(), FieldProblem> {
    if input.is_empty() {
        return Err(FieldProblem::new(field, "field.error.required"));
    }
    password::check(login, input).map_err(|p| FieldProblem {
        field,
        key: p.message_key(),
        params: p.params(),
    })
}

/// A password typed twice: the rules, then the repeat (`confirm` absent: not asked).
pub fn password_twice(
    field: &'static str,
    confirm_field: &'static str,
    login: &str,
    input: &str,
    confirm: Option<&str>,
) -> Result<(), FieldProblem> {
    password(field, login, input)?;
    match confirm {
        Some(c) if c != input => Err(FieldProblem::new(confirm_field, "password.error.mismatch")),
        _ => Ok(()),
    }
}

/// The value, or the problem noted in `problems`.
fn take<T>(problems: &mut Problems, result: Result<T, FieldProblem>) -> Option<T> {
    result.map_err(|p| problems.push(p)).ok()
}

fn take_some<T>(problems: &mut Problems, result: Option<Result<T, FieldProblem>>) -> Option<T> {
    take(problems, result.transpose()).flatten()
}

/// A new account as typed.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub login: String,
    pub display_name: String,
    /// ふりがな, optional.
    pub reading: String,
    pub role: String,
    pub user_type: String,
    pub org_roles: Vec<String>,
    pub password: String,
    /// The password typed again, where the form asks for it.
    pub password_confirm: Option<String>,
}

/// A new account, checked.
#[derive(Debug, Clone)]
pub struct ValidNewUser {
    pub login: LoginId,
    pub display_name: String,
    pub reading: Option<String>,
    pub role: Role,
    pub user_type: UserType,
    pub org_roles: Vec<OrgRole>,
}

impl NewUserInput {
    pub fn check(&self) -> Result<ValidNewUser, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let p = &mut problems;
        let login = take(p, login(&self.login));
        let display_name = take(p, display_name(&self.display_name));
        let reading = take(p, reading(&self.reading)).flatten();
        let user_type = take(p, user_type(&self.user_type));
        let role = take(p, role(&self.role));
        let org_roles = take(p, org_roles(&self.org_roles));
        let login_text = login
            .as_ref()
            .map_or("", |l: &LoginId| l.as_str())
            .to_owned();
        take(
            p,
            password_twice(
                "password",
                "password_confirm",
                &login_text,
                &self.password,
                self.password_confirm.as_deref(),
            ),
        );
        match (login, display_name, role, user_type, org_roles) {
            (Some(login), Some(display_name), Some(role), Some(user_type), Some(org_roles)) => {
                problems.or(ValidNewUser {
                    login,
                    display_name,
                    reading,
                    role,
                    user_type,
                    org_roles,
                })
            }
            _ => Err(problems.into_vec()),
        }
    }
}

/// A change to an account as typed; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct UserEditInput {
    pub display_name: Option<String>,
    /// ふりがな; an empty text removes it.
    pub reading: Option<String>,
    pub role: Option<String>,
    pub user_type: Option<String>,
    pub org_roles: Option<Vec<String>>,
    /// "1"/"0" (the form) or "true"/"false" (the API).
    pub active: Option<String>,
}

/// A change, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserEdit {
    pub display_name: Option<String>,
    /// `Some(None)`: remove the reading.
    pub reading: Option<Option<String>>,
    pub role: Option<Role>,
    pub user_type: Option<UserType>,
    pub org_roles: Option<Vec<OrgRole>>,
    pub active: Option<bool>,
}

impl UserEditInput {
    /// Checks every given field; `actor_id` editing `target_id` may not lock themself out.
    pub fn check(
        &self,
        actor_id: Option<i64>,
        target_id: i64,
    ) -> Result<UserEdit, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let p = &mut problems;
        let edit = UserEdit {
            display_name: take_some(p, self.display_name.as_deref().map(display_name)),
            reading: take_some(p, self.reading.as_deref().map(reading)),
            user_type: take_some(p, self.user_type.as_deref().map(user_type)),
            role: take_some(p, self.role.as_deref().map(role)),
            org_roles: take_some(p, self.org_roles.as_deref().map(org_roles)),
            active: take_some(p, self.active.as_deref().map(active)),
        };
        if actor_id == Some(target_id) {
            for p in self_problems(edit.role, edit.active) {
                problems.push(p);
            }
        }
        problems.or(edit)
    }
}

/// An administrator may not lock themself out: no deactivating their own account and no
/// giving up their own administrator role.
pub fn self_problems(role: Option<Role>, active: Option<bool>) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    if role.is_some_and(|r| r != Role::Admin) {
        problems.push(FieldProblem::new("role", "users.error.self_demote"));
    }
    if active == Some(false) {
        problems.push(FieldProblem::new("active", "users.error.self_deactivate"));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_checked() {
        assert_eq!(role("admin").unwrap(), Role::Admin);
        assert_eq!(role("").unwrap_err().key, "users.error.choose");
        assert_eq!(role("root").unwrap_err().key, "users.error.unknown_value");
        assert_eq!(
            org_roles(&["csirt_member", "ciso", "ciso"]).unwrap(),
            vec![OrgRole::Ciso, OrgRole::CsirtMember]
        );
        assert!(org_roles(&["chairman"]).is_err());
        assert!(active("yes").is_err());
        assert!(!active("0").unwrap());
    }

    #[test]
    fn an_administrator_cannot_lock_themself_out() {
        let edit = UserEditInput {
            role: Some("user".into()),
            active: Some("0".into()),
            ..Default::default()
        };
        assert_eq!(edit.check(Some(1), 1).unwrap_err().len(), 2);
        assert!(edit.check(Some(1), 2).is_ok());
        assert!(self_problems(Some(Role::Admin), Some(true)).is_empty());
    }

    #[test]
    fn a_new_user_reports_every_field_and_a_mismatched_repeat() {
        let problems = NewUserInput::default().check().unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert!(fields.contains(&"login") && fields.contains(&"password"));
        let input = NewUserInput {
            login: "yamada".into(),
            display_name: "山田".into(),
            role: "user".into(),
            user_type: "staff".into(),
            password: "correct horse battery".into(),
            password_confirm: Some("other".into()),
            ..Default::default()
        };
        assert_eq!(input.check().unwrap_err()[0].field, "password_confirm");
    }

    #[test]
    fn a_reading_is_optional_kana_kept_in_hiragana() {
        let input = NewUserInput {
            login: "yamada".into(),
            display_name: "山田".into(),
            reading: "ﾔﾏﾀﾞ".into(),
            role: "user".into(),
            user_type: "staff".into(),
            password: "correct horse battery".into(),
            ..Default::default()
        };
        assert_eq!(input.check().unwrap().reading.as_deref(), Some("やまだ"));
        let none = NewUserInput {
            reading: " ".into(),
            ..input.clone()
        };
        assert_eq!(none.check().unwrap().reading, None);
        let kanji = NewUserInput {
            reading: "山田".into(),
            ..input
        };
        let problem = &kanji.check().unwrap_err()[0];
        assert_eq!(
            (problem.field, problem.key),
            ("reading", "users.error.reading_not_kana")
        );
        assert_eq!(problem.params, vec![("found", "山".to_owned())]);
        let removed = UserEditInput {
            reading: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(removed.check(None, 1).unwrap().reading, Some(None));
    }
}
