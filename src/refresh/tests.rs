//! Tests of [`super`]: conditional requests, manifest sync against a reference load, backoff,
//! staleness and the status text.

use super::*;
use crate::facts::{conversion_csv, dashboard_csv};
use crate::generate::{DayPart, GenerateOptions, generate_partitioned};
use crate::manifest::describe_part;
use crate::query::Query;
use chrono::TimeZone;

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, h, m, s).unwrap()
}

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

// ---- validators, classify, failures ----

#[test]
fn validators_become_conditional_headers() {
    let v = Validators::from_headers(Some("\"abc\""), Some("Fri, 27 Nov 2026 10:00:00 GMT"));
    assert_eq!(
        v.conditional_headers(),
        vec![("If-None-Match", "\"abc\"".to_string()), ("If-Modified-Since", "Fri, 27 Nov 2026 10:00:00 GMT".to_string())]
    );
    let weak = Validators::from_headers(Some("W/\"x\""), Some("  "));
    assert_eq!(weak.conditional_headers(), vec![("If-None-Match", "W/\"x\"".to_string())]);
    assert!(Validators::from_headers(None, Some("")).is_empty());
    assert!(Validators::default().conditional_headers().is_empty());
}

#[test]
fn statuses_are_classified() {
    assert_eq!(classify(304, "Not Modified", true), Reply::NotModified);
    assert_eq!(classify(200, "OK", true), Reply::Body);
    assert_eq!(classify(200, "", false), Reply::Body);
    assert_eq!(classify(500, "Internal Server Error", true), Reply::Failed { why: "HTTP 500 Internal Server Error".into() });
    assert_eq!(classify(404, "", false), Reply::Failed { why: "HTTP 404".into() });
    // A 304 we did not ask for refers to nothing we hold.
    assert!(matches!(classify(304, "Not Modified", false), Reply::Failed { .. }));
}

#[test]
fn failure_names_the_file_once() {
    let f = Failure::new("raw_llm_events.parquet", "raw_llm_events.parquet: corrupt data (x)");
    assert_eq!(f.to_string(), "raw_llm_events.parquet: corrupt data (x)");
    let f = Failure::new("manifest.json", "HTTP 500");
    assert_eq!(f.to_string(), "manifest.json: HTTP 500");
}

// ---- manifest sync ----

fn opts(seed: u64) -> GenerateOptions {
    GenerateOptions { days: 5, seed, events_per_day: 40, end: date(27) }
}

/// Parts of a 5-day demo (seed 1) and, for "rewrites", the same paths with other content (seed 2).
struct Pool {
    a: Vec<DayPart>,
    b: Vec<DayPart>,
}

fn pool() -> Pool {
    Pool { a: generate_partitioned(&opts(1)).unwrap(), b: generate_partitioned(&opts(2)).unwrap() }
}

/// A served folder: (table, path, bytes) of each listed part.
#[derive(Default, Clone)]
struct Folder {
    files: Vec<(Table, String, Bytes)>,
}

impl Folder {
    fn put(&mut self, p: &DayPart, path: &str) {
        self.files.retain(|(_, q, _)| q != path);
        self.files.push((p.table, path.to_string(), Bytes::from(p.bytes.clone())));
    }
    fn manifest(&self, minute: u32) -> Manifest {
        let parts = self.files.iter().map(|(t, path, b)| (*t, describe_part(*t, path, b).unwrap()));
        Manifest::new(at(10, minute, 0), parts)
    }
    fn get(&self, path: &str) -> Bytes {
        self.files.iter().find(|(_, p, _)| p == path).unwrap().2.clone()
    }
    /// What a poll fetches: the bytes of each planned part.
    fn serve(&self, plan: &Plan) -> Vec<(Table, Part, Bytes)> {
        plan.fetch.iter().map(|(t, p)| (*t, p.clone(), self.get(&p.path))).collect()
    }
}

/// The facts of `m`'s parts loaded from scratch with `load_parts` (the reference).
fn reference(m: &Manifest, folder: &Folder) -> (String, String, String) {
    let mut ds = Dataset::new();
    for t in Table::ALL {
        let files: Vec<(&str, Bytes)> = m.parts(t).iter().map(|p| (p.path.as_str(), folder.get(&p.path))).collect();
        ds.load_parts(t, &files).unwrap();
    }
    facts(&ds)
}

