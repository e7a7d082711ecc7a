//! Awareness notices (注意喚起, clause 6(5)): the security officer tells people of a
//! threat or a rule to keep (a phishing mail going round, the password rule), and each
//! person addressed marks the notice read (既読). This module holds what a notice form
//! must say, who its audience is (the rule that turns an audience into people), and
//! where a reader stands with it.
//!
//! A notice's audience is resolved once, when it is posted, and kept as a list of
//! people: the read rate of a notice says how many of those addressed on the day read
//! it, whatever happens to the accounts afterwards. A posted notice is never rewritten:
//! a correction is a new notice, and the wrong one is withdrawn (取り下げ) with a reason.

use serde::Serialize;
use time::Date;

use crate::field::FieldProblem;
use crate::risk_input::{date_field, line_field, long_field};
use crate::user::{OrgRole, Role, UserType};

/// Longest title.
pub const TITLE_MAX: usize = 200;
/// Longest text of a notice.
pub const BODY_MAX: usize = 10_000;
/// Longest reason for a withdrawal.
pub const REASON_MAX: usize = 2000;
/// Most people named one by one.
pub const NAMED_MAX: usize = 500;

/// Who a notice is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AudienceKind {
    /// Everyone who uses mamori.
    Everyone,
    /// People of the chosen user types (議員, 事務局職員…).
    UserType,
    /// Holders of the chosen posts (情報セキュリティ管理者, CSIRT要員…).
    Post,
    /// People named one by one.
    Users,
}

impl AudienceKind {
    pub const ALL: [AudienceKind; 4] = [
        AudienceKind::Everyone,
        AudienceKind::UserType,
        AudienceKind::Post,
        AudienceKind::Users,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AudienceKind::Everyone => "everyone",
            AudienceKind::UserType => "user_type",
            AudienceKind::Post => "post",
            AudienceKind::Users => "users",
        }
    }

    pub fn parse(value: &str) -> Option<AudienceKind> {
        AudienceKind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            AudienceKind::Everyone => "awareness.audience.everyone",
            AudienceKind::UserType => "awareness.audience.user_type",
            AudienceKind::Post => "awareness.audience.post",
            AudienceKind::Users => "awareness.audience.users",
        }
    }
}

/// The user types a notice may be addressed to: contractors have no place inside
/// mamori (see `access`), so they are never an audience.
pub const AUDIENCE_USER_TYPES: [UserType; 3] = [UserType::Member, UserType::Staff, UserType::Other];

/// An audience that reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    Everyone,
    UserTypes(Vec<UserType>),
    Posts(Vec<OrgRole>),
    /// Login ids, as typed (the use case looks them up; unknown ones are refused).
    Users(Vec<String>),
}

impl Audience {
    pub fn kind(&self) -> AudienceKind {
        match self {
            Audience::Everyone => AudienceKind::Everyone,
            Audience::UserTypes(_) => AudienceKind::UserType,
            Audience::Posts(_) => AudienceKind::Post,
            Audience::Users(_) => AudienceKind::Users,
        }
    }

    /// The codes (user types, posts) or login ids the audience names, as stored.
    pub fn codes(&self) -> Vec<String> {
        match self {
            Audience::Everyone => Vec::new(),
            Audience::UserTypes(types) => types.iter().map(|t| t.as_str().to_owned()).collect(),
            Audience::Posts(posts) => posts.iter().map(|p| p.as_str().to_owned()).collect(),
            Audience::Users(logins) => logins.clone(),
        }
    }
}

/// A person as the audience rule sees them on the day a notice is posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub login: String,
    pub role: Role,
    pub user_type: UserType,
    pub active: bool,
    pub posts: Vec<OrgRole>,
}

/// Whether `person` is addressed by `audience`: active accounts only, never a
/// contractor's (they see no register), and then by kind.
pub fn addresses(audience: &Audience, person: &Person) -> bool {
    if !person.active || person.role == Role::Contractor {
        return false;
    }
    match audience {
        Audience::Everyone => true,
        Audience::UserTypes(types) => types.contains(&person.user_type),
        Audience::Posts(posts) => person.posts.iter().any(|p| posts.contains(p)),
        Audience::Users(logins) => logins.iter().any(|l| l == &person.login),
    }
}

/// The ids of everyone `audience` addresses among `people`, in the order given.
pub fn resolve(audience: &Audience, people: &[Person]) -> Vec<i64> {
    people
        .iter()
        .filter(|p| addresses(audience, p))
        .map(|p| p.id)
        .collect()
}

/// The login ids named in an audience of users that are not among `people` or cannot
/// be addressed (closed accounts, contractors): told back rather than left out quietly.
pub fn unknown_logins(audience: &Audience, people: &[Person]) -> Vec<String> {
    let Audience::Users(logins) = audience else {
        return Vec::new();
    };
    logins
        .iter()
        .filter(|l| {
            !people
                .iter()
                .any(|p| &p.login == *l && addresses(audience, p))
        })
        .cloned()
        .collect()
}

