//! Reading zip parts with every limit enforced as bytes come out of the inflater, so a
//! hostile package is refused after at most a limit's worth of work and memory, whatever
//! its zip directory claims.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// Which limit a [`Limited`] reader hit, kept outside the reader because the XML parser
/// that owns it reports only an I/O error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overrun {
    /// More bytes inflated (over all parts of one package) than the package may have.
    Total,
    /// A run of bytes between markup (`<` or `>`) longer than any text we accept: the
    /// XML parser would buffer it whole, so it is stopped here.
    Run,
}

/// What is left of a package's inflate allowance and which limit stopped reading, shared
/// by the readers of its parts.
#[derive(Debug, Clone)]
pub(crate) struct Allowance {
    total: u64,
    remaining: Rc<Cell<u64>>,
    overrun: Rc<Cell<Option<Overrun>>>,
    max_run: usize,
}

impl Allowance {
    pub(crate) fn new(total: u64, max_run: usize) -> Self {
        Self {
            total,
            remaining: Rc::new(Cell::new(total)),
            overrun: Rc::new(Cell::new(None)),
            max_run,
        }
    }

    /// The whole allowance in MiB, for the message of [`Overrun::Total`].
    pub(crate) fn total_mib(&self) -> u64 {
        self.total >> 20
    }

    pub(crate) fn overrun(&self) -> Option<Overrun> {
        self.overrun.get()
    }

    pub(crate) fn reader<R: Read>(&self, inner: R) -> Limited<R> {
        Limited {
            inner,
            allowance: self.clone(),
            run: 0,
        }
    }
}

/// A reader that fails once its package's allowance is spent or a run between markup
/// grows past the longest text we accept.
pub(crate) struct Limited<R> {
    inner: R,
    allowance: Allowance,
    run: usize,
}

impl<R: Read> Limited<R> {
    fn stop(&self, overrun: Overrun) -> io::Error {
        self.allowance.overrun.set(Some(overrun));
        io::Error::other(match overrun {
            Overrun::Total => "the package unpacks to more than its limit",
            Overrun::Run => "text longer than its limit",
        })
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let remaining = self.allowance.remaining.get();
        if remaining == 0 {
            // One byte more tells a part that ends exactly at the limit from one that
            // goes on.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(self.stop(Overrun::Total)),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.allowance.remaining.set(remaining - n as u64);
        for &b in &buf[..n] {
            if b == b'<' || b == b'>' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > self.allowance.max_run {
                    return Err(self.stop(Overrun::Run));
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(allowance: &Allowance, data: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        allowance.reader(data).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn stops_at_the_total_over_all_parts() {
        let allowance = Allowance::new(10, 100);
        assert_eq!(read_all(&allowance, b"<a>12</a>").unwrap().len(), 9);
        assert!(read_all(&allowance, b"<b/>").is_err());
        assert_eq!(allowance.overrun(), Some(Overrun::Total));

        let exact = Allowance::new(4, 100);
        assert!(read_all(&exact, b"<b/>").is_ok());
        assert_eq!(exact.overrun(), None);
    }

    #[test]
    fn stops_a_long_run_between_markup() {
        let allowance = Allowance::new(1000, 5);
        assert!(read_all(&allowance, b"<t>12345</t><t>12345</t>").is_ok());
        assert!(read_all(&allowance, b"<t>123456</t>").is_err());
        assert_eq!(allowance.overrun(), Some(Overrun::Run));
    }
}
