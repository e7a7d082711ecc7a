//! The risk matrix's edit form: sizes, names, colours, bands and the grid, read from the
//! posted fields, checked field by field, saved as a new version.

use mamori_domain::risk::{
    Band, MAX_SCALE, MIN_SCALE, Matrix, RiskLevel, bands_in_order, is_colour,
};
use mamori_domain::search::normalise;
use mamori_domain::text::single_line;

use super::matrix::*;

/// One text field of a scale.
pub struct StepField {
    pub field: String,
    pub label: String,
    pub value: String,
}

/// One level's fields as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelField {
    pub name: String,
    /// The colour as typed in the text box.
    pub colour_text: String,
    /// The band's code as chosen.
    pub band: String,
}

/// The whole form as typed (or as stored, before any edit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixForm {
    /// Lowest first.
    pub likelihood: Vec<String>,
    /// Lowest first.
    pub impact: Vec<String>,
    pub levels: Vec<LevelField>,
    /// `grid[l][i]`: the level index chosen, as typed.
    pub grid: Vec<Vec<String>>,
}

/// The form with every default name posted in English read back as the stored default
/// (`risk_en::as_stored`).
pub fn names_as_stored(form: MatrixForm) -> MatrixForm {
    use mamori_domain::risk_en::{Names, as_stored};
    let each = |names: Names, list: Vec<String>| -> Vec<String> {
        list.into_iter().map(|n| as_stored(names, n)).collect()
    };
    MatrixForm {
        likelihood: each(Names::Likelihood, form.likelihood),
        impact: each(Names::Impact, form.impact),
        levels: form
            .levels
            .into_iter()
            .map(|l| LevelField {
                name: as_stored(Names::Levels, l.name),
                ..l
            })
            .collect(),
        grid: form.grid,
    }
}

impl MatrixForm {
    pub fn from_matrix(matrix: &Matrix) -> MatrixForm {
        MatrixForm {
            likelihood: matrix.likelihood.clone(),
            impact: matrix.impact.clone(),
            levels: matrix
                .levels
                .iter()
                .map(|l| LevelField {
                    name: l.name.clone(),
                    colour_text: l.colour.clone(),
                    band: l.band.as_str().to_owned(),
                })
                .collect(),
            grid: matrix
                .grid
                .iter()
                .map(|row| row.iter().map(usize::to_string).collect())
                .collect(),
        }
    }

    /// The fields a browser posts for this form (for tests and for the API of others).
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut out = vec![
            (
                "likelihood_count".to_owned(),
                self.likelihood.len().to_string(),
            ),
            ("impact_count".to_owned(), self.impact.len().to_string()),
            ("level_count".to_owned(), self.levels.len().to_string()),
        ];
        for (i, name) in self.likelihood.iter().enumerate() {
            out.push((format!("likelihood_{i}"), name.clone()));
        }
        for (i, name) in self.impact.iter().enumerate() {
            out.push((format!("impact_{i}"), name.clone()));
        }
        for (k, level) in self.levels.iter().enumerate() {
            out.push((format!("level_{k}_name"), level.name.clone()));
            out.push((
                format!("level_{k}_colour"),
                picker_value(&level.colour_text),
            ));
            out.push((format!("level_{k}_colour_text"), level.colour_text.clone()));
            out.push((format!("level_{k}_colour_was"), level.colour_text.clone()));
            out.push((format!("level_{k}_band"), level.band.clone()));
        }
        for (l, row) in self.grid.iter().enumerate() {
            for (i, value) in row.iter().enumerate() {
                out.push((format!("cell_{l}_{i}"), value.clone()));
            }
        }
        out
    }
}

/// What an `<input type="color">` can hold: the colour when well formed, else white.
pub(super) fn picker_value(colour: &str) -> String {
    let colour = colour.trim().to_ascii_lowercase();
    if is_colour(&colour) {
        colour
    } else {
        "#ffffff".to_owned()
    }
}

