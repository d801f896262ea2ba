//! Comparing a CSV the core printed with an expected CSV, as the spec says: same header, same rows
//! in the same order, keys and integers exact, floats within 1e-9 relative, nulls (empty fields)
//! only where expected. Shared by `tests/fixtures.rs` (native CLI) and `tests/wasm_core.rs`.
#![allow(dead_code)]

/// Columns compared as text (keys) or as exact integers.
const EXACT: &[&str] = &[
    "event_date", "provider", "events", "sessions", "tokens_input", "tokens_output", "tokens_total", "tickets",
    "tickets_resolved_by_agent", "treatment_users", "treatment_conversions", "control_users",
    "control_conversions",
];

/// A small RFC 4180 line splitter (no embedded newlines in these files).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let mut fields = Vec::new();
            let mut cur = String::new();
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, quoted) {
                    ('"', true) if chars.peek() == Some(&'"') => {
                        cur.push('"');
                        chars.next();
                    }
                    ('"', _) => quoted = !quoted,
                    (',', false) => fields.push(std::mem::take(&mut cur)),
                    _ => cur.push(c),
                }
            }
            fields.push(cur);
            fields
        })
        .collect()
}

/// Compares CSV `got` with `expected`; returns a list of differences.
pub fn diff_csv(got: &str, expected: &str) -> Vec<String> {
    let g = parse_csv(got);
    let e = parse_csv(expected);
    let mut diffs = Vec::new();
    if g.first() != e.first() {
        diffs.push(format!("header {:?} != {:?}", g.first(), e.first()));
        return diffs;
    }
    if g.len() != e.len() {
        diffs.push(format!("{} rows, expected {}", g.len() - 1, e.len() - 1));
    }
    let header = &e[0];
    for (row, (gr, er)) in g.iter().zip(&e).enumerate().skip(1) {
        for ((name, gv), ev) in header.iter().zip(gr).zip(er) {
            let same = if gv == ev {
                true
            } else if EXACT.contains(&name.as_str()) || gv.is_empty() || ev.is_empty() {
                false
            } else {
                match (gv.parse::<f64>(), ev.parse::<f64>()) {
                    (Ok(a), Ok(b)) => a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()),
                    _ => false,
                }
            };
            if !same {
                diffs.push(format!("row {row} ({}, {}) {name}: got {gv:?}, expected {ev:?}", er[0], er[1]));
            }
        }
    }
    diffs
}

