//! Hostile files against a real `mamori serve`: each file is uploaded to a server started
//! for it alone, which must refuse it with a clear message (4xx) while its peak memory
//! (VmHWM of the child, never of this test process) stays within [`MEMORY_BUDGET`] above
//! what it had reached before plus the upload's own size. And at most N files are read
//! at once: the others get 503 with `Retry-After`.

mod files;

use super::*;

/// Status, `Retry-After` and body of an answer.
type Answer = (u16, Option<String>, String);

/// Most the server's peak memory may grow by reading one file, beyond the file's size.
const MEMORY_BUDGET: u64 = 64 * 1024 * 1024;

/// Peak resident memory of process `pid`, in bytes.
fn peak_memory(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no VmHWM in {status}"));
    kib * 1024
}

/// A server with a security officer's API token (who may import registers and policies).
struct Importer {
    site: Site,
    server: Server,
    uploader: Uploader,
}

/// Sends files to a server as the security officer.
#[derive(Clone)]
struct Uploader {
    base: String,
    token: String,
}

impl Importer {
    fn start(backend: Backend, extra: &[&str]) -> Importer {
        let site = Site::new(backend);
        site.add_user("kanri", "security_officer").success();
        let token = site
            .run(&[
                "token",
                "create",
                "--login",
                "kanri",
                "--name",
                "hostile files",
            ])
            .success()
            .stdout
            .trim()
            .to_owned();
        let mut server = site.serve(extra);
        server.wait_healthy(backend);
        let uploader = Uploader {
            base: server.base.clone(),
            token,
        };
        Importer {
            site,
            server,
            uploader,
        }
    }

    fn peak(&self) -> u64 {
        peak_memory(self.server.child.id())
    }
}

impl Uploader {
    /// Uploads a register (multipart, as a browser or script would).
    fn upload_register(&self, name: &str, bytes: &[u8]) -> Answer {
        let boundary = "mamori-hostile-file-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.post(
            "/api/v1/assets/imports",
            &format!("multipart/form-data; boundary={boundary}"),
            body,
        )
    }

    /// Uploads a policy file to be read and previewed.
    fn upload_policy(&self, bytes: &[u8]) -> Answer {
        self.post(
            "/api/v1/policies/import/preview",
            "application/octet-stream",
            bytes.to_vec(),
        )
    }

    /// Status, Retry-After and body of a POST in Japanese.
    fn post(&self, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        let request = http()
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("Content-Type", content_type)
            .header("Accept-Language", "ja")
            .timeout(Duration::from_secs(120))
            .body(body);
        block_on(async {
            let response = request.send().await.expect("POST");
            let status = response.status().as_u16();
            let retry = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap_or("").to_owned());
            (status, retry, response.text().await.expect("body"))
        })
    }
}

/// Starts a server for `file` alone, sends it, and checks the refusal (422 and `message`
/// in the answer) and the memory bound.
fn refused_within_budget(
    backend: Backend,
    file: Vec<u8>,
    send: fn(&Uploader, &[u8]) -> Answer,
    message: &str,
) {
    let importer = Importer::start(backend, &[]);
    let before = importer.peak();
    let started = Instant::now();
    let (status, _, body) = send(&importer.uploader, &file);
    let took = started.elapsed();
    let after = importer.peak();
    let growth = after.saturating_sub(before);
    eprintln!(
        "{backend:?}: upload {} KiB, peak {} MiB -> {} MiB (+{} MiB), answered in {took:?}",
        file.len() >> 10,
        before >> 20,
        after >> 20,
        growth >> 20
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains(message), "{message:?} not in {body}");
    assert!(
        growth <= file.len() as u64 + MEMORY_BUDGET,
        "{backend:?}: peak memory grew by {} MiB for a {} KiB file",
        growth >> 20,
        file.len() >> 10
    );
    importer.server.stop_cleanly("TERM");
    drop(importer.site);
}

fn register(uploader: &Uploader, bytes: &[u8]) -> Answer {
    uploader.upload_register("台帳.xlsx", bytes)
}

fn policy(uploader: &Uploader, bytes: &[u8]) -> Answer {
    uploader.upload_policy(bytes)
}

