//! Emergency response plan (緊急時対応計画, issue 18 item 6; clause 6(7) of the basic
//! policy). The plan's text is a policy document of kind
//! [`PolicyKind::ResponsePlan`], drafted, approved (決裁) and published like any other;
//! each version also keeps structured scenarios, at least one per family of threats of
//! clause 3: first actions as a checklist, whom to call (posts of the contact tree,
//! resolved to people and numbers when printed, never typed twice) and what to report
//! where.
//!
//! [`PolicyKind::ResponsePlan`]: crate::policy_lifecycle::PolicyKind::ResponsePlan

use serde::{Deserialize, Serialize};

use crate::field::{FieldProblem, Problems};
use crate::user::OrgRole;

/// The families of threats clause 3 lists, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// (1) 不正アクセス・ウイルス攻撃・情報漏えい
    CyberAttack,
    /// (2) 誤操作・紛失・盗難
    LossTheft,
    /// (3) 地震・火災・水害などの災害
    Disaster,
    /// (4) 感染症のまん延による要員不足
    Pandemic,
    /// (5) 電力・通信・水道の途絶
    Outage,
}

impl Family {
    pub const ALL: [Family; 5] = [
        Family::CyberAttack,
        Family::LossTheft,
        Family::Disaster,
        Family::Pandemic,
        Family::Outage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Family::CyberAttack => "cyber_attack",
            Family::LossTheft => "loss_theft",
            Family::Disaster => "disaster",
            Family::Pandemic => "pandemic",
            Family::Outage => "outage",
        }
    }

    pub fn parse(code: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.as_str() == code)
    }

    /// The locale key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Family::CyberAttack => "response_plan.family.cyber_attack",
            Family::LossTheft => "response_plan.family.loss_theft",
            Family::Disaster => "response_plan.family.disaster",
            Family::Pandemic => "response_plan.family.pandemic",
            Family::Outage => "response_plan.family.outage",
        }
    }
}

/// The longest title, and the longest line of a checklist or of what to report.
pub const TITLE_MAX: usize = 100;
pub const LINE_MAX: usize = 200;
/// A checklist longer than a printed A4 page helps nobody in an emergency.
pub const ACTIONS_MAX: usize = 25;
pub const REPORTS_MAX: usize = 10;
pub const CALLS_MAX: usize = 15;

/// A scenario as typed: the page sends the lists as text, one item a line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ScenarioInput {
    pub family: String,
    pub title: String,
    pub actions: Vec<String>,
    /// Post ids; they are called in the contact tree's calling order.
    pub calls: Vec<i64>,
    pub reports: Vec<String>,
}

/// A scenario that reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub family: Family,
    pub title: String,
    pub actions: Vec<String>,
    pub calls: Vec<i64>,
    pub reports: Vec<String>,
}

/// Splits a text area into its lines, blank ones left out.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

fn check_lines(
    field: &'static str,
    typed: &[String],
    max: usize,
    problems: &mut Problems,
) -> Vec<String> {
    let kept: Vec<String> = typed
        .iter()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    if kept.len() > max {
        problems
            .push(FieldProblem::new(field, "response_plan.error.too_many_lines").with("max", max));
    }
    if let Some(n) = kept.iter().position(|l| l.chars().count() > LINE_MAX) {
        problems.push(
            FieldProblem::new(field, "response_plan.error.line_too_long")
                .with("line", n + 1)
                .with("max", LINE_MAX),
        );
    } else if kept.iter().any(|l| has_control(l)) {
        problems.push(FieldProblem::new(field, "response_plan.error.control"));
    }
    kept
}

