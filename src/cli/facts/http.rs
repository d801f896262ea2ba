//! Loading a snapshot from an `http://` / `https://` URL, with range requests when the server
//! supports them (see `modelpulse::load::ranges` for the plan and why the facts stay exact).
//!
//! The first request asks for the footer: `Range: bytes=-65536`. A `206 Partial Content` answer
//! with a `Content-Range: bytes a-b/total` header means ranges work: the footer is parsed (one more
//! suffix request when it is longer), then the planned ranges are fetched one request each
//! (`Range: bytes=a-b`, each answer checked: status 206 and the same `Content-Range`). A `200`
//! answer means the server ignored the header: the body is the whole file and is loaded whole.
//! Errors name the URL: an HTTP status, a network error, an answer whose length or
//! `Content-Range` does not match the request, and the loader's own errors.

use anyhow::{anyhow, bail};
use bytes::Bytes;
use modelpulse::Dataset;
use modelpulse::contract::Table;
use modelpulse::load::ranges::{COALESCE_GAP, FOOTER_GUESS, Footer, FooterRead, Window};
use std::ops::Range;
use std::time::Duration;

/// What loading one URL fetched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fetched {
    /// Response body bytes received.
    pub bytes: u64,
    /// The file's length (from `Content-Range`, or the whole body).
    pub file_len: u64,
    /// HTTP requests made.
    pub requests: u32,
    /// True when the file was read by range requests; false after a full GET.
    pub ranged: bool,
    /// Row groups loaded and in the file (range reads only).
    pub row_groups: (usize, usize),
}