fn facts(ds: &Dataset) -> (String, String, String) {
    let q = Query::default();
    (dashboard_csv(&ds.dashboard_facts(&q)), dashboard_csv(&ds.daily_totals(&q)), conversion_csv(&ds.conversion_facts(&q)))
}

fn poll(sync: &mut ManifestSync, folder: &Folder, m: Manifest, ds: &mut Dataset) -> Result<(Plan, Applied), Failure> {
    let plan = sync.plan(&m);
    let fetched = folder.serve(&plan);
    let applied = sync.apply(m, Validators::from_headers(Some("\"v\""), None), &plan, fetched, ds)?;
    Ok((plan, applied))
}

fn events(ds: &Dataset) -> i64 {
    ds.dashboard_facts(&Query::default()).iter().map(|r| r.events).sum()
}

#[test]
fn appending_fetches_only_the_new_parts_and_equals_a_fresh_load() {
    let pool = pool();
    let day = |d: NaiveDate| pool.a.iter().filter(move |p| p.date == d);
    let mut folder = Folder::default();
    for d in 23..=26 {
        for p in day(date(d)) {
            folder.put(p, &p.path(0));
        }
    }
    let (mut sync, mut ds) = (ManifestSync::new(), Dataset::new());
    let m1 = folder.manifest(0);
    let (plan, applied) = poll(&mut sync, &folder, m1.clone(), &mut ds).unwrap();
    assert_eq!(plan.fetch.len(), folder.files.len());
    assert_eq!(applied.tables, Table::ALL.to_vec());
    assert_eq!(facts(&ds), reference(&m1, &folder));
    assert_eq!(sync.conditional_headers(), vec![("If-None-Match", "\"v\"".to_string())]);

    // The same manifest again: nothing to fetch or rebuild.
    assert!(sync.plan(&m1).is_empty() && sync.plan(&m1).fetch.is_empty());

    // Append day 27: only its parts are fetched, and the facts equal a load of all parts.
    let new: Vec<&DayPart> = day(date(27)).collect();
    assert!(!new.is_empty());
    for p in &new {
        folder.put(p, &p.path(0));
    }
    let m2 = folder.manifest(1);
    let (plan, applied) = poll(&mut sync, &folder, m2.clone(), &mut ds).unwrap();
    let mut fetched: Vec<&str> = plan.fetch.iter().map(|(_, p)| p.path.as_str()).collect();
    let mut want: Vec<String> = new.iter().map(|p| p.path(0)).collect();
    fetched.sort();
    want.sort();
    assert_eq!(fetched, want);
    assert_eq!(applied.added, new.len());
    assert_eq!(facts(&ds), reference(&m2, &folder));
}

#[test]
fn a_rewritten_or_repeated_part_counts_once() {
    let pool = pool();
    let mut folder = Folder::default();
    for p in &pool.a {
        folder.put(p, &p.path(0));
    }
    let (mut sync, mut ds) = (ManifestSync::new(), Dataset::new());
    poll(&mut sync, &folder, folder.manifest(0), &mut ds).unwrap();
    let before = events(&ds);

    // Rewrite day 26's LLM part with other content under the same path.
    let old = pool.a.iter().find(|p| p.table == Table::LlmEvents && p.date == date(26)).unwrap();
    let new = pool.b.iter().find(|p| p.table == Table::LlmEvents && p.date == date(26)).unwrap();
    folder.put(new, &old.path(0));
    let m = folder.manifest(1);
    let (plan, applied) = poll(&mut sync, &folder, m.clone(), &mut ds).unwrap();
    assert_eq!((plan.fetch.len(), applied.changed, applied.added), (1, 1, 0));
    assert_eq!(plan.tables, vec![Table::LlmEvents]);
    assert_eq!(facts(&ds), reference(&m, &folder));
    assert_eq!(events(&ds), before - old.rows as i64 + new.rows as i64);

    // The same bytes uploaded again under another path: listed twice, counted once, not fetched.
    folder.put(new, "raw_llm_events/dt=2026-11-26/part-1.parquet");
    let m = folder.manifest(2);
    assert_eq!(m.duplicates().len(), 1);
    let (plan, _) = poll(&mut sync, &folder, m.clone(), &mut ds).unwrap();
    assert!(plan.fetch.is_empty() && plan.is_empty());
    assert_eq!(facts(&ds), reference(&m, &folder));
    assert_eq!(events(&ds), before - old.rows as i64 + new.rows as i64);
}

