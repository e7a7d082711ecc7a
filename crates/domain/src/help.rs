//! The built-in manual's small markup (issue 14): pages are written as plain text files
//! with a few marks, read here into blocks that the web layer renders (escaped) and the
//! API returns as text. Pure: no HTML is made here.
//!
//! The marks, one per line start:
//!
//! * `# Title` on the first line; `## Heading` for a section;
//! * `- item` for a list, `1. step` for numbered steps (any number, then a dot);
//! * any other line is a paragraph (lines of one paragraph are joined; a blank line ends it).
//!
//! Inside a line: `**words**` for a button or field named as on the page, `[words](/path)`
//! for a link within mamori (nothing else: the manual works offline), and `{cite:6(2) 2(5)}`
//! for a citation of the basic policy, rendered later by the one citation function so that
//! it follows the assembly's published numbering.

/// A piece of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    /// A button, field or screen named as it appears on the page.
    Strong(String),
    /// A link to a page of mamori (a path starting with `/`).
    Link {
        text: String,
        href: String,
    },
    /// Clause references of the basic policy, as the parser writes them ("6(2)", "4(2)ア").
    Cite(Vec<String>),
}

/// One block of a manual page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(Vec<Inline>),
    Paragraph(Vec<Inline>),
    Bullets(Vec<Vec<Inline>>),
    Steps(Vec<Vec<Inline>>),
}

/// A manual page: its title and its blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpPage {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// What is wrong with a manual source, with its line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkupError {
    pub line: usize,
    pub problem: &'static str,
}

impl std::fmt::Display for MarkupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

impl HelpPage {
    /// Every clause reference the page cites, in order of appearance, each once.
    pub fn cited(&self) -> Vec<&str> {
        let mut found: Vec<&str> = Vec::new();
        for line in self.lines() {
            for inline in line {
                if let Inline::Cite(references) = inline {
                    for reference in references {
                        if !found.contains(&reference.as_str()) {
                            found.push(reference);
                        }
                    }
                }
            }
        }
        found
    }

    /// Every link target of the page.
    pub fn links(&self) -> Vec<&str> {
        self.lines()
            .flatten()
            .filter_map(|inline| match inline {
                Inline::Link { href, .. } => Some(href.as_str()),
                _ => None,
            })
            .collect()
    }

    fn lines(&self) -> impl Iterator<Item = &Vec<Inline>> {
        self.blocks.iter().flat_map(|block| match block {
            Block::Heading(line) | Block::Paragraph(line) => std::slice::from_ref(line).iter(),
            Block::Bullets(items) | Block::Steps(items) => items.iter(),
        })
    }
}

/// Reads a manual source into its title and blocks.
pub fn parse(source: &str) -> Result<HelpPage, MarkupError> {
    let mut lines = source
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end()));
    let title = match lines.next() {
        Some((_, first)) if first.starts_with("# ") => first[2..].trim().to_owned(),
        _ => {
            return Err(MarkupError {
                line: 1,
                problem: "the first line must be the title (# …)",
            });
        }
    };
    let mut blocks = Vec::new();
    let mut paragraph: Option<String> = None;
    let mut paragraph_line = 0;
    for (number, line) in lines {
        let list_item = list_item(line);
        let ends_paragraph = line.trim().is_empty() || line.starts_with('#') || list_item.is_some();
        if ends_paragraph && let Some(text) = paragraph.take() {
            blocks.push(Block::Paragraph(inlines(&text, paragraph_line)?));
        }
        if line.trim().is_empty() {
            continue;
        }
        if let Some(heading) = line.strip_prefix("## ") {
            blocks.push(Block::Heading(inlines(heading.trim(), number)?));
        } else if line.starts_with('#') {
            return Err(MarkupError {
                line: number,
                problem: "only one title (#) and sections (##) are known",
            });
        } else if let Some((numbered, item)) = list_item {
            let item = inlines(item, number)?;
            match (blocks.last_mut(), numbered) {
                (Some(Block::Steps(items)), true) | (Some(Block::Bullets(items)), false) => {
                    items.push(item)
                }
                (_, true) => blocks.push(Block::Steps(vec![item])),
                (_, false) => blocks.push(Block::Bullets(vec![item])),
            }
        } else {
            match &mut paragraph {
                Some(text) => {
                    // English words need a space between joined lines; Japanese does not.
                    let ascii_seam = text.ends_with(|c: char| c.is_ascii())
                        && line.trim_start().starts_with(|c: char| c.is_ascii());
                    if ascii_seam {
                        text.push(' ');
                    }
                    text.push_str(line.trim());
                }
                None => {
                    paragraph = Some(line.trim().to_owned());
                    paragraph_line = number;
                }
            }
        }
    }
    if let Some(text) = paragraph {
        blocks.push(Block::Paragraph(inlines(&text, paragraph_line)?));
    }
    Ok(HelpPage { title, blocks })
}