/// True when `s` is an `http://` or `https://` URL.
pub fn is_url(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// A blocking HTTP client for snapshot files.
pub struct Client {
    agent: ureq::Agent,
}

/// One answer: status, body, and the parsed `Content-Range` (start, end inclusive, total).
struct Answer {
    status: u16,
    body: Bytes,
    content_range: Option<(u64, u64, u64)>,
}

impl Client {
    /// A client whose requests time out after `timeout` each.
    pub fn new(timeout: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent("modelpulse-facts")
            .build();
        Client { agent: ureq::Agent::new_with_config(config) }
    }

    fn get(&self, url: &str, range: Option<&str>, fetched: &mut Fetched) -> anyhow::Result<Answer> {
        let mut req = self.agent.get(url);
        if let Some(r) = range {
            req = req.header("Range", r);
        }
        let mut resp = req.call().map_err(|e| anyhow!("{url}: {e}"))?;
        fetched.requests += 1;
        let status = resp.status().as_u16();
        let content_range = resp
            .headers()
            .get("content-range")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_content_range);
        let body = resp
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .map_err(|e| anyhow!("{url}: reading the response: {e}"))?;
        fetched.bytes += body.len() as u64;
        Ok(Answer { status, body: Bytes::from(body), content_range })
    }

    /// Bytes `r` of `url` (a `206` answer with exactly that `Content-Range` and length).
    fn get_range(&self, url: &str, r: &Range<u64>, len: u64, fetched: &mut Fetched) -> anyhow::Result<Bytes> {
        let a = self.get(url, Some(&format!("bytes={}-{}", r.start, r.end - 1)), fetched)?;
        if a.status != 206 {
            bail!("{url}: HTTP {} to a range request for bytes {}-{} (expected 206)", a.status, r.start, r.end - 1);
        }
        if a.content_range != Some((r.start, r.end - 1, len)) || a.body.len() as u64 != r.end - r.start {
            bail!(
                "{url}: asked for bytes {}-{}/{len}, got {} bytes with Content-Range {:?}",
                r.start,
                r.end - 1,
                a.body.len(),
                a.content_range
            );
        }
        Ok(a.body)
    }

    /// The last `n` bytes of `url` and the file's length; `Err(Some(body))` when the server
    /// answered 200 (no range support: the body is the whole file).
    fn get_tail(&self, url: &str, n: u64, fetched: &mut Fetched) -> anyhow::Result<Result<(Bytes, u64), Bytes>> {
        let a = self.get(url, Some(&format!("bytes=-{n}")), fetched)?;
        match a.status {
            200 => Ok(Err(a.body)),
            206 => {
                let Some((start, end, total)) = a.content_range else {
                    bail!("{url}: a 206 answer without a valid Content-Range header");
                };
                if end + 1 != total || end < start || a.body.len() as u64 != end - start + 1 {
                    bail!(
                        "{url}: asked for the last {n} bytes, got {} bytes with Content-Range bytes {start}-{end}/{total}",
                        a.body.len()
                    );
                }
                Ok(Ok((a.body, total)))
            }
            // An empty file: no byte range is satisfiable. Load it whole for the loader's message.
            416 => Ok(Err(Bytes::new())),
            s => bail!("{url}: HTTP {s}"),
        }
    }

    /// Loads `table` from `url` into `ds`: by ranges (only the row groups meeting `window`) when
    /// the server supports them, else from a full GET. The loader's errors name `url`.
    pub fn load(&self, ds: &mut Dataset, table: Table, url: &str, window: Window) -> anyhow::Result<Fetched> {
        let mut fetched = Fetched::default();
        let mut want = FOOTER_GUESS;
        let footer = loop {
            let (tail, len) = match self.get_tail(url, want, &mut fetched)? {
                Ok(t) => t,
                Err(whole) => {
                    fetched.file_len = whole.len() as u64;
                    ds.load(table, url, whole).map_err(|e| anyhow!("{e}"))?;
                    return Ok(fetched);
                }
            };
            fetched.file_len = len;
            match Footer::parse(url, len, tail).map_err(|e| anyhow!("{e}"))? {
                FooterRead::Done(f) => break f,
                FooterRead::NeedTail(n) if n > want => want = n,
                FooterRead::NeedTail(n) => bail!("{url}: the footer needs {n} bytes but {want} were not enough"),
            }
        };
        let plan = footer.plan(table, window, COALESCE_GAP).map_err(|e| anyhow!("{e}"))?;
        let mut pieces = Vec::with_capacity(plan.ranges.len());
        for r in &plan.ranges {
            pieces.push((r.start, self.get_range(url, r, footer.file_len(), &mut fetched)?));
        }
        let source = footer.source(&plan, pieces).map_err(|e| anyhow!("{e}"))?;
        ds.load_source(table, url, source).map_err(|e| anyhow!("{e}"))?;
        fetched.ranged = true;
        fetched.row_groups = (plan.row_groups.len(), footer.row_groups());
        Ok(fetched)
    }
}

/// `bytes a-b/total` → (a, b, total); `None` for anything else (`*` totals included).
fn parse_content_range(v: &str) -> Option<(u64, u64, u64)> {
    let rest = v.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (a, b) = range.split_once('-')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?, total.trim().parse().ok()?))
}

/// The URL of `name` inside the folder URL `base` (a `/` added between when missing).
pub fn join(base: &str, name: &str) -> String {
    if base.ends_with('/') { format!("{base}{name}") } else { format!("{base}/{name}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_headers() {
        assert_eq!(parse_content_range("bytes 0-99/1000"), Some((0, 99, 1000)));
        assert_eq!(parse_content_range("bytes 900-999/1000"), Some((900, 999, 1000)));
        assert_eq!(parse_content_range("bytes 0-99/*"), None);
        assert_eq!(parse_content_range("bytes */1000"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
    }

    #[test]
    fn urls() {
        assert!(is_url("http://127.0.0.1:8000/data/") && is_url("HTTPS://x/y"));
        assert!(!is_url("data/http://x") && !is_url("../shared/fixtures"));
        assert_eq!(join("http://h/d", "f.parquet"), "http://h/d/f.parquet");
        assert_eq!(join("http://h/d/", "f.parquet"), "http://h/d/f.parquet");
    }
}
