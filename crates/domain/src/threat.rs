//! The threat catalogue of clause 3: the threats a new installation starts with (those
//! the seed policy names, and the few the assembly adds under the families' 「等」), a
//! threat as typed, and the rule that no two threats of one family share a name. Pure:
//! the stored catalogue is handed in.

use crate::field::FieldProblem;
use crate::risk::{ThreatFamily, check_threat_name};
use crate::search::normalise;
use crate::text::TextProblem;

/// Where a threat of the catalogue comes from: named in the text of clause 3, or added
/// by the assembly. Pages never present an addition as the policy's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreatOrigin {
    /// Named in clause 3 of the basic policy.
    Policy,
    /// Added by the assembly (built in with mamori, or entered by the security officer).
    Addition,
}

impl ThreatOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            ThreatOrigin::Policy => "policy",
            ThreatOrigin::Addition => "addition",
        }
    }

    pub fn parse(value: &str) -> Option<ThreatOrigin> {
        [ThreatOrigin::Policy, ThreatOrigin::Addition]
            .into_iter()
            .find(|o| o.as_str() == value)
    }
}

/// A threat a new installation starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueThreat {
    pub family: ThreatFamily,
    pub name: &'static str,
    /// Shown on English pages while the Japanese name is as delivered.
    pub name_en: &'static str,
    pub description: &'static str,
    pub origin: ThreatOrigin,
}

/// The threats clause 3 of the seed policy names, by family, in its order.
const NAMED: [(ThreatFamily, &[(&str, &str)]); 5] = [
    (
        ThreatFamily::Intentional,
        &[
            ("不正アクセス", "Unauthorised access"),
            ("ウイルス攻撃", "Malware attack"),
            ("サービス不能攻撃", "Denial-of-service attack"),
            ("部外者の侵入", "Intrusion by outsiders"),
            (
                "重要情報の詐取",
                "Theft of important information by deception",
            ),
            ("内部不正", "Insider wrongdoing"),
        ],
    ),
    (
        ThreatFamily::Unintentional,
        &[
            (
                "情報資産の無断持ち出し",
                "Taking information assets out without permission",
            ),
            ("無許可ソフトウェアの使用", "Use of unapproved software"),
            ("設計・開発の不備", "Design and development flaws"),
            ("プログラム上の欠陥", "Program defects"),
            ("操作・設定ミス", "Operating and configuration mistakes"),
            ("メンテナンス不備", "Poor maintenance"),
            (
                "内部・外部監査機能の不備",
                "Failures of internal or external audit",
            ),
            ("外部委託管理の不備", "Poor oversight of contractors"),
            ("マネジメントの欠陥", "Management failures"),
            ("機器故障", "Equipment failure"),
        ],
    ),
    (
        ThreatFamily::Disaster,
        &[
            ("地震", "Earthquake"),
            ("落雷", "Lightning"),
            ("火災", "Fire"),
        ],
    ),
    (
        ThreatFamily::Pandemic,
        &[(
            "大規模・広範囲にわたる疾病による要員不足",
            "Staff shortage from a large-scale, widespread illness",
        )],
    ),
    (
        ThreatFamily::Infrastructure,
        &[
            ("電力供給の途絶", "Loss of power supply"),
            ("通信の途絶", "Loss of communications"),
            ("水道供給の途絶", "Loss of water supply"),
        ],
    ),
];

/// Threats the assembly adds: clause 3 lists its examples ending in 「等」, and these are
/// the everyday incidents of an assembly that its examples leave unnamed. All three are
/// non-intentional (3(2)). A lost or stolen tablet is filed there too, although a theft
/// is intentional: the theft of information as such is already 3(1)'s 重要情報の詐取,
/// while what the assembly must manage here is a device or document leaving its holder's
/// control — mostly left behind, sometimes taken — with the same measures either way
/// (take-out rules, encryption, remote wipe, prompt reporting). Migration 0016 adds them
/// to existing catalogues with the same names and texts.
const ADDED: [(&str, &str, &str, &str); 3] = [
    (
        "紛失・盗難",
        "Loss or theft",
        "タブレット、ノートパソコン、USBメモリ、書類などを置き忘れ、紛失し、又は盗まれること。",
        "A tablet, laptop, USB memory stick, paper or the like is left behind, lost or stolen.",
    ),
    (
        "誤送信・誤送付",
        "Sending to the wrong recipient",
        "電子メール、ファクシミリ、郵便などで、宛先や添付・同封する資料を誤って送ること。",
        "An e-mail, fax or letter goes to the wrong address, or with the wrong attachment or enclosure.",
    ),
    (
        "誤廃棄",
        "Disposal by mistake",
        "保存期間中の文書や記録媒体を、誤って廃棄し、又は消去すること。",
        "A document or medium still within its retention period is disposed of or erased by mistake.",
    ),
];

