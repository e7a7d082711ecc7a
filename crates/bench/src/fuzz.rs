//! `mamori-bench fuzz`: generated requests to every operation of `/api/openapi.json`.
//! Each request picks an operation, an identity (administrator, security officer, plain
//! user or nobody) and either values that follow the declared schema (examples and enums
//! where the document gives them) or ones that break it: wrong types, missing and unknown
//! fields, malformed JSON, very long and odd text, impossible ids. Any 5xx or a dropped
//! connection is a failure; the server's memory is read before and after.
//!
//! Operations that would lock the fuzzer out (signing out, changing its own password,
//! revoking its tokens or editing its users) get ids of other records only, or are left
//! out where they have none.

use super::load::{Dice, bearer};
use super::*;

pub const USAGE: &str = "mamori-bench fuzz --backend sqlite|postgres [--postgres URL] \
[--requests 10000] [--assets 1000] [--concurrency 8] [--mamori PATH] [--json-out FILE]";

pub struct FuzzOptions {
    pub base: Options,
    pub requests: usize,
    pub concurrency: usize,
}

pub fn parse(args: impl Iterator<Item = String>) -> anyhow::Result<FuzzOptions> {
    let mut o = FuzzOptions {
        base: default_options(1_000),
        requests: 10_000,
        concurrency: 8,
    };
    for (flag, value) in flag_pairs(args, USAGE)? {
        let number = || parse_count(&flag, &value);
        match flag.as_str() {
            "--requests" => o.requests = number()?,
            "--assets" => o.base.size = number()?,
            "--concurrency" => o.concurrency = number()?.max(1),
            _ => common_option(&mut o.base, &flag, &value).with_context(|| USAGE.to_owned())?,
        }
    }
    check_options(&mut o.base)?;
    Ok(o)
}

/// Operations left out: each would end the fuzzer's own access (its bearer tokens).
const LEFT_OUT: [(&str, &str); 2] = [
    ("delete", "/api/v1/session"),
    ("post", "/api/v1/me/password"),
];

#[derive(Clone)]
struct Operation {
    method: reqwest::Method,
    path: String,
    parameters: Vec<Value>,
    body_type: Option<String>,
    body_schema: Option<Value>,
}

fn operations(document: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = document["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if LEFT_OUT.contains(&(method.as_str(), path.as_str())) {
                continue;
            }
            let Ok(method) = method.to_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            let content = op["requestBody"]["content"].as_object();
            let body = content.and_then(|c| c.iter().next());
            out.push(Operation {
                method,
                path: path.clone(),
                parameters: op["parameters"].as_array().cloned().unwrap_or_default(),
                body_type: body.map(|(t, _)| t.clone()),
                body_schema: body.map(|(_, b)| b["schema"].clone()),
            });
        }
    }
    out
}

/// Text that breaks things: empty, very long, control characters, markup, SQL, odd
/// Unicode, numbers out of range.
const ODD_TEXT: [&str; 14] = [
    "",
    " ",
    "\u{0}",
    "'; DROP TABLE assets; --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00%ff",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "ｱｲｳｴｵ\u{202e}\u{feff}",
    "令和99年13月45日",
    "true",
];

const FINE_TEXT: [&str; 8] = [
    "議会事務局",
    "会議録",
    "information",
    "2",
    "2026-04-01",
    "令和8年4月1日",
    "yes",
    "evidence",
];

struct Maker<'a> {
    document: &'a Value,
    dice: Dice,
}

