//! Not a test of correctness: prints how long the big cases take. Run with
//! `cargo test --release -p mamori-sheet --test timing -- --ignored --nocapture`.

use std::time::Instant;

use mamori_sheet::{read, write_csv, write_xlsx};

fn rows(n: usize, cols: usize) -> impl Iterator<Item = Vec<String>> {
    (0..n).map(move |r| {
        (0..cols)
            .map(|c| format!("情報資産{r:06}番の説明テキスト{c:02}列"))
            .collect()
    })
}

#[test]
#[ignore]
fn timings() {
    let headers: Vec<String> = (0..20).map(|c| format!("項目{c}")).collect();

    let start = Instant::now();
    let big = write_xlsx("資産台帳", &headers, rows(100_000, 20)).unwrap();
    println!(
        "write_xlsx 100,000 x 20: {:?}, {} MiB",
        start.elapsed(),
        big.len() >> 20
    );

    let small = write_xlsx("資産台帳", &headers, rows(10_000, 20)).unwrap();
    let start = Instant::now();
    let table = read(&small, 10_000).unwrap();
    println!("read xlsx 10,000 x 20: {:?}", start.elapsed());
    assert_eq!(table.rows.len(), 10_000);

    let csv = write_csv(&headers, rows(10_000, 20));
    let start = Instant::now();
    let table = read(&csv, 10_000).unwrap();
    println!("read csv 10,000 x 20: {:?}", start.elapsed());
    assert_eq!(table.rows.len(), 10_000);

    let start = Instant::now();
    let table = read(&big, 100_000).unwrap();
    println!("read xlsx 100,000 x 20: {:?}", start.elapsed());
    assert_eq!(table.rows.len(), 100_000);
}
