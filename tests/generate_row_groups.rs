//! `modelpulse generate --row-group-rows N` / [`generate_with`]: the same rows, row groups of at
//! most N rows in every file (single files, day parts, the CLI), and the default's bytes
//! unchanged (the golden digest in tests/generate.rs pins those).

use chrono::NaiveDate;
use modelpulse::contract::Table;
use modelpulse::generate::{
    generate, generate_partitioned, generate_partitioned_with, generate_with, GenerateOptions, WriteOptions, ROW_GROUP_ROWS,
};
use modelpulse::query::Query;
use modelpulse::Dataset;
use parquet::file::reader::{FileReader, SerializedFileReader};

fn opts() -> GenerateOptions {
    GenerateOptions { days: 12, seed: 5, events_per_day: 400, end: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap() }
}

/// Rows of each row group.
fn groups(bytes: &[u8]) -> Vec<i64> {
    let r = SerializedFileReader::new(bytes::Bytes::copy_from_slice(bytes)).unwrap();
    r.metadata().row_groups().iter().map(|g| g.num_rows()).collect()
}

/// All rows of a file as one batch.
fn rows(bytes: &[u8]) -> arrow_array::RecordBatch {
    let r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(bytes))
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<_> = r.map(Result::unwrap).collect();
    arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap()
}

fn dataset(files: [(Table, &[u8]); 3]) -> Dataset {
    let mut ds = Dataset::new();
    for (t, b) in files {
        ds.load(t, t.file_name(), bytes::Bytes::copy_from_slice(b)).unwrap();
    }
    ds
}

#[test]
fn default_write_options_give_the_same_bytes() {
    assert_eq!(WriteOptions::default().row_group_rows, ROW_GROUP_ROWS);
    assert_eq!(ROW_GROUP_ROWS, 131_072);
    assert_eq!(generate_with(&opts(), &WriteOptions::default()).unwrap(), generate(&opts()).unwrap());
    assert_eq!(
        generate_partitioned_with(&opts(), &WriteOptions::default()).unwrap().iter().map(|p| &p.bytes).collect::<Vec<_>>(),
        generate_partitioned(&opts()).unwrap().iter().map(|p| &p.bytes).collect::<Vec<_>>()
    );
}

#[test]
fn small_row_groups_hold_the_same_rows() {
    let n = 700;
    let plain = generate(&opts()).unwrap();
    let small = generate_with(&opts(), &WriteOptions { row_group_rows: n }).unwrap();
    for ((table, a), (_, b)) in plain.files().into_iter().zip(small.files()) {
        let total = rows(a).num_rows();
        let g = groups(b);
        assert!(g.iter().all(|&r| r as usize <= n), "{}: {g:?}", table.name());
        assert_eq!(g.len(), total.div_ceil(n), "{}: {g:?}", table.name());
        assert_eq!(rows(a), rows(b), "{}", table.name());
    }
    // The facts do not depend on the row groups.
    let (a, b) = (dataset(plain.files()), dataset(small.files()));
    let q = Query::default();
    assert_eq!(a.dashboard_facts(&q), b.dashboard_facts(&q));
    assert_eq!(a.conversion_facts(&q), b.conversion_facts(&q));
    // Zero rows per group is refused with a reason.
    let e = generate_with(&opts(), &WriteOptions { row_group_rows: 0 }).unwrap_err();
    assert!(e.to_string().contains("row group rows"), "{e}");
}

#[test]
fn day_parts_use_the_row_group_size_too() {
    let plain = generate_partitioned(&opts()).unwrap();
    let small = generate_partitioned_with(&opts(), &WriteOptions { row_group_rows: 50 }).unwrap();
    assert_eq!(plain.len(), small.len());
    let mut split = 0;
    for (a, b) in plain.iter().zip(&small) {
        assert_eq!((a.table, a.date, a.rows), (b.table, b.date, b.rows));
        let g = groups(&b.bytes);
        assert!(g.iter().all(|&r| r <= 50), "{}: {g:?}", b.path(0));
        split += usize::from(g.len() > 1);
        assert_eq!(rows(&a.bytes), rows(&b.bytes));
    }
    assert!(split > 0, "no part had more than 50 rows");
}

#[test]
fn cli_option_writes_small_row_groups_and_refuses_zero() {
    let dir = std::env::temp_dir().join(format!("modelpulse-row-groups-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_modelpulse")).args(args).output().unwrap();
    let out = dir.join("single");
    let base = ["--days", "12", "--events-per-day", "400", "--seed", "5", "--end", "2026-11-27"];
    let r = run(&[&["generate", "--out", out.to_str().unwrap(), "--row-group-rows", "700"][..], &base].concat());
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let expected = generate_with(&opts(), &WriteOptions { row_group_rows: 700 }).unwrap();
    for (table, bytes) in expected.files() {
        assert_eq!(std::fs::read(out.join(table.file_name())).unwrap(), bytes, "{}", table.file_name());
    }
    let parts = dir.join("parts");
    let r = run(&[&["generate", "--out", parts.to_str().unwrap(), "--partition", "daily", "--row-group-rows", "50"][..], &base].concat());
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let expected = generate_partitioned_with(&opts(), &WriteOptions { row_group_rows: 50 }).unwrap();
    for p in &expected {
        assert_eq!(std::fs::read(parts.join(p.path(0))).unwrap(), p.bytes, "{}", p.path(0));
    }
    for bad in ["0", "-3", "many"] {
        let r = run(&["generate", "--out", out.to_str().unwrap(), &format!("--row-group-rows={bad}")]);
        assert_eq!(r.status.code(), Some(2), "--row-group-rows {bad}");
        assert!(String::from_utf8_lossy(&r.stderr).contains("--row-group-rows"), "{}", String::from_utf8_lossy(&r.stderr));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
