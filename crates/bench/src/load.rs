//! `mamori-bench load`: many people at once. Generates the register, starts the real
//! `mamori serve` on it and lets `--clients` virtual clients (each with its own
//! connection, as separate browsers would have) send requests back to back for
//! `--seconds`: a mix of list (with and without filters, later pages), search, show and
//! create through the API, as a plain user reads and the security officer writes. With
//! `--pause-ms N` each client waits between N/2 and 3N/2 ms after every answer, as a
//! person reads a page before the next click; without it (the default) the clients
//! send back to back, which measures what the server can carry at most.
//! Counts every answer that is not a success as an error, and reports per kind and in
//! all: requests per second, median, p95, p99 and maximum, and the server's memory.

use std::collections::HashMap;

use super::*;

pub const USAGE: &str = "mamori-bench load --backend sqlite|postgres [--postgres URL] \
[--clients 200] [--seconds 60] [--pause-ms 0] [--assets 100000] [--mamori PATH] \
[--json-out FILE] [--commit REV]";

pub struct LoadOptions {
    pub base: Options,
    pub clients: usize,
    pub seconds: u64,
    /// A client's mean pause after each answer, in ms (0: back to back).
    pub pause_ms: u64,
}

pub fn parse(args: impl Iterator<Item = String>) -> anyhow::Result<LoadOptions> {
    let mut o = LoadOptions {
        base: default_options(100_000),
        clients: 200,
        seconds: 60,
        pause_ms: 0,
    };
    for (flag, value) in flag_pairs(args, USAGE)? {
        let number = || parse_count(&flag, &value);
        match flag.as_str() {
            "--clients" => o.clients = number()?.max(1),
            "--seconds" => o.seconds = number()?.max(1) as u64,
            "--pause-ms" => o.pause_ms = number()? as u64,
            "--assets" => o.base.size = number()?,
            _ => common_option(&mut o.base, &flag, &value).with_context(|| USAGE.to_owned())?,
        }
    }
    check_options(&mut o.base)?;
    Ok(o)
}

/// The kinds of request in the mix, and how many of every 100 are of each kind.
const MIX: [(&str, u32); 5] = [
    ("list", 35),
    ("list_filtered", 15),
    ("search", 25),
    ("show", 20),
    ("create", 5),
];

/// Search words as people type them: 2 and 3 characters, longer words, two words.
const WORDS: [&str; 8] = [
    "議事",
    "会議録",
    "タブレット",
    "ﾀﾌﾞﾚｯﾄ",
    "政務活動費",
    "総務委員会 令和5年",
    "監査",
    "個人情報",
];

/// A small, fast generator of choices (xorshift): the mix need not be cryptographic.
pub(crate) struct Dice(u64);

impl Dice {
    pub(crate) fn new(seed: u64) -> Dice {
        Dice(seed | 1)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

pub(crate) fn bearer(token: &str) -> anyhow::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse()?,
    );
    Ok(reqwest::Client::builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(60))
        .build()?)
}

/// One request of the mix; the kind's name and the URL or body it uses.
fn request(
    dice: &mut Dice,
    server: &Server,
    size: usize,
    reader: &reqwest::Client,
    writer: &reqwest::Client,
    serial: usize,
) -> anyhow::Result<(&'static str, reqwest::RequestBuilder)> {
    let mut roll = dice.below(100) as u32;
    let kind = MIX
        .iter()
        .find(|(_, share)| {
            if roll < *share {
                true
            } else {
                roll -= share;
                false
            }
        })
        .map_or("list", |(kind, _)| *kind);
    let page = (1 + dice.below(5)).to_string();
    let builder = match kind {
        "list" => reader.get(server.url("/api/v1/assets", &[("page", &page)])?),
        "list_filtered" => {
            let category =
                ["information", "infrastructure", "system_document"][dice.below(3) as usize];
            reader.get(server.url(
                "/api/v1/assets",
                &[
                    ("category", category),
                    ("status", "in_use"),
                    ("page", &page),
                ],
            )?)
        }
        "search" => {
            let word = WORDS[dice.below(WORDS.len() as u64) as usize];
            reader.get(server.url("/api/v1/assets", &[("q", word)])?)
        }
        "show" => {
            let id = 1 + dice.below(size.max(1) as u64);
            writer.get(server.url(&format!("/api/v1/assets/{id}"), &[])?)
        }
        _ => writer
            .post(server.url("/api/v1/assets", &[])?)
            .json(&json!({
                "name": format!("負荷試験 端末 {serial}"),
                "category": "ア",
                "form": "電子",
                "holder_type": "議会事務局",
                "location": "議会事務局",
                "confidentiality": "2",
                "integrity": "2",
                "availability": "2",
            })),
    };
    Ok((kind, builder))
}

