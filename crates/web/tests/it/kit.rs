//! The test kit itself, on both backends: the error envelope and the OpenAPI document
//! merged from every area.

use mamori_domain::user::Role;
use mamori_testkit::{TestServer, assert_api_error, backend_test};

backend_test!(
    async fn the_api_answers_in_its_envelope_for_every_refusal(backend) {
        let server = TestServer::start(backend).await;
        let anonymous = server.web_anonymous();
        assert_api_error(anonymous.get("/api/v1/assets").await, 401, "unauthenticated").await;
        let (_, member) = server.web_as("member", Role::User).await;
        assert_api_error(member.get("/api/v1/risks").await, 403, "forbidden").await;
        assert_api_error(member.get("/api/v1/assets/999999").await, 404, "not_found").await;
        let document = member.json("/api/openapi.json").await;
        let paths = document["paths"].as_object().expect("paths");
        for path in ["/healthz", "/api/v1/assets", "/api/v1/risks", "/api/v1/policies", "/api/v1/users"] {
            assert!(paths.contains_key(path), "{path} in the OpenAPI document");
        }
        server.stop().await;
    }
);
