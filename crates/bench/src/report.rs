//! Tables for people; the JSON line beside them is for later runs to diff against.

use std::path::Path;

use serde_json::Value;

/// Median a list or search may take server-side at 100,000 assets on SQLite.
const TARGET_MS: f64 = 10.0;
const TARGET_IMPORT_S: f64 = 5.0;
const TARGET_EXPORT_S: f64 = 5.0;
const TARGET_MEMORY_MIB: f64 = 50.0;
/// How much slower than SQLite PostgreSQL may search, server-side median (issue 15).
const TARGET_POSTGRES_RATIO: f64 = 1.5;

fn num(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x >= 100.0 => format!("{x:.0}"),
        Some(x) if x >= 10.0 => format!("{x:.1}"),
        Some(x) => format!("{x:.2}"),
        None => "-".into(),
    }
}

/// A value as plain text (so that width and alignment apply).
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// "median p99 max" of a stats object, in fixed columns.
fn triple(s: &Value) -> String {
    format!(
        "{:>7} {:>7} {:>7}",
        num(&s["median"]),
        num(&s["p99"]),
        num(&s["max"])
    )
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "OVER" }
}

pub fn print_run(r: &Value) {
    println!();
    println!(
        "== {} · {} assets · {} requests each after {} warm-up{}",
        r["backend"].as_str().unwrap_or("?"),
        r["size"],
        r["requests"],
        r["warmup"],
        match r["commit"].as_str() {
            Some(c) if !c.is_empty() => format!(" · {c}"),
            _ => String::new(),
        }
    );
    println!(
        "generated in {} s · database {} MiB · serve answered /healthz after {} ms · its start-up daily backup took {} s",
        num(&r["generate_s"]),
        num(&r["database_mib"]),
        num(&r["serve_ready_ms"]),
        num(&r["startup_backup_s"]),
    );
    println!(
        "load average (1 min) before {} · after {} on {} cores",
        num(&r["load_average_before"]),
        num(&r["load_average_after"]),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    let timing = r["server_timing_header"].as_bool().unwrap_or(false);
    println!();
    println!(
        "{:>7} {:>4} | {:^23} | {:^23} | {:^23} | {:^15} | {:<5} | request (first page of 50)",
        "", "", "server-side ms", "HTTP wall ms", "store list() ms", "store count() ms", "<10ms"
    );
    println!(
        "{:>7} {:>4} | {:>7} {:>7} {:>7} | {:>7} {:>7} {:>7} | {:>7} {:>7} {:>7} | {:>7} {:>7} | {:<5} |",
        "total",
        "rows",
        "median",
        "p99",
        "max",
        "median",
        "p99",
        "max",
        "median",
        "p99",
        "max",
        "median",
        "p99",
        ""
    );
    for case in r["cases"].as_array().into_iter().flatten() {
        let api = &case["api"];
        let store = &case["store"];
        let api_cols = if let Some(why) = api["unavailable"].as_str() {
            format!("{:^23} | {:^23}", format!("API: {why}"), "")
        } else {
            format!("{} | {}", triple(&api["server"]), triple(&api["wall"]))
        };
        // Server-side when the header is there, else the wall time, else the store's.
        let judged = [
            &api["server"]["median"],
            &api["wall"]["median"],
            &store["list"]["median"],
        ]
        .into_iter()
        .find_map(Value::as_f64);
        let total_note = match (api["total"].as_i64(), store["total"].as_i64()) {
            (Some(a), Some(s)) if a != s => format!(" (API total {a} ≠ store {s})"),
            _ => String::new(),
        };
        println!(
            "{:>7} {:>4} | {} | {} | {:>7} {:>7} | {:<5} | {}{}",
            plain(&store["total"]),
            plain(&store["rows"]),
            api_cols,
            triple(&store["list"]),
            num(&store["count"]["median"]),
            num(&store["count"]["p99"]),
            judged.map_or("-", |m| verdict(m < TARGET_MS)),
            case["name"].as_str().unwrap_or(""),
            total_note,
        );
    }
    let html = &r["html"];
    if let Some(why) = html["unavailable"].as_str() {
        println!("{:>12} | HTML page not measured: {why}", "");
    } else {
        println!(
            "{:>12} | {} | {} | {:^23} | {:^15} | {:<5} | HTML {} ({} KiB)",
            "",
            triple(&html["server"]),
            triple(&html["wall"]),
            "",
            "",
            [&html["server"]["median"], &html["wall"]["median"]]
                .into_iter()
                .find_map(Value::as_f64)
                .map_or("-", |m| verdict(m < TARGET_MS)),
            html["path"].as_str().unwrap_or(""),
            html["bytes"].as_u64().unwrap_or(0) / 1024,
        );
    }
    if !timing {
        println!(
            "(no Server-Timing header in the answers: server-side columns are empty, judge by HTTP wall)"
        );
    }
    println!();

    let export = &r["export"];
    let export_s = export["median_s"].as_f64();
    println!(
        "export all as .xlsx: median {} s (runs {}) · {} MiB · {} rows read back · via {} · target < {TARGET_EXPORT_S} s: {}",
        num(&export["median_s"]),
        export["runs_s"]
            .as_array()
            .map(|v| v.iter().map(num).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
        num(&export["mib"]),
        export["rows"],
        export["method"].as_str().unwrap_or("?"),
        export_s.map_or("-", |s| verdict(s < TARGET_EXPORT_S)),
    );
    println!(
        "  (in the benchmark's own process: reading every asset through each_batch {} s, writing the .xlsx from those rows {} s)",
        num(&export["in_process_read_s"]),
        num(&export["in_process_write_xlsx_s"]),
    );
    notes(&export["notes"]);
    let import = &r["import"];
    println!(
        "import {} rows from .xlsx ({} MiB): {} s · {} stored · via {} · target < {TARGET_IMPORT_S} s: {}",
        import["rows"],
        num(&import["file_mib"]),
        num(&import["seconds"]),
        import["stored"],
        import["method"].as_str().unwrap_or("?"),
        import["seconds"]
            .as_f64()
            .map_or("-", |s| verdict(s < TARGET_IMPORT_S)),
    );
    if import["dry_run_seconds"].is_number() {
        println!(
            "  (of which reading and checking, timed alone with --dry-run: {} s)",
            num(&import["dry_run_seconds"])
        );
    }
    notes(&import["notes"]);
    let m = &r["memory"];
    let reset = m["peak_reset_after_start"].as_bool().unwrap_or(false);
    println!(
        "server memory, MiB: after start-up (daily backup included) VmHWM {} / VmRSS {}; {}",
        num(&m["start_hwm_mib"]),
        num(&m["start_rss_mib"]),
        if reset {
            "peak then reset;"
        } else {
            "peak could NOT be reset, so later figures include start-up;"
        }
    );
    let serving = m["export_hwm_mib"].as_f64();
    println!(
        "  VmHWM after the API requests {} · after the export {} · after a sign-in (argon2, ~19 MiB) and the HTML page {} (VmRSS then {}) · target < {TARGET_MEMORY_MIB} MiB while serving: {}",
        num(&m["api_hwm_mib"]),
        num(&m["export_hwm_mib"]),
        num(&m["final_hwm_mib"]),
        num(&m["final_rss_mib"]),
        serving.map_or("-", |v| verdict(v < TARGET_MEMORY_MIB)),
    );
    println!();
}

fn notes(v: &Value) {
    for note in v.as_array().into_iter().flatten() {
        if let Some(note) = note.as_str() {
            println!("    note: {note}");
        }
    }
}

/// One compact table over every run in a file of JSON lines.
pub fn summary(file: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file)?;
    let runs: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    println!("== summary: medians (p99) in ms; server-side from Server-Timing, else -");
    println!(
        "{:<8} {:>7} | {:>15} | {:>15} | {:>15} | request",
        "backend", "assets", "server", "HTTP wall", "store list()"
    );
    let pair = |s: &Value| {
        if s["median"].is_null() {
            "-".to_owned()
        } else {
            format!("{} ({})", num(&s["median"]), num(&s["p99"]))
        }
    };
    for r in &runs {
        for case in r["cases"].as_array().into_iter().flatten() {
            println!(
                "{:<8} {:>7} | {:>15} | {:>15} | {:>15} | {}",
                r["backend"].as_str().unwrap_or("?"),
                plain(&r["size"]),
                pair(&case["api"]["server"]),
                pair(&case["api"]["wall"]),
                pair(&case["store"]["list"]),
                case["name"].as_str().unwrap_or(""),
            );
        }
        let html = &r["html"];
        println!(
            "{:<8} {:>7} | {:>15} | {:>15} | {:>15} | HTML /assets?category=information",
            r["backend"].as_str().unwrap_or("?"),
            plain(&r["size"]),
            pair(&html["server"]),
            pair(&html["wall"]),
            "",
        );
    }
    side_by_side(&runs);
    println!();
    println!(
        "{:<8} {:>7} | {:>9} | {:>9} | {:>14} | {:>14} | {:>14}",
        "backend", "assets", "import s", "export s", "VmHWM API MiB", "+export MiB", "+sign-in MiB"
    );
    for r in &runs {
        println!(
            "{:<8} {:>7} | {:>9} | {:>9} | {:>14} | {:>14} | {:>14}",
            r["backend"].as_str().unwrap_or("?"),
            plain(&r["size"]),
            num(&r["import"]["seconds"]),
            num(&r["export"]["median_s"]),
            num(&r["memory"]["api_hwm_mib"]),
            num(&r["memory"]["export_hwm_mib"]),
            num(&r["memory"]["final_hwm_mib"]),
        );
    }
    Ok(())
}

/// Each request on both backends at the same size, with PostgreSQL's time as a multiple
/// of SQLite's: server-side (Server-Timing) and the store call alone, medians in ms.
fn side_by_side(runs: &[Value]) {
    let of = |backend: &str, size: &Value| {
        runs.iter()
            .find(|r| r["backend"] == backend && &r["size"] == size)
    };
    let ratio = |pg: &Value, sqlite: &Value| match (pg.as_f64(), sqlite.as_f64()) {
        (Some(pg), Some(sqlite)) if sqlite > 0.0 => Some(pg / sqlite),
        _ => None,
    };
    let shown = |r: Option<f64>| r.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}x"));
    let mut sizes: Vec<&Value> = Vec::new();
    for r in runs {
        if !sizes.contains(&&r["size"]) {
            sizes.push(&r["size"]);
        }
    }
    for size in sizes {
        let (Some(sqlite), Some(pg)) = (of("sqlite", size), of("postgres", size)) else {
            continue;
        };
        println!();
        println!(
            "== PostgreSQL against SQLite at {} assets: medians in ms; search target \
             PostgreSQL <= {TARGET_POSTGRES_RATIO}x SQLite server-side",
            plain(size)
        );
        println!(
            "{:<26} | {:<26} |",
            "  server (Server-Timing)", "  store list() alone"
        );
        println!(
            "{:>8} {:>8} {:>7} | {:>8} {:>8} {:>7} | {:<4} | request",
            "sqlite", "postgres", "ratio", "sqlite", "postgres", "ratio", ""
        );
        let cases = |r: &Value| r["cases"].as_array().cloned().unwrap_or_default();
        for (s, p) in cases(sqlite).iter().zip(cases(pg).iter()) {
            let server = ratio(&p["api"]["server"]["median"], &s["api"]["server"]["median"]);
            let store = ratio(&p["store"]["list"]["median"], &s["store"]["list"]["median"]);
            let name = s["name"].as_str().unwrap_or("");
            let judged = if name.starts_with("search") {
                server.map_or("", |r| verdict(r <= TARGET_POSTGRES_RATIO))
            } else {
                ""
            };
            println!(
                "{:>8} {:>8} {:>7} | {:>8} {:>8} {:>7} | {:<4} | {name}",
                num(&s["api"]["server"]["median"]),
                num(&p["api"]["server"]["median"]),
                shown(server),
                num(&s["store"]["list"]["median"]),
                num(&p["store"]["list"]["median"]),
                shown(store),
                judged,
            );
        }
    }
}
