//! The yearly training report (issue 17 item 8): for one 年度, coverage by user type and
//! by organisational post (from the coverage rule, never re-derived), each course's
//! sessions and attendance, the drills (緊急時対応訓練) held, and the awareness notices
//! posted with their read rates. The figures are a plain struct so the annual report can
//! draw on them; the page, the API and the workbook are views of it.
//!
//! People are the accounts the coverage rule counts today (active, not contractors), as
//! on the coverage page; a session counts as held once its day has come and it was not
//! cancelled.

use std::collections::HashMap;

use mamori_domain::access::{Act, Register};
use mamori_domain::awareness::read_percent;
use mamori_domain::training::{self as rules, Attendance, CourseKind, Coverage, RULE_USER_TYPES};
use mamori_domain::user::UserType;
use mamori_domain::wareki::{JST, Lang};
use mamori_store::organisation::{self as org_store, Post};
use mamori_store::training::{self as store, report as report_store};
use time::{Date, OffsetDateTime, Time};

use super::{CoverageRow, FiscalYear, coverage};
use crate::i18n::Tr;
use crate::sheets::SheetData;
use crate::{Acting, App, Failure, date_text, japan_date, today};

/// Coverage of one user type: how many people, how many the rule binds, how many met it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeLine {
    pub user_type: UserType,
    pub people: usize,
    pub bound: usize,
    pub met: usize,
}

impl TypeLine {
    pub fn not_met(&self) -> usize {
        self.bound - self.met
    }

    /// Met of bound, in whole per cent (0 when nobody is bound).
    pub fn percent(&self) -> i64 {
        read_percent(self.met as i64, self.bound as i64)
    }
}

/// One holder of a post during the 年度, and where they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub user_id: i64,
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    /// The worse of the two rules; `None` for someone the rule does not count (an
    /// account closed since, or a contractor).
    pub standing: Option<Coverage>,
}

impl Holder {
    pub fn trained(&self) -> bool {
        self.standing == Some(Coverage::Met)
    }
}

/// A post held during the 年度, with its holders.
#[derive(Debug, Clone)]
pub struct PostLine {
    pub post: Post,
    pub holders: Vec<Holder>,
}

impl PostLine {
    pub fn trained(&self) -> usize {
        self.holders.iter().filter(|h| h.trained()).count()
    }
}

/// Attendance figures: invited, and the marks recorded. `present` is what the rule
/// counts (an outside course's declaration once confirmed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub invited: i64,
    pub present: i64,
    pub absent: i64,
    pub excused: i64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.invited += other.invited;
        self.present += other.present;
        self.absent += other.absent;
        self.excused += other.excused;
    }

    /// Present of invited, in whole per cent.
    pub fn percent(&self) -> i64 {
        read_percent(self.present, self.invited)
    }
}

/// One course of the 年度: sessions held and their attendance together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseLine {
    pub course_id: i64,
    pub title: String,
    pub kind: CourseKind,
    pub held: usize,
    pub tally: Tally,
}

/// One drill (緊急時対応訓練) session held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillLine {
    pub session_id: i64,
    pub title: String,
    pub held_on: Date,
    pub starts_at: Time,
    pub place: String,
    pub tally: Tally,
}

/// One awareness notice posted in the 年度 (the day in Japan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeLine {
    pub id: i64,
    pub title: String,
    pub posted_on: Date,
    pub withdrawn: bool,
    pub audience: i64,
    pub read: i64,
}

impl NoticeLine {
    pub fn percent(&self) -> i64 {
        read_percent(self.read, self.audience)
    }
}

/// The figures of one 年度.
#[derive(Debug, Clone)]
pub struct YearlyReport {
    pub fiscal_year: FiscalYear,
    /// The day the standings were taken (today).
    pub as_of: Date,
    pub user_types: Vec<TypeLine>,
    pub posts: Vec<PostLine>,
    pub courses: Vec<CourseLine>,
    pub drills: Vec<DrillLine>,
    pub notices: Vec<NoticeLine>,
}

impl YearlyReport {
    /// Every user type together.
    pub fn total(&self) -> (usize, usize, usize) {
        self.user_types.iter().fold((0, 0, 0), |(p, b, m), l| {
            (p + l.people, b + l.bound, m + l.met)
        })
    }
}

fn by_user_type(rows: &[CoverageRow]) -> Vec<TypeLine> {
    RULE_USER_TYPES
        .iter()
        .map(|&user_type| {
            let of_type: Vec<&CoverageRow> = rows
                .iter()
                .filter(|r| r.person.user_type == user_type)
                .collect();
            let bound = of_type
                .iter()
                .filter(|r| r.standing.overall() != Coverage::NotBound)
                .count();
            let met = of_type
                .iter()
                .filter(|r| r.standing.overall() == Coverage::Met)
                .count();
            TypeLine {
                user_type,
                people: of_type.len(),
                bound,
                met,
            }
        })
        .collect()
}

