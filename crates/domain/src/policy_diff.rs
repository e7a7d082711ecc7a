//! Comparing two versions of a policy clause by clause, with the changed text highlighted.
//!
//! Clauses are matched by their reference ("6(8)", "4(2)ア"). Text is diffed character by
//! character, but first split into sentences and matched sentence by sentence, so that long
//! texts that differ in a few places stay fast. Pure: no I/O.

use std::collections::HashMap;

use crate::policy::{Clause, PolicyText};

/// What happened to a clause between the older and the newer version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// One run of a text diff.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Piece {
    Same(String),
    Inserted(String),
    Deleted(String),
}

/// One clause of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClauseDiff {
    pub reference: String,
    /// The label as the source printed it ("（１）").
    pub label: String,
    pub change: Change,
    /// The title (or "" when none), diffed.
    pub title: Vec<Piece>,
    /// The text, diffed: for `Added` all `Inserted`, for `Removed` all `Deleted`, for
    /// `Unchanged` one `Same` (no piece at all when the text is empty).
    pub text: Vec<Piece>,
    /// Nesting depth for indentation (0 = top level).
    pub depth: usize,
}

/// The comparison of two versions of a policy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VersionDiff {
    pub clauses: Vec<ClauseDiff>,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    /// The document title, diffed.
    pub title: Vec<Piece>,
}

/// Above this many old×new characters, a changed run of sentences is not diffed character by
/// character but shown as deleted and inserted whole.
const MAX_CHAR_CELLS: usize = 2_000 * 2_000;

/// Clauses matched by reference, in the order of the newer version, with removed clauses placed
/// right after the clause that preceded them in the older version.
///
/// Main clauses come before supplementary provisions, each depth-first. Should a reference
/// occur more than once in a version, its n-th occurrence is matched with the n-th occurrence
/// in the other version. A clause counts as changed when its title or text differ.
pub fn compare(old: &PolicyText, new: &PolicyText) -> VersionDiff {
    let old_flat = flatten(old);
    let new_flat = flatten(new);

    // Match new clauses to old ones by reference, occurrence by occurrence.
    let mut by_reference: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (clause, _)) in old_flat.iter().enumerate().rev() {
        by_reference
            .entry(clause.reference.as_str())
            .or_default()
            .push(i);
    }
    let matches: Vec<Option<usize>> = new_flat
        .iter()
        .map(|(clause, _)| {
            by_reference
                .get_mut(clause.reference.as_str())
                .and_then(Vec::pop)
        })
        .collect();
    let mut kept = vec![false; old_flat.len()];
    for &i in matches.iter().flatten() {
        kept[i] = true;
    }

    let mut diff = VersionDiff {
        clauses: Vec::with_capacity(old_flat.len().max(new_flat.len())),
        added: 0,
        removed: 0,
        changed: 0,
        title: diff_text(&old.title, &new.title),
    };
    // Removed clauses that follow old clause `after` (or open the old version, for `None`).
    let push_removed_after = |after: Option<usize>, diff: &mut VersionDiff| {
        let mut i = after.map_or(0, |a| a + 1);
        while i < old_flat.len() && !kept[i] {
            let (clause, depth) = old_flat[i];
            diff.removed += 1;
            diff.clauses.push(ClauseDiff {
                reference: clause.reference.clone(),
                label: clause.shown_label().to_owned(),
                change: Change::Removed,
                title: whole(title_of(clause), Piece::Deleted),
                text: whole(&clause.text, Piece::Deleted),
                depth,
            });
            i += 1;
        }
    };

    push_removed_after(None, &mut diff);
    for (&(clause, depth), matched) in new_flat.iter().zip(&matches) {
        let Some(i) = *matched else {
            diff.added += 1;
            diff.clauses.push(ClauseDiff {
                reference: clause.reference.clone(),
                label: clause.shown_label().to_owned(),
                change: Change::Added,
                title: whole(title_of(clause), Piece::Inserted),
                text: whole(&clause.text, Piece::Inserted),
                depth,
            });
            continue;
        };
        let before = old_flat[i].0;
        let (change, title, text) =
            if title_of(before) == title_of(clause) && before.text == clause.text {
                (
                    Change::Unchanged,
                    whole(title_of(clause), Piece::Same),
                    whole(&clause.text, Piece::Same),
                )
            } else {
                diff.changed += 1;
                (
                    Change::Changed,
                    diff_text(title_of(before), title_of(clause)),
                    diff_text(&before.text, &clause.text),
                )
            };
        diff.clauses.push(ClauseDiff {
            reference: clause.reference.clone(),
            label: clause.shown_label().to_owned(),
            change,
            title,
            text,
            depth,
        });
        push_removed_after(Some(i), &mut diff);
    }
    diff
}

