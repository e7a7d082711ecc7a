//! The real `mamori serve` under test: started on a free port over the benchmark's
//! database, signed in to, measured for memory, and stopped.

use super::*;

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    pub(crate) data_dir: PathBuf,
}

pub(crate) fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

impl Server {
    pub(crate) fn start(mamori: &Path, db: &Db) -> anyhow::Result<Server> {
        Server::start_at(mamori, db.dir.path(), &db.url)
    }

    /// `mamori serve` over a database, with `data_dir` for its backups and log.
    /// Starts the server and waits until it answers and its start-up backup is done,
    /// so that neither is in the figures that follow.
    pub(crate) async fn start_ready(mamori: &Path, db: &Db) -> anyhow::Result<Server> {
        let mut server = Server::start(mamori, db)?;
        let plain = reqwest::Client::builder()
            .timeout(Duration::from_secs(300))
            .build()?;
        server.wait_healthy(&plain).await?;
        server.wait_daily_backup().await?;
        Ok(server)
    }

    pub(crate) fn start_at(mamori: &Path, data_dir: &Path, url: &str) -> anyhow::Result<Server> {
        let port = free_port()?;
        let log = std::fs::File::create(data_dir.join("serve.log"))?;
        let child = Command::new(mamori)
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--database-url")
            .arg(url)
            .arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            // Away from any ./mamori.toml of the working tree.
            .current_dir(data_dir)
            .env_remove("MAMORI_CONFIG")
            .env("MAMORI_LANG", "en")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", mamori.display()))?;
        Ok(Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            data_dir: data_dir.to_owned(),
        })
    }

    pub(crate) fn url(&self, path: &str, params: &[(&str, &str)]) -> anyhow::Result<reqwest::Url> {
        Ok(reqwest::Url::parse_with_params(
            &format!("{}{path}", self.base),
            params,
        )?)
    }

    pub(crate) async fn wait_healthy(
        &mut self,
        client: &reqwest::Client,
    ) -> anyhow::Result<Duration> {
        let start = Instant::now();
        let url = self.url("/healthz", &[])?;
        loop {
            if let Some(status) = self.child.try_wait()? {
                // The data directory goes with the run: show the log's end here.
                let log =
                    std::fs::read_to_string(self.data_dir.join("serve.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(15).collect();
                bail!(
                    "mamori serve exited ({status}):\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            if let Ok(r) = client.get(url.clone()).send().await
                && r.status().is_success()
            {
                return Ok(start.elapsed());
            }
            if start.elapsed() > Duration::from_secs(120) {
                bail!("mamori serve did not answer /healthz within 120 s");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Waits for the daily backup `serve` writes at start when none exists yet.
    pub(crate) async fn wait_daily_backup(&self) -> anyhow::Result<Option<Duration>> {
        let start = Instant::now();
        let dir = self.data_dir.join("backups");
        while start.elapsed() < Duration::from_secs(600) {
            if !mamori_store::backup::daily_backups(&dir)?.is_empty() {
                // The audit entry follows the rename: give it a moment.
                tokio::time::sleep(Duration::from_millis(200)).await;
                return Ok(Some(start.elapsed()));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(None)
    }

    /// A `Vm…` line of /proc/<pid>/status, in MiB.
    pub(crate) fn memory(&self, key: &str) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with(key))?;
        let kib: f64 = line
            .trim_start_matches(key)
            .trim_start_matches(':')
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        Some((kib / 1024.0 * 10.0).round() / 10.0)
    }

    /// Resets VmHWM to the current RSS (Linux ≥ 4.0), so later peaks exclude start-up.
    pub(crate) fn reset_peak(&self) -> bool {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5").is_ok()
    }

    pub(crate) fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..200 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Whether the binary has a subcommand (e.g. `import assets`), asked through `--help`.
pub(crate) fn has_command(mamori: &Path, words: &[&str]) -> bool {
    Command::new(mamori)
        .args(words)
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub(crate) fn mamori_cli(mamori: &Path, db: &Db) -> Command {
    let mut command = Command::new(mamori);
    command
        .arg("--data-dir")
        .arg(db.dir.path())
        .arg("--database-url")
        .arg(&db.url)
        .current_dir(db.dir.path())
        .env_remove("MAMORI_CONFIG")
        .env("MAMORI_LANG", "en");
    command
}
