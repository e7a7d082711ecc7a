//! English names of the default risk matrix's steps and levels (発生可能性 低/中/高,
//! 影響度 小/中/大, リスクの水準 低/中/高), shown to readers of English while a matrix
//! still carries them; names the assembly gave are its own words and stay as written.

use crate::risk::Matrix;
use crate::wareki::Lang;

/// One list of names of a matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    Likelihood,
    Impact,
    Levels,
}

const LIKELIHOOD: [(&str, &str); 3] = [("低", "Low"), ("中", "Medium"), ("高", "High")];
const IMPACT: [(&str, &str); 3] = [("小", "Minor"), ("中", "Moderate"), ("大", "Major")];

fn table(names: Names) -> &'static [(&'static str, &'static str)] {
    match names {
        Names::Likelihood | Names::Levels => &LIKELIHOOD,
        Names::Impact => &IMPACT,
    }
}

/// The English of a default name, or `None` for a name the assembly gave.
pub fn english(names: Names, japanese: &str) -> Option<&'static str> {
    table(names)
        .iter()
        .find(|(ja, _)| *ja == japanese)
        .map(|(_, en)| *en)
}

/// What to keep of a name posted from a form shown in English: the English of a default
/// name keeps the default (Japanese) name, which every reader then sees in their own
/// language; anything else is what was typed.
pub fn as_stored(names: Names, posted: String) -> String {
    match table(names).iter().find(|(_, en)| *en == posted.trim()) {
        Some((ja, _)) => (*ja).to_owned(),
        None => posted,
    }
}

/// `matrix` as a reader in `lang` sees it: in English, every default name in English.
pub fn for_reader(mut matrix: Matrix, lang: Lang) -> Matrix {
    if lang != Lang::En {
        return matrix;
    }
    let swap = |names: Names, name: &mut String| {
        if let Some(en) = english(names, name) {
            *name = en.to_owned();
        }
    };
    matrix
        .likelihood
        .iter_mut()
        .for_each(|n| swap(Names::Likelihood, n));
    matrix
        .impact
        .iter_mut()
        .for_each(|n| swap(Names::Impact, n));
    matrix
        .levels
        .iter_mut()
        .for_each(|l| swap(Names::Levels, &mut l.name));
    matrix
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_matrix_reads_in_english_and_back() {
        let matrix = Matrix::default_3x3();
        let english = for_reader(matrix.clone(), Lang::En);
        assert_eq!(english.likelihood, ["Low", "Medium", "High"]);
        assert_eq!(english.impact, ["Minor", "Moderate", "Major"]);
        assert_eq!(english.levels[2].name, "High");
        assert_eq!(for_reader(matrix.clone(), Lang::Ja), matrix);
        for (names, list) in [
            (Names::Likelihood, &english.likelihood),
            (Names::Impact, &english.impact),
        ] {
            let back: Vec<String> = list.iter().map(|n| as_stored(names, n.clone())).collect();
            let original = if names == Names::Impact {
                &matrix.impact
            } else {
                &matrix.likelihood
            };
            assert_eq!(&back, original);
        }
    }

    #[test]
    fn the_assemblys_own_names_stay_as_written() {
        let mut matrix = Matrix::default_3x3();
        matrix.likelihood[2] = "ほぼ確実".to_owned();
        let english = for_reader(matrix, Lang::En);
        assert_eq!(english.likelihood, ["Low", "Medium", "ほぼ確実"]);
        assert_eq!(as_stored(Names::Impact, "Severe".to_owned()), "Severe");
        assert_eq!(as_stored(Names::Impact, "Medium".to_owned()), "Medium");
    }
}
