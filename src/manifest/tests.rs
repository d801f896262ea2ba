use super::*;
use chrono::TimeZone;
use serde_json::{Map, json};

fn part(path: &str, hash: char, rows: u64) -> Part {
    Part {
        path: path.into(),
        rows,
        bytes: 100 + rows,
        min_date: NaiveDate::from_ymd_opt(2026, 11, 27),
        max_date: NaiveDate::from_ymd_opt(2026, 11, 27),
        sha256: std::iter::repeat_n(hash, 64).collect(),
    }
}

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap()
}

fn sample() -> Manifest {
    Manifest::new(
        at(),
        [
            (Table::LlmEvents, part("raw_llm_events/dt=2026-11-26/part-0.parquet", 'a', 10)),
            (Table::LlmEvents, part("raw_llm_events/dt=2026-11-27/part-0.parquet", 'b', 20)),
            (Table::SupportEvents, part("https://cdn.example/raw_support_events.parquet", 'c', 3)),
        ],
    )
}

/// The sample as JSON, edited by `f`, then parsed.
fn parse_edited(f: impl FnOnce(&mut Value)) -> Result<Manifest, ManifestError> {
    let mut v: Value = serde_json::from_str(&sample().to_json()).unwrap();
    f(&mut v);
    Manifest::parse(&v.to_string())
}

fn err_of(f: impl FnOnce(&mut Value)) -> String {
    parse_edited(f).expect_err("should be refused").to_string()
}

fn llm_part(v: &mut Value, i: usize) -> &mut Map<String, Value> {
    v["tables"]["raw_llm_events"]["parts"][i].as_object_mut().unwrap()
}

#[test]
fn written_json_parses_back_to_the_same_manifest() {
    let m = sample();
    let text = m.to_json();
    let back = Manifest::parse(&text).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.rows(Table::LlmEvents), 30);
    assert_eq!(back.rows(Table::ConversionEvents), 0);
    assert_eq!(back.max_date(), NaiveDate::from_ymd_opt(2026, 11, 27));
    // Every table is written, even without parts; the time is RFC 3339 UTC.
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["tables"]["raw_conversion_events"]["parts"], json!([]));
    assert_eq!(v["generated_at"], "2026-11-27T10:00:00.000Z");
    assert_eq!(v["version"], 1);
    // Fields in the documented order, for people reading the file.
    assert!(text.starts_with("{\n  \"version\": 1,\n  \"generated_at\": "), "{text}");
    let order = ["\"path\"", "\"rows\"", "\"bytes\"", "\"min_date\"", "\"max_date\"", "\"sha256\""];
    let at: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(text.find("raw_llm_events").unwrap() < text.find("raw_support_events").unwrap());
}

#[test]
fn a_missing_table_has_no_parts_and_null_dates_are_allowed() {
    let m = parse_edited(|v| {
        v["tables"].as_object_mut().unwrap().remove("raw_support_events");
        llm_part(v, 0).insert("min_date".into(), Value::Null);
        llm_part(v, 0).insert("max_date".into(), Value::Null);
    })
    .unwrap();
    assert!(m.parts(Table::SupportEvents).is_empty());
    assert_eq!(m.parts(Table::LlmEvents)[0].min_date, None);
}

