//! English texts of the shipped classification presets, shown to people who chose
//! English while a level still carries the preset's own Japanese text. A text the
//! assembly has edited is its own words and is shown as written.

use crate::classification::{Level, LevelInput, Scheme};
use crate::wareki::Lang;

/// The English of a preset text (scheme name, level name, definition or handling rule),
/// or none when `japanese` is not a preset text (the assembly wrote or edited it).
pub fn english(japanese: &str) -> Option<&'static str> {
    TEXTS
        .iter()
        .find(|(ja, _)| *ja == japanese)
        .map(|(_, en)| *en)
}

/// `scheme` as a reader in `lang` sees it: in English, every text still the preset's
/// own is shown in English; the assembly's own texts stay as written.
pub fn for_reader(mut scheme: Scheme, lang: Lang) -> Scheme {
    if lang != Lang::En {
        return scheme;
    }
    let swap = |text: &mut String| {
        if let Some(en) = english(text) {
            *text = en.to_owned();
        }
    };
    swap(&mut scheme.name);
    scheme.levels = scheme
        .levels
        .into_iter()
        .map(|level| level_for_reader(level, lang))
        .collect();
    scheme
}

/// `level` as a reader in `lang` sees it (see [`for_reader`]).
pub fn level_for_reader(mut level: Level, lang: Lang) -> Level {
    if lang != Lang::En {
        return level;
    }
    let swap = |text: &mut String| {
        if let Some(en) = english(text) {
            *text = en.to_owned();
        }
    };
    swap(&mut level.name);
    swap(&mut level.definition);
    level.rules.values_mut().for_each(swap);
    level
}

/// What to keep of `posted` for a text stored as `stored`, when the form showed the
/// English of preset texts: the English left as shown keeps the stored Japanese text
/// (saving a form unchanged changes nothing); anything else is what was typed.
pub fn as_stored(stored: &str, posted: String) -> String {
    match english(stored) {
        Some(en) if en == posted.trim() => stored.to_owned(),
        _ => posted,
    }
}

/// A level's form as posted by a reader who was shown `level` in English: every preset
/// text left as shown keeps `level`'s stored text ([`as_stored`]).
pub fn input_as_stored(level: &Level, input: LevelInput) -> LevelInput {
    LevelInput {
        name: as_stored(&level.name, input.name),
        definition: as_stored(&level.definition, input.definition),
        rules: input
            .rules
            .into_iter()
            .map(|(step, text)| {
                let stored = level.rules.get(&step).map_or("", String::as_str);
                (step, as_stored(stored, text))
            })
            .collect(),
        ..input
    }
}