/// Default step names for a scale of `size` steps, lowest first.
pub(super) fn default_likelihood(size: usize) -> Vec<String> {
    let names: &[&str] = match size {
        2 => &["低", "高"],
        4 => &["低", "中", "高", "非常に高"],
        5 => &["非常に低", "低", "中", "高", "非常に高"],
        _ => &["低", "中", "高"],
    };
    names.iter().map(|s| (*s).to_owned()).collect()
}

pub(super) fn default_impact(size: usize) -> Vec<String> {
    let names: &[&str] = match size {
        2 => &["小", "大"],
        4 => &["小", "中", "大", "甚大"],
        5 => &["極小", "小", "中", "大", "甚大"],
        _ => &["小", "中", "大"],
    };
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// Default levels for `count` levels, least serious first.
pub(super) fn default_levels(count: usize) -> Vec<RiskLevel> {
    let level = |name: &str, colour: &str, band| RiskLevel {
        name: name.to_owned(),
        colour: colour.to_owned(),
        band,
    };
    match count {
        1 => vec![level("低", "#cfe8cf", Band::Acceptable)],
        2 => vec![
            level("低", "#cfe8cf", Band::Acceptable),
            level("高", "#f3b3b3", Band::Unacceptable),
        ],
        4 => vec![
            level("低", "#cfe8cf", Band::Acceptable),
            level("中", "#f6e3a1", Band::Tolerable),
            level("高", "#f3b3b3", Band::Unacceptable),
            level("極めて高", "#e88a8a", Band::Unacceptable),
        ],
        5 => vec![
            level("極めて低", "#e4f2e4", Band::Acceptable),
            level("低", "#cfe8cf", Band::Acceptable),
            level("中", "#f6e3a1", Band::Tolerable),
            level("高", "#f3b3b3", Band::Unacceptable),
            level("極めて高", "#e88a8a", Band::Unacceptable),
        ],
        _ => Matrix::default_3x3().levels,
    }
}

/// A grid rising with likelihood and impact, spread over `levels` levels (the default
/// 3×3 grid for three levels).
pub(super) fn default_grid(likelihood: usize, impact: usize, levels: usize) -> Vec<Vec<usize>> {
    let (lmax, imax) = (likelihood.max(2) - 1, impact.max(2) - 1);
    (0..likelihood)
        .map(|l| {
            (0..impact)
                .map(|i| {
                    let scaled = levels * (l * imax + i * lmax) / (2 * lmax * imax);
                    scaled.min(levels.saturating_sub(1))
                })
                .collect()
        })
        .collect()
}

/// `matrix` with other sizes: names and levels kept where the size stays, defaults
/// where it changes, and the grid redrawn unless nothing changed.
pub fn resized(matrix: &Matrix, likelihood: usize, impact: usize, levels: usize) -> Matrix {
    let same = matrix.likelihood.len() == likelihood
        && matrix.impact.len() == impact
        && matrix.levels.len() == levels;
    Matrix {
        likelihood: if matrix.likelihood.len() == likelihood {
            matrix.likelihood.clone()
        } else {
            default_likelihood(likelihood)
        },
        impact: if matrix.impact.len() == impact {
            matrix.impact.clone()
        } else {
            default_impact(impact)
        },
        levels: if matrix.levels.len() == levels {
            matrix.levels.clone()
        } else {
            default_levels(levels)
        },
        grid: if same {
            matrix.grid.clone()
        } else {
            default_grid(likelihood, impact, levels)
        },
    }
}

/// A problem with one field of the form (the field names are numbered, so owned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub field: String,
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl Issue {
    pub(super) fn new(field: impl Into<String>, key: &'static str) -> Issue {
        Issue {
            field: field.into(),
            key,
            params: Vec::new(),
        }
    }
}

pub struct IssueView {
    pub field: String,
    pub message: String,
}

pub(super) fn get<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub(super) fn kept(value: Option<&str>) -> String {
    value.unwrap_or("").chars().take(KEEP_CHARS).collect()
}

/// A posted size, or the problem with it. When it is missing or out of range, the
/// form is drawn with as many fields as were posted (within range).
pub(super) fn posted_size(
    fields: &[(String, String)],
    name: &'static str,
    issue_field: &'static str,
    prefix: &str,
    range: std::ops::RangeInclusive<usize>,
    key: &'static str,
    issues: &mut Vec<Issue>,
) -> usize {
    let parsed = get(fields, name).and_then(|v| v.trim().parse::<usize>().ok());
    match parsed.filter(|n| range.contains(n)) {
        Some(n) => n,
        None => {
            issues.push(Issue::new(issue_field, key));
            let posted = (0..*range.end())
                .take_while(|i| {
                    get(fields, &format!("{prefix}{i}")).is_some()
                        || get(fields, &format!("{prefix}{i}_name")).is_some()
                })
                .count();
            posted.clamp(*range.start(), *range.end())
        }
    }
}

/// The colour a level's fields mean: what was typed in the text box when it was changed
/// there, else what the colour picker holds.
pub(super) fn posted_colour(fields: &[(String, String)], k: usize) -> String {
    let text = get(fields, &format!("level_{k}_colour_text"));
    let was = get(fields, &format!("level_{k}_colour_was")).unwrap_or("");
    let picker = get(fields, &format!("level_{k}_colour")).filter(|p| !p.trim().is_empty());
    let chosen = match (text, picker) {
        (Some(text), Some(picker)) if text.trim() == was.trim() => picker,
        (Some(text), _) => text,
        (None, Some(picker)) => picker,
        (None, None) => "",
    };
    kept(Some(chosen.trim()))
}

/// Reads the posted form; problems with the sizes are reported at once.
pub fn form_from_fields(fields: &[(String, String)]) -> (MatrixForm, Vec<Issue>) {
    let mut issues = Vec::new();
    let scale = MIN_SCALE..=MAX_SCALE;
    let likelihood = posted_size(
        fields,
        "likelihood_count",
        "size_likelihood",
        "likelihood_",
        scale.clone(),
        "risk.error.scale_size",
        &mut issues,
    );
    let impact = posted_size(
        fields,
        "impact_count",
        "size_impact",
        "impact_",
        scale,
        "risk.error.scale_size",
        &mut issues,
    );
    let levels = posted_size(
        fields,
        "level_count",
        "size_levels",
        "level_",
        MIN_LEVELS..=MAX_LEVELS,
        "risk.error.levels",
        &mut issues,
    );
    let form = MatrixForm {
        likelihood: (0..likelihood)
            .map(|i| kept(get(fields, &format!("likelihood_{i}"))))
            .collect(),
        impact: (0..impact)
            .map(|i| kept(get(fields, &format!("impact_{i}"))))
            .collect(),
        levels: (0..levels)
            .map(|k| LevelField {
                name: kept(get(fields, &format!("level_{k}_name"))),
                colour_text: posted_colour(fields, k),
                band: kept(get(fields, &format!("level_{k}_band"))),
            })
            .collect(),
        grid: (0..likelihood)
            .map(|l| {
                (0..impact)
                    .map(|i| kept(get(fields, &format!("cell_{l}_{i}"))))
                    .collect()
            })
            .collect(),
    };
    (form, issues)
}

pub(super) fn check_names(
    prefix: &str,
    suffix: &str,
    names: &[String],
    issues: &mut Vec<Issue>,
) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let field = format!("{prefix}{i}{suffix}");
        match single_line(name, NAME_MAX) {
            Ok(name) => {
                if seen.contains(&normalise(&name)) {
                    issues.push(Issue {
                        field,
                        key: "risk.error.duplicate",
                        params: vec![("name", name.clone())],
                    });
                }
                seen.push(normalise(&name));
                out.push(name);
            }
            Err(problem) => issues.push(Issue {
                field,
                key: problem.message_key(),
                params: problem.params(),
            }),
        }
    }
    out
}