impl ScenarioInput {
    /// Checks the form: a known family, a title, at least one first action, lines of a
    /// bounded length and number. Whether the posts exist is the use case's to check.
    pub fn check(&self) -> Result<Scenario, Vec<FieldProblem>> {
        let mut problems = Problems::new();
        let family = Family::parse(self.family.trim());
        if family.is_none() {
            problems.push(FieldProblem::new(
                "family",
                "response_plan.error.unknown_family",
            ));
        }
        let title = self.title.trim();
        if title.is_empty() {
            problems.push(FieldProblem::new("title", "response_plan.error.no_title"));
        } else if title.chars().count() > TITLE_MAX {
            problems.push(
                FieldProblem::new("title", "response_plan.error.title_too_long")
                    .with("max", TITLE_MAX),
            );
        } else if has_control(title) {
            problems.push(FieldProblem::new("title", "response_plan.error.control"));
        }
        let actions = check_lines("actions", &self.actions, ACTIONS_MAX, &mut problems);
        if actions.is_empty() {
            problems.push(FieldProblem::new(
                "actions",
                "response_plan.error.no_actions",
            ));
        }
        let reports = check_lines("reports", &self.reports, REPORTS_MAX, &mut problems);
        let mut calls = Vec::new();
        for id in &self.calls {
            if !calls.contains(id) {
                calls.push(*id);
            }
        }
        if calls.len() > CALLS_MAX {
            problems.push(
                FieldProblem::new("calls", "response_plan.error.too_many_calls")
                    .with("max", CALLS_MAX),
            );
        }
        match family {
            Some(family) => problems.or(Scenario {
                family,
                title: title.to_owned(),
                actions,
                calls,
                reports,
            }),
            None => Err(problems.into_vec()),
        }
    }
}

/// A scenario a new plan starts with: its family, title, first actions, the posts to
/// call (by role; resolved to the assembly's posts when the plan is started) and what
/// to report where. Generic wording, for the secretariat to adapt.
pub struct Preset {
    pub family: Family,
    pub title: &'static str,
    pub actions: &'static [&'static str],
    pub calls: &'static [OrgRole],
    pub reports: &'static [&'static str],
}