/// All clauses of a version with their depth: main clauses, then supplementary, depth-first.
fn flatten(text: &PolicyText) -> Vec<(&Clause, usize)> {
    fn walk<'a>(clauses: &'a [Clause], depth: usize, out: &mut Vec<(&'a Clause, usize)>) {
        for clause in clauses {
            out.push((clause, depth));
            walk(&clause.children, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(&text.clauses, 0, &mut out);
    walk(&text.supplementary, 0, &mut out);
    out
}

fn title_of(clause: &Clause) -> &str {
    clause.title.as_deref().unwrap_or("")
}

/// The whole text as one piece, or no piece when it is empty.
fn whole(text: &str, piece: fn(String) -> Piece) -> Vec<Piece> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![piece(text.to_owned())]
    }
}

/// The text diff on its own: character-level, but first split into sentences (after 。 and
/// newlines) and matched sentence by sentence so that long texts stay fast.
///
/// Adjacent pieces of the same kind are merged, no piece is empty, and within a changed stretch
/// the deleted piece comes before the inserted one. Joining the `Same` and `Deleted` pieces
/// gives `old`; joining the `Same` and `Inserted` pieces gives `new`.
pub fn diff_text(old: &str, new: &str) -> Vec<Piece> {
    let mut out = Pieces::default();
    if old == new {
        out.same(old);
        return out.finish();
    }
    let old_sentences = sentences(old);
    let new_sentences = sentences(new);
    let mut ops = Vec::new();
    diff_slices(&old_sentences, &new_sentences, &mut ops);

    let (mut a, mut b) = (0, 0); // sentence positions in old and new
    let (mut a_byte, mut b_byte) = (0, 0); // their byte offsets
    // Bytes of old and new in the pending run of changed sentences, which ends at a_byte, b_byte.
    let mut run = (0, 0);
    let flush_run = |run: &mut (usize, usize), a_byte: usize, b_byte: usize, out: &mut Pieces| {
        let (old_bytes, new_bytes) = std::mem::take(run);
        if old_bytes + new_bytes > 0 {
            diff_chars(
                &old[a_byte - old_bytes..a_byte],
                &new[b_byte - new_bytes..b_byte],
                out,
            );
        }
    };
    for (op, count) in ops {
        match op {
            Op::Equal => {
                flush_run(&mut run, a_byte, b_byte, &mut out);
                for s in &old_sentences[a..a + count] {
                    out.same(s);
                    a_byte += s.len();
                }
                b_byte += new_sentences[b..b + count]
                    .iter()
                    .map(|s| s.len())
                    .sum::<usize>();
                a += count;
                b += count;
            }
            Op::Delete => {
                let bytes: usize = old_sentences[a..a + count].iter().map(|s| s.len()).sum();
                run.0 += bytes;
                a_byte += bytes;
                a += count;
            }
            Op::Insert => {
                let bytes: usize = new_sentences[b..b + count].iter().map(|s| s.len()).sum();
                run.1 += bytes;
                b_byte += bytes;
                b += count;
            }
        }
    }
    flush_run(&mut run, a_byte, b_byte, &mut out);
    out.finish()
}

/// Splits after each 。 and each newline; the delimiter stays with its sentence.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '。' || c == '\n' {
            let end = i + c.len_utf8();
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Character-level diff of one changed stretch, bounded in work.
fn diff_chars(old: &str, new: &str, out: &mut Pieces) {
    let a: Vec<char> = old.chars().collect();
    let b: Vec<char> = new.chars().collect();
    let prefix = common_prefix(&a, &b);
    let suffix = common_suffix(&a[prefix..], &b[prefix..]);
    let middle_cells = (a.len() - prefix - suffix).saturating_mul(b.len() - prefix - suffix);
    let mut ops = Vec::new();
    if middle_cells > MAX_CHAR_CELLS {
        push_op(&mut ops, Op::Equal, prefix);
        push_op(&mut ops, Op::Delete, a.len() - prefix - suffix);
        push_op(&mut ops, Op::Insert, b.len() - prefix - suffix);
        push_op(&mut ops, Op::Equal, suffix);
    } else {
        diff_slices(&a, &b, &mut ops);
    }
    let (mut i, mut j) = (0, 0);
    for (op, count) in ops {
        match op {
            Op::Equal => {
                out.same(&a[i..i + count].iter().collect::<String>());
                i += count;
                j += count;
            }
            Op::Delete => {
                out.deleted(&a[i..i + count].iter().collect::<String>());
                i += count;
            }
            Op::Insert => {
                out.inserted(&b[j..j + count].iter().collect::<String>());
                j += count;
            }
        }
    }
}

/// Collects pieces: skips empty ones, merges neighbours of the same kind and, between two
/// `Same` pieces, puts all deleted text before all inserted text.
#[derive(Default)]
struct Pieces {
    done: Vec<Piece>,
    deleted: String,
    inserted: String,
}

impl Pieces {
    fn same(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.flush_changes();
        match self.done.last_mut() {
            Some(Piece::Same(s)) => s.push_str(text),
            _ => self.done.push(Piece::Same(text.to_owned())),
        }
    }

    fn deleted(&mut self, text: &str) {
        self.deleted.push_str(text);
    }

    fn inserted(&mut self, text: &str) {
        self.inserted.push_str(text);
    }

    fn flush_changes(&mut self) {
        if !self.deleted.is_empty() {
            self.done
                .push(Piece::Deleted(std::mem::take(&mut self.deleted)));
        }
        if !self.inserted.is_empty() {
            self.done
                .push(Piece::Inserted(std::mem::take(&mut self.inserted)));
        }
    }

    fn finish(mut self) -> Vec<Piece> {
        self.flush_changes();
        self.done
    }
}

// ---------------------------------------------------------------- sequence diff (Myers)

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equal,
    Delete,
    Insert,
}

