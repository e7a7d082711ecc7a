//! `mamori-bench upload`: the server's memory while a large attachment goes in and out.
//! The real `mamori serve` takes one upload of `--upload-mb` MiB (multipart, as a
//! browser sends it) into the file store and serves it back; the server's peak resident
//! memory (VmHWM, reset after start-up) is read before and after each. An upload read
//! piece by piece raises the peak by far less than the file's size.

use super::*;

/// Bytes that do not compress or repeat, starting as a PDF does.
pub(crate) fn document(len: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut state: u64 = SEED;
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn multipart(bytes: &[u8], boundary: &str) -> Vec<u8> {
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nevidence\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"構成図.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

pub(crate) async fn upload(
    api: &reqwest::Client,
    server: &Server,
    asset: i64,
    bytes: &[u8],
) -> anyhow::Result<(i64, Duration)> {
    let boundary = "mamoriBenchBoundary0x6d616d6f7269";
    let body = multipart(bytes, boundary);
    let start = Instant::now();
    let response = api
        .post(server.url(&format!("/api/v1/assets/{asset}/files"), &[])?)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await?;
    let took = start.elapsed();
    let status = response.status();
    let answer: Value = response.json().await?;
    if status.as_u16() != 201 {
        bail!("upload answered {status}: {answer}");
    }
    let id = answer["id"]
        .as_i64()
        .ok_or_else(|| anyhow!("no id in {answer}"))?;
    Ok((id, took))
}

pub(crate) async fn run_upload(o: &Options) -> anyhow::Result<Value> {
    let db = Db::create(o, "upload").await?;
    let result = measure_upload(o, &db).await;
    db.remove().await?;
    result
}

async fn measure_upload(o: &Options, db: &Db) -> anyhow::Result<Value> {
    let store = Store::open(&db.url).await?;
    let (officer_id, _) = create_users(&store).await?;
    generate(&store, 10).await?;
    let token = token_for(&store, officer_id).await?;
    store.close().await;

    let server = Server::start_ready(&o.mamori, db).await?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse()?,
    );
    let api = reqwest::Client::builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(300))
        .build()?;
    let listed: Value = api
        .get(server.url("/api/v1/assets", &[("per_page", "1")])?)
        .send()
        .await?
        .json()
        .await?;
    let asset = listed["items"][0]["id"]
        .as_i64()
        .ok_or_else(|| anyhow!("no asset in {listed}"))?;
    // A small upload first, so that what every request allocates once is in place.
    upload(&api, &server, asset, &document(64 * 1024)).await?;

    let size = o.upload_mb * 1024 * 1024;
    let bytes = document(size);
    let peak_reset = server.reset_peak();
    let before = json!({
        "rss_mib": server.memory("VmRSS"),
        "hwm_mib": server.memory("VmHWM"),
    });
    let (id, took) = upload(&api, &server, asset, &bytes).await?;
    let after_upload = server.memory("VmHWM");

    let start = Instant::now();
    let mut response = api
        .get(server.url(&format!("/api/v1/files/{id}/content"), &[])?)
        .send()
        .await?;
    let mut received = 0usize;
    let mut same = true;
    while let Some(chunk) = response.chunk().await? {
        same &= bytes.get(received..received + chunk.len()) == Some(&chunk[..]);
        received += chunk.len();
    }
    let download = start.elapsed();
    if received != size || !same {
        bail!("the download differs from the upload ({received} of {size} bytes)");
    }
    let after_download = server.memory("VmHWM");
    let rss_after = server.memory("VmRSS");
    server.stop();
    let rise = |hwm: Option<f64>| {
        hwm.zip(before["hwm_mib"].as_f64())
            .map(|(a, b)| round2(a - b))
    };
    Ok(json!({
        "bench": "upload",
        "backend": o.backend.name(),
        "file_mib": o.upload_mb,
        "peak_reset": peak_reset,
        "before": before,
        "upload_s": round2(took.as_secs_f64()),
        "download_s": round2(download.as_secs_f64()),
        "hwm_after_upload_mib": after_upload,
        "hwm_after_download_mib": after_download,
        "rss_after_mib": rss_after,
        "hwm_rise_upload_mib": rise(after_upload),
        "hwm_rise_download_mib": rise(after_download),
    }))
}
