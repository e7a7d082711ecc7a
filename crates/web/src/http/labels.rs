//! Locale keys of coded values that more than one area shows: the organisational posts
//! (users, assets) and the classification axes and lifecycle steps (assets,
//! classification).

use mamori_app::i18n::Tr;
use mamori_domain::classification::{Axis, LifecycleStep};
use mamori_domain::user::OrgRole;

/// `main（aside）`, `main (aside)`: the aside in the reader's brackets.
pub fn bracketed(tr: &Tr, main: &str, aside: &str) -> String {
    format!("{main}{}{aside}{}", tr.t("punct.open"), tr.t("punct.close"))
}

/// `label：value`, `label: value`: with the reader's colon.
pub fn labelled(tr: &Tr, label: &str, value: &str) -> String {
    format!("{label}{}{value}", tr.t("punct.colon"))
}

/// The locale key of an organisational post.
pub fn org_role_label(role: OrgRole) -> &'static str {
    match role {
        OrgRole::Ciso => "org_role.ciso",
        OrgRole::ChiefSecurityOfficer => "org_role.chief_security_officer",
        OrgRole::SecurityManager => "org_role.security_manager",
        OrgRole::SystemStaff => "org_role.system_staff",
        OrgRole::CommitteeMember => "org_role.committee_member",
        OrgRole::CommitteeChair => "org_role.committee_chair",
        OrgRole::CsirtMember => "org_role.csirt_member",
        OrgRole::SecurityResponsible => "org_role.security_responsible",
        OrgRole::CsirtLead => "org_role.csirt_lead",
        OrgRole::ChiefAuditor => "org_role.chief_auditor",
    }
}

pub fn axis_key(value: Axis) -> &'static str {
    match value {
        Axis::Confidentiality => "axis.confidentiality",
        Axis::Integrity => "axis.integrity",
        Axis::Availability => "axis.availability",
    }
}

pub fn step_key(value: LifecycleStep) -> &'static str {
    match value {
        LifecycleStep::Create => "lifecycle.create",
        LifecycleStep::Obtain => "lifecycle.obtain",
        LifecycleStep::Use => "lifecycle.use",
        LifecycleStep::Store => "lifecycle.store",
        LifecycleStep::Send => "lifecycle.send",
        LifecycleStep::Carry => "lifecycle.carry",
        LifecycleStep::Provide => "lifecycle.provide",
        LifecycleStep::Dispose => "lifecycle.dispose",
    }
}

/// When and where a training session is: "令和8年12月10日 13:30–15:00（第1委員会室）".
pub fn session_when(
    ctx: &crate::http::context::Ctx,
    s: &mamori_app::training::SessionRecord,
) -> String {
    use mamori_app::training::time_text;
    let place = if s.online {
        format!("{} {}", ctx.tr.t("training.online"), s.place)
    } else {
        s.place.clone()
    };
    bracketed(
        &ctx.tr,
        &format!(
            "{} {}–{}",
            ctx.date(s.held_on),
            time_text(s.starts_at),
            time_text(s.ends_at)
        ),
        &place,
    )
}

/// An audience in words: "全員", or its kind and the user types, posts or login ids it
/// named ("利用者の区分で指定：議員、議会事務局職員"), as chosen for a notice or a session.
pub fn audience_text(
    tr: &Tr,
    kind: mamori_domain::awareness::AudienceKind,
    codes: &[String],
) -> String {
    use mamori_domain::awareness::AudienceKind;
    let label = tr.t(kind.label_key());
    let prefix = match kind {
        AudienceKind::Everyone => return label.to_owned(),
        AudienceKind::UserType => "user_type.",
        AudienceKind::Post => "org_role.",
        AudienceKind::Users => "",
    };
    let named: Vec<String> = codes
        .iter()
        .map(|c| {
            if prefix.is_empty() {
                c.clone()
            } else {
                tr.t(&format!("{prefix}{c}")).to_owned()
            }
        })
        .collect();
    labelled(tr, label, &named.join(tr.t("punct.list")))
}
