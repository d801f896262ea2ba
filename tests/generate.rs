//! `modelpulse::generate`: determinism, the data contract, and the story the data must tell —
//! checked by reading the Parquet bytes back and recomputing the facts independently here
//! (plain sorting and averaging, no code shared with the core's models).

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, Days, NaiveDate};
use modelpulse::contract::Table;
use modelpulse::generate::{GenerateOptions, Snapshots, generate};
use modelpulse::{Dataset, Query};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::{FileReader, SerializedFileReader};
use std::collections::{BTreeMap, HashMap, HashSet};

fn end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
}

fn opts(days: u32, seed: u64, events_per_day: u32) -> GenerateOptions {
    GenerateOptions { days, seed, events_per_day, end: end() }
}

fn read(bytes: &[u8]) -> RecordBatch {
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(bytes))
        .expect("valid parquet")
        .with_batch_size(1 << 30)
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap()
}

fn strings(b: &RecordBatch, name: &str) -> Vec<Option<String>> {
    b.column_by_name(name).unwrap().as_string::<i32>().iter().map(|s| s.map(str::to_owned)).collect()
}

fn timestamps(b: &RecordBatch, name: &str) -> Vec<i64> {
    let a = b.column_by_name(name).unwrap().as_primitive::<TimestampMicrosecondType>();
    assert_eq!(a.null_count(), 0, "{name} has nulls");
    a.values().to_vec()
}

fn date_of(us: i64) -> NaiveDate {
    DateTime::from_timestamp_micros(us).unwrap().date_naive()
}

/// Continuous percentile with linear interpolation of sorted `v` (non-empty).
fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pos = p * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// The LLM table as rows, for independent recomputation.
struct Llm {
    session: Vec<String>,
    provider: Vec<String>,
    model: Vec<String>,
    latency: Vec<Option<i64>>,
    accuracy: Vec<Option<f64>>,
    ts: Vec<i64>,
}

fn llm(s: &Snapshots) -> Llm {
    let b = read(&s.llm);
    Llm {
        session: strings(&b, "session_id").into_iter().map(Option::unwrap).collect(),
        provider: strings(&b, "provider").into_iter().map(Option::unwrap).collect(),
        model: strings(&b, "model").into_iter().map(Option::unwrap).collect(),
        latency: b.column_by_name("response_time_ms").unwrap().as_primitive::<Int64Type>().iter().collect(),
        accuracy: b.column_by_name("accuracy").unwrap().as_primitive::<Float64Type>().iter().collect(),
        ts: timestamps(&b, "created_at"),
    }
}

#[test]
fn same_options_give_the_same_bytes_and_a_new_seed_new_bytes() {
    let o = opts(30, 42, 400);
    let a = generate(&o).unwrap();
    let b = generate(&o).unwrap();
    assert!(a == b, "two runs with the same options differ");
    let c = generate(&GenerateOptions { seed: 43, ..o.clone() }).unwrap();
    assert_ne!(a.llm, c.llm);
    assert_ne!(a.support, c.support);
    assert_ne!(a.conversion, c.conversion);
}

/// FNV-1a, 64 bits: a stable digest of the bytes.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01B3))
}

/// The digest of one fixed generation, shared with `tests/wasm_generate.rs`: native and wasm32
/// must produce the same bytes. A deliberate change to the generator updates
/// `tests/generate_golden.txt` (the assertion message prints the new line).
#[test]
fn bytes_match_the_digest_the_browser_checks_too() {
    let o = GenerateOptions { days: 30, seed: 42, events_per_day: 300, end: end() };
    let s = generate(&o).unwrap();
    let got = format!("llm={:016x} support={:016x} conversion={:016x}", fnv1a(&s.llm), fnv1a(&s.support), fnv1a(&s.conversion));
    assert_eq!(got, include_str!("generate_golden.txt").trim(), "new digest line: {got}");
}

