//! `serve` and its configuration: the setup URL, health, clean shutdown, where settings
//! come from and how mistakes are refused, a request in flight at shutdown, and mail.

use super::*;

/// A fresh install prints a one-time setup URL, is healthy within the budget, serves the
/// setup page only for the right token, and shuts down cleanly on SIGTERM and SIGINT (as
/// under systemd and at a terminal).
#[test]
fn serve_prints_setup_url_is_healthy_and_stops_cleanly_on_sigterm_and_sigint() {
    for backend in backends() {
        let site = Site::new(backend);
        let mut earlier_token: Option<String> = None;
        for signal in ["TERM", "INT"] {
            let mut server = site.serve(&[]);
            let setup_url = server
                .setup_url
                .clone()
                .unwrap_or_else(|| panic!("no setup URL printed: {:?}", server.stdout));
            let token = setup_token(&setup_url).to_owned();
            assert!(
                setup_url.starts_with(&server.url("/setup?token=")),
                "{setup_url} does not use the listen address {}",
                server.base
            );

            let ready = server.wait_healthy(backend);
            assert!(
                ready < STARTUP_BUDGET,
                "{backend:?}: healthy only after {ready:?}"
            );

            assert_eq!(get(&setup_url).status(), 200, "the printed setup URL");
            assert_eq!(get(&server.url("/setup?token=wrong")).status(), 403);
            // Each start issues a new token; the previous run's stops working.
            if let Some(old) = &earlier_token {
                assert_ne!(old, &token, "a restart reused the setup token");
                let stale = server.url(&format!("/setup?token={old}"));
                assert_eq!(get(&stale).status(), 403, "stale setup token accepted");
            }
            earlier_token = Some(token);

            server.stop_cleanly(signal);
        }
        // Logs also go to the data directory, and record the orderly stop.
        let log = std::fs::read_to_string(site.data_dir().join("logs/mamori.log"))
            .expect("DATA_DIR/logs/mamori.log");
        assert!(log.contains("mamori is listening"), "{log}");
        assert!(log.contains("stopped"), "{log}");
    }
}