/// The start of a day in Japan.
fn japan_midnight(day: Date) -> OffsetDateTime {
    day.midnight().assume_offset(JST)
}

/// The report of `fy`, for those who see everyone's training and every notice's
/// figures (both grants are the secretariat's and the auditor's).
pub async fn yearly_report(
    app: &App,
    acting: &Acting,
    fy: FiscalYear,
) -> Result<YearlyReport, Failure> {
    app.permit(acting, Register::Training, Act::SeeAll, "training.report")
        .await?;
    app.permit(acting, Register::Awareness, Act::SeeAll, "training.report")
        .await?;
    let as_of = today();
    let rows = coverage(app, acting, fy, None).await?;
    let standing: HashMap<i64, Coverage> = rows
        .iter()
        .map(|r| (r.person.user_id, r.standing.overall()))
        .collect();

    let posts = org_store::posts(app.store()).await?;
    let holdings = report_store::holdings_between(app.store(), fy.start(), fy.end()).await?;
    let posts = posts
        .into_iter()
        .filter_map(|post| {
            let holders: Vec<Holder> = holdings
                .iter()
                .filter(|h| h.post_id == post.id)
                .map(|h| Holder {
                    user_id: h.holder_id,
                    name: h.holder_name.clone(),
                    starts_on: h.starts_on,
                    ends_on: h.ends_on,
                    standing: standing.get(&h.holder_id).copied(),
                })
                .collect();
            (!holders.is_empty()).then_some(PostLine { post, holders })
        })
        .collect();

    // Per session: the invited from the session, the marks counted as the rule counts.
    let mut tallies: HashMap<i64, Tally> = HashMap::new();
    for m in report_store::mark_counts(app.store(), fy.year()).await? {
        let t = tallies.entry(m.session_id).or_default();
        match m.status {
            _ if rules::counts(m.status, m.way, m.confirmed) => t.present += m.count,
            Attendance::Absent => t.absent += m.count,
            Attendance::Excused => t.excused += m.count,
            // A declaration not confirmed yet is not attendance.
            Attendance::Present => {}
        }
    }
    let held: Vec<_> = store::sessions_of_year(app.store(), fy.year())
        .await?
        .into_iter()
        .filter(|s| s.cancelled_at.is_none() && s.held_on <= as_of)
        .collect();
    let tally_of = |s: &store::SessionRecord| Tally {
        invited: s.invited,
        ..tallies.get(&s.id).copied().unwrap_or_default()
    };
    let courses = store::courses(app.store(), fy.year())
        .await?
        .into_iter()
        .map(|c| {
            let mut tally = Tally::default();
            let mut count = 0;
            for s in held.iter().filter(|s| s.course_id == c.id) {
                tally.add(&tally_of(s));
                count += 1;
            }
            CourseLine {
                course_id: c.id,
                title: c.title,
                kind: c.kind,
                held: count,
                tally,
            }
        })
        .collect();
    let drills = held
        .iter()
        .filter(|s| s.kind == CourseKind::Drill)
        .map(|s| DrillLine {
            session_id: s.id,
            title: s.course_title.clone(),
            held_on: s.held_on,
            starts_at: s.starts_at,
            place: s.place.clone(),
            tally: tally_of(s),
        })
        .collect();

    let notices = report_store::notices_between(
        app.store(),
        japan_midnight(fy.start()),
        japan_midnight(fy.next().start()),
    )
    .await?
    .into_iter()
    .map(|n| NoticeLine {
        id: n.id,
        title: n.title,
        posted_on: japan_date(n.created_at),
        withdrawn: n.withdrawn_at.is_some(),
        audience: n.audience_size,
        read: n.read_count,
    })
    .collect();

    Ok(YearlyReport {
        fiscal_year: fy,
        as_of,
        user_types: by_user_type(&rows),
        posts,
        courses,
        drills,
        notices,
    })
}

/// A post's name in `tr`'s language: a built-in post's from the locale, the assembly's
/// own as written.
pub fn post_name(tr: &Tr, post: &Post) -> String {
    match (post.role, &post.name) {
        (Some(role), _) => tr.t(&format!("org_role.{}", role.as_str())).to_owned(),
        (None, Some(name)) => name.clone(),
        (None, None) => format!("#{}", post.id),
    }
}

/// A holder's standing as a word: the rule's, or "not counted".
pub fn standing_key(standing: Option<Coverage>) -> &'static str {
    standing.map_or("training.report.not_counted", Coverage::label_key)
}

