//! Readings of names (ふりがな): what a person may type, and the one form they are kept
//! in (hiragana), so that lists of people sort in 五十音順 by comparing stored text.
//!
//! Accepted: hiragana, full-width and half-width katakana (ｶﾞ is read as ガ), the long
//! vowel mark ー, the iteration marks ゝゞヽヾ, the middle dot ・ of foreign names, and
//! spaces between family and given name. Katakana become hiragana (ヴ → ゔ, ヵ → ゕ);
//! the four katakana with no hiragana twin (ヷヸヹヺ) stay as they are. Runs of spaces
//! (ASCII or full-width) become one full-width space.

use unicode_normalization::UnicodeNormalization;

/// Why a typed reading is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadingProblem {
    /// A character that is not kana; `found` is the first one.
    NotKana { found: char },
    /// Longer than the limit, in characters after normalising.
    TooLong { max: usize },
}

/// The reading in hiragana, or `None` when nothing (or only spaces) was typed.
pub fn reading(input: &str, max: usize) -> Result<Option<String>, ReadingProblem> {
    // NFKC turns half-width katakana (with their separate voicing marks) into full-width.
    let composed: String = input.nfkc().collect();
    let mut out = String::new();
    let mut pending_space = false;
    for c in composed.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        let kana = to_hiragana(c).ok_or(ReadingProblem::NotKana { found: c })?;
        if pending_space {
            out.push('\u{3000}');
            pending_space = false;
        }
        out.push(kana);
    }
    if out.is_empty() {
        return Ok(None);
    }
    if out.chars().count() > max {
        return Err(ReadingProblem::TooLong { max });
    }
    Ok(Some(out))
}

/// The hiragana of one kana character, the character itself for kana marks that have
/// no twin, or `None` for anything that is not kana.
fn to_hiragana(c: char) -> Option<char> {
    match c {
        // ぁ … ゖ, and ゝ ゞ
        '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => Some(c),
        // ァ … ヶ, and ヽ ヾ: the same letters 0x60 code points higher.
        '\u{30A1}'..='\u{30F6}' | '\u{30FD}' | '\u{30FE}' => char::from_u32(u32::from(c) - 0x60),
        // ヷ ヸ ヹ ヺ, ・ and ー have no hiragana form.
        '\u{30F7}'..='\u{30FC}' => Some(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn katakana_of_either_width_becomes_hiragana() {
        assert_eq!(
            reading("ヤマダ タロウ", 100),
            Ok(Some("やまだ　たろう".into()))
        );
        assert_eq!(reading("ﾔﾏﾀﾞ ﾀﾛｳ", 100), Ok(Some("やまだ　たろう".into())));
        assert_eq!(
            reading("  さとう　　はなこ ", 100),
            Ok(Some("さとう　はなこ".into()))
        );
        assert_eq!(
            reading("ヴィクトリア・ベーカー", 100),
            Ok(Some("ゔぃくとりあ・べーかー".into()))
        );
        assert_eq!(reading("すゞき", 100), Ok(Some("すゞき".into())));
    }

    #[test]
    fn nothing_typed_is_no_reading() {
        assert_eq!(reading("", 100), Ok(None));
        assert_eq!(reading(" \u{3000} ", 100), Ok(None));
    }

    #[test]
    fn anything_but_kana_is_refused_naming_it() {
        assert_eq!(
            reading("山田", 100),
            Err(ReadingProblem::NotKana { found: '山' })
        );
        assert_eq!(
            reading("yamada", 100),
            Err(ReadingProblem::NotKana { found: 'y' })
        );
        assert_eq!(
            reading("やまだ1", 100),
            Err(ReadingProblem::NotKana { found: '1' })
        );
        assert_eq!(
            reading("あいう", 2),
            Err(ReadingProblem::TooLong { max: 2 })
        );
    }

    #[test]
    fn hiragana_order_is_gojuon_order() {
        let mut names: Vec<String> = ["わたなべ", "イトウ", "サトウ", "カトウ", "ガモウ", "あべ"]
            .iter()
            .map(|n| reading(n, 100).unwrap().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["あべ", "いとう", "かとう", "がもう", "さとう", "わたなべ"]
        );
    }
}
