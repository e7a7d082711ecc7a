//! The OpenAPI document as a contract: how callers authenticate, the codes each coded
//! field takes, examples on request bodies, and what a malformed JSON body is told. Every
//! other API test checks its responses against the same document (the test kit's
//! `openapi` module).

use std::collections::BTreeMap;

use mamori_domain::user::Role;
use mamori_testkit::TestServer;
use reqwest::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};

#[derive(serde::Deserialize)]
struct Table {
    route: Vec<Row>,
}

#[derive(serde::Deserialize)]
struct Row {
    method: String,
    path: String,
    #[serde(flatten)]
    outcomes: BTreeMap<String, String>,
}

/// The component a `$ref` names.
fn component<'a>(doc: &'a Value, name: &str) -> &'a Value {
    &doc["components"]["schemas"][name]
}

fn deref<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => deref(
            doc,
            component(doc, reference.rsplit('/').next().unwrap_or_default()),
        ),
        None => schema,
    }
}

mamori_testkit::backend_test!(
    async fn the_document_declares_the_token_and_the_cookie_and_who_needs_either(backend) {
        let server = TestServer::start(backend).await;
        let doc: Value = server.web_anonymous().json("/api/openapi.json").await;
        let schemes = &doc["components"]["securitySchemes"];
        assert_eq!(schemes["bearer_token"]["type"], "http", "{schemes}");
        assert_eq!(schemes["bearer_token"]["scheme"], "bearer", "{schemes}");
        assert_eq!(schemes["session_cookie"]["type"], "apiKey", "{schemes}");
        assert_eq!(schemes["session_cookie"]["in"], "cookie", "{schemes}");
        assert_eq!(schemes["session_cookie"]["name"], "mamori_session", "{schemes}");
        assert!(doc.get("security").is_none(), "no blanket requirement");

        // The access table says who may call what without signing in; the document
        // must say the same of every API operation.
        let table: Table = toml::from_str(include_str!("access.toml")).unwrap();
        let mut public = 0;
        let mut secured = 0;
        for row in table.route.iter().filter(|r| {
            r.path.starts_with("/api/v1") || r.path == "/healthz"
        }) {
            let operation = &doc["paths"][&row.path][row.method.to_lowercase()];
            assert!(operation.is_object(), "{} {} is documented", row.method, row.path);
            let anonymous = row
                .outcomes
                .get("anonymous")
                .or(row.outcomes.get("all"))
                .map(String::as_str);
            let requirement = operation.get("security");
            if anonymous == Some("allowed") {
                public += 1;
                assert!(
                    requirement.is_none(),
                    "{} {} is public but the document asks for {requirement:?}",
                    row.method,
                    row.path
                );
                assert!(operation["responses"].get("403").is_none(), "{}", row.path);
            } else {
                secured += 1;
                assert_eq!(
                    requirement,
                    Some(&json!([{"bearer_token": []}, {"session_cookie": []}])),
                    "{} {}",
                    row.method,
                    row.path
                );
                assert!(operation["responses"]["401"].is_object(), "{}", row.path);
            }
        }
        assert!(public >= 5 && secured >= 100, "{public} public, {secured} secured");

        // And both schemes work as declared: the cookie of a signed-in client, and a
        // token created with it, sent as a bearer token by a client without cookies.
        let (_, web) = server.web_as("api.caller", Role::Admin).await;
        let created = web
            .post_json("/api/v1/tokens", &json!({"name": "会議録システム連携"}))
            .await;
        assert_eq!(created.status().as_u16(), 201);
        let token = created.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let by_token = reqwest::Client::new()
            .get(server.url("/api/v1/me"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(by_token.status().as_u16(), 200);
        assert_eq!(web.json("/api/v1/me").await["login"], "api.caller");
        let anonymous = server.web_anonymous().get("/api/v1/me").await;
        assert_eq!(anonymous.status().as_u16(), 401);
        server.stop().await;
    }
);

/// Coded fields and the domain type whose codes they carry. Every property of these
/// names in the document must be one of the code enums, never a bare string.
const CODED: &[&str] = &[
    "role",
    "user_type",
    "org_roles",
    "posts",
    "stage",
    "status",
    "latest_status",
    "state",
    "standing",
    "approval",
    "subject_kind",
    "record_kind",
    "purpose",
    "family",
    "threat_family",
    "origin",
    "treatment",
    "band",
    "axis",
    "due_kind",
    "decision",
    "mfa_required_roles",
    "trigger",
    "category",
    "form",
    "holder_type",
    "segment",
    "managing_role",
    "rule",
    "step",
    "fate",
];

/// Schemas where a name of [`CODED`] holds something else, and why.
const NOT_CODED: &[(&str, &str, &str)] = &[
    // Asset input takes the words registers use (ア, 紙, 議会事務局…) as well as codes.
    ("AssetIn", "category", "register words"),
    ("AssetIn", "form", "register words"),
    ("AssetIn", "holder_type", "register words"),
    ("AssetIn", "segment", "register words"),
    ("AssetIn", "managing_role", "register words"),
    ("AssetIn", "status", "register words"),
    // What a policy review decided is written in words (判断).
    ("ReviewIn", "decision", "free text"),
    // The health check's status is a fixed word.
    ("Health", "status", "always ok"),
];

mamori_testkit::backend_test!(
    async fn every_coded_field_is_an_enum_of_the_domain_codes(backend) {
        let server = TestServer::start(backend).await;
        let doc: Value = server.web_anonymous().json("/api/openapi.json").await;
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let codes = |name: &str| -> Vec<String> {
            schemas[name]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} is an enum"))
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        };
        let of = |all: &[&str]| all.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        use mamori_domain as d;
        let role: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(codes("Role"), of(&role));
        let status: Vec<&str> = d::asset::Status::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(codes("AssetStatus"), of(&status));
        let kinds: Vec<&str> = d::notice::NoticeKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(codes("NoticeKind"), of(&kinds));
        assert!(codes("PolicyVersionStatus").contains(&"draft".to_owned()));
        assert!(codes("PolicyVersionStatus").contains(&"approved".to_owned()));
        assert!(codes("RiskBand").contains(&"unacceptable".to_owned()));

        let mut checked = 0;
        for (schema_name, schema) in schemas {
            let Some(properties) = schema["properties"].as_object() else {
                continue;
            };
            for (name, property) in properties {
                if !CODED.contains(&name.as_str())
                    || NOT_CODED
                        .iter()
                        .any(|(s, p, _)| s == schema_name && p == name)
                {
                    continue;
                }
                // Strip null, arrays and references down to the value schema.
                let mut value = property;
                if let Some(choices) = value.get("oneOf").and_then(Value::as_array) {
                    value = choices
                        .iter()
                        .find(|c| c.get("type") != Some(&json!("null")))
                        .unwrap();
                }
                if let Some(items) = value.get("items") {
                    value = items;
                }
                let value = deref(&doc, value);
                if value.get("type") == Some(&json!("integer"))
                    || value.get("type") == Some(&json!("object"))
                    || value.get("type") == Some(&json!("boolean"))
                {
                    continue;
                }
                assert!(
                    value["enum"].is_array(),
                    "{schema_name}.{name} is a coded field without an enum: {property}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 40, "{checked} coded fields");
        server.stop().await;
    }
);

#[test]
fn no_two_areas_give_one_schema_name_to_different_schemas() {
    assert_eq!(
        mamori_web::api::clashing_schema_names(),
        Vec::<String>::new()
    );
}

#[test]
fn every_error_answer_is_the_error_envelope_and_every_body_has_an_example() {
    let doc = mamori_testkit::openapi::document();
    let mut missing_examples = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
            let Some(body) = operation["requestBody"]["content"]["application/json"].as_object()
            else {
                continue;
            };
            let schema = deref(doc, &body["schema"]);
            let has_example = body.contains_key("example")
                || schema.get("example").is_some()
                || schema["properties"]
                    .as_object()
                    .is_some_and(|p| p.values().any(|v| v.get("example").is_some()));
            if !has_example {
                missing_examples.push(format!("{method} {path}"));
            }
            // A whole-body example must itself be a valid request.
            if let Some(example) = schema.get("example") {
                let mut problems = Vec::new();
                mamori_testkit::openapi::validate(
                    doc,
                    &body["schema"],
                    example,
                    "$",
                    true,
                    &mut problems,
                );
                assert!(
                    problems.is_empty(),
                    "the example of {method} {path}: {problems:?}"
                );
            }
        }
    }
    assert!(
        missing_examples.is_empty(),
        "request bodies without an example: {missing_examples:?}"
    );
}

/// A body, the status and code it gets, words of the Japanese and the English message,
/// and the field named in `fields`.
type MalformedCase = (
    String,
    u16,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

mamori_testkit::backend_test!(
    async fn a_malformed_json_body_is_told_in_the_callers_language_naming_the_field(backend) {
        let server = TestServer::start(backend).await;
        let (_, web) = server.web_as("json.admin", Role::Admin).await;
        let valid = json!({
            "login": "giin.tanaka",
            "display_name": "田中 一郎",
            "role": "user",
            "user_type": "member",
            "password": "chikuma river in spring",
        });
        let with = |key: &str, value: Value| {
            let mut body = valid.clone();
            body[key] = value;
            body
        };
        let without = |key: &str| {
            let mut body = valid.clone();
            body.as_object_mut().unwrap().remove(key);
            body
        };
        let send = |body: String, lang: &'static str| {
            web.client
                .post(server.url("/api/v1/users"))
                .header("origin", &server.base)
                .header(CONTENT_TYPE, "application/json")
                .header(ACCEPT_LANGUAGE, lang)
                .body(body)
                .send()
        };
        let cases: Vec<MalformedCase> = vec![
            (
                "{\"login\": \"giin.tanaka\",".into(),
                400,
                "malformed_json",
                "JSONとして読み取れません（1行目",
                "The body is not valid JSON (line 1, column",
                None,
            ),
            (
                with("display_name", json!(42)).to_string(),
                422,
                "invalid_json_data",
                "「display_name」の値が文字列ではありません。",
                "display_name: not text.",
                Some("display_name"),
            ),
            (
                without("login").to_string(),
                422,
                "invalid_json_data",
                "「login」がありません。",
                "login: missing.",
                Some("login"),
            ),
            (
                with("is_admin", json!(true)).to_string(),
                422,
                "invalid_json_data",
                "「is_admin」という項目は受け付けていません。",
                "is_admin: not a field this request accepts.",
                Some("is_admin"),
            ),
            (
                with("org_roles", json!(["ciso", 3])).to_string(),
                422,
                "invalid_json_data",
                "「org_roles[1]」の値が文字列ではありません。",
                "org_roles[1]: not text.",
                Some("org_roles[1]"),
            ),
            (
                "42".into(),
                422,
                "invalid_json_data",
                "本文がJSONのオブジェクトではありません。",
                "The body is not a JSON object.",
                None,
            ),
            (
                // A value outside the codes: the use case's own check names the field.
                with("role", json!("mayor")).to_string(),
                422,
                "validation_failed",
                "権限：「mayor」は選べません",
                "Permission: \u{201c}mayor\u{201d} is not one of the choices",
                Some("role"),
            ),
        ];
        for (body, status, code, ja, en, field) in cases {
            for (lang, expected) in [("ja", ja), ("en", en)] {
                let response = send(body.clone(), lang).await.unwrap();
                assert_eq!(response.status().as_u16(), status, "{lang} {body}");
                let error = response.json::<Value>().await.unwrap()["error"].clone();
                assert_eq!(error["code"], code, "{lang} {body}: {error}");
                let message = error["message"].as_str().unwrap();
                assert!(message.contains(expected), "{lang} {body}: {message}");
                // serde's own English never leaks into the answer.
                for leak in ["expected one of", "expected a", "invalid type", "at line", "missing field"] {
                    assert!(!message.contains(leak), "{lang} {body}: {message}");
                }
                if let Some(field) = field {
                    assert_eq!(error["fields"][0]["field"], field, "{lang} {body}: {error}");
                }
            }
        }
        // A query string is read the same way: the parameter is named.
        for (lang, expected) in [
            ("ja", "「year」の値が正しくありません。"),
            ("en", "year: not a valid value."),
        ] {
            let response = web
                .client
                .get(server.url("/api/v1/calendar/holidays?year=R8"))
                .header(ACCEPT_LANGUAGE, lang)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 400);
            let error = response.json::<Value>().await.unwrap()["error"].clone();
            assert_eq!(error["code"], "malformed_query");
            let message = error["message"].as_str().unwrap();
            assert!(message.contains(expected), "{lang}: {message}");
            assert!(!message.contains("invalid digit"), "{lang}: {message}");
            assert_eq!(error["fields"][0]["field"], "year", "{error}");
        }
        // The user's own language wins over the header, as elsewhere.
        let saved = web
            .post_form("/preferences", &[("lang", "en"), ("date_style", "gregorian")])
            .await;
        assert_eq!(saved.status().as_u16(), 303);
        let response = send(with("display_name", json!(42)).to_string(), "ja")
            .await
            .unwrap();
        let message = response.json::<Value>().await.unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains("display_name: not text."), "{message}");
        server.stop().await;
    }
);