#[test]
fn bad_fields_are_named_with_their_path() {
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| {
                llm_part(v, 1).insert("rows".into(), json!(-3));
            }),
            "manifest.json: tables.raw_llm_events.parts[1].rows: expected a non-negative integer, found an integer -3",
        ),
        (Box::new(|v| { llm_part(v, 0).insert("rows".into(), json!(2.5)); }), "tables.raw_llm_events.parts[0].rows: expected a non-negative integer"),
        (Box::new(|v| { llm_part(v, 0).insert("rows".into(), json!("12")); }), "parts[0].rows: expected a non-negative integer, found the string \"12\""),
        (Box::new(|v| { llm_part(v, 0).insert("bytes".into(), Value::Null); }), "parts[0].bytes: expected a non-negative integer, found null"),
        (Box::new(|v| { llm_part(v, 1).remove("sha256"); }), "manifest.json: tables.raw_llm_events.parts[1].sha256: missing"),
        (Box::new(|v| { llm_part(v, 0).insert("sha256".into(), json!("ABC")); }), "parts[0].sha256: expected 64 lowercase hex digits"),
        (Box::new(|v| { llm_part(v, 0).insert("min_date".into(), json!("2026-13-01")); }), "parts[0].min_date: expected a date YYYY-MM-DD or null"),
        (Box::new(|v| { llm_part(v, 0).insert("min_date".into(), json!("2026-11-28")); }), "parts[0].min_date: 2026-11-28 is after max_date 2026-11-27"),
        (Box::new(|v| { llm_part(v, 0).insert("max_date".into(), Value::Null); }), "parts[0].min_date: min_date and max_date must both be dates or both be null"),
        (Box::new(|v| { llm_part(v, 0).insert("path".into(), json!("../secret.parquet")); }), "parts[0].path: \"../secret.parquet\": no '..'"),
        (Box::new(|v| { llm_part(v, 0).insert("path".into(), json!("/abs/x.parquet")); }), "parts[0].path: \"/abs/x.parquet\": a relative path must not start with '/'"),
        (Box::new(|v| { llm_part(v, 0).insert("path".into(), json!("file:///etc/passwd")); }), "only http:// and https:// URLs"),
        (Box::new(|v| { llm_part(v, 0).insert("path".into(), json!("")); }), "parts[0].path: must not be empty"),
        (Box::new(|v| { llm_part(v, 0).insert("path".into(), json!(7)); }), "parts[0].path: expected a string, found an integer"),
        (Box::new(|v| { v["tables"]["raw_llm_events"]["parts"][0] = json!([]); }), "tables.raw_llm_events.parts[0]: expected an object, found an array"),
        (Box::new(|v| { v["tables"]["raw_llm_events"] = json!({}); }), "tables.raw_llm_events.parts: missing"),
        (Box::new(|v| { v["tables"]["raw_llm_events"]["parts"] = json!({}); }), "tables.raw_llm_events.parts: expected an array, found an object"),
        (Box::new(|v| { v["tables"]["raw_llm_event"] = json!({"parts": []}); }), "tables.raw_llm_event: unknown table; expected one of raw_llm_events, raw_support_events, raw_conversion_events"),
        (Box::new(|v| { v["tables"] = json!([]); }), "manifest.json: tables: expected an object, found an array"),
        (Box::new(|v| { v.as_object_mut().unwrap().remove("tables"); }), "manifest.json: tables: missing"),
        (Box::new(|v| { v["version"] = json!(2); }), "manifest.json: version: unsupported version 2; this modelpulse reads version 1"),
        (Box::new(|v| { v["version"] = json!("1"); }), "version: expected an integer, found a string"),
        (Box::new(|v| { v.as_object_mut().unwrap().remove("version"); }), "manifest.json: version: missing"),
        (Box::new(|v| { v["generated_at"] = json!("yesterday"); }), "generated_at: expected an RFC 3339 date-time"),
        (Box::new(|v| { *v = json!([1]); }), "manifest.json: (top level): expected an object, found an array"),
    ];
    for (edit, want) in cases {
        let got = err_of(edit);
        assert!(got.contains(want), "got {got:?}\nwant it to contain {want:?}");
        assert!(!got.contains('\n'), "one line: {got:?}");
    }
}

#[test]
fn invalid_json_is_refused_with_the_file_name() {
    let e = Manifest::parse_named("data/manifest.json", "{\"version\": 1,").unwrap_err().to_string();
    assert!(e.starts_with("data/manifest.json: not valid JSON ("), "{e}");
    let e = Manifest::parse("").unwrap_err();
    assert!(matches!(e, ManifestError::Json { .. }));
}