impl Maker<'_> {
    fn resolve<'v>(&'v self, schema: &'v Value) -> &'v Value {
        let mut schema = schema;
        for _ in 0..16 {
            let Some(reference) = schema["$ref"].as_str() else {
                break;
            };
            let pointer = reference.trim_start_matches('#');
            schema = self.document.pointer(pointer).unwrap_or(&Value::Null);
        }
        schema
    }

    fn odd_text(&mut self) -> String {
        match self.dice.below(8) {
            0 => "議".repeat(1 + self.dice.below(200_000) as usize),
            1 => "x".repeat(10_001),
            _ => ODD_TEXT[self.dice.below(ODD_TEXT.len() as u64) as usize].to_owned(),
        }
    }

    /// A value for `schema`: as declared when `valid`, else sometimes of the wrong kind.
    fn value(&mut self, schema: &Value, valid: bool, depth: usize) -> Value {
        let schema = self.resolve(schema).clone();
        if !valid && self.dice.below(4) == 0 {
            return match self.dice.below(6) {
                0 => Value::Null,
                1 => json!(self.odd_text()),
                2 => json!(-(self.dice.below(1 << 40) as i64)),
                3 => json!([1, "二", null]),
                4 => json!({ "unexpected": true }),
                _ => json!(f64::MAX),
            };
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(choices) = schema[key].as_array().filter(|c| !c.is_empty()) {
                let pick = choices[self.dice.below(choices.len() as u64) as usize].clone();
                return self.value(&pick, valid, depth);
            }
        }
        if let Some(parts) = schema["allOf"].as_array() {
            let mut merged = serde_json::Map::new();
            for part in parts.clone() {
                if let Value::Object(fields) = self.value(&part, valid, depth + 1) {
                    merged.extend(fields);
                }
            }
            return Value::Object(merged);
        }
        if let Some(options) = schema["enum"].as_array().filter(|e| !e.is_empty()) {
            return options[self.dice.below(options.len() as u64) as usize].clone();
        }
        if let Some(example) = schema.get("example").filter(|_| self.dice.below(2) == 0) {
            return example.clone();
        }
        let kind = match &schema["type"] {
            Value::Array(kinds) => kinds
                .iter()
                .find_map(|k| k.as_str().filter(|k| *k != "null"))
                .unwrap_or("string")
                .to_owned(),
            Value::String(kind) => kind.clone(),
            _ if schema["properties"].is_object() => "object".to_owned(),
            _ => "string".to_owned(),
        };
        match kind.as_str() {
            "object" if depth < 6 => self.object(&schema, valid, depth),
            "array" if depth < 6 => {
                let items = schema["items"].clone();
                let n = self.dice.below(4);
                Value::Array(
                    (0..n)
                        .map(|_| self.value(&items, valid, depth + 1))
                        .collect(),
                )
            }
            "integer" => json!(if valid {
                1 + self.dice.below(60) as i64
            } else {
                [i64::MIN, -1, 0, i64::MAX][self.dice.below(4) as usize]
            }),
            "number" => json!(self.dice.below(100) as f64 / 7.0),
            "boolean" => json!(self.dice.below(2) == 0),
            _ if valid || self.dice.below(2) == 0 => {
                json!(FINE_TEXT[self.dice.below(FINE_TEXT.len() as u64) as usize])
            }
            _ => json!(self.odd_text()),
        }
    }

    fn object(&mut self, schema: &Value, valid: bool, depth: usize) -> Value {
        let required: Vec<String> = schema["required"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let mut out = serde_json::Map::new();
        if let Some(properties) = schema["properties"].as_object() {
            for (name, property) in properties.clone() {
                let needed = required.contains(&name);
                // Required fields are left out only when breaking the rules.
                let keep = if needed {
                    valid || self.dice.below(5) != 0
                } else {
                    self.dice.below(2) == 0
                };
                if keep {
                    out.insert(name, self.value(&property, valid, depth + 1));
                }
            }
        }
        if !valid && self.dice.below(3) == 0 {
            out.insert("unknown_field".to_owned(), json!("?"));
        }
        Value::Object(out)
    }

    fn body(&mut self, op: &Operation, valid: bool) -> (String, Vec<u8>) {
        let kind = op.body_type.clone().unwrap_or_default();
        if kind == "multipart/form-data" {
            let boundary = "fuzzBoundary7d3a";
            let file = if valid {
                b"%PDF-1.7\nsmall test file\n".to_vec()
            } else {
                self.odd_text().into_bytes()
            };
            let purpose = if valid { "evidence" } else { "???" };
            let mut body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n\
                 {purpose}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"資料.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .into_bytes();
            body.extend_from_slice(&file);
            if valid || self.dice.below(2) == 0 {
                body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            }
            return (format!("multipart/form-data; boundary={boundary}"), body);
        }
        if kind != "application/json" {
            let text = if valid {
                "date,name\n2026-05-03,憲法記念日\n".to_owned()
            } else {
                self.odd_text()
            };
            return (kind, text.into_bytes());
        }
        if !valid && self.dice.below(5) == 0 {
            let broken = match self.dice.below(4) {
                0 => "{\"name\": ".to_owned(),
                1 => "[".repeat(5000),
                2 => "{\"a\":1,}".to_owned(),
                _ => "\u{feff}not json".to_owned(),
            };
            return (kind, broken.into_bytes());
        }
        let schema = op.body_schema.clone().unwrap_or(Value::Null);
        let value = self.value(&schema, valid, 0);
        (kind, serde_json::to_vec(&value).unwrap_or_default())
    }

    fn path_value(&mut self, path: &str, name: &str, valid: bool) -> String {
        if !valid && self.dice.below(2) == 0 {
            let odd = [
                "0",
                "-1",
                "abc",
                "99999999999999999999",
                "%E8%AD%B0",
                "..%2F..",
            ];
            return odd[self.dice.below(odd.len() as u64) as usize].to_owned();
        }
        match name {
            "token" => format!("{:016x}", self.dice.below(u64::MAX)),
            "kind" => ["asset", "risk", "threat", "policy"][self.dice.below(4) as usize].to_owned(),
            "date" => "2026-05-03".to_owned(),
            "topic" => ["assets", "risks", "audit", "x"][self.dice.below(4) as usize].to_owned(),
            // Not the fuzzer's own users (1 to 3) or tokens (1 to 3).
            _ if path.contains("/users/") || path.contains("/tokens/") => {
                (4 + self.dice.below(40)).to_string()
            }
            _ => (1 + self.dice.below(60)).to_string(),
        }
    }
}