/// With `MAMORI_LOG_FORMAT=json` every log line is one JSON object a collector can read;
/// `--metrics-allow` opens `/metrics` to the addresses named, and a wrong address is
/// refused before anything starts.
#[test]
fn logs_as_json_lines_and_metrics_for_the_allowed_addresses() {
    let backend = backends()[0];
    let site = Site::new(backend);
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut command = site.command(&["serve", "--listen", &listen, "--metrics-allow", "127.0.0.1"]);
    command.env("MAMORI_LOG_FORMAT", "json");
    let mut server = Server::spawn(command, port);
    server.wait_healthy(backend);
    let metrics = get(&server.url("/metrics"));
    assert_eq!(metrics.status(), 200);
    let text = block_on(metrics.text()).unwrap();
    assert!(text.contains("mamori_backup_age_seconds"), "{text}");
    server.stop_cleanly("TERM");
    let log = std::fs::read_to_string(site.data_dir().join("logs/mamori.log")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let listening = lines
        .iter()
        .find(|l| l["fields"]["message"] == "mamori is listening")
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(listening["level"], "INFO");
    assert_eq!(listening["fields"]["address"], listen);
    assert!(listening["time"].as_str().unwrap().ends_with('Z'));

    run(
        site.command(&["serve", "--metrics-allow", "10.0.0/8"]),
        None,
    )
    .failure(1)
    .stderr_has("10.0.0/8");
    let mut wrong = site.command(&["serve"]);
    wrong.env("MAMORI_LOG_FORMAT", "xml");
    run(wrong, None).failure(1).stderr_has("MAMORI_LOG_FORMAT");
}

/// Flags beat MAMORI_* variables, which beat mamori.toml; every key of mamori.toml is
/// honoured when nothing overrides it.
#[test]
fn configuration_precedence_is_flag_then_environment_then_file() {
    for backend in backends() {
        let site = Site::new(backend);
        let config_dir = tempfile::tempdir().expect("temp dir");
        let listen_only = config_dir.path().join("listen-only.toml");
        let file_port = free_port();
        write_config(
            &listen_only,
            &[("listen", text(format!("127.0.0.1:{file_port}")))],
        );

        // MAMORI_LISTEN alone sets the address.
        let env_port = free_port();
        let mut command = site.command(&["serve"]);
        command.env("MAMORI_LISTEN", format!("127.0.0.1:{env_port}"));
        let mut server = Server::spawn(command, env_port);
        assert!(
            server.listening.contains(&format!("127.0.0.1:{env_port}")),
            "{}",
            server.listening
        );
        server.wait_healthy(backend);
        server.stop_cleanly("TERM");

        // A flag beats both the variable and the file.
        let env_port = free_port_other_than(&[file_port]);
        let flag_port = free_port_other_than(&[file_port, env_port]);
        let mut command = site.command(&[
            "--config",
            path_str(&listen_only),
            "serve",
            "--listen",
            &format!("127.0.0.1:{flag_port}"),
        ]);
        command.env("MAMORI_LISTEN", format!("127.0.0.1:{env_port}"));
        let mut server = Server::spawn(command, flag_port);
        assert!(
            server.listening.contains(&format!("127.0.0.1:{flag_port}")),
            "flag did not win: {}",
            server.listening
        );
        server.wait_healthy(backend);
        server.stop_cleanly("TERM");

        // The variable beats the file.
        let env_port = free_port_other_than(&[file_port]);
        let mut command = site.command(&["--config", path_str(&listen_only), "serve"]);
        command.env("MAMORI_LISTEN", format!("127.0.0.1:{env_port}"));
        let mut server = Server::spawn(command, env_port);
        assert!(
            server.listening.contains(&format!("127.0.0.1:{env_port}")),
            "environment did not beat the file: {}",
            server.listening
        );
        server.wait_healthy(backend);
        server.stop_cleanly("TERM");

        // Everything from the file alone: no data flags at all. A separate data
        // directory, so that its daily backup is due at start.
        let file_data = tempfile::tempdir().expect("temp dir");
        let backups = file_data.path().join("backups");
        std::fs::create_dir_all(&backups).expect("backups dir");
        // Three old daily backups: with backup_keep = 2, start-up's daily backup leaves
        // only the newest old one and itself (the default of 14 would keep all four).
        for day in ["20200101", "20200102", "20200103"] {
            let name = format!("mamori-daily-{day}-000000.sqlite3");
            std::fs::write(backups.join(name), b"old").expect("fake old backup");
        }
        let full = config_dir.path().join("mamori.toml");
        let file_port = free_port();
        let mut entries = vec![
            ("listen", text(format!("127.0.0.1:{file_port}"))),
            ("data_dir", text(path_str(file_data.path()))),
            ("public_url", text(HTTPS_PUBLIC_URL)),
            ("backup_keep", toml::Value::Integer(2)),
        ];
        if backend == Backend::Postgres {
            entries.push(("database_url", text(site.db.url.clone())));
        }
        write_config(&full, &entries);
        let mut command = mamori(site.cwd.path());
        command.args(["--config", path_str(&full), "serve"]);
        let mut server = Server::spawn(command, file_port);
        assert!(
            server.listening.contains(&format!("127.0.0.1:{file_port}")),
            "listen from the file ignored: {}",
            server.listening
        );
        let setup_url = server.setup_url.clone().expect("setup URL");
        assert!(
            setup_url.starts_with(&format!("{HTTPS_PUBLIC_URL}/setup?token=")),
            "public_url from the file ignored: {setup_url}"
        );
        setup_token(&setup_url);
        server.wait_healthy(backend);
        // An https public URL turns on HSTS.
        let health = get(&server.url("/healthz"));
        let hsts = health
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no HSTS header: {:?}", health.headers()));
        assert!(hsts.contains("max-age="), "{hsts}");
        // data_dir: logs and the daily backup land there; backup_keep prunes to 2.
        assert!(file_data.path().join("logs/mamori.log").is_file());
        if backend == Backend::Sqlite {
            assert!(file_data.path().join("mamori.sqlite3").is_file());
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let dailies = loop {
            let dailies = files_named(&backups, "mamori-daily-", ".sqlite3");
            let fresh = dailies.iter().any(|p| !path_str(p).contains("-2020"));
            if (fresh && dailies.len() == 2) || Instant::now() >= deadline {
                break dailies;
            }
            thread::sleep(POLL);
        };
        assert_eq!(dailies.len(), 2, "backup_keep = 2 not applied: {dailies:?}");
        assert!(path_str(&dailies[0]).contains("20200103"), "{dailies:?}");
        assert!(
            std::fs::read(&dailies[1])
                .expect("new daily backup")
                .starts_with(SQLITE_HEADER)
        );
        server.stop_cleanly("TERM");
        // On a plain http address there is no HSTS.
        let mut server = site.serve(&[]);
        server.wait_healthy(backend);
        let health = get(&server.url("/healthz"));
        assert!(health.headers().get("strict-transport-security").is_none());
        server.stop_cleanly("TERM");
    }
}

/// A mistake in the settings stops mamori before it does anything, naming the cause.
#[test]
fn configuration_mistakes_are_refused_with_a_message_naming_the_cause() {
    for backend in backends() {
        let site = Site::new(backend);
        let config_dir = tempfile::tempdir().expect("temp dir");
        let bad = config_dir.path().join("typo.toml");
        std::fs::write(&bad, "lisen = \"127.0.0.1:9999\"\n").expect("write config");

        // An unknown key, by --config, by MAMORI_CONFIG, and as ./mamori.toml.
        site.run(&["--config", path_str(&bad), "audit", "verify"])
            .failure(1)
            .stderr_has(path_str(&bad))
            .stderr_has("lisen");
        let mut command = site.command(&["audit", "verify"]);
        command.env("MAMORI_CONFIG", &bad);
        run(command, None).failure(1).stderr_has(path_str(&bad));
        let cwd_with_file = tempfile::tempdir().expect("temp dir");
        std::fs::copy(&bad, cwd_with_file.path().join("mamori.toml")).expect("copy");
        let mut command = site.command(&["audit", "verify"]);
        command.current_dir(cwd_with_file.path());
        run(command, None)
            .failure(1)
            .stderr_has("mamori.toml")
            .stderr_has("lisen");

        // An explicit settings file must exist.
        let missing = config_dir.path().join("missing.toml");
        site.run(&["--config", path_str(&missing), "audit", "verify"])
            .failure(1)
            .stderr_has("cannot read")
            .stderr_has(path_str(&missing));

        // A listen value that is not an address.
        site.run(&["serve", "--listen", "town-hall"])
            .failure(1)
            .stderr_has("--listen town-hall");

        // A port that is already taken.
        let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = taken.local_addr().expect("address").to_string();
        site.run(&["serve", "--listen", &address])
            .failure(1)
            .stderr_has(&format!("cannot listen on {address}"));
        drop(taken);
    }
}

/// SIGTERM while a request is still arriving: the request is answered in full, then the
/// server exits cleanly.
#[test]
fn a_request_in_flight_is_answered_before_shutdown() {
    use std::io::Write;
    use std::net::TcpStream;
    for backend in backends() {
        let site = Site::new(backend);
        let mut server = site.serve(&[]);
        server.wait_healthy(backend);
        let address = server.base.trim_start_matches("http://").to_owned();
        let body = "login=nobody&password=not+the+password";
        let mut stream = TcpStream::connect(&address).unwrap();
        write!(
            stream,
            "POST /login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{}",
            body.len(),
            &body[..10]
        )
        .unwrap();
        stream.flush().unwrap();
        thread::sleep(Duration::from_millis(300));
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(server.child.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success());
        thread::sleep(Duration::from_millis(300));
        assert!(
            server.child.exited().is_none(),
            "the server waits for the request in flight"
        );
        stream.write_all(&body.as_bytes()[10..]).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
        let status = server
            .child
            .wait_for(Duration::from_secs(10))
            .expect("serve exits after the request");
        assert_eq!(status.code(), Some(0));
    }
}

/// `serve` with the SMTP options sends what waits in the mail queue (a mail queued while
/// no server was configured) with the public address in its link, never logs the mail
/// password, and refuses mail settings it cannot use; `mail test` checks the same options.
#[test]
fn serve_and_mail_test_use_the_configured_mail_server() {
    use mamori_testkit::smtp::SmtpReceiver;
    for backend in backends() {
        let site = Site::new(backend);
        site.add_user("giin.mail", "user").success();
        site.execute(
            "INSERT INTO mail_queue (user_id, address, lang, subject, body, link, state, \
             attempts, next_attempt_at, created_at) VALUES (1, 'giin@gikai.example.lg.jp', \
             'ja', '[mamori] 確認のお願い（基本方針）', '「基本方針」を読んでください。', \
             '/policies/1/versions/1', 'queued', 0, '2026-04-01T00:00:00Z', \
             '2026-04-01T00:00:00Z')",
        );
        let smtp = block_on(SmtpReceiver::start());
        let port = smtp.port().to_string();
        let secret = "mail-password-never-logged";
        let listen_port = free_port();
        let listen = format!("127.0.0.1:{listen_port}");
        let mut command = site.command(&[
            "serve",
            "--listen",
            &listen,
            "--public-url",
            HTTPS_PUBLIC_URL,
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &port,
            "--smtp-security",
            "none",
            "--smtp-from",
            "mamori@gikai.example.lg.jp",
        ]);
        command.env("MAMORI_SMTP_PASSWORD", secret);
        let server = Server::spawn(command, listen_port);
        let mails = block_on(smtp.wait_for(1, START_TIMEOUT));
        assert_eq!(mails[0].rcpt_to, ["giin@gikai.example.lg.jp"]);
        assert_eq!(mails[0].mail_from, "mamori@gikai.example.lg.jp");
        assert_eq!(mails[0].subject(), "[mamori] 確認のお願い（基本方針）");
        let body = mails[0].body_text();
        assert!(body.starts_with("「基本方針」を読んでください。"), "{body}");
        assert!(body.contains(&format!("{HTTPS_PUBLIC_URL}/policies/1/versions/1")));
        let stderr = server.stderr();
        assert!(
            stderr.contains("127.0.0.1:") && stderr.contains("(none)"),
            "{stderr}"
        );
        assert!(!stderr.contains(secret));
        server.stop_cleanly("TERM");
        let logs =
            std::fs::read_to_string(site.data_dir().join("logs/mamori.log")).expect("the log");
        assert!(!logs.contains(secret));

        // Settings that cannot work stop serve before it listens, naming the cause.
        site.run(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--smtp-host",
            "mail.gikai.example.lg.jp",
        ])
        .failure(1)
        .stderr_has("--smtp-from");
        site.run(&[
            "serve",
            "--smtp-host",
            "mail.gikai.example.lg.jp",
            "--smtp-from",
            "mamori@gikai.example.lg.jp",
            "--smtp-security",
            "ssl",
            "--listen",
            "127.0.0.1:0",
        ])
        .failure(1)
        .stderr_has("expected none, starttls or tls");
        site.run(&[
            "serve",
            "--smtp-host",
            "mail.gikai.example.lg.jp",
            "--smtp-from",
            "not an address",
            "--listen",
            "127.0.0.1:0",
        ])
        .failure(1)
        .stderr_has("not a valid address");

        // `mail test` checks the same options before serving: delivered, or why not.
        let to = "joho.seisaku@gikai.example.lg.jp";
        let test = |port: &str| {
            site.run(&[
                "mail",
                "test",
                "--to",
                to,
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                port,
                "--smtp-security",
                "none",
                "--smtp-from",
                "mamori@gikai.example.lg.jp",
            ])
        };
        test(&port)
            .success()
            .stdout_has(&format!("Test mail sent to {to}"));
        let mails = block_on(smtp.wait_for(2, START_TIMEOUT));
        assert_eq!(mails[1].rcpt_to, [to]);
        assert_eq!(mails[1].subject(), "[mamori] Test mail");
        assert!(
            mails[1]
                .body_text()
                .starts_with("This is a test mail from mamori")
        );
        let closed = TcpListener::bind("127.0.0.1:0").expect("bind");
        let closed_port = closed.local_addr().expect("address").port().to_string();
        drop(closed);
        test(&closed_port)
            .failure(1)
            .stderr_has("The test mail could not be sent");
        site.run(&["mail", "test", "--to", to])
            .failure(1)
            .stderr_has("--smtp-host");
    }
}