/// `- item` → (false, item); `12. step` → (true, step).
fn list_item(line: &str) -> Option<(bool, &str)> {
    if let Some(item) = line.strip_prefix("- ") {
        return Some((false, item.trim()));
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0
        && let Some(item) = line[digits..].strip_prefix(". ")
    {
        return Some((true, item.trim()));
    }
    None
}

fn inlines(text: &str, line: usize) -> Result<Vec<Inline>, MarkupError> {
    let error = |problem| MarkupError { line, problem };
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(['*', '[', '{']) {
        let (before, mark) = rest.split_at(at);
        plain.push_str(before);
        if let Some(after) = mark.strip_prefix("**") {
            let end = after.find("**").ok_or(error("** is not closed"))?;
            flush(&mut plain, &mut out);
            out.push(Inline::Strong(after[..end].to_owned()));
            rest = &after[end + 2..];
        } else if let Some((after, end)) = mark
            .strip_prefix('[')
            .and_then(|after| Some((after, after.find("](")?)))
            .filter(|(after, end)| !after[..*end].contains(']'))
        {
            let words = &after[..end];
            let target = &after[end + 2..];
            let close = target.find(')').ok_or(error("a link's ( is not closed"))?;
            let href = &target[..close];
            if !href.starts_with('/') || href.starts_with("//") {
                return Err(error("links go to pages of mamori only (/…)"));
            }
            flush(&mut plain, &mut out);
            out.push(Inline::Link {
                text: words.to_owned(),
                href: href.to_owned(),
            });
            rest = &target[close + 1..];
        } else if let Some(after) = mark.strip_prefix("{cite:") {
            let end = after.find('}').ok_or(error("{cite: is not closed"))?;
            let references: Vec<String> =
                after[..end].split_whitespace().map(str::to_owned).collect();
            if references.is_empty() {
                return Err(error("{cite:} names no clause"));
            }
            flush(&mut plain, &mut out);
            out.push(Inline::Cite(references));
            rest = &after[end + 1..];
        } else {
            // A lone * [ or { is ordinary text.
            let first = mark.chars().next().unwrap_or_default();
            plain.push(first);
            rest = &mark[first.len_utf8()..];
        }
    }
    plain.push_str(rest);
    flush(&mut plain, &mut out);
    Ok(out)
}

fn flush(plain: &mut String, out: &mut Vec<Inline>) {
    if !plain.is_empty() {
        out.push(Inline::Text(std::mem::take(plain)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_owned())
    }

    #[test]
    fn a_page_reads_into_title_sections_lists_and_marks() {
        let page = parse(
            "# 情報資産台帳\n\n## 基本方針が求めること\n{cite:2(3) 4(2)ア}は情報資産を\n定める。\n\n\
             1. **登録する**を押す\n2. [一覧](/assets)へ戻る\n- 例 1\n- 例 2\n\nSee the\nlist.\n",
        )
        .unwrap();
        assert_eq!(page.title, "情報資産台帳");
        assert_eq!(
            page.blocks,
            vec![
                Block::Heading(vec![text("基本方針が求めること")]),
                Block::Paragraph(vec![
                    Inline::Cite(vec!["2(3)".into(), "4(2)ア".into()]),
                    text("は情報資産を定める。"),
                ]),
                Block::Steps(vec![
                    vec![Inline::Strong("登録する".into()), text("を押す")],
                    vec![
                        Inline::Link {
                            text: "一覧".into(),
                            href: "/assets".into()
                        },
                        text("へ戻る")
                    ],
                ]),
                Block::Bullets(vec![vec![text("例 1")], vec![text("例 2")]]),
                Block::Paragraph(vec![text("See the list.")]),
            ]
        );
        assert_eq!(page.cited(), vec!["2(3)", "4(2)ア"]);
        assert_eq!(page.links(), vec!["/assets"]);
    }

    #[test]
    fn lone_marks_are_text_and_broken_marks_are_errors_with_their_line() {
        let page = parse("# T\n3 * 4 [x] {y}\n").unwrap();
        assert_eq!(
            page.blocks,
            vec![Block::Paragraph(vec![text("3 * 4 [x] {y}")])]
        );
        let error = |source: &str| parse(source).unwrap_err();
        assert_eq!(error("no title").line, 1);
        assert_eq!(error("# T\n\n**open").line, 3);
        assert_eq!(error("# T\n[out](https://example.com)").line, 2);
        assert_eq!(error("# T\n{cite:}").line, 2);
        assert_eq!(error("# T\n{cite:6(2)").line, 2);
        assert_eq!(error("# T\n### deep").line, 2);
    }
}