/// When a client's answers start to count, when it stops, and its mean pause (ms).
#[derive(Clone, Copy)]
struct Pace {
    measure_from: Instant,
    until: Instant,
    pause_ms: u64,
}

#[derive(Default)]
struct Tally {
    samples: HashMap<&'static str, Vec<f64>>,
    errors: usize,
    error_examples: Vec<String>,
}

async fn client_loop(
    index: usize,
    server: std::sync::Arc<Server>,
    size: usize,
    reader: reqwest::Client,
    writer: reqwest::Client,
    pace: Pace,
) -> Tally {
    let Pace {
        measure_from,
        until,
        pause_ms,
    } = pace;
    let mut dice = Dice::new(SEED ^ ((index as u64 + 1) * 0x9e37_79b9_7f4a_7c15));
    let mut tally = Tally::default();
    let mut serial = index * 1_000_000;
    while Instant::now() < until {
        serial += 1;
        let (kind, builder) = match request(&mut dice, &server, size, &reader, &writer, serial) {
            Ok(r) => r,
            Err(e) => {
                tally.errors += 1;
                tally.error_examples.push(e.to_string());
                continue;
            }
        };
        let start = Instant::now();
        let outcome = match builder.send().await {
            Ok(response) => {
                let status = response.status();
                match response.bytes().await {
                    Ok(_) if status.is_success() => Ok(()),
                    Ok(body) => Err(format!(
                        "{kind}: HTTP {status}: {}",
                        String::from_utf8_lossy(&body[..body.len().min(200)])
                    )),
                    Err(e) => Err(format!("{kind}: body: {e}")),
                }
            }
            Err(e) => Err(format!("{kind}: {e}")),
        };
        let took = ms(start.elapsed());
        if start >= measure_from {
            tally.samples.entry(kind).or_default().push(took);
            if let Err(message) = outcome {
                tally.errors += 1;
                if tally.error_examples.len() < 5 {
                    tally.error_examples.push(message);
                }
            }
        }
        if pause_ms > 0 {
            let pause = pause_ms / 2 + dice.below(pause_ms + 1);
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
    }
    tally
}

pub async fn run(o: LoadOptions) -> anyhow::Result<()> {
    let db = Db::create(&o.base, &format!("load{}k", o.base.size / 1000)).await?;
    let result = measure(&o, &db).await;
    db.remove().await?;
    let result = result?;
    print_load(&result);
    emit(o.base.json_out.as_deref(), &result)
}

/// Prints the JSON line and appends it to `--json-out`.
pub(crate) fn emit(json_out: Option<&std::path::Path>, result: &Value) -> anyhow::Result<()> {
    let line = serde_json::to_string(result)?;
    println!("JSON {line}");
    if let Some(file) = json_out {
        use std::io::Write;
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)?;
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The register and a started server with its two tokens (plain user, security officer).
pub(crate) async fn prepared_server(
    o: &Options,
    db: &Db,
) -> anyhow::Result<(Server, String, String, f64)> {
    let store = Store::open(&db.url).await?;
    let (officer_id, requester_id) = create_users(&store).await?;
    let start = Instant::now();
    generate(&store, o.size).await?;
    let generate_s = round2(start.elapsed().as_secs_f64());
    if o.backend == Backend::Postgres {
        // As `run`: a server that has run a while has been vacuumed and analysed.
        let mut conn = sqlx::AnyConnection::connect(&db.url).await?;
        conn.execute("VACUUM ANALYZE").await?;
        conn.close().await?;
    }
    let user_token = token_for(&store, requester_id).await?;
    let officer_token = token_for(&store, officer_id).await?;
    store.close().await;
    let server = Server::start_ready(&o.mamori, db).await?;
    Ok((server, user_token, officer_token, generate_s))
}

async fn measure(o: &LoadOptions, db: &Db) -> anyhow::Result<Value> {
    let backend = o.base.backend.name();
    eprintln!(
        "== load: {backend}, {} assets, {} clients, {} s",
        o.base.size, o.clients, o.seconds
    );
    let (server, user_token, officer_token, generate_s) = prepared_server(&o.base, db).await?;
    let rss_idle = server.memory("VmRSS");
    server.reset_peak();
    let server = std::sync::Arc::new(server);
    // Two seconds of warm-up (connections opened, pages cached) that are not counted.
    let warmup = Duration::from_secs(2);
    let began = Instant::now();
    let measure_from = began + warmup;
    let until = measure_from + Duration::from_secs(o.seconds);
    let load_before = load_average();
    let mut tasks = Vec::with_capacity(o.clients);
    for index in 0..o.clients {
        let reader = bearer(&user_token)?;
        let writer = bearer(&officer_token)?;
        tasks.push(tokio::spawn(client_loop(
            index,
            server.clone(),
            o.base.size,
            reader,
            writer,
            Pace {
                measure_from,
                until,
                pause_ms: o.pause_ms,
            },
        )));
    }
    let mut all = Tally::default();
    for task in tasks {
        let tally = task.await?;
        for (kind, samples) in tally.samples {
            all.samples.entry(kind).or_default().extend(samples);
        }
        all.errors += tally.errors;
        for example in tally.error_examples {
            if all.error_examples.len() < 10 {
                all.error_examples.push(example);
            }
        }
    }
    let elapsed = measure_from.elapsed().as_secs_f64();
    let rss_after = server.memory("VmRSS");
    let hwm = server.memory("VmHWM");
    let mut kinds = serde_json::Map::new();
    let mut every = Vec::new();
    for (kind, _) in MIX {
        let samples = all.samples.remove(kind).unwrap_or_default();
        every.extend_from_slice(&samples);
        kinds.insert(kind.to_owned(), stats_wide(samples));
    }
    let requests = every.len();
    let server = std::sync::Arc::into_inner(server)
        .ok_or_else(|| anyhow!("a client still holds the server"))?;
    // Memory a minute after the load, with the server idle.
    tokio::time::sleep(Duration::from_secs(60)).await;
    let rss_idle_after = server.memory("VmRSS");
    server.stop();
    Ok(json!({
        "bench": "load",
        "backend": backend,
        "assets": o.base.size,
        "clients": o.clients,
        "pause_ms": o.pause_ms,
        "seconds": o.seconds,
        "commit": o.base.commit,
        "at": time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)?,
        "generate_s": generate_s,
        "requests": requests,
        "requests_per_s": round2(requests as f64 / elapsed),
        "errors": all.errors,
        "error_examples": all.error_examples,
        "all": stats_wide(every),
        "kinds": kinds,
        "memory": {
            "rss_idle_before_mib": rss_idle,
            "hwm_during_mib": hwm,
            "rss_after_mib": rss_after,
            "rss_60s_after_mib": rss_idle_after,
        },
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }))
}

/// Median, p95, p99 and maximum in milliseconds (nearest rank).
pub(crate) fn stats_wide(mut samples: Vec<f64>) -> Value {
    if samples.is_empty() {
        return json!({ "n": 0 });
    }
    samples.sort_by(f64::total_cmp);
    let rank =
        |p: f64| samples[((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1];
    json!({
        "n": samples.len(),
        "p50": round2(rank(0.5)),
        "p95": round2(rank(0.95)),
        "p99": round2(rank(0.99)),
        "max": round2(samples[samples.len() - 1]),
    })
}

fn print_load(r: &Value) {
    println!(
        "\nload, {} ({} assets, {} clients pausing {} ms, {} s): {} requests, {} req/s, {} errors",
        r["backend"].as_str().unwrap_or("?"),
        r["assets"],
        r["clients"],
        r["pause_ms"],
        r["seconds"],
        r["requests"],
        r["requests_per_s"],
        r["errors"]
    );
    println!(
        "{:<15} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "kind", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let row = |name: &str, s: &Value| {
        println!(
            "{:<15} {:>8} {:>9} {:>9} {:>9} {:>9}",
            name, s["n"], s["p50"], s["p95"], s["p99"], s["max"]
        );
    };
    if let Some(kinds) = r["kinds"].as_object() {
        for (kind, s) in kinds {
            row(kind, s);
        }
    }
    row("all", &r["all"]);
    println!("memory (MiB): {}", r["memory"]);
    if let Some(examples) = r["error_examples"].as_array()
        && !examples.is_empty()
    {
        println!("first errors:");
        for e in examples {
            println!("  {}", e.as_str().unwrap_or_default());
        }
    }
}