#[test]
fn removed_parts_are_dropped() {
    let pool = pool();
    let mut folder = Folder::default();
    for p in &pool.a {
        folder.put(p, &p.path(0));
    }
    let (mut sync, mut ds) = (ManifestSync::new(), Dataset::new());
    poll(&mut sync, &folder, folder.manifest(0), &mut ds).unwrap();
    folder.files.retain(|(t, _, _)| *t != Table::ConversionEvents);
    let m = folder.manifest(1);
    let (plan, applied) = poll(&mut sync, &folder, m.clone(), &mut ds).unwrap();
    assert!(plan.fetch.is_empty());
    assert_eq!(plan.tables, vec![Table::ConversionEvents]);
    assert!(applied.removed > 0);
    assert_eq!(facts(&ds), reference(&m, &folder));
    assert!(ds.conversion_facts(&Query::default()).is_empty());
}

#[test]
fn a_failed_poll_keeps_the_last_good_data_and_retries_only_what_is_missing() {
    let pool = pool();
    let mut folder = Folder::default();
    for p in pool.a.iter().filter(|p| p.date < date(27)) {
        folder.put(p, &p.path(0));
    }
    let (mut sync, mut ds) = (ManifestSync::new(), Dataset::new());
    let m1 = folder.manifest(0);
    poll(&mut sync, &folder, m1.clone(), &mut ds).unwrap();
    let good = facts(&ds);

    // Day 27 appended; its LLM part arrives damaged (bytes differ from the manifest's hash).
    for p in pool.a.iter().filter(|p| p.date == date(27)) {
        folder.put(p, &p.path(0));
    }
    let m2 = folder.manifest(1);
    let mut plan = sync.plan(&m2);
    // The damaged part last, so the others are decoded (and cached) before it fails.
    plan.fetch.sort_by_key(|(t, _)| *t == Table::LlmEvents);
    let damaged = plan.fetch.last().unwrap().1.path.clone();
    assert!(plan.fetch.len() > 1 && damaged.starts_with("raw_llm_events/"));
    let mut fetched = folder.serve(&plan);
    for f in fetched.iter_mut().filter(|f| f.1.path == damaged) {
        let mut b = f.2.to_vec();
        let mid = b.len() / 2;
        b[mid] ^= 0xff;
        f.2 = Bytes::from(b);
    }
    let e = sync.apply(m2.clone(), Validators::from_headers(Some("\"v2\""), None), &plan, fetched, &mut ds).unwrap_err();
    assert_eq!(e.file, damaged);
    assert!(e.why.contains("sha256"), "{e}");
    assert_eq!(facts(&ds), good, "the dataset is unchanged");
    assert_eq!(sync.last_good(), Some(&m1));
    assert_eq!(
        sync.conditional_headers(),
        vec![("If-None-Match", "\"v\"".to_string())],
        "validators not advanced: the next poll gets the manifest again"
    );

    // The retry fetches only the damaged part: the others decoded and stay cached.
    let retry = sync.plan(&m2);
    assert_eq!(retry.fetch.iter().map(|(_, p)| p.path.clone()).collect::<Vec<_>>(), vec![damaged.clone()]);
    let fetched = folder.serve(&retry);
    sync.apply(m2.clone(), Validators::default(), &retry, fetched, &mut ds).unwrap();
    assert_eq!(facts(&ds), reference(&m2, &folder));
}

