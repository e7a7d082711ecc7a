//! The log file in `DATA_DIR/logs`: `mamori.log` holds today's lines (Japan time); at the
//! first line of a new day it is renamed `mamori-YYYY-MM-DD.log` and a new one begun.
//! The newest [`KEEP_DAYS`] dated files are kept, so a small server never fills up.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use time::{Date, OffsetDateTime};

pub const KEEP_DAYS: usize = 30;
const CURRENT: &str = "mamori.log";

fn today() -> Date {
    OffsetDateTime::now_utc()
        .to_offset(mamori_domain::wareki::JST)
        .date()
}

struct Open {
    day: Date,
    file: File,
}

/// A `MakeWriter` for tracing that rotates daily.
#[derive(Clone)]
pub struct DailyLog {
    dir: PathBuf,
    open: Arc<Mutex<Open>>,
}

impl DailyLog {
    pub fn open(dir: &Path) -> io::Result<DailyLog> {
        std::fs::create_dir_all(dir)?;
        let current = dir.join(CURRENT);
        // A file left by an earlier day is rotated before today's first line.
        if let Ok(modified) = std::fs::metadata(&current).and_then(|m| m.modified()) {
            let day = OffsetDateTime::from(modified)
                .to_offset(mamori_domain::wareki::JST)
                .date();
            if day < today() {
                rotate(dir, day)?;
            }
        }
        let file = append(&current)?;
        prune(dir)?;
        Ok(DailyLog {
            dir: dir.to_owned(),
            open: Arc::new(Mutex::new(Open { day: today(), file })),
        })
    }
}

fn append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

fn rotate(dir: &Path, day: Date) -> io::Result<()> {
    let dated = dir.join(format!("mamori-{day}.log"));
    if dated.exists() {
        // Two rotations on one day (a restart): keep both by appending.
        let mut target = append(&dated)?;
        io::copy(&mut File::open(dir.join(CURRENT))?, &mut target)?;
        std::fs::remove_file(dir.join(CURRENT))
    } else {
        std::fs::rename(dir.join(CURRENT), dated)
    }
}

/// Removes dated files beyond the newest `KEEP_DAYS`.
fn prune(dir: &Path) -> io::Result<()> {
    let mut dated: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("mamori-") && n.ends_with(".log"))
        })
        .collect();
    dated.sort();
    let excess = dated.len().saturating_sub(KEEP_DAYS);
    for old in dated.into_iter().take(excess) {
        std::fs::remove_file(old)?;
    }
    Ok(())
}

pub struct LogWriter<'a>(&'a DailyLog);

impl Write for LogWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut open = self.0.open.lock().unwrap_or_else(|e| e.into_inner());
        let now = today();
        if now != open.day {
            let _ = open.file.flush();
            rotate(&self.0.dir, open.day)?;
            open.file = append(&self.0.dir.join(CURRENT))?;
            open.day = now;
            let _ = prune(&self.0.dir);
        }
        open.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .file
            .flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for DailyLog {
    type Writer = LogWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LogWriter(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_log_is_rotated_and_only_the_newest_days_are_kept() {
        let dir = std::env::temp_dir().join(format!("mamori-log-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for day in 1..=(KEEP_DAYS + 5) {
            let name = format!("mamori-2020-01-{:02}.log", day.min(28));
            let name = if day > 28 {
                format!("mamori-2020-02-{:02}.log", day - 28)
            } else {
                name
            };
            std::fs::write(dir.join(name), b"old\n").unwrap();
        }
        std::fs::write(dir.join(CURRENT), b"yesterday\n").unwrap();
        let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
        File::options()
            .append(true)
            .open(dir.join(CURRENT))
            .unwrap()
            .set_modified(yesterday)
            .unwrap();

        let log = DailyLog::open(&dir).unwrap();
        let mut writer = tracing_subscriber::fmt::MakeWriter::make_writer(&log);
        writer.write_all(b"today\n").unwrap();

        assert_eq!(
            std::fs::read_to_string(dir.join(CURRENT)).unwrap(),
            "today\n"
        );
        let dated: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("mamori-"))
            .collect();
        assert_eq!(dated.len(), KEEP_DAYS);
        let rotated = dated
            .iter()
            .filter(|n| !n.starts_with("mamori-2020"))
            .count();
        assert_eq!(
            rotated, 1,
            "yesterday's file was renamed by its date: {dated:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
