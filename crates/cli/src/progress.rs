//! A progress line on standard error for long imports and exports: drawn only when
//! standard error is a terminal, so scripts and logs get the messages alone.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const WIDTH: usize = 30;
/// Redraw at most this often: drawing every row would cost more than the work.
const EVERY: Duration = Duration::from_millis(100);

pub struct Progress {
    enabled: bool,
    label: String,
    total: Option<usize>,
    started: Instant,
    drawn: Option<Instant>,
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            label: String::new(),
            total: None,
            started: Instant::now(),
            drawn: None,
        }
    }

    /// Starts a phase: a bar when `total` is known, else the time so far.
    pub fn phase(&mut self, label: &str, total: Option<usize>) {
        self.finish();
        self.label = label.to_owned();
        self.total = total;
        self.started = Instant::now();
        self.draw(0);
    }

    /// `done` of the phase's total; redrawn at most every 100 ms.
    pub fn update(&mut self, done: usize) {
        if self.drawn.is_some_and(|at| at.elapsed() < EVERY) {
            return;
        }
        self.draw(done);
    }

    /// Ends the line of the current phase, if one is drawn.
    pub fn finish(&mut self) {
        if self.enabled && self.drawn.take().is_some() {
            eprintln!();
        }
    }

    fn draw(&mut self, done: usize) {
        if !self.enabled {
            return;
        }
        let line = line(
            &self.label,
            done,
            self.total,
            self.started.elapsed().as_secs(),
        );
        let mut stderr = std::io::stderr().lock();
        // \r and "erase line": the bar overwrites itself.
        let _ = write!(stderr, "\r\x1b[2K{line}");
        let _ = stderr.flush();
        self.drawn = Some(Instant::now());
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn line(label: &str, done: usize, total: Option<usize>, seconds: u64) -> String {
    match total {
        Some(total) if total > 0 => {
            let done = done.min(total);
            let filled = done * WIDTH / total;
            format!(
                "{label} [{}{}] {:>3}% ({done}/{total}) {seconds}s",
                "#".repeat(filled),
                "-".repeat(WIDTH - filled),
                done * 100 / total
            )
        }
        _ => format!("{label} … {seconds}s"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines() {
        assert_eq!(
            super::line("確認", 50, Some(100), 3),
            format!(
                "確認 [{}{}]  50% (50/100) 3s",
                "#".repeat(15),
                "-".repeat(15)
            )
        );
        assert_eq!(super::line("書き込み", 0, None, 12), "書き込み … 12s");
        assert!(super::line("x", 200, Some(100), 0).contains("100%"));
    }
}
