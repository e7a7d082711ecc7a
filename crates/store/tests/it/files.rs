//! The file store's content in the database: written in chunks, read back byte for
//! byte, and carried through a backup restored onto either backend with every hash
//! matching.

use mamori_domain::file::{Purpose, RecordRef};
use mamori_store::backup;
use mamori_store::files::{self, CHUNK_BYTES};
use mamori_store::{Actor, AuditEntry, Store};
use mamori_testkit::{TestDb, backends};
use sha2::Digest;

/// Bytes that are not all alike (a pattern no chunk boundary lines up with), every
/// byte value included.
fn content(len: usize, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect()
}

fn sha256(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Stores `bytes` as the first revision of a new attachment of asset 1's record kind;
/// the attachment's id.
async fn store_file(store: &Store, name: &str, bytes: &[u8]) -> i64 {
    let hash = sha256(bytes);
    let mut tx = store.write(Actor::system("test")).await.unwrap();
    if !files::has_blob(&mut tx, &hash).await.unwrap() {
        let chunks = bytes.chunks(CHUNK_BYTES).collect::<Vec<_>>();
        files::put_blob(
            &mut tx,
            &hash,
            bytes.len() as u64,
            "application/octet-stream",
            chunks.len() as u64,
        )
        .await
        .unwrap();
        for (seq, chunk) in chunks.into_iter().enumerate() {
            files::put_chunk(&mut tx, &hash, seq as u64, chunk.to_vec())
                .await
                .unwrap();
        }
    }
    let id = files::create_attachment(&mut tx, RecordRef::asset(1), name, Purpose::Evidence, None)
        .await
        .unwrap();
    files::add_revision(&mut tx, id, name, &hash).await.unwrap();
    tx.audit(AuditEntry::new("file.attach", "asset").target(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The content of an attachment's newest revision, read chunk by chunk.
async fn read_back(store: &Store, id: i64) -> Vec<u8> {
    let attachment = files::attachment(store, id).await.unwrap();
    let mut out = Vec::new();
    for seq in 0..attachment.latest.chunk_count {
        out.extend(
            files::chunk(store, &attachment.latest.sha256, seq)
                .await
                .unwrap(),
        );
    }
    out
}

#[tokio::test]
async fn files_restore_onto_either_backend_with_every_hash_matching() {
    let large = content(CHUNK_BYTES * 2 + 12_345, 7);
    let small = "誓約書の写し（佐藤議員）\n".as_bytes().to_vec();
    let empty: Vec<u8> = Vec::new();
    for from in backends() {
        let source_db = TestDb::new(from).await;
        let source = source_db.open().await;
        let large_id = store_file(&source, "ネットワーク構成図.pdf", &large).await;
        let small_id = store_file(&source, "誓約書.txt", &small).await;
        let empty_id = store_file(&source, "空.txt", &empty).await;
        // The same bytes again are a second attachment over the same stored content.
        store_file(&source, "写し.pdf", &large).await;
        assert_eq!(read_back(&source, large_id).await, large, "{from:?}");
        let file = source_db.data_dir().join("backup.sqlite3");
        let summary = backup::write_backup(&source, &file).await.unwrap();
        assert_eq!(summary.rows_in("file_blobs"), 3);
        assert_eq!(summary.rows_in("file_chunks"), 3 + 1);
        assert_eq!(summary.rows_in("attachments"), 4);
        for to in backends() {
            let target_db = TestDb::new(to).await;
            let target = target_db.open().await;
            let tx = target.write(Actor::system("restore")).await.unwrap();
            backup::restore(&target, &file, &file, tx).await.unwrap();
            let checked = files::verify_blobs(&target).await.unwrap();
            let mut expected = vec![sha256(&large), sha256(&small), sha256(&empty)];
            expected.sort();
            let stored: Vec<String> = checked.iter().map(|(s, _)| s.clone()).collect();
            assert_eq!(stored, expected, "{from:?} -> {to:?}");
            for (stored, computed) in &checked {
                assert_eq!(stored, computed, "{from:?} -> {to:?}: content of {stored}");
            }
            assert_eq!(read_back(&target, large_id).await, large);
            assert_eq!(read_back(&target, small_id).await, small);
            assert_eq!(read_back(&target, empty_id).await, empty);
            let restored = files::attachment(&target, small_id).await.unwrap();
            assert_eq!(restored.title, "誓約書.txt");
            assert_eq!(restored.latest.size, small.len() as i64);
        }
    }
}