const TEXTS: &[(&str, &str)] = &[
    // Schemes.
    (
        "総務省ガイドライン（令和6年10月改定）",
        "MIC guideline (revised October 2024)",
    ),
    (
        "総務省ガイドライン（令和5年3月版まで）",
        "MIC guideline (up to the March 2023 edition)",
    ),
    // Level names.
    ("自治体機密性3A", "Confidentiality 3A"),
    ("自治体機密性3B", "Confidentiality 3B"),
    ("自治体機密性3C", "Confidentiality 3C"),
    ("自治体機密性2", "Confidentiality 2"),
    ("自治体機密性1", "Confidentiality 1"),
    ("機密性3", "Confidentiality 3"),
    ("機密性2", "Confidentiality 2"),
    ("機密性1", "Confidentiality 1"),
    ("完全性2", "Integrity 2"),
    ("完全性1", "Integrity 1"),
    ("可用性2", "Availability 2"),
    ("可用性1", "Availability 1"),
    // Definitions.
    (
        "「行政文書の管理に関するガイドライン」に定める秘密文書に相当する機密性を要する情報資産。",
        "Information assets that need the confidentiality of a secret document as defined in the Guidelines on the Management of Administrative Documents.",
    ),
    (
        "秘密文書には当たらないが、漏えい等が生じた場合に個人の権利利益を大きく侵害し、又は事務の遂行に重大な支障を及ぼすおそれのある情報資産（例：個人番号を含む情報、多数の住民の個人情報）。",
        "Information assets that are not secret documents but whose leak would seriously harm people's rights and interests or the conduct of business (for example information with My Number, personal information of many residents).",
    ),
    (
        "3A・3Bには当たらないが、漏えい等により個人の権利利益の侵害又は事務の遂行への支障が生じるおそれがあり、取り扱う者を限る必要のある情報資産。",
        "Information assets that are neither 3A nor 3B but whose leak could harm people's rights and interests or hinder business, so that who handles them must be limited.",
    ),
    (
        "直ちに一般に公表することを前提としていないが、3A〜3Cのいずれにも当たらない情報資産。",
        "Information assets not meant to be published right away that are none of 3A to 3C.",
    ),
    (
        "自治体機密性2以上に当たらない情報資産（公表されている情報、公表して差し支えない情報）。",
        "Information assets below confidentiality 2 (information that is published or may be published).",
    ),
    (
        "議会の事務で取り扱う情報資産のうち、秘密文書に相当する機密性を要する情報資産。",
        "Information assets of the assembly's business that need the confidentiality of a secret document.",
    ),
    (
        "秘密文書に相当する機密性は要しないが、直ちに一般に公表することを前提としていない情報資産。",
        "Information assets that need less than a secret document's confidentiality but are not meant to be published right away.",
    ),
    (
        "機密性2又は機密性3に当たらない情報資産。",
        "Information assets that are neither confidentiality 2 nor 3.",
    ),
    (
        "改ざん、誤り又は破損により、住民の権利が侵害され、又は議会の事務の適確な遂行に支障（軽微なものを除く。）を及ぼすおそれがある情報資産。",
        "Information assets whose alteration, errors or damage could harm residents' rights or hinder the proper conduct of the assembly's business (beyond minor hindrance).",
    ),
    (
        "完全性2に当たらない情報資産。",
        "Information assets that are not integrity 2.",
    ),
    (
        "滅失、紛失又は利用できなくなることにより、住民の権利が侵害され、又は議会の事務の安定的な遂行に支障（軽微なものを除く。）を及ぼすおそれがある情報資産。",
        "Information assets whose destruction, loss or unavailability could harm residents' rights or hinder the steady conduct of the assembly's business (beyond minor hindrance).",
    ),
    (
        "可用性2に当たらない情報資産。",
        "Information assets that are not availability 2.",
    ),
    // Handling rules of the most protected levels.
    (
        "作成時に分類を決め、文書・ファイルに「秘」等の表示をする。作成者と作成日を記録する。",
        "Decide the classification when making it and mark the document or file as secret. Record who made it and when.",
    ),
    (
        "入手した時点で分類を確認し、表示を付けて台帳に登録する。入手元と入手日を記録する。",
        "Check the classification on receipt, mark it and enter it in the register. Record where it came from and when.",
    ),
    (
        "業務上必要な最小限の者に限って利用させる。複製は情報セキュリティ管理者の許可を得て行い、複製の数と所在を記録する。",
        "Only the fewest people the work needs may use it. Copies need the security manager's permission; record how many there are and where.",
    ),
    (
        "施錠できる書庫・金庫又はアクセス権を限定したサーバに保管する。電磁的記録は暗号化し、私物の機器・記録媒体には保存しない。",
        "Keep it in a lockable cabinet or safe, or on a server with restricted access. Encrypt electronic records and never keep them on private devices or media.",
    ),
    (
        "電子メールでの送信は原則として行わない。やむを得ず送る場合は暗号化し、パスワードは別の経路で伝える。",
        "Do not send it by e-mail as a rule. When it cannot be avoided, encrypt it and pass the password by another route.",
    ),
    (
        "庁外への持ち出しは事前に許可を得て記録する。封緘・施錠できる容器で運び、電磁的記録は暗号化した媒体に限る。",
        "Taking it out of the office needs permission beforehand and is recorded. Carry it in a sealed or locked container; electronic records only on encrypted media.",
    ),
    (
        "外部への提供は情報セキュリティ管理者の許可を得て、提供先に取扱いの条件を示したうえで行う。公表はしない。",
        "Provide it outside only with the security manager's permission, telling the recipient how it must be handled. Never publish it.",
    ),
    (
        "復元できない方法（裁断・溶解、記録媒体の物理破壊又はデータ消去）で廃棄し、日時・実施者・方法・立会者を記録する。",
        "Dispose of it so that it cannot be restored (shredding or pulping, physical destruction of media or data erasure) and record the date, who did it, how, and the witness.",
    ),
    // Handling rules of internal information.
    (
        "作成時に分類を決め、必要に応じて「取扱注意」等の表示をする。",
        "Decide the classification when making it and mark it as restricted where needed.",
    ),
    (
        "入手した時点で分類を確認し、台帳に登録する。",
        "Check the classification on receipt and enter it in the register.",
    ),
    (
        "業務の目的の範囲で利用し、不要な複製をしない。",
        "Use it only for the work's purpose and make no needless copies.",
    ),
    (
        "施錠できる書庫又はアクセス権を設定したフォルダに保管する。私物の機器・記録媒体には保存しない。",
        "Keep it in a lockable cabinet or in a folder with access rights set. Never keep it on private devices or media.",
    ),
    (
        "宛先を確認して送信する。庁外へ電子メールで送る場合は暗号化する。",
        "Check the addressee before sending. Encrypt it when e-mailing it outside the office.",
    ),
    (
        "庁外への持ち出しは事前に許可を得て記録する。電磁的記録は暗号化した媒体で運ぶ。",
        "Taking it out of the office needs permission beforehand and is recorded. Carry electronic records on encrypted media.",
    ),
    (
        "外部への提供は所属長の許可を得て行う。公表はしない（公表するには分類を見直す）。",
        "Provide it outside only with the head of section's permission. Never publish it (to publish it, review its classification first).",
    ),
    (
        "裁断又はデータ消去など復元できない方法で廃棄し、廃棄したことを記録する。",
        "Dispose of it so that it cannot be restored, such as by shredding or data erasure, and record the disposal.",
    ),
    // Handling rules of public information.
    (
        "内容が正確であることを確かめて利用する。",
        "Check that the content is accurate before using it.",
    ),
    (
        "提供・公表してよい。公表前に内容と分類を確認する。",
        "May be provided and published. Check the content and classification before publishing.",
    ),
    (
        "通常の方法で廃棄してよい。",
        "May be disposed of in the ordinary way.",
    ),
    // Integrity and availability rules.
    (
        "作成者と作成日を明らかにし、内容を確認した者を記録する。",
        "Make clear who made it and when, and record who checked the content.",
    ),
    (
        "入手元と入手日を記録する。",
        "Record where it came from and when.",
    ),
    (
        "変更は権限のある者に限り、変更の履歴を残す。",
        "Only authorised people change it, and the changes are kept as history.",
    ),
    (
        "バックアップを取り、改ざんを検知できるようにして保管する。",
        "Keep it backed up, stored so that alteration can be detected.",
    ),
    (
        "送信後に受信側で内容が正しいことを確認する。",
        "After sending, the recipient checks that the content is correct.",
    ),
    (
        "定期的にバックアップを取り、別の場所にも保管する。復元の手順を確かめておく。",
        "Back it up regularly and keep a copy elsewhere too. Make sure the restore procedure works.",
    ),
    (
        "障害時に代わりの手段で事務を続けられるようにしておく。",
        "Be ready to carry on the work by other means when systems fail.",
    ),
    (
        "紛失しないよう運搬の経路と担当者を決める。",
        "Decide the route and the person carrying it so that it is not lost.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classification_presets::all;

    #[test]
    fn every_preset_text_has_english_without_japanese() {
        let japanese = |s: &str| {
            s.chars().any(|c| {
                matches!(c, '\u{3000}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
            })
        };
        for scheme in all() {
            let mut texts = vec![scheme.name.clone()];
            for level in &scheme.levels {
                texts.push(level.name.clone());
                texts.push(level.definition.clone());
                texts.extend(level.rules.values().cloned());
            }
            for text in texts {
                let en = english(&text).unwrap_or_else(|| panic!("no English for {text}"));
                assert!(!japanese(en), "{en}");
            }
        }
        assert_eq!(
            english("議会が書き直した定義"),
            None,
            "edited texts are the assembly's"
        );
    }

    #[test]
    fn a_reader_in_english_sees_the_preset_in_english_and_the_assemblys_words_as_written() {
        let mut scheme = crate::classification_presets::guideline_2024();
        scheme.levels[1].definition = "議会で定めた定義".to_owned();
        let english = for_reader(scheme.clone(), Lang::En);
        assert_eq!(english.levels[0].name, "Confidentiality 3A");
        assert_eq!(english.levels[1].definition, "議会で定めた定義");
        assert_eq!(
            for_reader(scheme.clone(), Lang::Ja).levels[0].name,
            scheme.levels[0].name
        );
    }

    #[test]
    fn an_english_preset_text_posted_back_unchanged_keeps_the_stored_japanese() {
        let stored = "自治体機密性3A";
        assert_eq!(as_stored(stored, "Confidentiality 3A".into()), stored);
        assert_eq!(as_stored(stored, " Confidentiality 3A\n".into()), stored);
        assert_eq!(as_stored(stored, "Secret".into()), "Secret");
        assert_eq!(
            as_stored("議会の定義", "Confidentiality 3A".into()),
            "Confidentiality 3A"
        );
    }
}
