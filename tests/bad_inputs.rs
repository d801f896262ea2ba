//! Each file of `../shared/fixtures/bad/`, served as `raw_llm_events.parquet`, must be refused by
//! `modelpulse facts` with a non-zero exit and one line naming the file and the problem — never a
//! panic. `zero-rows.parquet` is valid and gives a header-only CSV. Also: flipping bytes of a good
//! file never panics the loader.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
}

/// Runs `modelpulse facts` on a temp folder holding `bad` as raw_llm_events.parquet (plus a good
/// support file).
fn run_with_llm(bad: &str) -> Output {
    let dir = std::env::temp_dir().join(format!("modelpulse-bad-{}-{bad}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(shared().join("bad").join(bad), dir.join("raw_llm_events.parquet")).unwrap();
    std::fs::copy(shared().join("duckdb-102/raw_support_events.parquet"), dir.join("raw_support_events.parquet"))
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_modelpulse"))
        .args(["facts", "--data", dir.to_str().unwrap()])
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    out
}

fn refused(bad: &str, problem: &[&str]) {
    let out = run_with_llm(bad);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{bad}: exit {:?}, stderr {err}", out.status);
    assert!(out.stdout.is_empty(), "{bad}: printed output despite the error");
    assert!(!err.contains("panicked"), "{bad}: panic: {err}");
    assert_eq!(err.lines().count(), 1, "{bad}: one line expected: {err}");
    assert!(err.contains("raw_llm_events.parquet"), "{bad}: file not named: {err}");
    for p in problem {
        assert!(err.contains(p), "{bad}: {p:?} not in {err}");
    }
}

#[test]
fn truncated() {
    refused("truncated.parquet", &["not a Parquet file", "truncated"]);
}

#[test]
fn empty_file() {
    refused("empty-file.parquet", &["not a Parquet file", "empty"]);
}

#[test]
fn not_parquet() {
    refused("not-parquet.parquet", &["not a Parquet file"]);
}

#[test]
fn missing_provider() {
    refused("missing-provider.parquet", &["missing required column \"provider\""]);
}

#[test]
fn tokens_as_text() {
    refused("tokens-as-text.parquet", &["column \"tokens_input\"", "Utf8", "accepted: integer"]);
}

#[test]
fn corrupt_page() {
    refused("corrupt-page.parquet", &["corrupt data"]);
}

#[test]
fn zero_rows_gives_header_only_csv() {
    let out = run_with_llm("zero-rows.parquet");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv, format!("{}\n", modelpulse::facts::DASHBOARD_COLUMNS.join(",")));
}

#[test]
fn every_bad_file_is_covered() {
    let mut names: Vec<String> = std::fs::read_dir(shared().join("bad"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".parquet"))
        .collect();
    names.sort();
    let covered = [
        "corrupt-page.parquet", "empty-file.parquet", "missing-provider.parquet", "not-parquet.parquet",
        "tokens-as-text.parquet", "truncated.parquet", "zero-rows.parquet",
    ];
    for n in &names {
        assert!(covered.contains(&n.as_str()), "bad fixture {n} has no test");
    }
}

#[test]
fn missing_file_is_named() {
    let out = Command::new(env!("CARGO_BIN_EXE_modelpulse"))
        .args(["facts", "--data", "/nonexistent-modelpulse-dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("raw_llm_events.parquet") && err.contains("cannot read"), "{err}");
}

/// Flips bytes all over good files (a deterministic pseudo-random walk) and loads each result:
/// the loader must return Ok or Err, never panic.
#[test]
fn flipped_bytes_never_panic() {
    use modelpulse::contract::Table;
    let files = [
        ("pyarrow-zstd-101/raw_llm_events.parquet", Table::LlmEvents),
        ("pyarrow-gzip-104/raw_llm_events.parquet", Table::LlmEvents),
        ("pyarrow-brotli-106/raw_support_events.parquet", Table::SupportEvents),
        ("polars-103/raw_conversion_events.parquet", Table::ConversionEvents),
        ("duckdb-102/raw_llm_events.parquet", Table::LlmEvents),
        ("pyarrow-v2pages-105/raw_llm_events.parquet", Table::LlmEvents),
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut outcomes = (0, 0);
    for (path, table) in files {
        let good = std::fs::read(shared().join(path)).unwrap();
        for round in 0..60 {
            let mut b = good.clone();
            let flips = 1 + (next() % 16) as usize;
            // Half the rounds hit the footer region, where the metadata lives.
            for _ in 0..flips {
                let len = b.len();
                let at = if round % 2 == 0 { len - 1 - (next() as usize % len.min(400)) } else { next() as usize % len };
                b[at] ^= 1 << (next() % 8);
            }
            let mut ds = modelpulse::Dataset::new();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                ds.load(table, "raw_x.parquet", bytes::Bytes::from(b)).map(|_| {
                    ds.dashboard_facts(&Default::default());
                    ds.conversion_facts(&Default::default());
                })
            }));
            match r {
                Ok(Ok(())) => outcomes.0 += 1,
                Ok(Err(e)) => {
                    assert!(e.to_string().starts_with("raw_x.parquet: "), "{e}");
                    outcomes.1 += 1
                }
                Err(_) => panic!("{path} round {round}: the loader panicked"),
            }
        }
    }
    assert!(outcomes.1 > 0, "no flip was detected at all: {outcomes:?}");
}
