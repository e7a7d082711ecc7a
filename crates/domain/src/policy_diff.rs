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
                label: clause.label.clone(),
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
                label: clause.label.clone(),
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
            label: clause.label.clone(),
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
mod tests {
    use super::*;
    use crate::policy::ClauseKind;

    /// (Same+Deleted, Same+Inserted)
    fn reassemble(pieces: &[Piece]) -> (String, String) {
        let (mut old, mut new) = (String::new(), String::new());
        for piece in pieces {
            match piece {
                Piece::Same(s) => {
                    old.push_str(s);
                    new.push_str(s);
                }
                Piece::Deleted(s) => old.push_str(s),
                Piece::Inserted(s) => new.push_str(s),
            }
        }
        (old, new)
    }

    fn kind(piece: &Piece) -> u8 {
        match piece {
            Piece::Same(_) => 0,
            Piece::Inserted(_) => 1,
            Piece::Deleted(_) => 2,
        }
    }

    fn assert_well_formed(pieces: &[Piece], old: &str, new: &str) {
        let (o, n) = reassemble(pieces);
        assert_eq!(
            o, old,
            "Same+Deleted must give the old text; pieces {pieces:?}"
        );
        assert_eq!(
            n, new,
            "Same+Inserted must give the new text; pieces {pieces:?}"
        );
        for piece in pieces {
            let (Piece::Same(s) | Piece::Inserted(s) | Piece::Deleted(s)) = piece;
            assert!(!s.is_empty(), "empty piece in {pieces:?}");
        }
        for pair in pieces.windows(2) {
            assert_ne!(
                kind(&pair[0]),
                kind(&pair[1]),
                "adjacent pieces of one kind: {pair:?}"
            );
        }
    }

    fn changed_chars(pieces: &[Piece]) -> (usize, usize) {
        let (mut deleted, mut inserted) = (0, 0);
        for piece in pieces {
            match piece {
                Piece::Deleted(s) => deleted += s.chars().count(),
                Piece::Inserted(s) => inserted += s.chars().count(),
                Piece::Same(_) => {}
            }
        }
        (deleted, inserted)
    }

    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const ALPHABET: &[char] = &[
        '情', '報', '資', '産', 'の', '管', '理', 'を', '行', 'う', '職', '員', 'は', 'ア', '1',
        '（', '）', '、', '。', '。', '\n',
    ];

    fn random_text(rng: &mut XorShift, len: usize) -> String {
        (0..len)
            .map(|_| ALPHABET[rng.below(ALPHABET.len())])
            .collect()
    }