#[test]
fn a_part_that_does_not_decode_names_its_path_and_changes_nothing() {
    let pool = pool();
    let mut folder = Folder::default();
    for p in pool.a.iter().filter(|p| p.date < date(27)) {
        folder.put(p, &p.path(0));
    }
    let (mut sync, mut ds) = (ManifestSync::new(), Dataset::new());
    poll(&mut sync, &folder, folder.manifest(0), &mut ds).unwrap();
    let good = facts(&ds);
    // A part whose manifest entry matches its bytes, but the bytes are not Parquet.
    let garbage = Bytes::from_static(b"this is not parquet at all");
    let part = Part {
        path: "raw_llm_events/dt=2026-11-27/part-0.parquet".into(),
        rows: 10,
        bytes: garbage.len() as u64,
        min_date: Some(date(27)),
        max_date: Some(date(27)),
        sha256: sha256_hex(&garbage),
    };
    let base = folder.manifest(1);
    let listed = Table::ALL.iter().flat_map(|&t| base.parts(t).iter().map(move |p| (t, p.clone())));
    let m = Manifest::new(base.generated_at, listed.chain([(Table::LlmEvents, part.clone())]));
    let plan = sync.plan(&m);
    assert_eq!(plan.fetch.len(), 1);
    let e = sync.apply(m, Validators::default(), &plan, vec![(Table::LlmEvents, part.clone(), garbage)], &mut ds).unwrap_err();
    assert_eq!(e.file, part.path);
    assert!(e.why.contains("not a Parquet file"), "{e}");
    assert_eq!(facts(&ds), good);

    // A part the poll did not deliver is a failure too.
    let mut folder2 = folder.clone();
    let extra = pool.a.iter().find(|p| p.date == date(27)).unwrap();
    folder2.put(extra, &extra.path(0));
    let m3 = folder2.manifest(2);
    let plan = sync.plan(&m3);
    let e = sync.apply(m3, Validators::default(), &plan, Vec::new(), &mut ds).unwrap_err();
    assert_eq!(e.why, "not fetched");
    assert_eq!(facts(&ds), good);
}

#[test]
fn check_part_compares_size_then_hash() {
    let b = b"abc";
    let mut p = Part { path: "x.parquet".into(), rows: 0, bytes: 3, min_date: None, max_date: None, sha256: sha256_hex(b) };
    assert!(check_part(&p, b).is_ok());
    assert!(check_part(&p, b"abcd").unwrap_err().why.contains("4 bytes received, the manifest says 3"));
    p.sha256 = sha256_hex(b"abd");
    assert!(check_part(&p, b).unwrap_err().why.contains("does not match"));
}

// ---- single files ----

#[test]
fn single_files_keep_the_last_good_table_on_error() {
    let snap = crate::generate::generate(&opts(1)).unwrap();
    let urls: Vec<(Table, String)> = Table::ALL.iter().map(|t| (*t, format!("data/{}", t.file_name()))).collect();
    let mut sync = FileSync::new(&urls);
    let mut ds = Dataset::new();
    assert!(sync.requests().iter().all(|(_, _, h)| h.is_empty()));
    for (t, b) in snap.files() {
        let v = Validators::from_headers(Some(&format!("\"{}\"", t.name())), Some("Fri, 27 Nov 2026 10:00:00 GMT"));
        sync.apply(t, t.file_name(), Bytes::copy_from_slice(b), v, &mut ds).unwrap();
    }
    let good = facts(&ds);
    assert_eq!(sync.requests()[0].2[0], ("If-None-Match", "\"raw_llm_events\"".to_string()));
    assert_eq!(sync.last_modified(), Some(at(10, 0, 0)));
    let e = sync
        .apply(
            Table::LlmEvents,
            "raw_llm_events.parquet",
            Bytes::from_static(b"PAR1 broken"),
            Validators::from_headers(Some("\"new\""), None),
            &mut ds,
        )
        .unwrap_err();
    assert_eq!(e.file, "raw_llm_events.parquet");
    assert_eq!(facts(&ds), good);
    assert_eq!(sync.requests()[0].2[0].1, "\"raw_llm_events\"", "validators kept: the file is fetched again");
}

