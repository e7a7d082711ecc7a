//! Spreadsheets: the register as rows, the export through the server and in process, and
//! the import of a generated .xlsx into a fresh database.

use super::*;

/// The register as spreadsheet rows (the import columns), for the in-process export.
pub(crate) fn export_row(a: &assets::AssetRecord, level: &dyn Fn(i64) -> String) -> Vec<String> {
    vec![
        a.name.clone(),
        a.description.clone(),
        a.category.as_str().to_owned(),
        a.form.as_str().to_owned(),
        a.holder_type.as_str().to_owned(),
        a.holder_name.clone().unwrap_or_default(),
        a.location.clone(),
        a.segment.as_str().to_owned(),
        level(a.confidentiality_id),
        level(a.integrity_id),
        level(a.availability_id),
        a.retention
            .as_ref()
            .map(|r| r.text.clone())
            .unwrap_or_default(),
        a.status.as_str().to_owned(),
        a.tags.join("、"),
        a.notes.clone(),
    ]
}

pub(crate) fn headers() -> Vec<String> {
    data::IMPORT_HEADERS.iter().map(|h| h.to_string()).collect()
}

pub(crate) fn set_field(input: &mut AssetInput, field: &str, value: String) {
    let slot = match field {
        "name" => &mut input.name,
        "description" => &mut input.description,
        "category" => &mut input.category,
        "form" => &mut input.form,
        "holder_type" => &mut input.holder_type,
        "holder" => &mut input.holder,
        "managing_role" => &mut input.managing_role,
        "location" => &mut input.location,
        "segment" => &mut input.segment,
        "confidentiality" => &mut input.confidentiality,
        "integrity" => &mut input.integrity,
        "availability" => &mut input.availability,
        "retention" => &mut input.retention,
        "disposal_due" => &mut input.disposal_due,
        "status" => &mut input.status,
        "tags" => &mut input.tags,
        "notes" => &mut input.notes,
        "clauses" => &mut input.clauses,
        "personal_info" => &mut input.personal_info,
        "publication" => &mut input.publication,
        _ => return,
    };
    *slot = value;
}

/// What `mamori import assets` does, in process: read, map headers, check, store.
pub(crate) async fn import_in_process(store: &Store, file: &Path) -> anyhow::Result<usize> {
    let bytes = std::fs::read(file)?;
    let table = mamori_sheet::read(&bytes, 100_000).map_err(|e| anyhow!("{e}"))?;
    let fields: Vec<Option<&str>> = table.headers.iter().map(|h| header_field(h)).collect();
    let scheme = mamori_store::classification::active(store).await?;
    let holders = holders_of(store).await?;
    let mut checked = Vec::with_capacity(table.rows.len());
    for row in table.rows {
        let mut input = AssetInput::default();
        for (field, cell) in fields.iter().zip(row.cells.iter()) {
            if let Some(field) = field {
                set_field(&mut input, field, cell.to_owned());
            }
        }
        checked.push(
            input
                .check(&scheme, &holders)
                .map_err(|p| anyhow!("row {}: {p:?}", row.line))?,
        );
    }
    let mut tx = store.write(Actor::system("mamori-bench import")).await?;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    assets::create_many(
        &mut tx,
        &checked,
        &scheme,
        name,
        &mamori_store::sha256_hex(&bytes),
    )
    .await?;
    tx.commit().await?;
    Ok(checked.len())
}

/// Rows in an .xlsx, read back (not timed).
pub(crate) fn xlsx_rows(bytes: &[u8]) -> Option<usize> {
    mamori_sheet::read(bytes, 1_000_000)
        .ok()
        .map(|t| t.rows.len())
}