/// Checks every field, each with its own message, then the whole matrix with the
/// domain's `Matrix::check`.
pub fn check_form(form: &MatrixForm) -> Result<Matrix, Vec<Issue>> {
    let mut issues = Vec::new();
    let likelihood = check_names("likelihood_", "", &form.likelihood, &mut issues);
    let impact = check_names("impact_", "", &form.impact, &mut issues);
    let level_names: Vec<String> = form.levels.iter().map(|l| l.name.clone()).collect();
    let names = check_names("level_", "_name", &level_names, &mut issues);
    let mut levels = Vec::new();
    let mut previous_band: Option<Band> = None;
    for (k, level) in form.levels.iter().enumerate() {
        let colour = level.colour_text.trim().to_ascii_lowercase();
        if !is_colour(&colour) {
            issues.push(Issue::new(
                format!("level_{k}_colour_text"),
                "risk.error.colour",
            ));
        }
        let band = Band::parse(level.band.trim());
        match band {
            None => issues.push(Issue::new(format!("level_{k}_band"), "risk.error.band")),
            Some(band) if previous_band.is_some_and(|p| !bands_in_order([p, band])) => {
                issues.push(Issue::new(
                    format!("level_{k}_band"),
                    "risk.error.band_order",
                ));
            }
            Some(_) => {}
        }
        previous_band = band.or(previous_band);
        levels.push((colour, band));
    }
    let mut grid = Vec::new();
    for (l, row) in form.grid.iter().enumerate() {
        let mut cells = Vec::new();
        for (i, value) in row.iter().enumerate() {
            match value.trim().parse::<usize>() {
                Ok(index) if index < form.levels.len() => cells.push(index),
                _ => issues.push(Issue::new(format!("cell_{l}_{i}"), "risk.error.grid")),
            }
        }
        grid.push(cells);
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    let matrix = Matrix {
        likelihood,
        impact,
        levels: names
            .into_iter()
            .zip(levels)
            .map(|(name, (colour, band))| RiskLevel {
                name,
                colour,
                band: band.unwrap_or(Band::Unacceptable),
            })
            .collect(),
        grid,
    };
    matrix
        .check()
        .map_err(|problem| vec![Issue::new("matrix", problem.message_key())])?;
    Ok(matrix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_app::i18n::{EN, JA};
    use mamori_app::risks::StoredMatrix;

    fn posted(form: &MatrixForm) -> MatrixForm {
        let (read, issues) = form_from_fields(&form.fields());
        assert!(issues.is_empty(), "{issues:?}");
        read
    }

    #[test]
    fn the_default_matrix_goes_through_the_form_unchanged() {
        let m = Matrix::default_3x3();
        let form = posted(&MatrixForm::from_matrix(&m));
        assert_eq!(check_form(&form).unwrap(), m);
    }

    #[test]
    fn resizing_keeps_what_fits_and_redraws_the_grid() {
        let m = Matrix::default_3x3();
        assert_eq!(resized(&m, 3, 3, 3), m);
        assert_eq!(default_grid(3, 3, 3), m.grid);
        let big = resized(&m, 4, 5, 3);
        big.check().unwrap();
        assert_eq!(big.levels, m.levels);
        assert_eq!(big.likelihood.len(), 4);
        assert_eq!(big.impact, vec!["極小", "小", "中", "大", "甚大"]);
        assert_eq!(big.grid[0][0], 0);
        assert_eq!(big.grid[3][4], 2);
        for likelihood in MIN_SCALE..=MAX_SCALE {
            for impact in MIN_SCALE..=MAX_SCALE {
                for levels in MIN_LEVELS..=MAX_LEVELS {
                    let r = resized(&m, likelihood, impact, levels);
                    assert_eq!(r.check(), Ok(()), "{likelihood}×{impact}, {levels} levels");
                    assert_eq!(r.grid[likelihood - 1][impact - 1], levels - 1);
                    assert_eq!(r.grid[0][0], 0);
                }
            }
        }
    }

    #[test]
    fn the_typed_colour_wins_over_the_picker_only_when_changed() {
        let form = MatrixForm::from_matrix(&Matrix::default_3x3());
        let mut fields = form.fields();
        for (k, v) in &mut fields {
            if k == "level_0_colour" {
                *v = "#123456".into();
            }
        }
        let (read, _) = form_from_fields(&fields);
        assert_eq!(read.levels[0].colour_text, "#123456");
        for (k, v) in &mut fields {
            if k == "level_0_colour_text" {
                *v = "#abcdef".into();
            }
        }
        let (read, _) = form_from_fields(&fields);
        assert_eq!(read.levels[0].colour_text, "#abcdef");
    }

    #[test]
    fn every_field_reports_its_own_problem() {
        let mut form = MatrixForm::from_matrix(&Matrix::default_3x3());
        form.likelihood[1] = "低".into();
        form.impact[0] = " ".into();
        form.levels[0].colour_text = "red".into();
        form.levels[0].band = "maybe".into();
        form.levels[2].band = "acceptable".into();
        form.grid[2][1] = "7".into();
        let issues = check_form(&form).unwrap_err();
        let found: Vec<(&str, &str)> = issues.iter().map(|i| (i.field.as_str(), i.key)).collect();
        assert_eq!(
            found,
            vec![
                ("likelihood_1", "risk.error.duplicate"),
                ("impact_0", "field.error.required"),
                ("level_0_colour_text", "risk.error.colour"),
                ("level_0_band", "risk.error.band"),
                ("level_2_band", "risk.error.band_order"),
                ("cell_2_1", "risk.error.grid"),
            ]
        );
    }

    #[test]
    fn sizes_out_of_range_are_refused() {
        let form = MatrixForm::from_matrix(&Matrix::default_3x3());
        let mut fields = form.fields();
        for (k, v) in &mut fields {
            if k == "likelihood_count" {
                *v = "9".into();
            }
        }
        let (read, issues) = form_from_fields(&fields);
        assert_eq!(read.likelihood.len(), 3);
        assert_eq!(issues[0].key, "risk.error.scale_size");
    }

    #[test]
    fn text_stays_readable_on_every_colour() {
        assert_eq!(text_colour("#cfe8cf"), "#000");
        assert_eq!(text_colour("#1a1a80"), "#fff");
        let css = stylesheet_text(&[StoredMatrix {
            id: 4,
            version: 2,
            matrix: Matrix::default_3x3(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }]);
        assert!(css.contains(".risk-m4-l2 { background-color: #f3b3b3; color: #000; }"));
    }

    #[test]
    fn keys_used_here_exist_in_both_languages() {
        let mut keys = vec![
            "risk.matrix.saved",
            "risk.matrix.unchanged",
            "risk.matrix.version",
            "risk.matrix.step",
            "risk.matrix.step_lowest",
            "risk.matrix.step_highest",
            "risk.matrix.step_smallest",
            "risk.matrix.step_largest",
            "risk.matrix.cell_label",
            "risk.matrix.name_hint",
            "risk.error.duplicate",
            "risk.error.band",
            "risk.error.band_order",
        ];
        for problem in [
            mamori_domain::risk::MatrixProblem::ScaleSize,
            mamori_domain::risk::MatrixProblem::Names,
            mamori_domain::risk::MatrixProblem::Colour,
            mamori_domain::risk::MatrixProblem::Grid,
            mamori_domain::risk::MatrixProblem::Levels,
        ] {
            keys.push(problem.message_key());
        }
        for band in Band::ALL {
            keys.push(band_key(band));
        }
        // The domain's other risk rules name keys of the same table.
        use mamori_domain::risk::{AcceptanceRefusal, RiskProblem};
        keys.push(RiskProblem::NeedsTreatment.message_key());
        for refusal in [
            AcceptanceRefusal::NotCiso,
            AcceptanceRefusal::OwnProposal,
            AcceptanceRefusal::Lapsed,
            AcceptanceRefusal::NoReason,
        ] {
            keys.push(refusal.message_key());
        }
        for key in keys {
            assert!(JA.contains_key(key), "{key} missing in ja.toml");
            assert!(EN.contains_key(key), "{key} missing in en.toml");
        }
    }
}