/// The English of a description the catalogue starts with, shown on English pages while
/// the stored text is still the one delivered; `None` for the assembly's own words.
pub fn description_en(description: &str) -> Option<&'static str> {
    ADDED
        .iter()
        .find(|(_, _, ja, _)| *ja == description)
        .map(|(_, _, _, en)| *en)
}

/// The catalogue a new installation starts with: the policy's threats, then the
/// assembly's additions.
pub fn seed_catalogue() -> Vec<CatalogueThreat> {
    let named = NAMED.iter().flat_map(|(family, names)| {
        names.iter().map(move |(name, name_en)| CatalogueThreat {
            family: *family,
            name,
            name_en,
            description: "",
            origin: ThreatOrigin::Policy,
        })
    });
    let added = ADDED
        .iter()
        .map(|(name, name_en, description, _)| CatalogueThreat {
            family: ThreatFamily::Unintentional,
            name,
            name_en,
            description,
            origin: ThreatOrigin::Addition,
        });
    named.chain(added).collect()
}

/// Longest name of a threat, in characters.
pub const NAME_MAX: usize = 100;
/// Longest description of a threat, in characters (a line break counts as one).
pub const DESCRIPTION_MAX: usize = 2000;

/// A threat as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreatForm {
    pub family: String,
    pub name: String,
    pub description: String,
}

/// A threat as checked, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedThreat {
    pub family: ThreatFamily,
    pub name: String,
    pub description: String,
}

/// A threat of the catalogue as the name rule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownThreat<'a> {
    pub id: i64,
    pub family: ThreatFamily,
    pub name: &'a str,
    pub retired: bool,
}

/// A description: several lines, at most [`DESCRIPTION_MAX`] characters once trimmed,
/// no control characters other than line breaks and tabs (a NUL would break exports,
/// and PostgreSQL refuses it). Browsers send line breaks as CRLF: stored as LF.
fn check_description(value: &str) -> Result<String, FieldProblem> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldProblem::new(
            "description",
            "threat.error.control_chars_multiline",
        ));
    }
    let text = value.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.chars().count() > DESCRIPTION_MAX {
        return Err(FieldProblem::text(
            "description",
            TextProblem::TooLong {
                max: DESCRIPTION_MAX,
            },
        ));
    }
    Ok(text.to_owned())
}

impl ThreatForm {
    /// Checks every field at once, so that each can show its own message.
    pub fn check(&self) -> Result<CheckedThreat, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let family = ThreatFamily::parse(self.family.trim());
        if family.is_none() {
            problems.push(FieldProblem::new("family", "threat.error.family"));
        }
        let name = check_threat_name(&self.name)
            .map_err(|p| problems.push(FieldProblem::text("name", p)))
            .ok();
        let description = check_description(&self.description)
            .map_err(|p| problems.push(p))
            .ok();
        match (family, name, description) {
            (Some(family), Some(name), Some(description)) if problems.is_empty() => {
                Ok(CheckedThreat {
                    family,
                    name,
                    description,
                })
            }
            _ => Err(problems),
        }
    }
}