/// Runs the synchronous harness off the test's runtime (it has a runtime of its own).
async fn off_runtime(work: impl FnOnce() + Send + 'static) {
    let done = thread::spawn(work);
    tokio::task::spawn_blocking(move || done.join())
        .await
        .expect("join")
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

mamori_testkit::backend_test! {
    /// The file: 0.9 MB whose one cell expands to 900 MB.
    async fn xlsx_cell_of_900_mb(backend) {
        off_runtime(move || {
            let file = files::xlsx_one_huge_shared_string(900);
            assert!(file.len() < 2 * 1024 * 1024, "{} bytes", file.len());
            refused_within_budget(backend, file, register, "100000文字を超える");
        })
        .await
    }
}

mamori_testkit::backend_test! {
    /// A 900 MB inline cell is refused at its place in the sheet.
    async fn xlsx_inline_cell_of_900_mb(backend) {
        off_runtime(move || {
            let file = files::xlsx_one_huge_inline_cell(900);
            refused_within_budget(backend, file, register, "7行目のC列の内容が長すぎます（100000文字まで）");
        })
        .await
    }
}

mamori_testkit::backend_test! {
    /// A CSV row of a million columns.
    async fn csv_of_a_million_columns(backend) {
        off_runtime(move || {
            let file = files::csv_wide(1_000_000);
            refused_within_budget(backend, file, register, "1行目の列が多すぎます（200列まで）");
        })
        .await
    }
}

mamori_testkit::backend_test! {
    /// A CSV just under the upload limit whose many tiny cells make a table larger than
    /// a table may be.
    async fn csv_of_19_mb_in_one_character_cells(backend) {
        off_runtime(move || {
            let file = files::csv_of_one_character_cells(19);
            refused_within_budget(backend, file, register, "表の内容が大きすぎる");
        })
        .await
    }
}

mamori_testkit::backend_test! {
    /// A zip bomb over the unpack limit, refused from its directory.
    async fn zip_bomb_over_the_unpack_limit(backend) {
        off_runtime(move || {
            let file = files::xlsx_mib_of_empty_rows(1100);
            refused_within_budget(backend, file, register, "展開すると大きすぎる");
        })
        .await
    }
}

mamori_testkit::backend_test! {
    /// A zip bomb just under the unpack limit made of many long shared strings.
    async fn zip_bomb_of_shared_strings(backend) {
        off_runtime(move || {
            let file = files::xlsx_many_long_shared_strings(1000);
            refused_within_budget(backend, file, register, "文字列の合計が大きすぎる");
        })
        .await
    }
}

mamori_testkit::backend_test! {
    /// One long string in every cell of a wide sheet: small file, huge table.
    async fn xlsx_of_one_string_everywhere(backend) {
        off_runtime(move || {
            let file = files::xlsx_one_string_everywhere(1000);
            refused_within_budget(backend, file, register, "表の内容が大きすぎる");
        })
        .await
    }
}

mamori_testkit::backend_test! {
    /// Elements nested millions deep.
    async fn xlsx_nested_deeply(backend) {
        off_runtime(move || {
            let file = files::xlsx_nested(50);
            refused_within_budget(backend, file, register, "Excelファイルが壊れている");
        })
        .await
    }
}

mamori_testkit::backend_test! {
    /// The policy import's equivalent: a Word file whose one paragraph is 250 MB (just
    /// under the unpack limit of a Word file).
    async fn docx_paragraph_of_250_mb(backend) {
        off_runtime(move || {
            let file = files::docx_one_huge_paragraph(250);
            refused_within_budget(backend, file, policy, "100000文字を超える");
        })
        .await
    }
}

mamori_testkit::backend_test! {
    /// A Word file whose paragraphs nest millions deep.
    async fn docx_nested_deeply(backend) {
        off_runtime(move || {
            let file = files::docx_nested(20);
            refused_within_budget(backend, file, policy, "Word文書が壊れている");
        })
        .await
    }
}

mamori_testkit::backend_test! {
    /// With one import slot, files sent while another is read wait a few seconds and are
    /// then refused with 503, Retry-After and a message; the one read (megabytes of
    /// markup, every byte parsed, nothing kept) is answered, its memory within the budget.
    async fn imports_past_the_parallel_limit_get_503_with_retry_after(backend) {
        off_runtime(move || {
            let importer = Importer::start(backend, &["--parallel-imports", "1"]);
            let before = importer.peak();
            // Grown until reading it alone outlasts a waiting file's wait (3 s) well,
            // whatever the speed of the build and the machine.
            let mut mib = 8;
            let slow = loop {
                let file = files::xlsx_mib_of_empty_rows(mib);
                let started = Instant::now();
                let (status, _, body) = importer.uploader.upload_register("遅い.xlsx", &file);
                let took = started.elapsed();
                assert_eq!(status, 422, "{body}");
                assert!(body.contains("ファイルが空です"), "{body}");
                if took >= Duration::from_secs(5) || mib >= 1000 {
                    break Arc::new(file);
                }
                mib = ((mib as f64) * 7.0 / took.as_secs_f64().max(0.05)).ceil().min(1000.0) as usize;
            };
            let answers: Vec<_> = (0..3)
                .map(|i| {
                    let (uploader, slow) = (importer.uploader.clone(), Arc::clone(&slow));
                    thread::spawn(move || {
                        thread::sleep(Duration::from_millis(300 * i));
                        uploader.upload_register("遅い.xlsx", &slow)
                    })
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|t| t.join().expect("upload thread"))
                .collect();
            let busy: Vec<_> = answers.iter().filter(|(status, ..)| *status == 503).collect();
            let read: Vec<_> = answers.iter().filter(|(status, ..)| *status == 422).collect();
            assert_eq!((read.len(), busy.len()), (1, 2), "{answers:?}");
            assert!(read[0].2.contains("ファイルが空です"), "{:?}", read[0]);
            for (_, retry, body) in busy {
                assert_eq!(retry.as_deref(), Some("10"), "{body}");
                assert!(body.contains("ほかのファイルの読み込みが重なっている"), "{body}");
            }
            let growth = importer.peak().saturating_sub(before);
            eprintln!(
                "{backend:?}: {mib} MiB of markup in {} KiB read, 3 sent at once: peak +{} MiB",
                slow.len() >> 10,
                growth >> 20
            );
            assert!(growth <= 3 * slow.len() as u64 + MEMORY_BUDGET, "+{} MiB", growth >> 20);
            importer.server.stop_cleanly("TERM");
        })
        .await
    }
}
