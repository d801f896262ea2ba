//! Every fixture folder in `../shared/fixtures/` (except `bad`) through the `modelpulse` binary:
//! `modelpulse facts` must print exactly the expected CSV (same header, same rows in the same
//! order, integers and keys exact, floats within 1e-9 relative, nulls where nulls are).
#![cfg(not(target_arch = "wasm32"))]

mod csv_compare;

use csv_compare::{diff_csv, parse_csv};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
}

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_root())
        .expect("../shared/fixtures beside the repository")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "bad"))
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no fixture folders found");
    dirs
}

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_modelpulse")).args(args).output().expect("run modelpulse");
    assert!(
        out.status.success(),
        "modelpulse {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "unexpected stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn check(dir: &Path, table: &str) -> Vec<String> {
    let expected = std::fs::read_to_string(dir.join("expected").join(format!("{table}.csv"))).expect("expected csv");
    let got = run(&["facts", "--data", dir.to_str().unwrap(), "--table", table]);
    diff_csv(&got, &expected).into_iter().map(|d| format!("{}/{table}: {d}", dir.display())).collect()
}

#[test]
fn dashboard_facts_match_every_fixture() {
    let diffs: Vec<String> = fixture_dirs().iter().flat_map(|d| check(d, "dashboard_facts")).collect();
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs[..diffs.len().min(20)].join("\n"));
}

#[test]
fn conversion_facts_match_every_fixture() {
    let diffs: Vec<String> = fixture_dirs().iter().flat_map(|d| check(d, "conversion_facts")).collect();
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs[..diffs.len().min(20)].join("\n"));
}

#[test]
fn files_named_individually_give_the_same_csv() {
    let dir = &fixture_dirs()[0];
    let by_dir = run(&["facts", "--data", dir.to_str().unwrap()]);
    let llm = dir.join("raw_llm_events.parquet");
    let support = dir.join("raw_support_events.parquet");
    let named = run(&["facts", "--llm", llm.to_str().unwrap(), "--support", support.to_str().unwrap()]);
    assert_eq!(by_dir, named);
    let conv = dir.join("raw_conversion_events.parquet");
    let c = run(&["facts", "--table", "conversion_facts", "--conversion", conv.to_str().unwrap()]);
    assert!(diff_csv(&c, &std::fs::read_to_string(dir.join("expected/conversion_facts.csv")).unwrap()).is_empty());
}

#[test]
fn json_output_has_the_same_numbers() {
    let dir = &fixture_dirs()[0];
    let csv = run(&["facts", "--data", dir.to_str().unwrap()]);
    let json = run(&["facts", "--data", dir.to_str().unwrap(), "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).expect("json array");
    let csv_rows = parse_csv(&csv);
    assert_eq!(rows.len(), csv_rows.len() - 1);
    for (j, c) in rows.iter().zip(&csv_rows[1..]) {
        assert_eq!(j["event_date"].as_str().unwrap(), c[0]);
        assert_eq!(j["provider"].as_str().unwrap(), c[1]);
        assert_eq!(j["events"].as_i64().unwrap().to_string(), c[2]);
        match j["latency_p95_ms"].as_f64() {
            // serde_json's default float parser is not correctly rounded; compare to 1e-12.
            Some(v) => assert!((v - c[7].parse::<f64>().unwrap()).abs() <= 1e-12 * v.abs(), "{v} vs {}", c[7]),
            None => assert_eq!(c[7], ""),
        }
    }
}

#[test]
fn parquet_output_reads_back_to_the_same_rows() {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    let dir = &fixture_dirs()[0];
    let out = std::env::temp_dir().join(format!("modelpulse-facts-{}.parquet", std::process::id()));
    run(&["facts", "--data", dir.to_str().unwrap(), "--format", "parquet", "--out", out.to_str().unwrap()]);
    let bytes = bytes::Bytes::from(std::fs::read(&out).unwrap());
    std::fs::remove_file(&out).ok();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes).unwrap().build().unwrap();
    let batches: Vec<_> = reader.map(|b| b.unwrap()).collect();
    let csv = parse_csv(&run(&["facts", "--data", dir.to_str().unwrap()]));
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, csv.len() - 1);
    let p95 = batches[0].column_by_name("latency_p95_ms").unwrap().as_primitive::<Float64Type>();
    assert_eq!(p95.value(0).to_string(), csv[1][7]);
}

#[test]
fn report_goes_to_stderr() {
    let dir = &fixture_dirs()[0];
    let out = Command::new(env!("CARGO_BIN_EXE_modelpulse"))
        .args(["facts", "--data", dir.to_str().unwrap(), "--report"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("raw_llm_events.parquet: ") && err.contains(" rows read"), "{err}");
    assert!(err.contains("unmatched tickets"), "{err}");
}

#[test]
fn the_comparison_itself_catches_differences() {
    let a = "event_date,provider,x\n2026-01-01,A,1.0\n";
    assert!(diff_csv(a, a).is_empty());
    assert!(!diff_csv("event_date,provider,x\n2026-01-01,A,1.00001\n", a).is_empty());
    assert!(!diff_csv("event_date,provider,x\n2026-01-01,A,\n", a).is_empty());
    assert!(!diff_csv("event_date,provider,x\n", a).is_empty());
}