/// Another threat of the same family already has this name (retired ones included:
/// bringing one back is better than a second with the same name).
pub fn name_taken(
    threats: &[KnownThreat],
    except: Option<i64>,
    checked: &CheckedThreat,
) -> Option<FieldProblem> {
    let wanted = normalise(&checked.name);
    let clash = threats.iter().find(|t| {
        Some(t.id) != except && t.family == checked.family && normalise(t.name) == wanted
    })?;
    Some(
        FieldProblem::new(
            "name",
            if clash.retired {
                "threat.error.duplicate_retired"
            } else {
                "threat.error.duplicate"
            },
        )
        .with("name", clash.name),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(family: &str, name: &str, description: &str) -> ThreatForm {
        ThreatForm {
            family: family.into(),
            name: name.into(),
            description: description.into(),
        }
    }

    #[test]
    fn the_catalogue_covers_every_family_and_marks_the_additions() {
        let catalogue = seed_catalogue();
        for family in ThreatFamily::ALL {
            assert!(
                catalogue
                    .iter()
                    .any(|t| t.family == family && t.origin == ThreatOrigin::Policy),
                "{family:?}"
            );
        }
        let find = |name: &str| catalogue.iter().find(|t| t.name == name).unwrap();
        assert_eq!(find("内部不正").family, ThreatFamily::Intentional);
        assert_eq!(find("機器故障").origin, ThreatOrigin::Policy);
        for added in ["紛失・盗難", "誤送信・誤送付", "誤廃棄"] {
            let threat = find(added);
            assert_eq!(
                (threat.family, threat.origin),
                (ThreatFamily::Unintentional, ThreatOrigin::Addition)
            );
            assert!(!threat.description.is_empty());
        }
        assert_eq!(find("紛失・盗難").name_en, "Loss or theft");
        for threat in catalogue.iter().filter(|t| !t.description.is_empty()) {
            let english = description_en(threat.description).unwrap();
            assert!(english.is_ascii(), "{english}");
        }
        assert_eq!(description_en("議会で書き直した説明"), None);
        // Every name passes the catalogue's own check, and none repeats in its family.
        for threat in &catalogue {
            assert!(!threat.name_en.is_empty() && threat.name_en.is_ascii());
            let checked = form(threat.family.as_str(), threat.name, threat.description)
                .check()
                .unwrap();
            let others: Vec<KnownThreat> = catalogue
                .iter()
                .filter(|t| t.name != threat.name)
                .map(|t| KnownThreat {
                    id: 0,
                    family: t.family,
                    name: t.name,
                    retired: false,
                })
                .collect();
            assert!(name_taken(&others, None, &checked).is_none());
        }
        assert_eq!(
            ThreatOrigin::parse("addition"),
            Some(ThreatOrigin::Addition)
        );
        assert_eq!(ThreatOrigin::parse("model"), None);
    }

    #[test]
    fn a_threat_is_checked_field_by_field() {
        let checked = form("intentional", "　標的型メール ", "添付ファイル\r\nURL")
            .check()
            .unwrap();
        assert_eq!(checked.family, ThreatFamily::Intentional);
        assert_eq!(checked.name, "標的型メール");
        assert_eq!(checked.description, "添付ファイル\nURL");
        let problems = form("alien", " ", &"あ".repeat(DESCRIPTION_MAX + 1))
            .check()
            .unwrap_err();
        let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.field, p.key)).collect();
        assert_eq!(
            found,
            vec![
                ("family", "threat.error.family"),
                ("name", "field.error.required"),
                ("description", "field.error.too_long"),
            ]
        );
        let problems = form("disaster", &"あ".repeat(NAME_MAX + 1), "a\u{0}b")
            .check()
            .unwrap_err();
        let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.field, p.key)).collect();
        assert_eq!(
            found,
            vec![
                ("name", "field.error.too_long"),
                ("description", "threat.error.control_chars_multiline"),
            ]
        );
        assert!(form("disaster", "地震\t", "").check().is_ok());
        assert!(form("disaster", "地\n震", "").check().is_err());
    }

    #[test]
    fn names_are_unique_within_a_family() {
        let all = vec![
            KnownThreat {
                id: 1,
                family: ThreatFamily::Disaster,
                name: "地震",
                retired: false,
            },
            KnownThreat {
                id: 2,
                family: ThreatFamily::Disaster,
                name: "落雷",
                retired: true,
            },
        ];
        let checked = |family, name: &str| CheckedThreat {
            family,
            name: name.into(),
            description: String::new(),
        };
        assert_eq!(
            name_taken(&all, None, &checked(ThreatFamily::Disaster, "地震"))
                .unwrap()
                .key,
            "threat.error.duplicate"
        );
        assert_eq!(
            name_taken(&all, None, &checked(ThreatFamily::Disaster, "落雷"))
                .unwrap()
                .key,
            "threat.error.duplicate_retired"
        );
        assert!(name_taken(&all, Some(1), &checked(ThreatFamily::Disaster, "地震")).is_none());
        assert!(name_taken(&all, None, &checked(ThreatFamily::Intentional, "地震")).is_none());
    }
}
