//! The risk heat map: the likelihood × impact matrix drawn as a server-side SVG, each
//! cell showing its level's name and how many risks sit there, and linking to them.
//!
//! Readable without colour: every cell carries its level name and count as text, and
//! has a `<title>`; the page also carries the same numbers as a table. No `style`
//! attribute is written (the CSP allows only the site's own stylesheet): presentation
//! attributes such as `fill` are not styles.

use crate::http::respond::escape;
use mamori_domain::risk::{Matrix, Score};

use mamori_app::i18n::Tr;

pub use crate::http::params::risks::Which;

/// Cell size: large enough to tap on a tablet (well over 44 px each way).
const CELL_W: usize = 100;
const CELL_H: usize = 64;
/// Room for the likelihood labels on the left and the impact labels below.
const LEFT: usize = 96;
const TOP: usize = 8;
const BOTTOM: usize = 64;
const RIGHT: usize = 8;

/// Counts per cell, `counts[likelihood][impact]`, of the scores that fall on `matrix`'s
/// scales. Scores outside them (made with an older, larger matrix) are left out and
/// counted in the second value.
pub fn counts(matrix: &Matrix, scores: impl Iterator<Item = Score>) -> (Vec<Vec<usize>>, usize) {
    let mut grid = vec![vec![0; matrix.impact.len()]; matrix.likelihood.len()];
    let mut outside = 0;
    for score in scores {
        match grid
            .get_mut(score.likelihood)
            .and_then(|row| row.get_mut(score.impact))
        {
            Some(cell) => *cell += 1,
            None => outside += 1,
        }
    }
    (grid, outside)
}

/// Dark text on a light fill, white on a dark one, so the text stays legible whatever
/// colours the matrix was given.
fn text_colour(fill: &str) -> &'static str {
    let channel = |i: usize| {
        fill.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(1.0, |v| f64::from(v) / 255.0)
    };
    let (r, g, b) = (channel(1), channel(3), channel(5));
    let luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    if luminance < 0.5 {
        "#ffffff"
    } else {
        "#1a1a1a"
    }
}

/// Roughly how wide `text` is drawn at 16 px: full-width characters take a whole em,
/// others about half.
fn estimated_width(text: &str) -> usize {
    text.chars()
        .map(|c| if c.is_ascii() { 9 } else { 16 })
        .sum()
}

/// A `textLength` that squeezes a text longer than `room` into it (level and step
/// names may be up to 20 characters), or nothing when it fits.
fn fit(text: &str, room: usize) -> String {
    if estimated_width(text) > room {
        format!(" textLength=\"{room}\" lengthAdjust=\"spacingAndGlyphs\"")
    } else {
        String::new()
    }
}

/// The link of a cell: the register filtered to the risks in it.
pub fn cell_href(which: Which, likelihood: usize, impact: usize) -> String {
    format!(
        "/risks?likelihood={likelihood}&impact={impact}&which={}",
        which.as_str()
    )
}

/// A cell's visible text ("高 3件") and its full description for `<title>`.
fn cell_texts(tr: &Tr, matrix: &Matrix, l: usize, i: usize, count: usize) -> (String, String) {
    let level = matrix
        .level(l, i)
        .map(|level| level.name.clone())
        .unwrap_or_default();
    let count = count.to_string();
    let short = tr.f(
        "risk.heatmap.cell",
        &[("level", level.clone()), ("count", count.clone())],
    );
    let long = tr.f(
        "risk.heatmap.cell_title",
        &[
            ("likelihood", matrix.likelihood[l].clone()),
            ("impact", matrix.impact[i].clone()),
            ("level", level),
            ("count", count),
        ],
    );
    (short, long)
}

/// The heat map as an `<svg>` element. Likelihood runs up the side (highest at the top),
/// impact along the bottom (highest on the right). `id` makes the element ids unique on
/// the page.
pub fn svg(matrix: &Matrix, counts: &[Vec<usize>], which: Which, tr: &Tr, id: &str) -> String {
    let rows = matrix.likelihood.len();
    let cols = matrix.impact.len();
    let width = LEFT + cols * CELL_W + RIGHT;
    let height = TOP + rows * CELL_H + BOTTOM;
    let title = tr.t(which.title_key());
    let mut out = String::new();
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" id=\"{id}\" \
         width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
         role=\"group\" aria-labelledby=\"{id}-title {id}-desc\" font-size=\"16\" \
         font-family=\"sans-serif\">"
    ));
    out.push_str(&format!(
        "<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(tr.t("risk.heatmap.desc"))
    ));
    for (row, l) in (0..rows).rev().enumerate() {
        let y = TOP + row * CELL_H;
        // The likelihood step of this row, right-aligned against the grid.
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\" \
             fill=\"#1a1a1a\"{}>{}</text>",
            LEFT - 8,
            y + CELL_H / 2,
            fit(&matrix.likelihood[l], LEFT - 40),
            escape(&matrix.likelihood[l])
        ));
        for i in 0..cols {
            let x = LEFT + i * CELL_W;
            let count = counts.get(l).and_then(|r| r.get(i)).copied().unwrap_or(0);
            let fill = matrix
                .level(l, i)
                .map(|level| level.colour.as_str())
                .unwrap_or("#ffffff");
            let (short, long) = cell_texts(tr, matrix, l, i, count);
            out.push_str(&format!(
                "<a href=\"{}\"><title>{}</title>\
                 <rect x=\"{x}\" y=\"{y}\" width=\"{CELL_W}\" height=\"{CELL_H}\" \
                 fill=\"{}\" stroke=\"#333333\" stroke-width=\"2\"/>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"middle\" \
                 fill=\"{}\"{}{}>{}</text></a>",
                escape(&cell_href(which, l, i)),
                escape(&long),
                escape(fill),
                x + CELL_W / 2,
                y + CELL_H / 2,
                text_colour(fill),
                if count > 0 {
                    " font-weight=\"bold\""
                } else {
                    ""
                },
                fit(&short, CELL_W - 10),
                escape(&short)
            ));
        }
    }
    let grid_bottom = TOP + rows * CELL_H;
    for (i, name) in matrix.impact.iter().enumerate() {
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#1a1a1a\"{}>{}</text>",
            LEFT + i * CELL_W + CELL_W / 2,
            grid_bottom + 22,
            fit(name, CELL_W - 6),
            escape(name)
        ));
    }
    // Axis names: impact along the bottom, likelihood up the side.
    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\" \
         fill=\"#1a1a1a\">{} →</text>",
        LEFT + cols * CELL_W / 2,
        grid_bottom + 50,
        escape(tr.t("risk.heatmap.impact_axis"))
    ));
    let middle = TOP + rows * CELL_H / 2;
    out.push_str(&format!(
        "<text x=\"18\" y=\"{middle}\" text-anchor=\"middle\" font-weight=\"bold\" \
         fill=\"#1a1a1a\" transform=\"rotate(-90 18 {middle})\">{} →</text>",
        escape(tr.t("risk.heatmap.likelihood_axis"))
    ));
    out.push_str("</svg>");
    out
}