/// A notice as typed on the page or sent to the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeForm {
    pub title: String,
    /// The text, kept as written (lines included).
    pub body: String,
    /// An [`AudienceKind`] code.
    pub audience: String,
    /// User type codes, for [`AudienceKind::UserType`].
    pub user_types: Vec<String>,
    /// Post codes, for [`AudienceKind::Post`].
    pub posts: Vec<String>,
    /// Login ids separated by lines, commas or spaces, for [`AudienceKind::Users`].
    pub users: String,
    /// The deadline (期限), ISO 8601 or 和暦; empty for none.
    pub due_on: String,
}

/// A notice that reads, ready to be posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeInput {
    pub title: String,
    pub body: String,
    pub audience: Audience,
    pub due_on: Option<Date>,
}

pub(crate) fn audience_of(form: &NoticeForm, problems: &mut Vec<FieldProblem>) -> Option<Audience> {
    let Some(kind) = AudienceKind::parse(form.audience.trim()) else {
        problems.push(FieldProblem::new("audience", "awareness.error.audience"));
        return None;
    };
    let none_chosen = |field: &'static str, problems: &mut Vec<FieldProblem>| {
        problems.push(FieldProblem::new(field, "awareness.error.none_chosen"));
        None
    };
    match kind {
        AudienceKind::Everyone => Some(Audience::Everyone),
        AudienceKind::UserType => {
            let mut types = Vec::new();
            for code in form.user_types.iter().filter(|c| !c.trim().is_empty()) {
                match UserType::parse(code.trim()).filter(|t| AUDIENCE_USER_TYPES.contains(t)) {
                    Some(t) if !types.contains(&t) => types.push(t),
                    Some(_) => {}
                    None => {
                        problems.push(
                            FieldProblem::new("user_types", "awareness.error.unknown_code")
                                .with("code", code.trim()),
                        );
                        return None;
                    }
                }
            }
            if types.is_empty() {
                return none_chosen("user_types", problems);
            }
            Some(Audience::UserTypes(types))
        }
        AudienceKind::Post => {
            let mut posts = Vec::new();
            for code in form.posts.iter().filter(|c| !c.trim().is_empty()) {
                match OrgRole::parse(code.trim()) {
                    Some(p) if !posts.contains(&p) => posts.push(p),
                    Some(_) => {}
                    None => {
                        problems.push(
                            FieldProblem::new("posts", "awareness.error.unknown_code")
                                .with("code", code.trim()),
                        );
                        return None;
                    }
                }
            }
            if posts.is_empty() {
                return none_chosen("posts", problems);
            }
            Some(Audience::Posts(posts))
        }
        AudienceKind::Users => {
            let mut logins: Vec<String> = Vec::new();
            for login in form
                .users
                .split(|c: char| c == ',' || c == '、' || c.is_whitespace())
                .filter(|l| !l.is_empty())
            {
                if !logins.iter().any(|l| l == login) {
                    logins.push(login.to_owned());
                }
            }
            if logins.is_empty() {
                return none_chosen("users", problems);
            }
            if logins.len() > NAMED_MAX {
                problems.push(
                    FieldProblem::new("users", "awareness.error.too_many").with("max", NAMED_MAX),
                );
                return None;
            }
            Some(Audience::Users(logins))
        }
    }
}

impl NoticeForm {
    /// Checks every field at once. A deadline, when given, is today or later: a notice
    /// cannot be overdue on the day it is posted.
    pub fn check(&self, today: Date) -> Result<NoticeInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let title = line_field("title", &self.title, TITLE_MAX, true, &mut problems);
        let body = long_field("body", &self.body, BODY_MAX, true, &mut problems);
        let audience = audience_of(self, &mut problems);
        let due_on = date_field("due_on", &self.due_on, false, &mut problems);
        if due_on.is_some_and(|d| d < today) {
            problems.push(FieldProblem::new("due_on", "awareness.error.past_due"));
        }
        match audience {
            Some(audience) if problems.is_empty() => Ok(NoticeInput {
                title,
                body,
                audience,
                due_on,
            }),
            _ => Err(problems),
        }
    }
}

/// Where one reader stands with a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadStanding {
    Read,
    Unread,
    /// Unread after its deadline.
    Overdue,
}

impl ReadStanding {
    pub const ALL: [ReadStanding; 3] = [
        ReadStanding::Read,
        ReadStanding::Unread,
        ReadStanding::Overdue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReadStanding::Read => "read",
            ReadStanding::Unread => "unread",
            ReadStanding::Overdue => "overdue",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ReadStanding::Read => "awareness.standing.read",
            ReadStanding::Unread => "awareness.standing.unread",
            ReadStanding::Overdue => "awareness.standing.overdue",
        }
    }
}

/// Where a reader stands on `today`: read, or unread and (past the deadline) overdue.
pub fn read_standing(read: bool, due_on: Option<Date>, today: Date) -> ReadStanding {
    match (read, due_on) {
        (true, _) => ReadStanding::Read,
        (false, Some(due)) if today > due => ReadStanding::Overdue,
        (false, _) => ReadStanding::Unread,
    }
}