/// One scenario per family of clause 3, in its order.
pub const DEFAULTS: [Preset; 5] = [
    Preset {
        family: Family::CyberAttack,
        title: "不正アクセス・ウイルス感染・情報漏えいの疑い",
        actions: &[
            "不審な端末はLANケーブルを抜き、無線LANを切ってネットワークから外す（電源は切らない）",
            "画面の表示、気付いた時刻、操作していた内容をメモし、画面を写真に撮る",
            "不審なメールや添付ファイルは開かず、削除もせずに残す",
            "情報システム担当者と統括情報セキュリティ責任者へ直ちに連絡する",
            "漏えいのおそれがある情報（件名・件数・相手先）を洗い出す",
            "パスワードが盗まれたおそれがあるときは、別の端末から変更する",
            "指示があるまで、当該端末やシステムの利用を再開しない",
        ],
        calls: &[
            OrgRole::SystemStaff,
            OrgRole::CsirtLead,
            OrgRole::ChiefSecurityOfficer,
            OrgRole::Ciso,
        ],
        reports: &[
            "統括情報セキュリティ責任者へ：発見後ただちに（第一報は口頭でよい）",
            "最高情報セキュリティ責任者（CISO）へ：判明した事実を当日中に",
            "個人情報の漏えいのおそれがあるときは個人情報保護委員会へ：速やかに（3〜5日以内目安）",
            "犯罪のおそれがあるときは警察（サイバー犯罪相談窓口）へ：相談のうえ速やかに",
        ],
    },
    Preset {
        family: Family::LossTheft,
        title: "端末・記録媒体・書類の紛失・盗難、誤送信",
        actions: &[
            "最後に確認した場所と時刻を思い出し、心当たりの場所をすぐ探す",
            "誤送信のときは、相手先へ連絡して削除を依頼し、その結果を記録する",
            "盗難のときは、最寄りの警察署に届け出て受理番号を控える",
            "紛失した物に入っていた情報（件名・件数・格付）を書き出す",
            "端末のときは、遠隔ロック・アカウント停止を情報システム担当者に依頼する",
            "情報セキュリティ管理者へ連絡し、指示を受ける",
        ],
        calls: &[
            OrgRole::SecurityManager,
            OrgRole::SystemStaff,
            OrgRole::ChiefSecurityOfficer,
        ],
        reports: &[
            "情報セキュリティ管理者へ：気付いた時点でただちに",
            "統括情報セキュリティ責任者へ：当日中に経過と影響を書面で",
            "盗難のときは警察署へ：気付いた当日に届出",
        ],
    },
    Preset {
        family: Family::Disaster,
        title: "地震・火災・風水害などの災害",
        actions: &[
            "まず身の安全を確保し、避難の指示に従う（機器の保全より人命を優先）",
            "安全が確認できたら、自身と家族の安否を所定の方法で報告する",
            "サーバ室・執務室の被害（浸水・転倒・停電）を目視で確かめ、写真に残す",
            "濡れた機器や破損した機器には通電しない",
            "持ち出し用の緊急連絡先一覧と本計画の印刷物を手元に置く",
            "議会運営への影響（本会議・委員会の開催可否）を議会事務局長に報告する",
        ],
        calls: &[OrgRole::ChiefSecurityOfficer, OrgRole::Ciso],
        reports: &[
            "統括情報セキュリティ責任者へ：安否と被害状況を判明しだい",
            "本庁の災害対策本部へ：議会棟の被害状況を指示された時刻までに",
        ],
    },
    Preset {
        family: Family::Pandemic,
        title: "感染症の流行による職員の不足",
        actions: &[
            "出勤できる職員と在宅で対応できる職員を確認する",
            "休めない業務（会議の招集、議事録、問合せ対応）と担当の代わりを決める",
            "共有アカウントを作らず、代わりの担当者に必要な権限を一時的に与える",
            "自宅等から業務を行うときは、許可された端末と手順だけを使う",
            "権限の一時付与と終了日を記録する",
        ],
        calls: &[OrgRole::SecurityManager, OrgRole::ChiefSecurityOfficer],
        reports: &[
            "統括情報セキュリティ責任者へ：要員の状況と代替体制を毎日",
            "最高情報セキュリティ責任者（CISO）へ：権限の一時付与を行ったときその都度",
        ],
    },
    Preset {
        family: Family::Outage,
        title: "停電・通信回線・水道の途絶",
        actions: &[
            "停電・回線断の範囲（庁舎全体か、議会棟だけか）と発生時刻を確かめる",
            "無停電電源装置（UPS）で動いている機器は、手順に従って正しく停止する",
            "回線の事業者・庁内の情報政策担当へ障害を連絡し、受付番号を控える",
            "紙の様式と印刷済みの連絡網で業務を続ける",
            "復旧後、機器の起動とデータの欠けがないことを確かめてから利用を再開する",
        ],
        calls: &[OrgRole::SystemStaff, OrgRole::SecurityManager],
        reports: &[
            "情報セキュリティ管理者へ：発生と復旧の見込みを判明しだい",
            "統括情報セキュリティ責任者へ：業務への影響が半日を超えるとき",
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ScenarioInput {
        ScenarioInput {
            family: "disaster".into(),
            title: " 地震 ".into(),
            actions: vec!["身の安全".into(), "  ".into(), "報告".into()],
            calls: vec![3, 1, 3],
            reports: vec![],
        }
    }

    #[test]
    fn a_scenario_reads() {
        let s = input().check().unwrap();
        assert_eq!(s.family, Family::Disaster);
        assert_eq!(s.title, "地震");
        assert_eq!(s.actions, vec!["身の安全", "報告"]);
        assert_eq!(s.calls, vec![3, 1]);
    }

    #[test]
    fn bad_input_is_named() {
        let mut bad = input();
        bad.family = "meteor".into();
        bad.title = String::new();
        bad.actions = vec!["長".repeat(LINE_MAX + 1)];
        let problems = bad.check().unwrap_err();
        let keys: Vec<_> = problems.iter().map(|p| p.key).collect();
        assert_eq!(
            keys,
            vec![
                "response_plan.error.unknown_family",
                "response_plan.error.no_title",
                "response_plan.error.line_too_long",
            ]
        );
        let mut empty = input();
        empty.actions = vec![" ".into()];
        assert_eq!(
            empty.check().unwrap_err()[0].key,
            "response_plan.error.no_actions"
        );
        let mut many = input();
        many.reports = vec!["x".into(); REPORTS_MAX + 1];
        assert_eq!(
            many.check().unwrap_err()[0].key,
            "response_plan.error.too_many_lines"
        );
    }

    #[test]
    fn defaults_cover_every_family_and_read() {
        let families: Vec<_> = DEFAULTS.iter().map(|d| d.family).collect();
        assert_eq!(families, Family::ALL.to_vec());
        for d in &DEFAULTS {
            let typed = ScenarioInput {
                family: d.family.as_str().into(),
                title: d.title.into(),
                actions: d.actions.iter().map(|s| s.to_string()).collect(),
                calls: vec![],
                reports: d.reports.iter().map(|s| s.to_string()).collect(),
            };
            assert!(typed.check().is_ok(), "{}", d.title);
        }
        for f in Family::ALL {
            assert_eq!(Family::parse(f.as_str()), Some(f));
        }
        assert_eq!(lines("a\r\n\n b \n"), vec!["a", "b"]);
    }
}
