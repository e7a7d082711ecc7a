//! The two classification schemes mamori ships as starting points: the national
//! guideline's scheme as revised in 令和6年10月 (confidentiality 3A/3B/3C/2/1) and the
//! earlier one (3/2/1) that many bodies still use. Definitions and handling rules are
//! mamori's own summaries of the guideline's intent, written for an assembly; the
//! assembly is expected to check them against its 対策基準 and edit them.

use std::collections::BTreeMap;

use crate::classification::{Axis, Level, LifecycleStep, Scheme};

use LifecycleStep::{Carry, Create, Dispose, Obtain, Provide, Send, Store, Use};

fn level(
    axis: Axis,
    code: &str,
    name: &str,
    rank: i64,
    definition: &str,
    takeout_requires_approval: bool,
    rules: &[(LifecycleStep, &str)],
) -> Level {
    Level {
        id: 0,
        axis,
        code: code.to_owned(),
        name: name.to_owned(),
        rank,
        definition: definition.to_owned(),
        takeout_requires_approval,
        rules: rules
            .iter()
            .map(|(step, rule)| (*step, (*rule).to_owned()))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// Rules for the most protected confidentiality levels (秘密文書 and the like).
const SECRET_RULES: [(LifecycleStep, &str); 8] = [
    (
        Create,
        "作成時に分類を決め、文書・ファイルに「秘」等の表示をする。作成者と作成日を記録する。",
    ),
    (
        Obtain,
        "入手した時点で分類を確認し、表示を付けて台帳に登録する。入手元と入手日を記録する。",
    ),
    (
        Use,
        "業務上必要な最小限の者に限って利用させる。複製は情報セキュリティ管理者の許可を得て行い、複製の数と所在を記録する。",
    ),
    (
        Store,
        "施錠できる書庫・金庫又はアクセス権を限定したサーバに保管する。電磁的記録は暗号化し、私物の機器・記録媒体には保存しない。",
    ),
    (
        Send,
        "電子メールでの送信は原則として行わない。やむを得ず送る場合は暗号化し、パスワードは別の経路で伝える。",
    ),
    (
        Carry,
        "庁外への持ち出しは事前に許可を得て記録する。封緘・施錠できる容器で運び、電磁的記録は暗号化した媒体に限る。",
    ),
    (
        Provide,
        "外部への提供は情報セキュリティ管理者の許可を得て、提供先に取扱いの条件を示したうえで行う。公表はしない。",
    ),
    (
        Dispose,
        "復元できない方法（裁断・溶解、記録媒体の物理破壊又はデータ消去）で廃棄し、日時・実施者・方法・立会者を記録する。",
    ),
];

/// Rules for information not meant for the public but not secret.
const INTERNAL_RULES: [(LifecycleStep, &str); 8] = [
    (
        Create,
        "作成時に分類を決め、必要に応じて「取扱注意」等の表示をする。",
    ),
    (Obtain, "入手した時点で分類を確認し、台帳に登録する。"),
    (Use, "業務の目的の範囲で利用し、不要な複製をしない。"),
    (
        Store,
        "施錠できる書庫又はアクセス権を設定したフォルダに保管する。私物の機器・記録媒体には保存しない。",
    ),
    (
        Send,
        "宛先を確認して送信する。庁外へ電子メールで送る場合は暗号化する。",
    ),
    (
        Carry,
        "庁外への持ち出しは事前に許可を得て記録する。電磁的記録は暗号化した媒体で運ぶ。",
    ),
    (
        Provide,
        "外部への提供は所属長の許可を得て行う。公表はしない（公表するには分類を見直す）。",
    ),
    (
        Dispose,
        "裁断又はデータ消去など復元できない方法で廃棄し、廃棄したことを記録する。",
    ),
];

const PUBLIC_RULES: [(LifecycleStep, &str); 3] = [
    (Use, "内容が正確であることを確かめて利用する。"),
    (
        Provide,
        "提供・公表してよい。公表前に内容と分類を確認する。",
    ),
    (Dispose, "通常の方法で廃棄してよい。"),
];

fn integrity_and_availability() -> [Level; 4] {
    [
        level(
            Axis::Integrity,
            "2",
            "完全性2",
            2,
            "改ざん、誤り又は破損により、住民の権利が侵害され、又は議会の事務の適確な遂行に支障（軽微なものを除く。）を及ぼすおそれがある情報資産。",
            false,
            &[
                (
                    Create,
                    "作成者と作成日を明らかにし、内容を確認した者を記録する。",
                ),
                (Obtain, "入手元と入手日を記録する。"),
                (Use, "変更は権限のある者に限り、変更の履歴を残す。"),
                (
                    Store,
                    "バックアップを取り、改ざんを検知できるようにして保管する。",
                ),
                (Send, "送信後に受信側で内容が正しいことを確認する。"),
            ],
        ),
        level(
            Axis::Integrity,
            "1",
            "完全性1",
            1,
            "完全性2に当たらない情報資産。",
            false,
            &[],
        ),
        level(
            Axis::Availability,
            "2",
            "可用性2",
            2,
            "滅失、紛失又は利用できなくなることにより、住民の権利が侵害され、又は議会の事務の安定的な遂行に支障（軽微なものを除く。）を及ぼすおそれがある情報資産。",
            false,
            &[
                (
                    Store,
                    "定期的にバックアップを取り、別の場所にも保管する。復元の手順を確かめておく。",
                ),
                (
                    Use,
                    "障害時に代わりの手段で事務を続けられるようにしておく。",
                ),
                (Carry, "紛失しないよう運搬の経路と担当者を決める。"),
            ],
        ),
        level(
            Axis::Availability,
            "1",
            "可用性1",
            1,
            "可用性2に当たらない情報資産。",
            false,
            &[],
        ),
    ]
}

/// The guideline's scheme as revised in 令和6年10月.
pub fn guideline_2024() -> Scheme {
    let mut levels = vec![
        level(
            Axis::Confidentiality,
            "3A",
            "自治体機密性3A",
            5,
            "「行政文書の管理に関するガイドライン」に定める秘密文書に相当する機密性を要する情報資産。",
            true,
            &SECRET_RULES,
        ),
        level(
            Axis::Confidentiality,
            "3B",
            "自治体機密性3B",
            4,
            "秘密文書には当たらないが、漏えい等が生じた場合に個人の権利利益を大きく侵害し、又は事務の遂行に重大な支障を及ぼすおそれのある情報資産（例：個人番号を含む情報、多数の住民の個人情報）。",
            true,
            &SECRET_RULES,
        ),
        level(
            Axis::Confidentiality,
            "3C",
            "自治体機密性3C",
            3,
            "3A・3Bには当たらないが、漏えい等により個人の権利利益の侵害又は事務の遂行への支障が生じるおそれがあり、取り扱う者を限る必要のある情報資産。",
            true,
            &SECRET_RULES,
        ),
        level(
            Axis::Confidentiality,
            "2",
            "自治体機密性2",
            2,
            "直ちに一般に公表することを前提としていないが、3A〜3Cのいずれにも当たらない情報資産。",
            true,
            &INTERNAL_RULES,
        ),
        level(
            Axis::Confidentiality,
            "1",
            "自治体機密性1",
            1,
            "自治体機密性2以上に当たらない情報資産（公表されている情報、公表して差し支えない情報）。",
            false,
            &PUBLIC_RULES,
        ),
    ];
    levels.extend(integrity_and_availability());
    Scheme {
        id: 0,
        key: "guideline_2024".to_owned(),
        name: "総務省ガイドライン（令和6年10月改定）".to_owned(),
        levels,
    }
}

/// The earlier scheme: confidentiality 3/2/1.
pub fn guideline_legacy() -> Scheme {
    let mut levels = vec![
        level(
            Axis::Confidentiality,
            "3",
            "機密性3",
            3,
            "議会の事務で取り扱う情報資産のうち、秘密文書に相当する機密性を要する情報資産。",
            true,
            &SECRET_RULES,
        ),
        level(
            Axis::Confidentiality,
            "2",
            "機密性2",
            2,
            "秘密文書に相当する機密性は要しないが、直ちに一般に公表することを前提としていない情報資産。",
            true,
            &INTERNAL_RULES,
        ),
        level(
            Axis::Confidentiality,
            "1",
            "機密性1",
            1,
            "機密性2又は機密性3に当たらない情報資産。",
            false,
            &PUBLIC_RULES,
        ),
    ];
    levels.extend(integrity_and_availability());
    Scheme {
        id: 0,
        key: "guideline_legacy".to_owned(),
        name: "総務省ガイドライン（令和5年3月版まで）".to_owned(),
        levels,
    }
}

/// Both presets; the first is the default for a new installation.
pub fn all() -> Vec<Scheme> {
    vec![guideline_2024(), guideline_legacy()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_have_distinct_ranked_levels_on_every_axis() {
        for scheme in all() {
            for axis in Axis::ALL {
                let levels = scheme.levels_of(axis);
                assert!(levels.len() >= 2, "{} {:?}", scheme.key, axis);
                let mut ranks: Vec<i64> = levels.iter().map(|l| l.rank).collect();
                ranks.dedup();
                assert_eq!(ranks.len(), levels.len());
            }
            // Only the lowest confidentiality level may be published, and its rules say so.
            let lowest = *scheme.levels_of(Axis::Confidentiality).last().unwrap();
            assert!(scheme.may_publish(lowest));
            for level in scheme.levels_of(Axis::Confidentiality) {
                if level.rank > lowest.rank {
                    assert!(level.rules[&LifecycleStep::Provide].contains("公表はしない"));
                    assert!(level.rules.contains_key(&LifecycleStep::Dispose));
                }
            }
        }
    }
}