/// The report as one workbook, a sheet per section, headed in `lang`. Dates are ISO
/// 8601 and rates whole per cents, the same in both languages. The export is in the
/// audit trail: the posts' sheet names people.
pub async fn report_xlsx(
    app: &App,
    acting: &Acting,
    fy: FiscalYear,
    lang: Lang,
) -> Result<Vec<u8>, Failure> {
    let report = yearly_report(app, acting, fy).await?;
    let permit = app
        .permit(acting, Register::Training, Act::SeeAll, "training.report")
        .await?;
    let sheets = sheets(&report, &Tr::new(lang));
    let mut tx = permit.write(app).await?;
    tx.audit(
        mamori_store::AuditEntry::new("training.report_export", "training_report")
            .target(fy.year().to_string())
            .change("sheets", None::<usize>, sheets.len()),
    )
    .await?;
    tx.commit().await?;
    crate::sheets::write_book(sheets).await.map_err(|e| {
        Failure::Store(mamori_store::StoreError::Io(std::io::Error::other(
            e.to_string(),
        )))
    })
}

fn sheets(r: &YearlyReport, tr: &Tr) -> Vec<SheetData> {
    let head = |keys: &[&str]| -> Vec<String> {
        keys.iter()
            .map(|k| tr.t(&format!("training.report.column.{k}")).to_owned())
            .collect()
    };
    let percent = |p: i64| format!("{p}%");
    let tally = |t: &Tally| {
        vec![
            t.invited.to_string(),
            t.present.to_string(),
            t.absent.to_string(),
            t.excused.to_string(),
            percent(t.percent()),
        ]
    };
    let (people, bound, met) = r.total();
    let total = TypeLine {
        user_type: UserType::Other,
        people,
        bound,
        met,
    };
    let type_row = |label: String, l: &TypeLine| {
        vec![
            label,
            l.people.to_string(),
            l.bound.to_string(),
            l.met.to_string(),
            l.not_met().to_string(),
            percent(l.percent()),
        ]
    };
    let mut types: Vec<Vec<String>> = r
        .user_types
        .iter()
        .map(|l| {
            type_row(
                tr.t(&format!("user_type.{}", l.user_type.as_str()))
                    .to_owned(),
                l,
            )
        })
        .collect();
    types.push(type_row(tr.t("training.report.total").to_owned(), &total));
    let sheet = |key: &str, headers: Vec<String>, rows: Vec<Vec<String>>| SheetData {
        name: tr.t(&format!("training.report.sheet.{key}")).to_owned(),
        headers,
        rows,
    };
    vec![
        sheet(
            "user_types",
            head(&["user_type", "people", "bound", "met", "not_met", "rate"]),
            types,
        ),
        sheet(
            "posts",
            head(&["post", "holder", "from", "to", "standing"]),
            r.posts
                .iter()
                .flat_map(|p| {
                    p.holders.iter().map(|h| {
                        vec![
                            post_name(tr, &p.post),
                            h.name.clone(),
                            date_text(h.starts_on),
                            h.ends_on.map(date_text).unwrap_or_default(),
                            tr.t(standing_key(h.standing)).to_owned(),
                        ]
                    })
                })
                .collect(),
        ),
        sheet(
            "courses",
            head(&[
                "course",
                "kind",
                "held",
                "invited",
                "present",
                "absent",
                "excused",
                "attendance_rate",
            ]),
            r.courses
                .iter()
                .map(|c| {
                    let mut row = vec![
                        c.title.clone(),
                        tr.t(c.kind.label_key()).to_owned(),
                        c.held.to_string(),
                    ];
                    row.extend(tally(&c.tally));
                    row
                })
                .collect(),
        ),
        sheet(
            "drills",
            head(&[
                "held_on",
                "starts_at",
                "course",
                "place",
                "invited",
                "present",
                "absent",
                "excused",
                "attendance_rate",
            ]),
            r.drills
                .iter()
                .map(|d| {
                    let mut row = vec![
                        date_text(d.held_on),
                        rules::time_text(d.starts_at),
                        d.title.clone(),
                        d.place.clone(),
                    ];
                    row.extend(tally(&d.tally));
                    row
                })
                .collect(),
        ),
        sheet(
            "notices",
            head(&[
                "posted_on",
                "notice",
                "audience",
                "read",
                "read_rate",
                "state",
            ]),
            r.notices
                .iter()
                .map(|n| {
                    vec![
                        date_text(n.posted_on),
                        n.title.clone(),
                        n.audience.to_string(),
                        n.read.to_string(),
                        percent(n.percent()),
                        if n.withdrawn {
                            tr.t("training.report.withdrawn").to_owned()
                        } else {
                            String::new()
                        },
                    ]
                })
                .collect(),
        ),
    ]
}