/// One generated request; the operation's name for the tally.
fn request(
    maker: &mut Maker,
    op: &Operation,
    server: &Server,
    client: &reqwest::Client,
) -> anyhow::Result<reqwest::RequestBuilder> {
    let valid = maker.dice.below(2) == 0;
    let mut path = op.path.clone();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    for parameter in &op.parameters {
        let name = parameter["name"].as_str().unwrap_or_default();
        let place = parameter["in"].as_str().unwrap_or_default();
        let placeholder = format!("{{{name}}}");
        if path.contains(&placeholder) {
            let value = maker.path_value(&op.path, name, valid);
            path = path.replace(&placeholder, &value);
            continue;
        }
        if parameter["required"] != json!(true) && maker.dice.below(2) == 0 {
            continue;
        }
        let mut value = match maker.value(&parameter["schema"], valid, 0) {
            Value::String(s) => s,
            other => other.to_string(),
        };
        // Long text goes in bodies; a URL that long is refused by the client itself.
        if value.len() > 2000 {
            value = value.chars().take(600).collect();
        }
        match place {
            "header" => {
                if value.len() < 4000 && !value.chars().any(char::is_control) {
                    headers.push((name.to_owned(), value));
                }
            }
            _ => query.push((name.to_owned(), value)),
        }
    }
    let params: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut builder = client.request(op.method.clone(), server.url(&path, &params)?);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    if op.body_type.is_some() || (!valid && maker.dice.below(4) == 0) {
        let (kind, body) = maker.body(op, valid);
        if !kind.is_empty() {
            builder = builder.header("content-type", kind);
        }
        builder = builder.body(body);
    }
    Ok(builder)
}

/// What a fuzz run found.
pub(crate) struct Findings {
    pub(crate) sent: usize,
    pub(crate) by_class: std::collections::BTreeMap<String, usize>,
    pub(crate) server_errors: usize,
    pub(crate) failures: Vec<String>,
    pub(crate) operations: usize,
    pub(crate) seconds: f64,
}