/// The read rate in whole percent, rounded down (99 % until the last one reads); an
/// audience of nobody has read nothing.
pub fn read_percent(read: i64, audience: i64) -> i64 {
    if audience <= 0 {
        return 0;
    }
    read.clamp(0, audience) * 100 / audience
}

/// Sorts unread notices for a reader: the nearest deadline first, those without one
/// last, then the newest first. Takes (deadline, id) keys.
pub fn reading_order(a: (Option<Date>, i64), b: (Option<Date>, i64)) -> std::cmp::Ordering {
    match (a.0, b.0) {
        (Some(x), Some(y)) => x.cmp(&y).then(b.1.cmp(&a.1)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.1.cmp(&a.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 04);

    fn form(audience: &str) -> NoticeForm {
        NoticeForm {
            title: "不審なメールに注意してください".into(),
            body: "議会事務局を名乗るメールが届いています。\n添付ファイルを開かないでください。"
                .into(),
            audience: audience.into(),
            due_on: "令和8年12月18日".into(),
            ..NoticeForm::default()
        }
    }

    fn person(id: i64, login: &str, role: Role, user_type: UserType, posts: &[OrgRole]) -> Person {
        Person {
            id,
            login: login.into(),
            role,
            user_type,
            active: true,
            posts: posts.to_vec(),
        }
    }

    fn people() -> Vec<Person> {
        let mut closed = person(5, "taishoku", Role::User, UserType::Staff, &[]);
        closed.active = false;
        vec![
            person(1, "giin.sato", Role::User, UserType::Member, &[]),
            person(
                2,
                "jimu.suzuki",
                Role::User,
                UserType::Staff,
                &[OrgRole::CsirtMember],
            ),
            person(
                3,
                "anzen",
                Role::SecurityOfficer,
                UserType::Staff,
                &[OrgRole::SecurityManager],
            ),
            person(4, "itaku", Role::Contractor, UserType::Contractor, &[]),
            closed,
        ]
    }

    #[test]
    fn a_notice_keeps_its_lines_and_reads_a_japanese_deadline() {
        let input = form("everyone").check(TODAY).unwrap();
        assert!(input.body.contains('\n'));
        assert_eq!(input.due_on, Some(date!(2026 - 12 - 18)));
        assert_eq!(input.audience, Audience::Everyone);
    }

    #[test]
    fn every_audience_kind_resolves_to_active_people_but_contractors() {
        let people = people();
        assert_eq!(resolve(&Audience::Everyone, &people), [1, 2, 3]);
        let mut f = form("user_type");
        f.user_types = vec!["member".into()];
        assert_eq!(resolve(&f.check(TODAY).unwrap().audience, &people), [1]);
        let mut f = form("post");
        f.posts = vec!["csirt_member".into(), "security_manager".into()];
        assert_eq!(resolve(&f.check(TODAY).unwrap().audience, &people), [2, 3]);
        let mut f = form("users");
        f.users = "giin.sato, taishoku\nitaku giin.sato".into();
        let audience = f.check(TODAY).unwrap().audience;
        assert_eq!(resolve(&audience, &people), [1]);
        assert_eq!(unknown_logins(&audience, &people), ["taishoku", "itaku"]);
    }

    #[test]
    fn bad_input_names_every_field() {
        let mut f = NoticeForm {
            audience: "post".into(),
            due_on: "2026-12-01".into(),
            ..NoticeForm::default()
        };
        let fields: Vec<_> = f
            .check(TODAY)
            .unwrap_err()
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["title", "body", "posts", "due_on"]);
        f.audience = "all".into();
        let problems = f.check(TODAY).unwrap_err();
        assert!(problems.iter().any(|p| p.key == "awareness.error.audience"));
        let mut f = form("user_type");
        f.user_types = vec!["contractor".into()];
        assert_eq!(
            f.check(TODAY).unwrap_err()[0].key,
            "awareness.error.unknown_code"
        );
    }

    #[test]
    fn standing_and_rate() {
        let due = Some(date!(2026 - 12 - 10));
        assert_eq!(
            read_standing(false, due, date!(2026 - 12 - 10)),
            ReadStanding::Unread
        );
        assert_eq!(
            read_standing(false, due, date!(2026 - 12 - 11)),
            ReadStanding::Overdue
        );
        assert_eq!(
            read_standing(true, due, date!(2026 - 12 - 11)),
            ReadStanding::Read
        );
        assert_eq!(
            read_standing(false, None, date!(2030 - 01 - 01)),
            ReadStanding::Unread
        );
        assert_eq!(read_percent(2, 3), 66);
        assert_eq!(read_percent(0, 0), 0);
        assert_eq!(read_percent(3, 3), 100);
    }

    #[test]
    fn nearest_deadline_first_and_undated_last() {
        let mut keys = [
            (None, 1),
            (Some(date!(2026 - 12 - 20)), 2),
            (Some(date!(2026 - 12 - 10)), 3),
            (None, 4),
        ];
        keys.sort_by(|a, b| reading_order(*a, *b));
        let ids: Vec<i64> = keys.iter().map(|k| k.1).collect();
        assert_eq!(ids, [3, 2, 4, 1]);
    }
}