/// The first load's validators seed the sync: the first poll is conditional (a 304 then decodes
/// nothing), for the files whose response had validators; a later body replaces the seed.
#[test]
fn the_first_poll_of_single_files_is_conditional_with_the_first_loads_validators() {
    let urls: Vec<(Table, String)> = Table::ALL.iter().map(|t| (*t, format!("data/{}", t.file_name()))).collect();
    let mut sync = FileSync::new(&urls);
    let lm = "Fri, 27 Nov 2026 09:30:00 GMT";
    sync.seed(Table::LlmEvents, Validators::from_headers(Some("\"llm-1\""), Some(lm)));
    sync.seed(Table::SupportEvents, Validators::from_headers(None, Some(lm)));
    // No validators in the response (a server without them): nothing to send, a plain GET.
    sync.seed(Table::ConversionEvents, Validators::from_headers(Some(" "), None));
    let r = sync.requests();
    assert_eq!((r[0].0, r[0].1.as_str()), (Table::LlmEvents, "data/raw_llm_events.parquet"));
    assert_eq!(r[0].2, vec![("If-None-Match", "\"llm-1\"".to_string()), ("If-Modified-Since", lm.to_string())]);
    assert_eq!(r[1].2, vec![("If-Modified-Since", lm.to_string())]);
    assert!(r[2].2.is_empty());
    // The seeds date the data for the staleness check, like applied bodies do.
    assert_eq!(sync.last_modified(), Some(at(9, 30, 0)));
    // The 304 the seeded request gets is "nothing new"; a 200 to an unseeded one is a body.
    assert_eq!(classify(304, "Not Modified", !r[0].2.is_empty()), Reply::NotModified);
    assert!(matches!(classify(304, "", !r[2].2.is_empty()), Reply::Failed { .. }));
    // A changed file: its body replaces the seed; the others keep theirs.
    let snap = crate::generate::generate(&opts(1)).unwrap();
    let mut ds = Dataset::new();
    sync.apply(Table::LlmEvents, "raw_llm_events.parquet", Bytes::copy_from_slice(&snap.llm), Validators::from_headers(Some("\"llm-2\""), None), &mut ds)
        .unwrap();
    let r = sync.requests();
    assert_eq!(r[0].2, vec![("If-None-Match", "\"llm-2\"".to_string())]);
    assert_eq!(r[1].2, vec![("If-Modified-Since", lm.to_string())]);
    // Seeding an empty set of validators does not erase what is known.
    sync.seed(Table::LlmEvents, Validators::default());
    assert_eq!(sync.requests()[0].2.len(), 1);
}

// ---- schedule ----

#[test]
fn backoff_doubles_up_to_five_minutes_and_resets() {
    let mut s = Schedule::new(10);
    let mut seen = vec![s.delay_seconds().unwrap()];
    for _ in 0..7 {
        s.failed();
        seen.push(s.delay_seconds().unwrap());
    }
    assert_eq!(seen, vec![10, 20, 40, 80, 160, 300, 300, 300]);
    s.succeeded();
    assert_eq!(s.delay_seconds(), Some(10));
    s.pause();
    assert_eq!(s.delay_seconds(), None);
    s.resume();
    assert_eq!(s.delay_seconds(), Some(10));
    assert_eq!(Schedule::new(0).delay_seconds(), None);
    let mut slow = Schedule::new(600);
    slow.failed();
    assert_eq!(slow.delay_seconds(), Some(600), "a period above the cap is never shortened");
}

// ---- staleness and text ----

#[test]
fn newest_data_is_the_earlier_of_publication_and_the_end_of_the_last_day() {
    let end_of_26 = Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap();
    assert_eq!(newest_data(Some(at(10, 0, 0)), Some(date(26))), Some(end_of_26));
    assert_eq!(newest_data(Some(at(10, 0, 0)), Some(date(27))), Some(at(10, 0, 0)));
    assert_eq!(newest_data(None, Some(date(26))), Some(end_of_26));
    assert_eq!(newest_data(Some(at(9, 0, 0)), None), Some(at(9, 0, 0)));
    assert_eq!(newest_data(None, None), None);
    assert!(is_stale(Some(at(9, 0, 0)), at(10, 0, 1), 3600));
    assert!(!is_stale(Some(at(9, 0, 0)), at(10, 0, 0), 3600));
    assert!(!is_stale(Some(at(0, 0, 0)), at(23, 0, 0), 0), "0 = never stale");
    assert!(!is_stale(None, at(23, 0, 0), 60));
}