/// Sends `requests` generated requests to every operation of the server's document,
/// `concurrency` at a time, with the given tokens (administrator, officer, plain user).
pub(crate) async fn fuzz(
    server: &Server,
    tokens: [&str; 3],
    requests: usize,
    concurrency: usize,
) -> anyhow::Result<Findings> {
    let document: Value = reqwest::get(server.url("/api/openapi.json", &[])?)
        .await?
        .json()
        .await?;
    let ops = operations(&document);
    if ops.is_empty() {
        bail!("/api/openapi.json lists no operations");
    }
    let mut clients = Vec::new();
    for token in tokens {
        clients.push(bearer(token)?);
    }
    clients.push(
        reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?,
    );
    let start = Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let findings = tokio::sync::Mutex::new(Findings {
        sent: 0,
        by_class: Default::default(),
        server_errors: 0,
        failures: Vec::new(),
        operations: ops.len(),
        seconds: 0.0,
    });
    let worker = |w: usize| {
        let (ops, clients, next, findings, document) =
            (&ops, &clients, &next, &findings, &document);
        async move {
            let mut maker = Maker {
                document,
                dice: Dice::new(SEED ^ (w as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d)),
            };
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= requests {
                    return;
                }
                // Every operation in turn, so each gets its share.
                let op = &ops[n % ops.len()];
                let client = &clients[maker.dice.below(clients.len() as u64) as usize];
                let outcome = match request(&mut maker, op, server, client) {
                    Ok(builder) => send(builder).await,
                    Err(e) => Err(format!("not sent: {e}")),
                }
                .map_err(|e| {
                    let e: String = e.chars().take(300).collect();
                    format!("{} {}: {e}", op.method, op.path)
                });
                let mut f = findings.lock().await;
                f.sent += 1;
                match outcome {
                    Ok((status, body)) => {
                        *f.by_class.entry(format!("{}xx", status / 100)).or_default() += 1;
                        if status >= 500 {
                            f.server_errors += 1;
                            if f.failures.len() < 20 {
                                f.failures.push(format!(
                                    "{} {} → {status}: {}",
                                    op.method,
                                    op.path,
                                    String::from_utf8_lossy(&body[..body.len().min(300)])
                                ));
                            }
                        }
                    }
                    Err(message) => {
                        f.server_errors += 1;
                        *f.by_class.entry("no answer".to_owned()).or_default() += 1;
                        if f.failures.len() < 20 {
                            f.failures.push(message);
                        }
                    }
                }
            }
        }
    };
    let workers: Vec<_> = (0..concurrency).map(worker).collect();
    super::memory::join_all(workers).await;
    let mut findings = findings.into_inner();
    findings.seconds = round2(start.elapsed().as_secs_f64());
    Ok(findings)
}

/// Sends a request and reads its answer. A kept-alive connection the server closed
/// after refusing a body it did not read is the client's to reopen: such a request is
/// sent once more, on a fresh connection, before it counts as unanswered.
async fn send(builder: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), String> {
    let again = builder.try_clone();
    let first = match builder.send().await {
        Ok(response) => Ok(response),
        Err(e) => match again {
            Some(again) if e.is_request() || e.is_connect() => {
                again.header("connection", "close").send().await
            }
            _ => Err(e),
        },
    };
    let response = first.map_err(|e| format!("{e:?}"))?;
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap_or_default();
    Ok((status, body.to_vec()))
}

pub(crate) fn findings_json(f: &Findings) -> Value {
    json!({
        "sent": f.sent,
        "operations": f.operations,
        "seconds": f.seconds,
        "by_class": f.by_class,
        "server_errors": f.server_errors,
        "failures": f.failures,
    })
}

/// The three tokens of the benchmark's people: administrator, officer, plain user.
pub(crate) async fn tokens(
    store: &Store,
    officer: i64,
    requester: i64,
) -> anyhow::Result<[String; 3]> {
    let (users, _) = mamori_store::users::list(store, 10_000, 0).await?;
    let admin = users
        .iter()
        .find(|u| u.login.as_str() == "bench.admin")
        .map(|u| u.id)
        .ok_or_else(|| anyhow!("no bench.admin"))?;
    Ok([
        token_for(store, admin).await?,
        token_for(store, officer).await?,
        token_for(store, requester).await?,
    ])
}

pub async fn run(o: FuzzOptions) -> anyhow::Result<()> {
    let db = Db::create(&o.base, "fuzz").await?;
    let result = measure(&o, &db).await;
    db.remove().await?;
    let result = result?;
    println!(
        "\nfuzz, {}: {} requests to {} operations in {} s; answers {}; 5xx or no answer: {}",
        result["backend"].as_str().unwrap_or("?"),
        result["fuzz"]["sent"],
        result["fuzz"]["operations"],
        result["fuzz"]["seconds"],
        result["fuzz"]["by_class"],
        result["fuzz"]["server_errors"],
    );
    for failure in result["fuzz"]["failures"].as_array().into_iter().flatten() {
        println!("  {}", failure.as_str().unwrap_or_default());
    }
    println!("memory (MiB): {}", result["memory"]);
    emit(o.base.json_out.as_deref(), &result)?;
    if result["fuzz"]["server_errors"].as_u64() != Some(0) {
        bail!("the server answered 5xx or dropped the connection");
    }
    Ok(())
}

