//! `user add` and `token create` from the command line, while serving or not.

use super::*;

/// `user add` creates a user from a password on standard input and refuses duplicates,
/// weak passwords, unknown roles and passwords on the command line, creating nothing.
#[test]
fn user_add_creates_users_and_refuses_bad_input() {
    for backend in backends() {
        let site = Site::new(backend);
        site.add_user("saku.admin", "admin")
            .success()
            .stdout_has("saku.admin")
            .stdout_has("role admin");

        site.add_user("saku.admin", "admin")
            .failure(1)
            .stderr_has("This login ID is already in use.");
        // Login ids are normalised (NFKC, lower case): a full-width variant is the same.
        site.add_user("Ｓａｋｕ.Admin", "user")
            .failure(1)
            .stderr_has("This login ID is already in use.");
        // The console speaks Japanese unless English is asked for.
        let mut command = site.add_user_command("saku.admin", "admin");
        command.env_remove("MAMORI_LANG").env("LANG", "ja_JP.UTF-8");
        run(command, Some(&format!("{PASSWORD}\n")))
            .failure(1)
            .stderr_has("このログインIDはすでに使われています。");
        let mut command = site.add_user_command("saku.admin", "admin");
        command.env_remove("MAMORI_LANG").env("LANG", "en_GB.UTF-8");
        run(command, Some(&format!("{PASSWORD}\n")))
            .failure(1)
            .stderr_has("This login ID is already in use.");

        // Too short: refused, and nothing is created (the same login can be added next).
        run(
            site.add_user_command("saku.member", "user"),
            Some("short\n"),
        )
        .failure(1)
        .stderr_has("at least 10 characters");
        site.add_user("saku.member", "user").success();

        // Unknown role: a usage error from clap, listing the roles.
        run(site.add_user_command("saku.root", "root"), Some(PASSWORD))
            .failure(2)
            .stderr_has("--role")
            .stderr_has("admin, security_officer, user, auditor, contractor");
        site.add_user("saku.root", "user").success();

        // Without --password-stdin: refused even though a password is on stdin.
        let command = site.command(&[
            "user",
            "add",
            "--login",
            "saku.clerk",
            "--name",
            DISPLAY_NAME,
            "--role",
            "user",
        ]);
        run(command, Some(&format!("{PASSWORD}\n")))
            .failure(1)
            .stderr_has("--password-stdin");
        site.add_user("saku.clerk", "user").success();

        // A reading (ふりがな) in kana is taken; anything else is refused naming --reading.
        let with_reading = |login: &str, reading: &str| {
            let mut command = site.add_user_command(login, "user");
            command.args(["--reading", reading]);
            run(command, Some(&format!("{PASSWORD}\n")))
        };
        with_reading("saku.kana", "ｻｸ ﾀﾛｳ").success();
        with_reading("saku.kanji", "佐久")
            .failure(1)
            .stderr_has("--reading: Type the reading in hiragana or katakana");
        site.add_user("saku.kanji", "user").success();
    }
}

/// The CLI and a running server share the database: a user added while `serve` runs is
/// seen by the server (setup closes), the server stays healthy, and the next start
/// prints no setup URL.
#[test]
fn user_add_works_while_serving_and_an_admin_closes_setup() {
    for backend in backends() {
        let site = Site::new(backend);
        let mut server = site.serve(&[]);
        let setup_url = server.setup_url.clone().expect("setup URL on a fresh site");
        server.wait_healthy(backend);

        site.add_user("saku.admin", "admin")
            .success()
            .stdout_has("saku.admin");
        assert_eq!(get(&server.url("/healthz")).status(), 200);
        // The server sees the new administrator: setup is over (410 Gone).
        assert_eq!(get(&setup_url).status(), 410);
        server.stop_cleanly("TERM");

        let mut server = site.serve(&[]);
        assert_eq!(
            server.setup_url, None,
            "setup URL printed although an admin exists: {:?}",
            server.stdout
        );
        assert!(
            !server.stdout.iter().any(|l| l.contains("/setup")),
            "{:?}",
            server.stdout
        );
        server.wait_healthy(backend);
        site.add_user("saku.clerk", "user").success();
        assert_eq!(get(&server.url("/healthz")).status(), 200);
        server.stop_cleanly("INT");
    }
}

/// `token create` prints a token once; the API accepts it while `serve` runs; unknown or
/// deactivated logins get none.
#[test]
fn token_create_prints_a_token_the_api_accepts() {
    for backend in backends() {
        let site = Site::new(backend);
        site.add_user("saku.officer", "security_officer").success();
        let created = site
            .run(&[
                "token",
                "create",
                "--login",
                "SAKU.officer",
                "--name",
                "資産台帳の連携",
            ])
            .success();
        let token = created.stdout.trim().to_owned();
        assert!(
            token.starts_with("mamori_") && token.len() == 7 + 64,
            "{created}"
        );

        let mut server = site.serve(&[]);
        server.wait_healthy(backend);
        let me: serde_json::Value = block_on(async {
            http()
                .get(server.url("/api/v1/me"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        });
        assert_eq!(me["login"], "saku.officer");
        assert_eq!(me["role"], "security_officer");
        server.stop_cleanly("TERM");

        let mut unknown = site.command(&["token", "create", "--login", "nobody", "--name", "x"]);
        unknown.env("MAMORI_LANG", "en");
        run(unknown, None)
            .failure(1)
            .stderr_has("There is no active user nobody.");
        site.run(&["token", "create", "--login", "saku.officer", "--name", ""])
            .failure(1);
    }
}