#[test]
fn status_lines_in_both_languages() {
    let mut s = Status { last_success: Some(at(10, 0, 0)), newest: Some(at(9, 0, 0)), ..Default::default() };
    assert_eq!(status_lines(Lang::En, &s, at(10, 0, 4), 0), vec![(Tone::Info, "updated 4 s ago".to_string())]);
    assert_eq!(status_lines(Lang::Id, &s, at(10, 0, 4), 0), vec![(Tone::Info, "diperbarui 4 dtk lalu".to_string())]);
    assert_eq!(status_lines(Lang::En, &s, at(10, 5, 0), 0)[0].1, "updated 5 min ago");
    assert_eq!(status_lines(Lang::En, &s, at(13, 0, 0), 0)[0].1, "updated 3 h ago");
    assert_eq!(
        status_lines(Lang::En, &s, at(10, 0, 4), 1800)[1],
        (Tone::Warning, "stale: newest data from 27 Nov 2026 09:00 UTC".to_string())
    );
    s.failure = Some(Failure::new("manifest.json", "HTTP 500 Internal Server Error"));
    s.next_poll = Some(at(10, 0, 24));
    let lines = status_lines(Lang::En, &s, at(10, 0, 4), 0);
    assert_eq!(
        lines[1],
        (Tone::Warning, "refresh failed: manifest.json: HTTP 500 Internal Server Error; retrying in 20 s".to_string())
    );
    assert_eq!(
        status_lines(Lang::Id, &s, at(10, 0, 4), 0)[1].1,
        "pembaruan gagal: manifest.json: HTTP 500 Internal Server Error; mencoba lagi dalam 20 dtk"
    );
    s.paused = true;
    let lines = status_lines(Lang::En, &s, at(10, 0, 4), 0);
    assert_eq!(lines[1], (Tone::Info, "updates paused".to_string()));
    assert_eq!(lines[2].1, "refresh failed: manifest.json: HTTP 500 Internal Server Error", "no retry while paused");
    let never = Status::default();
    assert_eq!(status_lines(Lang::En, &never, at(10, 0, 0), 60), vec![(Tone::Info, "not updated yet".to_string())]);
}

#[test]
fn fill_replaces_once() {
    assert_eq!(fill("a {x} b {y} {z}", &[("x", "{y}"), ("y", "2")]), "a {y} b 2 {z}");
    assert_eq!(fill("{", &[]), "{");
    assert_eq!(fill("}{n}{", &[("n", "1")]), "}1{");
}

/// Property tests (native only: proptest is a native dev-dependency).
#[cfg(not(target_arch = "wasm32"))]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn backoff_stays_within_the_period_and_the_cap(every in 1u32..2000, fails in 0u32..64) {
            let mut s = Schedule::new(every);
            let mut last = s.delay_seconds().unwrap();
            prop_assert_eq!(last, every);
            for _ in 0..fails {
                s.failed();
                let d = s.delay_seconds().unwrap();
                prop_assert!(d >= last && d >= every && d <= MAX_BACKOFF_SECONDS.max(every));
                last = d;
            }
            s.succeeded();
            prop_assert_eq!(s.delay_seconds(), Some(every));
        }

        #[test]
        fn fill_leaves_text_without_placeholders_alone(text in "[^{}]{0,40}", v in ".{0,10}") {
            prop_assert_eq!(fill(&text, &[("n", &v)]), text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

        /// Any sequence of folder states — parts appended, rewritten with other content, removed,
        /// listed twice — polled in turn: after every poll the dataset equals a fresh load of the
        /// manifest's parts, and no poll fetches a part it already holds.
        #[test]
        fn any_sequence_of_manifests_equals_a_fresh_load(
            steps in proptest::collection::vec(proptest::collection::vec((0u8..3, any::<bool>()), 16), 1..4),
        ) {
            let pool = pool();
            let (mut sync, mut ds) = (ManifestSync::new(), Dataset::new());
            let keys: Vec<(Table, NaiveDate)> = pool.a.iter().map(|p| (p.table, p.date)).collect();
            for (minute, step) in steps.iter().enumerate() {
                // Per (table, day): 0 absent, 1 content A, 2 content B; `dup`: also under part-1.
                let mut folder = Folder::default();
                for (&(choice, dup), &(t, d)) in step.iter().zip(&keys) {
                    let src = match choice { 1 => &pool.a, 2 => &pool.b, _ => continue };
                    let Some(p) = src.iter().find(|p| p.table == t && p.date == d) else { continue };
                    folder.put(p, &p.path(0));
                    if dup { folder.put(p, &p.path(1)); }
                }
                let m = folder.manifest(minute as u32);
                let held: Vec<(Table, String)> = Table::ALL.iter().flat_map(|&t| {
                    sync.last_good().map(|g| g.parts(t).iter().map(|p| (t, p.sha256.clone())).collect::<Vec<_>>()).unwrap_or_default()
                }).collect();
                let (plan, _) = poll(&mut sync, &folder, m.clone(), &mut ds).unwrap();
                for (t, p) in &plan.fetch {
                    prop_assert!(!held.contains(&(*t, p.sha256.clone())), "refetched a held part {}", p.path);
                }
                prop_assert_eq!(facts(&ds), reference(&m, &folder));
            }
        }
    }
}