pub(crate) async fn export(
    o: &Options,
    db: &Db,
    server: &Server,
    officer: &reqwest::Client,
    store: &Store,
) -> anyhow::Result<Value> {
    let mut runs = Vec::new();
    let mut last = Vec::new();
    let mut method = String::new();
    let mut notes = Vec::new();

    // Over HTTP, as the browser's export button does.
    let url = server.url("/assets/export.xlsx", &[])?;
    for _ in 0..o.export_runs {
        let start = Instant::now();
        let response = officer.get(url.clone()).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        let took = start.elapsed().as_secs_f64();
        if !status.is_success() || !body.starts_with(b"PK") {
            notes.push(format!("GET /assets/export.xlsx answered {status}"));
            break;
        }
        method = "GET /assets/export.xlsx".into();
        runs.push(took);
        last = body.to_vec();
    }

    // The command line.
    if runs.is_empty() && has_command(&o.mamori, &["export", "assets"]) {
        let out = db.dir.path().join("export.xlsx");
        for _ in 0..o.export_runs {
            let _ = std::fs::remove_file(&out);
            let start = Instant::now();
            let output = mamori_cli(&o.mamori, db)
                .args(["export", "assets"])
                .arg(&out)
                .output()?;
            let took = start.elapsed().as_secs_f64();
            if !output.status.success() {
                notes.push(format!(
                    "mamori export assets failed: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                ));
                break;
            }
            method = "mamori export assets FILE".into();
            runs.push(took);
        }
        if !runs.is_empty() {
            last = std::fs::read(&out)?;
        }
    } else if runs.is_empty() {
        notes.push("no `mamori export assets` command".into());
    }

    // In process: each_batch and write_xlsx, as the export will.
    if runs.is_empty() {
        let scheme = mamori_store::classification::active(store).await?;
        let level = |id: i64| scheme.level(id).map(|l| l.code.clone()).unwrap_or_default();
        for _ in 0..o.export_runs {
            let start = Instant::now();
            let mut rows = Vec::new();
            assets::each_batch(store, Viewer::everything(), &Filter::default(), |batch| {
                rows.extend(batch.iter().map(|a| export_row(a, &level)));
                Ok(())
            })
            .await?;
            last = mamori_sheet::write_xlsx("情報資産台帳", &headers(), rows.into_iter())
                .map_err(|e| anyhow!("{e}"))?;
            runs.push(start.elapsed().as_secs_f64());
        }
        method = "in process: each_batch + mamori_sheet::write_xlsx".into();
    }
    // Where an export's time goes: reading the register, and writing the workbook.
    let scheme = mamori_store::classification::active(store).await?;
    let level = |id: i64| scheme.level(id).map(|l| l.code.clone()).unwrap_or_default();
    let start = Instant::now();
    let mut rows = Vec::new();
    assets::each_batch(store, Viewer::everything(), &Filter::default(), |batch| {
        rows.extend(batch.iter().map(|a| export_row(a, &level)));
        Ok(())
    })
    .await?;
    let read_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    mamori_sheet::write_xlsx("情報資産台帳", &headers(), rows.into_iter())
        .map_err(|e| anyhow!("{e}"))?;
    let write_s = start.elapsed().as_secs_f64();

    let mut sorted = runs.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(json!({
        "method": method,
        "notes": notes,
        "in_process_read_s": round2(read_s),
        "in_process_write_xlsx_s": round2(write_s),
        "runs_s": runs.iter().map(|r| round2(*r)).collect::<Vec<_>>(),
        "median_s": round2(sorted[(sorted.len() - 1) / 2]),
        "mib": round2(last.len() as f64 / 1_048_576.0),
        "rows": xlsx_rows(&last),
    }))
}

pub(crate) async fn import(o: &Options, db: &Db) -> anyhow::Result<Value> {
    // The file: the same generator, another seed, Japanese headers.
    let mut asset_gen = AssetGen::new(SEED ^ 0x1234_5678, REQUESTER);
    let start = Instant::now();
    let rows = (0..o.import_rows).map(|_| asset_gen.next_row());
    let bytes =
        mamori_sheet::write_xlsx("情報資産台帳", &headers(), rows).map_err(|e| anyhow!("{e}"))?;
    let write_s = start.elapsed().as_secs_f64();
    let file = db.dir.path().join("情報資産台帳.xlsx");
    std::fs::write(&file, &bytes)?;

    // An empty register with the same people.
    let store = Store::open(&db.url).await?;
    create_users(&store).await?;
    store.close().await;

    let mut notes = Vec::new();
    let mut method = String::new();
    let mut took = None;
    let mut dry_run_s = None;
    if has_command(&o.mamori, &["import", "assets"]) {
        // Reading and checking alone, to tell them from the writing.
        let start = Instant::now();
        let checked = mamori_cli(&o.mamori, db)
            .args(["import", "assets", "--dry-run"])
            .arg(&file)
            .output()?;
        if checked.status.success() {
            dry_run_s = Some(round2(start.elapsed().as_secs_f64()));
        }
        let start = Instant::now();
        let output = mamori_cli(&o.mamori, db)
            .args(["import", "assets"])
            .arg(&file)
            .output()?;
        let elapsed = start.elapsed().as_secs_f64();
        if output.status.success() {
            method = "mamori import assets FILE".into();
            took = Some(elapsed);
        } else {
            notes.push(format!(
                "mamori import assets failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
    } else {
        notes.push("no `mamori import assets` command".into());
    }
    let store = Store::open(&db.url).await?;
    if took.is_none() {
        let start = Instant::now();
        import_in_process(&store, &file).await?;
        took = Some(start.elapsed().as_secs_f64());
        method = "in process: mamori_sheet::read + header_field + check + create_many".into();
    }
    let stored = assets::count(&store, Viewer::everything(), &Filter::default()).await?;
    store.close().await;
    Ok(json!({
        "method": method,
        "notes": notes,
        "rows": o.import_rows,
        "stored": stored,
        "file_mib": round2(bytes.len() as f64 / 1_048_576.0),
        "write_xlsx_s": round2(write_s),
        "seconds": took.map(round2),
        "dry_run_seconds": dry_run_s,
    }))
}