#[test]
fn files_follow_the_data_contract() {
    let s = generate(&opts(21, 5, 300)).unwrap();
    for (table, bytes) in s.files() {
        let b = read(bytes);
        for col in table.columns() {
            let field = b.schema().field_with_name(col.name).cloned();
            let field = field.unwrap_or_else(|_| panic!("{}: column {} missing", table.file_name(), col.name));
            assert!(col.kind.accepts(field.data_type()), "{}: {} is {}", table.file_name(), col.name, field.data_type());
        }
        let ts = b.schema().field_with_name("created_at").unwrap().data_type().clone();
        assert_eq!(ts, DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())));
        // Sorted by created_at, inside the period.
        let t = timestamps(&b, "created_at");
        assert!(t.windows(2).all(|w| w[0] <= w[1]), "{}: created_at not sorted", table.file_name());
        let (first, last) = (date_of(t[0]), date_of(*t.last().unwrap()));
        assert!(first >= end() - Days::new(20), "{}: starts {first}", table.file_name());
        // Support tickets come up to 40 minutes after the session: at most one day later.
        let slack = if table == Table::SupportEvents { 1 } else { 0 };
        assert!(last <= end() + Days::new(slack), "{}: ends {last}", table.file_name());
        // ZSTD-compressed columns.
        let reader = SerializedFileReader::new(bytes::Bytes::copy_from_slice(bytes)).unwrap();
        let rg = reader.metadata().row_group(0);
        assert!(rg.columns().iter().all(|c| matches!(c.compression(), parquet::basic::Compression::ZSTD(_))));
    }
}

#[test]
fn volumes_sessions_and_nulls_are_realistic() {
    let o = opts(56, 11, 1000);
    let s = generate(&o).unwrap();
    let l = llm(&s);
    let n = l.session.len() as f64;
    assert!((n / 56_000.0 - 1.0).abs() < 0.1, "{n} events for 56 days × 1000");
    // Sessions have 1–5 calls, all from one provider, ids unique per session.
    let mut calls: HashMap<&str, (u32, &str)> = HashMap::new();
    for (s, p) in l.session.iter().zip(&l.provider) {
        let e = calls.entry(s).or_insert((0, p));
        e.0 += 1;
        assert_eq!(e.1, p);
    }
    assert!(calls.values().all(|(c, _)| (1..=5).contains(c)));
    let mean_calls = n / calls.len() as f64;
    assert!((1.8..3.0).contains(&mean_calls), "mean calls {mean_calls}");
    // Four providers, each with at least two models.
    let providers: HashSet<&str> = l.provider.iter().map(String::as_str).collect();
    assert_eq!(providers.len(), 4);
    let models: HashSet<(&str, &str)> = l.provider.iter().zip(&l.model).map(|(p, m)| (p.as_str(), m.as_str())).collect();
    assert!(models.len() >= 8);
    // Mostly unlabeled; a few unmeasured latencies; accuracy within 0..1.
    let unlabeled = l.accuracy.iter().filter(|a| a.is_none()).count() as f64 / n;
    assert!((0.6..0.8).contains(&unlabeled), "unlabeled share {unlabeled}");
    let no_latency = l.latency.iter().filter(|a| a.is_none()).count();
    assert!(no_latency > 0 && (no_latency as f64) < 0.01 * n, "{no_latency} null latencies");
    assert!(l.accuracy.iter().flatten().all(|a| (0.0..=1.0).contains(a)));
    // Weekly seasonality: weekdays busier than weekends.
    let mut per_dow = [0u32; 7];
    for t in &l.ts {
        per_dow[chrono::Datelike::weekday(&date_of(*t)).num_days_from_monday() as usize] += 1;
    }
    let weekday = per_dow[..5].iter().sum::<u32>() as f64 / 5.0;
    let weekend = per_dow[5..].iter().sum::<u32>() as f64 / 2.0;
    assert!(weekday > 1.3 * weekend, "weekday {weekday} vs weekend {weekend}");
}

/// Daily p95 per provider, recomputed here: exactly the incident provider crosses 1200 ms, on
/// 3–4 consecutive days (the planned ones); every other provider stays under every day.
fn check_latency_incident(o: &GenerateOptions, l: &Llm) {
    let story = o.story();
    let mut by_day: BTreeMap<(&str, NaiveDate), Vec<f64>> = BTreeMap::new();
    for i in 0..l.ts.len() {
        if let Some(ms) = l.latency[i] {
            by_day.entry((&l.provider[i], date_of(l.ts[i]))).or_default().push(ms as f64);
        }
    }
    let mut over: BTreeMap<&str, Vec<NaiveDate>> = BTreeMap::new();
    for ((p, d), v) in &mut by_day {
        if percentile(v, 0.95) > 1200.0 {
            over.entry(p).or_default().push(*d);
        }
    }
    assert_eq!(over.keys().copied().collect::<Vec<_>>(), vec![story.incident_provider], "seed {}", o.seed);
    let days = &over[story.incident_provider];
    assert!((3..=4).contains(&days.len()), "{days:?}");
    assert!(days.windows(2).all(|w| w[1] == w[0] + Days::new(1)), "not consecutive: {days:?}");
    let (a, b) = story.incident.unwrap();
    assert_eq!((days[0], *days.last().unwrap()), (a, b));
    assert_eq!(b, o.end - Days::new(10));
}