#[test]
fn a_part_listed_twice_is_kept_once() {
    // Same path, same hash: dropped, reported.
    let m = parse_edited(|v| {
        let dup = v["tables"]["raw_llm_events"]["parts"][0].clone();
        v["tables"]["raw_llm_events"]["parts"].as_array_mut().unwrap().push(dup);
    })
    .unwrap();
    assert_eq!(m.parts(Table::LlmEvents).len(), 2);
    assert_eq!(m.rows(Table::LlmEvents), 30);
    assert_eq!(m.duplicates().len(), 1);
    assert_eq!((m.duplicates()[0].index, m.duplicates()[0].same_as), (2, 0));

    // The same bytes under another path: the rows are the same rows, kept once.
    let m = parse_edited(|v| {
        let mut dup = v["tables"]["raw_llm_events"]["parts"][1].clone();
        dup["path"] = json!("copy/part-0.parquet");
        v["tables"]["raw_llm_events"]["parts"].as_array_mut().unwrap().insert(0, dup);
    })
    .unwrap();
    assert_eq!(m.rows(Table::LlmEvents), 30);
    assert_eq!(m.parts(Table::LlmEvents)[0].path, "copy/part-0.parquet");
    assert_eq!(m.duplicates()[0].path, "raw_llm_events/dt=2026-11-27/part-0.parquet");

    // The same path with two contents is contradictory: refused, naming the repeat.
    let e = err_of(|v| {
        let mut dup = v["tables"]["raw_llm_events"]["parts"][0].clone();
        dup["sha256"] = json!("d".repeat(64));
        v["tables"]["raw_llm_events"]["parts"].as_array_mut().unwrap().push(dup);
    });
    assert!(e.contains("tables.raw_llm_events.parts[2].path: already listed as parts[0] with a different sha256"), "{e}");
}

#[test]
fn diff_lists_new_changed_and_removed_parts_once() {
    let old = sample();
    let new = Manifest::new(
        at(),
        [
            // unchanged
            (Table::LlmEvents, part("raw_llm_events/dt=2026-11-26/part-0.parquet", 'a', 10)),
            // rewritten with new content
            (Table::LlmEvents, part("raw_llm_events/dt=2026-11-27/part-0.parquet", 'e', 25)),
            // appended, and listed twice
            (Table::LlmEvents, part("raw_llm_events/dt=2026-11-27/part-1.parquet", 'f', 5)),
            (Table::LlmEvents, part("raw_llm_events/dt=2026-11-27/part-1.parquet", 'f', 5)),
            (Table::ConversionEvents, part("raw_conversion_events/dt=2026-11-27/part-0.parquet", '1', 7)),
            // support part removed
        ],
    );
    let d = Manifest::diff(&old, &new);
    let summary: Vec<(Table, &str, &ChangeKind)> = d.iter().map(|c| (c.table, c.part.path.as_str(), &c.change)).collect();
    assert_eq!(
        summary,
        vec![
            (Table::LlmEvents, "raw_llm_events/dt=2026-11-27/part-0.parquet", &ChangeKind::Changed { old_sha256: "b".repeat(64) }),
            (Table::LlmEvents, "raw_llm_events/dt=2026-11-27/part-1.parquet", &ChangeKind::Added),
            (Table::SupportEvents, "https://cdn.example/raw_support_events.parquet", &ChangeKind::Removed),
            (Table::ConversionEvents, "raw_conversion_events/dt=2026-11-27/part-0.parquet", &ChangeKind::Added),
        ]
    );
    assert_eq!(d[0].part.rows, 25, "a changed part carries its new entry");
    assert!(Manifest::diff(&new, &new).is_empty());
    // From nothing: everything is new.
    let all = Manifest::diff(&Manifest::default(), &new);
    assert_eq!(all.len(), 4);
    assert!(all.iter().all(|c| c.change == ChangeKind::Added));
}

#[test]
fn relative_paths_resolve_against_the_manifest_folder() {
    let base = "https://h.example/data/manifest.json?v=3#x";
    assert_eq!(resolve(base, "raw_llm_events/dt=2026-11-27/part-0.parquet"), "https://h.example/data/raw_llm_events/dt=2026-11-27/part-0.parquet");
    assert_eq!(resolve(base, "https://cdn.example/a.parquet"), "https://cdn.example/a.parquet");
    assert_eq!(resolve("manifest.json", "a/b.parquet"), "a/b.parquet");
    assert_eq!(resolve("/data/manifest.json", "a.parquet"), "/data/a.parquet");
}