#[test]
fn the_kit_refuses_answers_the_document_does_not_describe() {
    use mamori_testkit::openapi::check_response;
    let doc = mamori_testkit::openapi::document();
    let json = Some("application/json");
    let me = json!({"id": 1, "login": "giin.tanaka", "display_name": "田中 一郎",
        "reading": null, "role": "user", "user_type": "member", "org_roles": ["ciso"]});
    let body = |value: &Value| serde_json::to_vec(value).unwrap();
    assert_eq!(
        check_response(doc, "GET", "/api/v1/me", 200, json, &body(&me)),
        Ok(())
    );
    let mut refusals = Vec::new();
    for (status, value, expected) in [
        (
            200,
            {
                let mut v = me.clone();
                v["role"] = json!("mayor");
                v
            },
            "not one of the declared values",
        ),
        (
            200,
            {
                let mut v = me.clone();
                v["is_admin"] = json!(true);
                v
            },
            "`is_admin` is not in the document",
        ),
        (
            200,
            {
                let mut v = me.clone();
                v.as_object_mut().unwrap().remove("login");
                v
            },
            "`login` is missing",
        ),
        (
            200,
            {
                let mut v = me.clone();
                v["id"] = json!("1");
                v
            },
            "not of type integer",
        ),
        (418, me.clone(), "a status the document does not declare"),
        (
            401,
            json!({"error": {"code": "invalid_token"}}),
            "`message` is missing",
        ),
    ] {
        let refusal = check_response(doc, "GET", "/api/v1/me", status, json, &body(&value))
            .expect_err(expected);
        assert!(refusal.contains(expected), "{refusal}");
        refusals.push(refusal);
    }
    // An HTML answer where JSON is declared, and a path the document does not have.
    let html = check_response(doc, "GET", "/api/v1/me", 200, Some("text/html"), b"<p>");
    assert!(html.is_err());
    let unknown = check_response(doc, "GET", "/api/v1/nothing-here", 200, json, b"{}");
    assert!(unknown.is_err());
    assert_eq!(refusals.len(), 6);
}