/// Rolling 7-day accuracy of the regressing provider, recomputed here: a clear step down once
/// the window is past the model change, and the model column changes on that date.
fn check_accuracy_regression(o: &GenerateOptions, l: &Llm) {
    let story = o.story();
    let from = story.regression_from.unwrap();
    let mut daily: BTreeMap<NaiveDate, (f64, u32)> = BTreeMap::new();
    for i in 0..l.ts.len() {
        if l.provider[i] != story.regression_provider {
            continue;
        }
        let d = date_of(l.ts[i]);
        if d < from {
            assert_ne!(l.model[i], story.model_after, "{d}: new model before the change on {from}");
        } else {
            assert_ne!(l.model[i], story.model_before, "{d}: old model after the change on {from}");
        }
        if let Some(a) = l.accuracy[i] {
            let e = daily.entry(d).or_default();
            e.0 += a;
            e.1 += 1;
        }
    }
    let rolling = |d: NaiveDate| {
        let (s, c) = daily.range(d - Days::new(6)..=d).fold((0.0, 0), |(s, c), (_, (a, n))| (s + a, c + n));
        s / c as f64
    };
    let before = rolling(from - Days::new(1));
    let after = rolling(from + Days::new(6));
    assert!(before - after > 0.05, "rolling accuracy {before} → {after}");
    // And it stays down: every fully-after window is below every fully-before one.
    let max_after = (6..(o.end - from).num_days() as u64).map(|k| rolling(from + Days::new(k))).fold(0.0, f64::max);
    let min_before = (7..(from - story.start).num_days() as u64 + 1).map(|k| rolling(from - Days::new(k))).fold(1.0, f64::min);
    assert!(max_after < min_before, "after {max_after} vs before {min_before}");
}

#[test]
fn the_story_is_in_the_data() {
    // Two seeds: the incident lasts 3 or 4 days depending on the seed; check both shapes occur.
    let mut lengths = HashSet::new();
    for seed in [1, 2, 3, 4] {
        let o = opts(60, seed, 1200);
        let l = llm(&generate(&o).unwrap());
        check_latency_incident(&o, &l);
        check_accuracy_regression(&o, &l);
        let (a, b) = o.story().incident.unwrap();
        lengths.insert((b - a).num_days() + 1);
    }
    assert_eq!(lengths.len(), 2, "incident lengths {lengths:?}");
}

#[test]
fn tickets_are_mostly_resolved_by_the_agent_with_orphans_and_duplicates() {
    let s = generate(&opts(45, 9, 1000)).unwrap();
    let l = llm(&s);
    let sessions: HashSet<&str> = l.session.iter().map(String::as_str).collect();
    let b = read(&s.support);
    let ids = strings(&b, "ticket_id");
    let by = strings(&b, "resolved_by");
    let revenue: Vec<Option<f64>> = b.column_by_name("revenue_generated").unwrap().as_primitive::<Float64Type>().iter().collect();
    let n = ids.len();
    let ticket_share = n as f64 / sessions.len() as f64;
    assert!((0.03..0.15).contains(&ticket_share), "tickets per session {ticket_share}");
    let agent = by.iter().filter(|r| r.as_deref() == Some("agent")).count();
    let human = by.iter().filter(|r| r.as_deref() == Some("human")).count();
    let open = by.iter().filter(|r| r.is_none()).count();
    assert_eq!(agent + human + open, n);
    assert!(agent as f64 / n as f64 > 0.5, "agent {agent} of {n}");
    assert!(human > 0 && open > 0);
    let orphans = ids.iter().filter(|t| !sessions.contains(t.as_deref().unwrap())).count();
    assert!(orphans > 0 && orphans < n / 50, "{orphans} orphans of {n}");
    let distinct: HashSet<&Option<String>> = ids.iter().collect();
    let dups = n - distinct.len();
    assert!(dups > 0 && dups < n / 20, "{dups} duplicated rows of {n}");
    assert!(revenue.iter().any(Option::is_none));
    assert!(revenue.iter().flatten().any(|r| *r > 0.0));
}