/// The fixtures: dates from statistics (or decoding, for INT96/stat-less writers) match the
/// expected facts' first and last event_date; the row count matches a full load.
#[test]
fn describe_part_matches_the_fixtures() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    let mut seen = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let expected = dir.join("expected/dashboard_facts.csv");
        if !expected.exists() {
            continue;
        }
        let csv = std::fs::read_to_string(&expected).unwrap();
        let dates: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
        let bytes = Bytes::from(std::fs::read(dir.join("raw_llm_events.parquet")).unwrap());
        let p = describe_part(Table::LlmEvents, "raw_llm_events.parquet", &bytes).unwrap();
        assert_eq!(p.min_date.unwrap().to_string(), dates[0], "{}", dir.display());
        assert_eq!(p.max_date.unwrap().to_string(), *dates.last().unwrap(), "{}", dir.display());
        // The decode path agrees with whatever path describe_part took.
        let (rows, range) = stats::decoded_range(Table::LlmEvents, "x", &bytes).unwrap();
        assert_eq!((rows, range), (p.rows, p.min_date.zip(p.max_date)));
        let mut ds = crate::Dataset::new();
        let r = ds.load(Table::LlmEvents, "x", bytes.clone()).unwrap();
        assert_eq!(r.rows_read, p.rows);
        assert_eq!(p.bytes, bytes.len() as u64);
        assert_eq!(p.sha256.len(), 64);
        for t in [Table::SupportEvents, Table::ConversionEvents] {
            let b = Bytes::from(std::fs::read(dir.join(t.file_name())).unwrap());
            let p = describe_part(t, t.file_name(), &b).unwrap();
            let (rows, range) = stats::decoded_range(t, "x", &b).unwrap();
            assert_eq!((rows, range), (p.rows, p.min_date.zip(p.max_date)), "{} {}", dir.display(), t.name());
        }
        seen += 1;
    }
    assert!(seen >= 5, "fixtures found: {seen}");
}

#[test]
fn describe_part_refuses_bad_files_naming_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/bad");
    for name in ["corrupt-page.parquet", "empty-file.parquet", "missing-provider.parquet", "not-parquet.parquet", "tokens-as-text.parquet", "truncated.parquet"] {
        let bytes = Bytes::from(std::fs::read(root.join(name)).unwrap());
        match describe_part(Table::LlmEvents, name, &bytes) {
            Err(e) => assert!(e.to_string().starts_with(name), "{e}"),
            // A corrupt data page may go unnoticed when statistics answer; the load refuses it.
            Ok(_) => assert_eq!(name, "corrupt-page.parquet"),
        }
    }
    let ok = describe_part(Table::LlmEvents, "z", &Bytes::from(std::fs::read(root.join("zero-rows.parquet")).unwrap())).unwrap();
    assert_eq!((ok.rows, ok.min_date, ok.max_date), (0, None, None));
}

#[test]
fn sha256_matches_the_standard_test_vectors() {
    // FIPS 180-2 examples.
    assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/// Files with exact INT64 timestamp statistics (our generator's) are dated from the footer alone.
#[test]
fn statistics_answer_without_decoding_when_they_can() {
    let o = crate::generate::GenerateOptions { days: 3, seed: 2, events_per_day: 40, end: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap() };
    let s = crate::generate::generate(&o).unwrap();
    for (t, b) in s.files() {
        let b = Bytes::copy_from_slice(b);
        match stats::created_at_range(t, "x", &b).unwrap() {
            stats::Range::Known { rows, min_max } => {
                assert_eq!((rows, min_max), stats::decoded_range(t, "x", &b).unwrap());
                assert_eq!(min_max.unwrap().0, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
            }
            stats::Range::Unknown => panic!("{}: statistics not used", t.name()),
        }
    }
}