/// One cell of the table that carries the same numbers for those who do not see the
/// picture.
pub struct TableCell {
    pub href: String,
    pub text: String,
}

pub struct TableRow {
    pub likelihood: String,
    pub cells: Vec<TableCell>,
}

/// The heat map's numbers as table rows (highest likelihood first, as drawn).
pub fn table_rows(matrix: &Matrix, counts: &[Vec<usize>], which: Which, tr: &Tr) -> Vec<TableRow> {
    (0..matrix.likelihood.len())
        .rev()
        .map(|l| TableRow {
            likelihood: matrix.likelihood[l].clone(),
            cells: (0..matrix.impact.len())
                .map(|i| {
                    let count = counts.get(l).and_then(|r| r.get(i)).copied().unwrap_or(0);
                    TableCell {
                        href: cell_href(which, l, i),
                        text: cell_texts(tr, matrix, l, i, count).0,
                    }
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_domain::wareki::Lang;

    fn score(likelihood: usize, impact: usize) -> Score {
        Score { likelihood, impact }
    }

    #[test]
    fn counts_fall_in_their_cells_and_strays_are_counted_apart() {
        let matrix = Matrix::default_3x3();
        let (grid, outside) = counts(
            &matrix,
            [score(2, 2), score(2, 2), score(0, 1), score(3, 0)].into_iter(),
        );
        assert_eq!(grid[2][2], 2);
        assert_eq!(grid[0][1], 1);
        assert_eq!(outside, 1);
    }

    #[test]
    fn the_svg_names_levels_counts_and_links_each_cell() {
        let mut matrix = Matrix::default_3x3();
        matrix.impact[0] = "小<&>".into();
        let (grid, _) = counts(&matrix, [score(2, 2), score(2, 2), score(2, 2)].into_iter());
        let tr = Tr::new(Lang::Ja);
        let svg = svg(&matrix, &grid, Which::Inherent, &tr, "hm-inherent");
        assert!(svg.starts_with("<svg"));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("高 3件"), "{svg}");
        assert!(svg.contains("低 0件"));
        assert!(svg.contains("<desc id=\"hm-inherent-desc\">"));
        assert!(svg.contains("href=\"/risks?likelihood=2&amp;impact=2&amp;which=inherent\""));
        assert!(svg.contains("小&lt;&amp;&gt;"), "scale names are escaped");
        assert!(!svg.contains("style="), "no inline styles under the CSP");
        // Nine cells, each a link with a title.
        assert_eq!(svg.matches("<a href=").count(), 9);
        assert_eq!(svg.matches("<title>").count(), 9);
        let rows = table_rows(&matrix, &grid, Which::Residual, &tr);
        assert_eq!(rows[0].likelihood, "高");
        assert_eq!(rows[0].cells[2].text, "高 3件");
        assert_eq!(
            rows[0].cells[2].href,
            "/risks?likelihood=2&impact=2&which=residual"
        );
    }

    #[test]
    fn long_names_are_squeezed_into_their_cells() {
        assert_eq!(fit("高 3件", 90), "");
        assert!(fit("とても重大で許容できないリスク 12件", 90).contains("textLength=\"90\""));
        let mut matrix = Matrix::default_3x3();
        matrix.levels[2].name = "とても重大で許容できないリスク".into();
        let (grid, _) = counts(&matrix, std::iter::empty());
        let svg = svg(&matrix, &grid, Which::Inherent, &Tr::new(Lang::Ja), "m");
        assert!(svg.contains("lengthAdjust=\"spacingAndGlyphs\""));
    }

    #[test]
    fn text_stays_legible_on_dark_and_light_fills() {
        assert_eq!(text_colour("#f3b3b3"), "#1a1a1a");
        assert_eq!(text_colour("#202060"), "#ffffff");
        assert_eq!(text_colour("bad"), "#1a1a1a");
    }
}