    /// A few random edits: insert, delete or replace a stretch, or move a sentence.
    fn mutate(rng: &mut XorShift, text: &str) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        for _ in 0..1 + rng.below(5) {
            let at = rng.below(chars.len() + 1);
            let len = 1 + rng.below(8);
            match rng.below(4) {
                0 => {
                    let inserted: Vec<char> = random_text(rng, len).chars().collect();
                    chars.splice(at..at, inserted);
                }
                1 => {
                    let end = (at + len).min(chars.len());
                    chars.drain(at..end);
                }
                2 => {
                    let end = (at + len).min(chars.len());
                    let inserted: Vec<char> = random_text(rng, len).chars().collect();
                    chars.splice(at..end, inserted);
                }
                _ => {
                    let end = (at + len * 3).min(chars.len());
                    let moved: Vec<char> = chars.drain(at..end).collect();
                    let to = rng.below(chars.len() + 1);
                    chars.splice(to..to, moved);
                }
            }
        }
        chars.into_iter().collect()
    }

    #[test]
    fn reassembly_holds_for_generated_pairs() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for round in 0..600 {
            let len = match round % 3 {
                0 => rng.below(10),
                1 => rng.below(80),
                _ => rng.below(600),
            };
            let old = random_text(&mut rng, len);
            let new = mutate(&mut rng, &old);
            let pieces = diff_text(&old, &new);
            assert_well_formed(&pieces, &old, &new);
            // And the other way round, and against unrelated text.
            assert_well_formed(&diff_text(&new, &old), &new, &old);
            let other = random_text(&mut rng, len);
            assert_well_formed(&diff_text(&old, &other), &old, &other);
        }
    }

    fn lcs_len(a: &[u8], b: &[u8]) -> usize {
        let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                table[i][j] = if a[i] == b[j] {
                    table[i + 1][j + 1] + 1
                } else {
                    table[i + 1][j].max(table[i][j + 1])
                };
            }
        }
        table[0][0]
    }

    #[test]
    fn sequence_diff_is_a_shortest_edit_script() {
        let mut rng = XorShift(42);
        for _ in 0..3000 {
            let alphabet = 1 + rng.below(4) as u8;
            let a: Vec<u8> = (0..rng.below(14))
                .map(|_| rng.below(alphabet as usize) as u8)
                .collect();
            let b: Vec<u8> = (0..rng.below(14))
                .map(|_| rng.below(alphabet as usize) as u8)
                .collect();
            let mut ops = Vec::new();
            diff_slices(&a, &b, &mut ops);
            // Applying the script to a gives b, and it keeps as much as the LCS.
            let (mut i, mut rebuilt, mut kept) = (0, Vec::new(), 0);
            for (op, count) in &ops {
                assert!(*count > 0);
                match op {
                    Op::Equal => {
                        rebuilt.extend_from_slice(&a[i..i + count]);
                        i += count;
                        kept += count;
                    }
                    Op::Delete => i += count,
                    Op::Insert => {
                        let start = rebuilt.len();
                        rebuilt.extend_from_slice(&b[start..start + count]);
                    }
                }
            }
            assert_eq!(i, a.len(), "{a:?} {b:?} {ops:?}");
            assert_eq!(rebuilt, b, "{a:?} {b:?} {ops:?}");
            assert_eq!(kept, lcs_len(&a, &b), "not minimal: {a:?} {b:?} {ops:?}");
        }
    }

    #[test]
    fn one_insertion_inside_a_sentence_is_highlighted_alone() {
        assert_eq!(
            diff_text("委託事業者を選定し", "委託事業者を慎重に選定し"),
            vec![
                Piece::Same("委託事業者を".into()),
                Piece::Inserted("慎重に".into()),
                Piece::Same("選定し".into()),
            ]
        );
    }

    #[test]
    fn replacement_puts_deleted_before_inserted() {
        assert_eq!(
            diff_text("情報を年1回点検する。", "情報を年2回点検する。"),
            vec![
                Piece::Same("情報を年".into()),
                Piece::Deleted("1".into()),
                Piece::Inserted("2".into()),
                Piece::Same("回点検する。".into()),
            ]
        );
    }

    #[test]
    fn unchanged_sentences_stay_whole_around_a_changed_one() {
        let old = "第一に、管理する。\n第二に、点検する。第三に、報告する。";
        let new = "第一に、管理する。\n第二に、毎月点検する。第三に、報告する。";
        assert_eq!(
            diff_text(old, new),
            vec![
                Piece::Same("第一に、管理する。\n第二に、".into()),
                Piece::Inserted("毎月".into()),
                Piece::Same("点検する。第三に、報告する。".into()),
            ]
        );
        // A removed and an added sentence.
        let pieces = diff_text("甲。乙。丙。", "甲。丙。丁。");
        assert_eq!(
            pieces,
            vec![
                Piece::Same("甲。".into()),
                Piece::Deleted("乙。".into()),
                Piece::Same("丙。".into()),
                Piece::Inserted("丁。".into()),
            ]
        );
    }

    #[test]
    fn empty_and_identical_texts() {
        assert_eq!(diff_text("", ""), Vec::<Piece>::new());
        assert_eq!(
            diff_text("", "新設。"),
            vec![Piece::Inserted("新設。".into())]
        );
        assert_eq!(
            diff_text("廃止。", ""),
            vec![Piece::Deleted("廃止。".into())]
        );
        assert_eq!(
            diff_text("同じ。\n文。", "同じ。\n文。"),
            vec![Piece::Same("同じ。\n文。".into())]
        );
    }

    #[test]
    fn sentences_split_after_maru_and_newline() {
        assert_eq!(sentences("甲。乙\n丙"), vec!["甲。", "乙\n", "丙"]);
        assert_eq!(sentences("。。"), vec!["。", "。"]);
        assert_eq!(sentences(""), Vec::<&str>::new());
    }

    /// About 20,000 characters of policy-like prose, with distinct sentences.
    fn long_text() -> String {
        let mut rng = XorShift(7);
        let mut text = String::new();
        let mut n = 0;
        while text.chars().count() < 20_000 {
            n += 1;
            text.push_str(&format!("第{n}項 "));
            text.push_str(&random_text(&mut rng, 30).replace(['。', '\n'], "の"));
            text.push_str(if n % 5 == 0 { "。\n" } else { "。" });
        }
        text
    }

    #[test]
    fn long_texts_with_few_changes_diff_correctly() {
        let old = long_text();
        let mut chars: Vec<char> = old.chars().collect();
        chars[1_000] = '★';
        chars[9_000] = '☆';
        chars.splice(15_000..15_000, "慎重に".chars());
        chars.drain(18_000..18_005);
        let new: String = chars.into_iter().collect();
        let pieces = diff_text(&old, &new);
        assert_well_formed(&pieces, &old, &new);
        let (deleted, inserted) = changed_chars(&pieces);
        assert!(deleted <= 7, "deleted {deleted} characters");
        assert!(inserted <= 5, "inserted {inserted} characters");
        assert!(
            pieces
                .iter()
                .any(|p| *p == Piece::Inserted("慎重に".into())),
            "{pieces:?}"
        );
    }

    #[test]
    fn huge_changed_stretch_is_shown_deleted_and_inserted_whole() {
        // One "sentence" each, no common ends, 2,500 × 2,500 characters with much in common.
        let old = "あい".repeat(1_250);
        let new = "いあ".repeat(1_250);
        assert_eq!(
            diff_text(&old, &new),
            vec![Piece::Deleted(old.clone()), Piece::Inserted(new.clone())]
        );
        // Below the bound the same kind of text is diffed character by character.
        let old = "あい".repeat(500);
        let new = "いあ".repeat(500);
        let pieces = diff_text(&old, &new);
        assert_well_formed(&pieces, &old, &new);
        assert_eq!(changed_chars(&pieces), (1, 1));
    }

    // ------------------------------------------------------------ compare()

    fn clause(reference: &str, title: Option<&str>, text: &str, children: Vec<Clause>) -> Clause {
        // "1(2)" is labelled "(2)", "1" and "附則1" as themselves.
        let label = match reference.rfind('(') {
            Some(i) if reference.ends_with(')') => &reference[i..],
            _ => reference,
        };
        let kind = if label.starts_with('(') {
            ClauseKind::Item
        } else if label.starts_with("附則") {
            ClauseKind::Supplementary
        } else {
            ClauseKind::Numbered
        };
        Clause {
            reference: reference.into(),
            kind,
            label: label.into(),
            title: title.map(Into::into),
            text: text.into(),
            children,
        }
    }

    fn document(title: &str, clauses: Vec<Clause>, supplementary: Vec<Clause>) -> PolicyText {
        PolicyText {
            title: title.into(),
            approved_on: None,
            approval_line: None,
            promulgation: None,
            preamble: String::new(),
            clauses,
            supplementary,
            warnings: Vec::new(),
        }
    }

    fn older() -> PolicyText {
        document(
            "情報セキュリティ基本方針",
            vec![
                clause(
                    "1",
                    Some("目的"),
                    "この方針は、情報資産を守るために定める。",
                    vec![
                        clause("1(1)", None, "委託事業者を選定し、契約を結ぶ。", vec![]),
                        clause("1(2)", None, "紙の文書は施錠して保管する。", vec![]),
                    ],
                ),
                clause(
                    "2",
                    Some("対象"),
                    "議会の情報資産を対象とする。",
                    vec![clause("2(1)", None, "議員を含む。", vec![])],
                ),
            ],
            vec![clause(
                "附則1",
                None,
                "この方針は、令和6年4月1日から施行する。",
                vec![],
            )],
        )
    }

    fn newer() -> PolicyText {
        document(
            "情報セキュリティ基本方針",
            vec![
                clause(
                    "1",
                    Some("目的"),
                    "この方針は、情報資産を守るために定める。",
                    vec![
                        clause(
                            "1(1)",
                            None,
                            "委託事業者を慎重に選定し、契約を結ぶ。",
                            vec![],
                        ),
                        clause(
                            "1(3)",
                            Some("クラウド"),
                            "クラウドサービスは承認を得て使う。",
                            vec![],
                        ),
                    ],
                ),
                clause(
                    "2",
                    Some("対象"),
                    "議会の情報資産を対象とする。",
                    vec![clause("2(1)", None, "議員を含む。", vec![])],
                ),
            ],
            vec![clause(
                "附則1",
                None,
                "この方針は、令和6年4月1日から施行する。",
                vec![],
            )],
        )
    }

    fn changed_label<'a>(diff: &'a VersionDiff, reference: &str) -> &'a str {
        &diff
            .clauses
            .iter()
            .find(|c| c.reference == reference)
            .unwrap()
            .label
    }

    fn summary(diff: &VersionDiff) -> Vec<(&str, Change, usize)> {
        diff.clauses
            .iter()
            .map(|c| (c.reference.as_str(), c.change.clone(), c.depth))
            .collect()
    }

    #[test]
    fn compare_finds_added_removed_changed_and_unchanged_clauses() {
        let diff = compare(&older(), &newer());
        assert_eq!((diff.added, diff.removed, diff.changed), (1, 1, 1));
        // The removed 1(2) comes right after 1(1), which preceded it in the older version.
        assert_eq!(
            summary(&diff),
            vec![
                ("1", Change::Unchanged, 0),
                ("1(1)", Change::Changed, 1),
                ("1(2)", Change::Removed, 1),
                ("1(3)", Change::Added, 1),
                ("2", Change::Unchanged, 0),
                ("2(1)", Change::Unchanged, 1),
                ("附則1", Change::Unchanged, 0),
            ]
        );
        let by_ref = |r: &str| diff.clauses.iter().find(|c| c.reference == r).unwrap();

        let unchanged = by_ref("1");
        assert_eq!(
            unchanged.text,
            vec![Piece::Same(
                "この方針は、情報資産を守るために定める。".into()
            )]
        );
        assert_eq!(unchanged.title, vec![Piece::Same("目的".into())]);
        assert_eq!(unchanged.label, "1");
        assert_eq!(changed_label(&diff, "1(1)"), "(1)");

        let changed = by_ref("1(1)");
        assert_eq!(
            changed.text,
            vec![
                Piece::Same("委託事業者を".into()),
                Piece::Inserted("慎重に".into()),
                Piece::Same("選定し、契約を結ぶ。".into()),
            ]
        );
        assert_eq!(changed.title, Vec::<Piece>::new());

        let removed = by_ref("1(2)");
        assert_eq!(
            removed.text,
            vec![Piece::Deleted("紙の文書は施錠して保管する。".into())]
        );
        assert_eq!(removed.title, Vec::<Piece>::new());

        let added = by_ref("1(3)");
        assert_eq!(
            added.text,
            vec![Piece::Inserted("クラウドサービスは承認を得て使う。".into())]
        );
        assert_eq!(added.title, vec![Piece::Inserted("クラウド".into())]);

        assert_eq!(
            diff.title,
            vec![Piece::Same("情報セキュリティ基本方針".into())]
        );
    }

    #[test]
    fn compare_the_other_way_round_swaps_added_and_removed() {
        let diff = compare(&newer(), &older());
        assert_eq!((diff.added, diff.removed, diff.changed), (1, 1, 1));
        // Now 1(3) is removed; its predecessor in the (now older) version is 1(1).
        assert_eq!(
            summary(&diff)[..4],
            [
                ("1", Change::Unchanged, 0),
                ("1(1)", Change::Changed, 1),
                ("1(3)", Change::Removed, 1),
                ("1(2)", Change::Added, 1),
            ]
        );
    }

    #[test]
    fn removed_clauses_without_predecessor_come_first_and_keep_their_order() {
        let old = document(
            "方針",
            vec![
                clause(
                    "1",
                    None,
                    "甲。",
                    vec![clause("1(1)", None, "乙。", vec![])],
                ),
                clause("2", Some("旧題"), "丙。", vec![]),
                clause("3", None, "丁。", vec![]),
                clause("4", None, "戊。", vec![]),
            ],
            vec![],
        );
        let new = document(
            "改定方針",
            vec![
                clause("2", Some("新題"), "丙。", vec![]),
                clause("5", None, "己。", vec![]),
            ],
            vec![],
        );
        let diff = compare(&old, &new);
        assert_eq!(
            summary(&diff),
            vec![
                ("1", Change::Removed, 0),
                ("1(1)", Change::Removed, 1),
                ("2", Change::Changed, 0),
                ("3", Change::Removed, 0),
                ("4", Change::Removed, 0),
                ("5", Change::Added, 0),
            ]
        );
        assert_eq!((diff.added, diff.removed, diff.changed), (1, 4, 1));
        let changed = &diff.clauses[2];
        assert_eq!(
            changed.title,
            vec![
                Piece::Deleted("旧".into()),
                Piece::Inserted("新".into()),
                Piece::Same("題".into())
            ]
        );
        assert_eq!(changed.text, vec![Piece::Same("丙。".into())]);
        assert_eq!(
            diff.title,
            vec![Piece::Inserted("改定".into()), Piece::Same("方針".into())]
        );
    }

    #[test]
    fn identical_documents_are_all_unchanged() {
        let diff = compare(&older(), &older());
        assert_eq!((diff.added, diff.removed, diff.changed), (0, 0, 0));
        assert_eq!(diff.clauses.len(), 6);
        for c in &diff.clauses {
            assert_eq!(c.change, Change::Unchanged, "{c:?}");
            assert_eq!(c.text.len(), 1, "{c:?}");
            assert!(matches!(&c.text[0], Piece::Same(_)), "{c:?}");
        }
        assert_eq!(
            diff.clauses.iter().map(|c| c.depth).collect::<Vec<_>>(),
            vec![0, 1, 1, 0, 1, 0]
        );
    }

    #[test]
    fn empty_documents_compare_to_nothing() {
        let empty = document("", vec![], vec![]);
        let diff = compare(&empty, &empty);
        assert_eq!(diff.clauses, vec![]);
        assert_eq!(diff.title, vec![]);
        let diff = compare(&empty, &older());
        assert_eq!((diff.added, diff.removed, diff.changed), (6, 0, 0));
        let diff = compare(&older(), &empty);
        assert_eq!((diff.added, diff.removed, diff.changed), (0, 6, 0));
        assert_eq!(
            diff.clauses
                .iter()
                .map(|c| c.reference.as_str())
                .collect::<Vec<_>>(),
            ["1", "1(1)", "1(2)", "2", "2(1)", "附則1"]
        );
    }

    #[test]
    fn repeated_references_are_matched_occurrence_by_occurrence() {
        let old = document(
            "方針",
            vec![clause("1", None, "本則。", vec![])],
            vec![clause("1", None, "附則。", vec![])],
        );
        let new = document(
            "方針",
            vec![clause("1", None, "本則。", vec![])],
            vec![clause("1", None, "改正附則。", vec![])],
        );
        let diff = compare(&old, &new);
        assert_eq!(
            summary(&diff),
            vec![("1", Change::Unchanged, 0), ("1", Change::Changed, 0)]
        );
        assert_eq!(
            diff.clauses[1].text,
            vec![Piece::Inserted("改正".into()), Piece::Same("附則。".into())]
        );
    }
}