// ranged_changed: a poll of a file read by ranges.

fn v(etag: Option<&str>, lm: Option<&str>) -> Validators {
    Validators::from_headers(etag, lm)
}

#[test]
fn ranged_same_validators_and_length_is_unchanged() {
    let held = v(Some("\"a\""), Some("Fri, 27 Nov 2026 10:00:00 GMT"));
    assert!(!ranged_changed(&held, 5_000_000, &held.clone(), Some(5_000_000)));
    // A 206 without Content-Range total (unreadable) and the same validators: unchanged.
    assert!(!ranged_changed(&held, 5_000_000, &held.clone(), None));
}

#[test]
fn ranged_new_etag_or_length_is_changed() {
    let held = v(Some("\"a\""), Some("Fri, 27 Nov 2026 10:00:00 GMT"));
    assert!(ranged_changed(&held, 5_000_000, &v(Some("\"b\""), Some("Fri, 27 Nov 2026 10:00:00 GMT")), Some(5_000_000)));
    assert!(ranged_changed(&held, 5_000_000, &held.clone(), Some(5_000_001)));
    // The ETag decides when both have one, whatever Last-Modified says.
    assert!(!ranged_changed(&held, 5_000_000, &v(Some("\"a\""), Some("Fri, 27 Nov 2026 11:00:00 GMT")), Some(5_000_000)));
}

#[test]
fn ranged_last_modified_decides_without_etags() {
    let held = v(None, Some("Fri, 27 Nov 2026 10:00:00 GMT"));
    assert!(!ranged_changed(&held, 10, &held.clone(), Some(10)));
    assert!(ranged_changed(&held, 10, &v(None, Some("Fri, 27 Nov 2026 10:00:05 GMT")), Some(10)));
    // No validators anywhere: only the length can tell.
    assert!(!ranged_changed(&Validators::default(), 10, &Validators::default(), Some(10)));
    assert!(ranged_changed(&Validators::default(), 10, &Validators::default(), Some(11)));
    // A validator appearing where none was held: the file may have changed.
    assert!(ranged_changed(&Validators::default(), 10, &v(Some("\"x\""), None), Some(10)));
}

#[test]
fn file_sync_is_same_only_for_the_held_non_empty_validators() {
    let mut sync = FileSync::new(&[(Table::LlmEvents, "a.parquet".into()), (Table::SupportEvents, "b.parquet".into())]);
    let held = v(Some("\"a\""), None);
    // Nothing held: never the same (a body is decoded).
    assert!(!sync.is_same(Table::LlmEvents, &held));
    sync.seed(Table::LlmEvents, held.clone());
    assert!(sync.is_same(Table::LlmEvents, &held));
    assert!(!sync.is_same(Table::LlmEvents, &v(Some("\"b\""), None)));
    assert!(!sync.is_same(Table::SupportEvents, &held));
    assert!(!sync.is_same(Table::SupportEvents, &Validators::default()));
}
