//! User management for administrators: the list ([`list`]), adding and editing a user
//! with password and MFA resets ([`form`]), and the security settings ([`security`]).
//! Every rule is the app's (`mamori_app::users`); these modules parse, call and render.

pub mod form;
pub mod list;
pub mod security;

use mamori_domain::user::{Role, UserType};

pub use form::{create, new_form, reset_mfa, reset_password, set_mail, show, update};
pub use list::list;

// ---------------------------------------------------------------- labels shared by pages

/// The locale key naming a system role.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "role.admin",
        Role::SecurityOfficer => "role.security_officer",
        Role::User => "role.user",
        Role::Auditor => "role.auditor",
        Role::Contractor => "role.contractor",
    }
}

/// What a system role may do, shown beside the choice.
pub fn role_hint(role: Role) -> &'static str {
    match role {
        Role::Admin => "users.role_hint.admin",
        Role::SecurityOfficer => "users.role_hint.security_officer",
        Role::User => "users.role_hint.user",
        Role::Auditor => "users.role_hint.auditor",
        Role::Contractor => "users.role_hint.contractor",
    }
}

pub fn user_type_label(user_type: UserType) -> &'static str {
    match user_type {
        UserType::Member => "user_type.member",
        UserType::Staff => "user_type.staff",
        UserType::Contractor => "user_type.contractor",
        UserType::Other => "user_type.other",
    }
}

pub use crate::http::labels::org_role_label;

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_app::i18n::{EN, JA};
    use mamori_domain::user::OrgRole;

    #[test]
    fn every_role_type_and_org_role_has_a_label_in_both_languages() {
        let mut keys: Vec<&str> = Vec::new();
        keys.extend(Role::ALL.iter().map(|r| role_label(*r)));
        keys.extend(Role::ALL.iter().map(|r| role_hint(*r)));
        keys.extend(UserType::ALL.iter().map(|t| user_type_label(*t)));
        keys.extend(OrgRole::ALL.iter().map(|r| org_role_label(*r)));
        for key in keys {
            assert!(JA.contains_key(key), "{key} missing in ja.toml");
            assert!(EN.contains_key(key), "{key} missing in en.toml");
        }
    }
}
