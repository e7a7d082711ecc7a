//! `mamori-bench incidents`: the incident register at scale (issue 18 item 8). Writes N
//! incidents through the store (each with its number, first timeline entry and audit
//! entry, as a report writes them), then times the list's queries — the newest page with
//! its exact total, a person's own reports, the year's open ones, a search for a common
//! word and for a rare one — through the store, median and p99. Target: median under
//! 10 ms for each.

use std::time::Instant;

use anyhow::{anyhow, bail};
use mamori_domain::incident::{Personal, ReportInput, Stage};
use mamori_store::incidents::{self, Filter, NewIncident, Reach};
use mamori_store::{Actor, Store};
use serde_json::{Value, json};

pub const USAGE: &str =
    "mamori-bench incidents --database-url URL [--count 10000] [--requests 200]";

/// The target of the issue: listing and searching, median.
const TARGET_MS: f64 = 10.0;

pub struct IncidentOptions {
    pub database_url: String,
    pub count: usize,
    pub requests: usize,
}

pub fn parse(mut args: impl Iterator<Item = String>) -> anyhow::Result<IncidentOptions> {
    let mut o = IncidentOptions {
        database_url: String::new(),
        count: 10_000,
        requests: 200,
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| anyhow!("{USAGE}"))?;
        match flag.as_str() {
            "--database-url" => o.database_url = value,
            "--count" => o.count = value.replace('_', "").parse()?,
            "--requests" => o.requests = value.parse::<usize>()?.max(1),
            _ => bail!("unknown option {flag}\n{USAGE}"),
        }
    }
    if o.database_url.is_empty() {
        bail!("--database-url is required\n{USAGE}");
    }
    Ok(o)
}

const WHAT: [&str; 8] = [
    "議員用タブレットの紛失",
    "USBメモリの置き忘れ",
    "不審なメールの添付ファイルを開いた",
    "会議資料の誤送信",
    "庁舎ネットワークの障害",
    "停電による会議録システムの停止",
    "委員会室のパソコンのウイルス検知",
    "傍聴者名簿の誤廃棄",
];
const WHERE: [&str; 5] = [
    "議員控室",
    "本会議場",
    "第一委員会室",
    "議会事務局",
    "電車の車内",
];

/// Writes `count` incidents in transactions of 500, reported by the users there are.
async fn generate(store: &Store, count: usize) -> anyhow::Result<Vec<i64>> {
    let (users, _) = mamori_store::users::list(store, 10_000, 0).await?;
    let reporters: Vec<i64> = users.iter().map(|u| u.id).collect();
    if reporters.is_empty() {
        bail!("no users to report incidents");
    }
    let start = time::OffsetDateTime::now_utc() - time::Duration::days(300);
    let mut written = 0;
    while written < count {
        let mut tx = store.write(Actor::system("mamori-bench")).await?;
        for n in written..(written + 500).min(count) {
            let what = WHAT[n % WHAT.len()];
            let place = WHERE[n % WHERE.len()];
            let input = ReportInput {
                title: format!("{what}（{}件目）", n + 1),
                description: format!(
                    "{place}で{what}が分かりました。気づいた時点で議会事務局に連絡し、\
                     状況を確認しています。関係者への聞き取りを続けています。番号{n}。"
                ),
                noticed_at: start + time::Duration::minutes(i64::try_from(n)? * 40),
                place: place.to_owned(),
                personal: [Personal::Yes, Personal::No, Personal::Unknown][n % 3],
                contact: format!("内線{}", 100 + n % 900),
            };
            let noticed = mamori_domain::calendar::FiscalYear::of(input.noticed_at.date());
            incidents::create(
                &mut tx,
                NewIncident {
                    input: &input,
                    reporter_id: reporters[n % reporters.len()],
                    entered_by: None,
                    asset_id: None,
                    fiscal_year: noticed.year(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        written = (written + 500).min(count);
    }
    Ok(reporters)
}

async fn time_list(store: &Store, filter: &Filter, runs: usize) -> anyhow::Result<(Value, i64)> {
    let mut samples = Vec::with_capacity(runs);
    let mut total = 0;
    for _ in 0..runs {
        let started = Instant::now();
        total = incidents::list(store, filter).await?.total;
        samples.push(crate::ms(started.elapsed()));
    }
    Ok((crate::stats(samples), total))
}

pub async fn run(o: IncidentOptions) -> anyhow::Result<()> {
    let store = Store::open(&o.database_url).await?;
    let existing = incidents::list(&store, &Filter::all(Reach::All))
        .await?
        .total;
    let reporters = if existing < i64::try_from(o.count)? {
        if mamori_store::users::list(&store, 1, 0).await?.0.is_empty() {
            crate::create_users(&store).await?;
        }
        let started = Instant::now();
        let reporters = generate(&store, o.count - usize::try_from(existing)?).await?;
        println!(
            "wrote {} incidents in {:.1} s",
            o.count - usize::try_from(existing)?,
            started.elapsed().as_secs_f64()
        );
        reporters
    } else {
        let (users, _) = mamori_store::users::list(&store, 10_000, 0).await?;
        users.iter().map(|u| u.id).collect()
    };
    let page = |reach| Filter {
        limit: Some(50),
        ..Filter::all(reach)
    };
    let today = time::OffsetDateTime::now_utc()
        .to_offset(mamori_domain::wareki::JST)
        .date();
    let year = mamori_domain::calendar::FiscalYear::of(today).year();
    let cases: Vec<(&str, Filter)> = vec![
        ("newest page", page(Reach::All)),
        (
            "own reports",
            page(Reach::OwnOrShared(reporters[reporters.len() / 2])),
        ),
        (
            "year, open",
            Filter {
                year: Some(year),
                open_only: true,
                stage: None::<Stage>,
                ..page(Reach::All)
            },
        ),
        (
            "search common",
            Filter {
                q: "紛失".to_owned(),
                ..page(Reach::All)
            },
        ),
        (
            "search rare",
            Filter {
                q: "番号4321".to_owned(),
                ..page(Reach::All)
            },
        ),
        (
            "search, own",
            Filter {
                q: "メール".to_owned(),
                ..page(Reach::OwnOrShared(reporters[0]))
            },
        ),
    ];
    let mut results = serde_json::Map::new();
    let mut all_ok = true;
    println!(
        "{:<16} {:>8} {:>9} {:>9} {:>9}",
        "query", "total", "median", "p99", "max"
    );
    for (name, filter) in &cases {
        // Warm the caches as a running server's would be.
        time_list(&store, filter, 5).await?;
        let (stats, total) = time_list(&store, filter, o.requests).await?;
        let median = stats["median"].as_f64().unwrap_or(f64::MAX);
        all_ok &= median < TARGET_MS;
        println!(
            "{name:<16} {total:>8} {:>9} {:>9} {:>9}",
            stats["median"], stats["p99"], stats["max"]
        );
        results.insert((*name).to_owned(), json!({"total": total, "ms": stats}));
    }
    println!(
        "target: median < {TARGET_MS} ms for each: {}",
        if all_ok { "met" } else { "NOT MET" }
    );
    let backend = match store.backend() {
        mamori_store::Backend::Sqlite => "sqlite",
        mamori_store::Backend::Postgres => "postgres",
    };
    println!(
        "JSON {}",
        json!({"bench": "incidents", "backend": backend, "count": o.count,
               "requests": o.requests, "queries": results, "target_met": all_ok})
    );
    store.close().await;
    Ok(())
}