#[test]
fn treatment_converts_better_than_control() {
    let s = generate(&opts(60, 13, 1500)).unwrap();
    let b = read(&s.conversion);
    let arm = strings(&b, "arm");
    let conv = b.column_by_name("converted").unwrap().as_boolean();
    let users = b.column_by_name("user_id").unwrap().as_primitive::<Int64Type>();
    let (mut n, mut k) = (HashMap::new(), HashMap::new());
    let mut arm_of: HashMap<i64, &str> = HashMap::new();
    for (i, a) in arm.iter().enumerate() {
        let a = a.as_deref().unwrap();
        assert!(a == "treatment" || a == "control");
        assert_eq!(*arm_of.entry(users.value(i)).or_insert(a), a, "user changed arm");
        *n.entry(a).or_insert(0.0) += 1.0;
        *k.entry(a).or_insert(0.0) += conv.value(i) as u8 as f64;
    }
    let (pt, pc) = (k["treatment"] / n["treatment"], k["control"] / n["control"]);
    assert!((0.06..0.10).contains(&pc), "control {pc}");
    assert!(pt - pc > 0.005, "uplift {pt} − {pc}");
    let se = (pt * (1.0 - pt) / n["treatment"] + pc * (1.0 - pc) / n["control"]).sqrt();
    assert!(pt - pc > 2.0 * se, "uplift not significant overall: {} ± {se}", pt - pc);
}

#[test]
fn large_files_have_several_row_groups_with_date_statistics() {
    let s = generate(&opts(40, 3, 8000)).unwrap(); // ≈ 320k events
    let reader = SerializedFileReader::new(bytes::Bytes::from(s.llm)).unwrap();
    let md = reader.metadata();
    assert!(md.num_row_groups() >= 3, "{} row groups", md.num_row_groups());
    let ts_col = md.file_metadata().schema_descr().columns().iter().position(|c| c.name() == "created_at").unwrap();
    let mut prev_max = i64::MIN;
    for rg in md.row_groups() {
        assert!(rg.num_rows() <= 128 * 1024);
        match rg.column(ts_col).statistics() {
            Some(parquet::file::statistics::Statistics::Int64(st)) => {
                let (lo, hi) = (*st.min_opt().unwrap(), *st.max_opt().unwrap());
                assert!(prev_max <= lo && lo <= hi, "row groups not in time order");
                prev_max = hi;
            }
            other => panic!("created_at statistics missing: {other:?}"),
        }
    }
}

