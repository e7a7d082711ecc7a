//! One row's cells kept in a single buffer: a register of 100,000 rows of fifteen columns
//! is a million and a half cells, and a `String` each (24 bytes and an allocation of its
//! own) took three times the text itself.

use std::fmt;

/// The cells of a row: their text one after another and where each ends.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Cells {
    text: Box<str>,
    ends: Box<[u32]>,
}

impl Cells {
    /// The cells of `values`, in order, padded with empty cells to `width`.
    pub fn padded<S: AsRef<str>>(values: &[S], width: usize) -> Self {
        let mut text = String::with_capacity(values.iter().map(|v| v.as_ref().len()).sum());
        let mut ends = Vec::with_capacity(values.len().max(width));
        for value in values {
            text.push_str(value.as_ref());
            ends.push(offset(text.len()));
        }
        ends.resize(values.len().max(width), offset(text.len()));
        Self {
            text: text.into_boxed_str(),
            ends: ends.into_boxed_slice(),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The cell in `column` (0-based), if the row has that many.
    pub fn get(&self, column: usize) -> Option<&str> {
        let end = *self.ends.get(column)? as usize;
        let start = match column {
            0 => 0,
            _ => self.ends[column - 1] as usize,
        };
        Some(&self.text[start..end])
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|column| self.get(column).unwrap_or_default())
    }

    /// Replaces the cell in `column`; a column the row does not have is left alone. The
    /// row's buffer is rebuilt, which is cheap for a row and rare (value mappings).
    pub fn set(&mut self, column: usize, value: &str) {
        if column < self.len() {
            let values: Vec<&str> = self
                .iter()
                .enumerate()
                .map(|(i, cell)| if i == column { value } else { cell })
                .collect();
            *self = Self::padded(&values, 0);
        }
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    /// Memory the cells take besides the `Cells` itself.
    pub fn heap_size(&self) -> usize {
        self.text.len() + self.ends.len() * std::mem::size_of::<u32>()
    }
}

/// Cells are at most [`crate::MAX_CELL_CHARS`] characters and a row at most
/// [`crate::MAX_COLUMNS`] of them, so a row's text fits a `u32` with room to spare.
fn offset(len: usize) -> u32 {
    u32::try_from(len).expect("a row's text is bounded far below 4 GiB")
}

impl std::ops::Index<usize> for Cells {
    type Output = str;

    /// The cell in `column`; panics past the row's end, as a slice does.
    fn index(&self, column: usize) -> &str {
        match self.get(column) {
            Some(cell) => cell,
            None => panic!("column {column} of a row of {} cells", self.len()),
        }
    }
}

impl From<Vec<String>> for Cells {
    fn from(values: Vec<String>) -> Self {
        Self::padded(&values, 0)
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for Cells {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for Cells {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Cells {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl fmt::Debug for Cells {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_back_as_written_and_pad_to_the_width() {
        let cells = Cells::padded(&["議会", "", "タブレット"], 5);
        assert_eq!(cells.len(), 5);
        assert_eq!(cells, ["議会", "", "タブレット", "", ""]);
        assert_eq!(cells.get(2), Some("タブレット"));
        assert_eq!(cells.get(5), None);
        assert_eq!(Cells::padded::<&str>(&[], 0).get(0), None);
    }

    #[test]
    fn a_cell_is_replaced_in_place_of_the_others() {
        let mut cells = Cells::from(vec!["a".to_string(), "bb".into(), "c".into()]);
        cells.set(1, "機密性2");
        cells.set(7, "ignored");
        assert_eq!(cells, ["a", "機密性2", "c"]);
        cells.set(0, "");
        assert_eq!(cells.to_vec(), ["", "機密性2", "c"]);
    }
}