async fn measure(o: &FuzzOptions, db: &Db) -> anyhow::Result<Value> {
    let store = Store::open(&db.url).await?;
    let (officer, requester) = create_users(&store).await?;
    generate(&store, o.base.size).await?;
    let [admin_token, officer_token, user_token] = tokens(&store, officer, requester).await?;
    store.close().await;
    let server = Server::start_ready(&o.base.mamori, db).await?;
    let before = server.memory("VmRSS");
    server.reset_peak();
    let findings = fuzz(
        &server,
        [&admin_token, &officer_token, &user_token],
        o.requests,
        o.concurrency,
    )
    .await?;
    let after = server.memory("VmRSS");
    let hwm = server.memory("VmHWM");
    let settled = settle(&server, 80.0).await;
    server.stop();
    Ok(json!({
        "bench": "fuzz",
        "backend": o.base.backend.name(),
        "assets": o.base.size,
        "commit": o.base.commit,
        "fuzz": findings_json(&findings),
        "memory": {
            "rss_before_mib": before,
            "hwm_during_mib": hwm,
            "rss_after_mib": after,
            "settled": settled,
        },
    }))
}

/// Reads the server's RSS every second for a minute: when it first was under `limit` MiB
/// and what it was at the end.
pub(crate) async fn settle(server: &Server, limit: f64) -> Value {
    let start = Instant::now();
    let mut under_after = None;
    let mut last = None;
    while start.elapsed() < Duration::from_secs(60) {
        last = server.memory("VmRSS");
        if under_after.is_none() && last.is_some_and(|rss| rss < limit) {
            under_after = Some(round2(start.elapsed().as_secs_f64()));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    json!({ "limit_mib": limit, "under_limit_after_s": under_after, "rss_after_60s_mib": last })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Value {
        json!({
            "paths": {
                "/api/v1/things/{id}": {
                    "patch": {
                        "parameters": [{ "name": "id", "in": "path", "required": true }],
                        "requestBody": { "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/ThingIn" } } } }
                    }
                },
                "/api/v1/session": { "delete": {} }
            },
            "components": { "schemas": { "ThingIn": {
                "type": "object",
                "required": ["name", "kind"],
                "properties": {
                    "name": { "type": "string" },
                    "kind": { "type": "string", "enum": ["a", "b"] },
                    "count": { "type": "integer" }
                }
            } } }
        })
    }

    #[test]
    fn valid_bodies_follow_the_schema_and_sign_out_is_left_out() {
        let document = document();
        let ops = operations(&document);
        assert_eq!(ops.len(), 1, "DELETE /api/v1/session is left out");
        let mut maker = Maker {
            document: &document,
            dice: Dice::new(7),
        };
        let mut unknown_seen = false;
        let mut missing_seen = false;
        for _ in 0..200 {
            let (kind, body) = maker.body(&ops[0], true);
            assert_eq!(kind, "application/json");
            let value: Value = serde_json::from_slice(&body).expect("valid JSON");
            assert!(value["name"].is_string(), "{value}");
            assert!(
                ["a", "b"].contains(&value["kind"].as_str().unwrap()),
                "{value}"
            );
            assert!(
                value["count"].is_null() || value["count"].is_i64(),
                "{value}"
            );
            let (_, broken) = maker.body(&ops[0], false);
            // Malformed JSON is one of the ways to break the rules too.
            if let Ok(v) = serde_json::from_slice::<Value>(&broken) {
                unknown_seen |= v.get("unknown_field").is_some();
                missing_seen |= v.get("name").is_none() || v.get("kind").is_none();
            }
        }
        assert!(
            unknown_seen && missing_seen,
            "invalid bodies break the schema"
        );
    }

    #[test]
    fn path_ids_spare_the_fuzzers_own_users_and_tokens() {
        let document = document();
        let mut maker = Maker {
            document: &document,
            dice: Dice::new(11),
        };
        for _ in 0..500 {
            let id: i64 = maker
                .path_value("/api/v1/users/{id}", "id", true)
                .parse()
                .unwrap();
            assert!(id >= 4, "{id}");
        }
    }
}