#[test]
fn the_dataset_loads_the_snapshots_and_its_facts_tell_the_story() {
    let o = opts(90, 42, 1500);
    let story = o.story();
    let s = generate(&o).unwrap();
    let mut ds = Dataset::new();
    for (table, bytes) in s.files() {
        let r = ds.load(table, table.file_name(), bytes::Bytes::from(bytes.to_vec())).unwrap();
        assert_eq!(r.rows_dropped, 0, "{}", table.file_name());
    }
    let support = ds.report().tables.into_iter().find(|t| t.file == Table::SupportEvents.file_name()).unwrap();
    assert!(support.unmatched_tickets > 0 && support.unmatched_tickets < support.rows_read / 50, "{support:?}");
    assert_eq!(ds.providers(), vec!["Anthropic", "Google", "Mistral", "OpenAI"]);
    assert_eq!(ds.date_range(), Some((story.start, story.end)));

    let facts = ds.dashboard_facts(&Query::default());
    assert_eq!(facts.len(), 4 * 90);
    // The core's p95 agrees with the one recomputed here, day by day.
    let l = llm(&s);
    let mut lat: HashMap<(&str, NaiveDate), Vec<f64>> = HashMap::new();
    for i in 0..l.ts.len() {
        if let Some(ms) = l.latency[i] {
            lat.entry((&l.provider[i], date_of(l.ts[i]))).or_default().push(ms as f64);
        }
    }
    for f in &facts {
        let mine = percentile(lat.get_mut(&(f.provider.as_str(), f.event_date)).unwrap(), 0.95);
        let core = f.latency_p95_ms.unwrap();
        assert!((mine - core).abs() <= 1e-9 * mine.abs(), "{} {}: {mine} vs {core}", f.event_date, f.provider);
    }
    // Over budget: the incident provider on the incident days, nobody else, never elsewhere.
    let over: Vec<(NaiveDate, &str)> = facts
        .iter()
        .filter(|f| f.latency_p95_ms.unwrap() > 1200.0)
        .map(|f| (f.event_date, f.provider.as_str()))
        .collect();
    let (a, b) = story.incident.unwrap();
    let expected: Vec<(NaiveDate, &str)> =
        a.iter_days().take_while(|d| *d <= b).map(|d| (d, story.incident_provider)).collect();
    assert_eq!(over, expected);
    // Rolling accuracy of the regressing provider steps down after the change.
    let from = story.regression_from.unwrap();
    let rolling = |d: NaiveDate| {
        facts.iter().find(|f| f.event_date == d && f.provider == story.regression_provider).unwrap().accuracy_rolling_7d.unwrap()
    };
    assert!(rolling(from - Days::new(1)) - rolling(from + Days::new(6)) > 0.05);
    // Most tickets are closed by the agent; incident days have more tickets than usual.
    let tickets: i64 = facts.iter().map(|f| f.tickets).sum();
    let agent: i64 = facts.iter().map(|f| f.tickets_resolved_by_agent).sum();
    assert!(agent as f64 / tickets as f64 > 0.5, "{agent} of {tickets}");
    let per_day = |inc: bool| {
        let v: Vec<f64> = facts
            .iter()
            .filter(|f| f.provider == story.incident_provider && (a <= f.event_date && f.event_date <= b) == inc)
            .map(|f| f.tickets as f64 / f.sessions as f64)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(per_day(true) > 1.5 * per_day(false), "ticket rate {} vs {}", per_day(true), per_day(false));
    assert!(facts.iter().map(|f| f.revenue_from_ai).sum::<f64>() > 0.0);
    // The experiment: positive overall, noisy day by day.
    let conv = ds.conversion_facts(&Query::default());
    assert_eq!(conv.len(), 90);
    let (tu, tc, cu, cc) = conv.iter().fold((0, 0, 0, 0), |(a, b, c, d), f| {
        (a + f.treatment_users, b + f.treatment_conversions, c + f.control_users, d + f.control_conversions)
    });
    assert!(tc as f64 / tu as f64 > cc as f64 / cu as f64);
    assert!(conv.iter().any(|f| f.uplift_ci_low.unwrap() < 0.0), "every day significant: not noisy");
    assert!(conv.iter().filter(|f| f.conversion_uplift.unwrap() > 0.0).count() > 45);
}

#[test]
fn cli_writes_the_same_bytes_and_refuses_bad_options() {
    let dir = std::env::temp_dir().join(format!("modelpulse-generate-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("nested/data");
    let run = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_modelpulse")).args(args).output().unwrap();
    let args = ["generate", "--out", out.to_str().unwrap(), "--days", "20", "--events-per-day", "150", "--seed", "9", "--end", "2026-06-30"];
    let r = run(&args);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let expected = generate(&opts(20, 9, 150)).unwrap();
    for (table, bytes) in expected.files() {
        assert_eq!(std::fs::read(out.join(table.file_name())).unwrap(), bytes, "{}", table.file_name());
    }
    let names: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 3, "leftover files: {names:?}");
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(stdout.contains("raw_llm_events.parquet") && stdout.contains("Google latency incident"), "{stdout}");

    let r = run(&["generate", "--out", out.to_str().unwrap(), "--end", "2026-13-01"]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("YYYY-MM-DD"));
    let r = run(&["generate", "--out", out.to_str().unwrap(), "--days", "0"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("days must be between"));
    std::fs::remove_dir_all(&dir).unwrap();
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Any valid small options: three readable files, rows inside the period, sorted.
        #[test]
        fn any_small_options_give_readable_sorted_files(days in 1u32..40, seed: u64, epd in 1u32..120, back in 0u64..4000) {
            let o = GenerateOptions { days, seed, events_per_day: epd, end: end() - Days::new(back) };
            let s = generate(&o).unwrap();
            let start_us = o.start().unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_micros();
            let end_us = (o.end + Days::new(1)).and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_micros();
            for (table, bytes) in s.files() {
                let b = read(bytes);
                let min_rows = if table == Table::SupportEvents { 1 } else { days as usize };
                prop_assert!(b.num_rows() >= min_rows);
                let t = timestamps(&b, "created_at");
                prop_assert!(t.windows(2).all(|w| w[0] <= w[1]));
                prop_assert!(t[0] >= start_us);
                if table != Table::SupportEvents {
                    prop_assert!(*t.last().unwrap() < end_us);
                }
            }
        }
    }
}