fn push_op(ops: &mut Vec<(Op, usize)>, op: Op, count: usize) {
    if count == 0 {
        return;
    }
    match ops.last_mut() {
        Some((last, n)) if *last == op => *n += count,
        _ => ops.push((op, count)),
    }
}

fn common_prefix<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn common_suffix<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// A shortest edit script from `a` to `b` as runs of (op, length), appended to `ops`.
///
/// Myers' O((N+M)D) algorithm in linear space: strip the common ends, find the middle snake,
/// and recurse on both halves.
fn diff_slices<T: PartialEq>(a: &[T], b: &[T], ops: &mut Vec<(Op, usize)>) {
    let prefix = common_prefix(a, b);
    push_op(ops, Op::Equal, prefix);
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = common_suffix(a, b);
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    if a.is_empty() || b.is_empty() {
        push_op(ops, Op::Delete, a.len());
        push_op(ops, Op::Insert, b.len());
    } else {
        match middle_snake(a, b) {
            Some((x, y)) if (x, y) != (0, 0) && (x, y) != (a.len(), b.len()) => {
                diff_slices(&a[..x], &b[..y], ops);
                diff_slices(&a[x..], &b[y..], ops);
            }
            // Nothing in common: everything goes.
            _ => {
                push_op(ops, Op::Delete, a.len());
                push_op(ops, Op::Insert, b.len());
            }
        }
    }
    push_op(ops, Op::Equal, suffix);
}

/// A point (x, y) on a shortest edit path from (0, 0) to (a.len(), b.len()), found by running
/// the search forwards from the start and backwards from the end until the two meet. `None`
/// when the paths only meet after deleting and inserting everything.
fn middle_snake<T: PartialEq>(a: &[T], b: &[T]) -> Option<(usize, usize)> {
    let n = a.len() as isize;
    let m = b.len() as isize;
    let max_d = (n + m + 1) / 2;
    let offset = max_d + 1;
    let width = 2 * max_d + 3;
    // Furthest x reached on each diagonal k = x - y; backwards, x and y count from the end.
    let mut forward = vec![-1isize; width as usize];
    let mut backward = vec![-1isize; width as usize];
    forward[(offset + 1) as usize] = 0;
    backward[(offset + 1) as usize] = 0;
    let delta = n - m;
    // With an odd delta the paths meet during a forward step, else during a backward one.
    let odd = delta % 2 != 0;
    // Diagonals that ran off the grid are skipped from then on.
    let (mut k1_start, mut k1_end, mut k2_start, mut k2_end) = (0, 0, 0, 0);
    for d in 0..max_d {
        let mut k1 = -d + k1_start;
        while k1 <= d - k1_end {
            let i = (offset + k1) as usize;
            let mut x1 = if k1 == -d || (k1 != d && forward[i - 1] < forward[i + 1]) {
                forward[i + 1]
            } else {
                forward[i - 1] + 1
            };
            let mut y1 = x1 - k1;
            while x1 < n && y1 >= 0 && y1 < m && a[x1 as usize] == b[y1 as usize] {
                x1 += 1;
                y1 += 1;
            }
            forward[i] = x1;
            if x1 > n {
                k1_end += 2;
            } else if y1 > m {
                k1_start += 2;
            } else if odd {
                let j = offset + delta - k1;
                if (0..width).contains(&j)
                    && backward[j as usize] != -1
                    && x1 >= n - backward[j as usize]
                {
                    return Some((x1 as usize, y1 as usize));
                }
            }
            k1 += 2;
        }
        let mut k2 = -d + k2_start;
        while k2 <= d - k2_end {
            let i = (offset + k2) as usize;
            let mut x2 = if k2 == -d || (k2 != d && backward[i - 1] < backward[i + 1]) {
                backward[i + 1]
            } else {
                backward[i - 1] + 1
            };
            let mut y2 = x2 - k2;
            while x2 < n
                && y2 >= 0
                && y2 < m
                && a[(n - x2 - 1) as usize] == b[(m - y2 - 1) as usize]
            {
                x2 += 1;
                y2 += 1;
            }
            backward[i] = x2;
            if x2 > n {
                k2_end += 2;
            } else if y2 > m {
                k2_start += 2;
            } else if !odd {
                let j = offset + delta - k2;
                if (0..width).contains(&j) && forward[j as usize] != -1 {
                    let x1 = forward[j as usize];
                    let y1 = x1 - (j - offset);
                    if x1 >= n - x2 && (0..=n).contains(&x1) && (0..=m).contains(&y1) {
                        return Some((x1 as usize, y1 as usize));
                    }
                }
            }
            k2 += 2;
        }
    }
    None
}

#[cfg(test)]
mod tests;
