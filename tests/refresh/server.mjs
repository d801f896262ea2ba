// A static server for the refresh tests that behaves like a CDN in front of a pipeline's folder,
// and that the test can break on purpose. On 127.0.0.1 (a free port):
// - serves `mounts` ({'/prefix': dir}, longest prefix wins; a mount may be one file) and
//   `overrides` ({'/path': text}, e.g. the test's own /config.json);
// - every file gets a strong ETag (SHA-256 of its bytes) and Last-Modified (its mtime), and a
//   conditional request that matches gets `304 Not Modified` with no body (If-None-Match first,
//   else If-Modified-Since, as RFC 9110 says); `Cache-Control: no-cache`;
// - logs every request: path, status, body bytes sent, whether it was conditional (`log`), and
//   counts per path (`count(path)`, `bytes(path)`);
// - failure modes for the paths under `failPrefix` (the data), set by `setMode(mode)` or by
//   `POST /__control {"mode": …}`: "ok"; "500" (every request answered 500); "drop" (the socket is
//   destroyed before any response); "corrupt:<path>" (that path's body has bytes flipped in its
//   middle, with a matching ETag, so it is a well-formed HTTP response of wrong content).
//   `GET /__stats` returns the log as JSON.
// - `rangePrefixes`: paths under these answer `Range: bytes=a-b` / `bytes=-n` with `206` and
//   `Content-Range` (with the same ETag/Last-Modified); elsewhere `Range` is ignored (200, whole).
//   The log records each request's `range` header (null when none).
// - `noStorePrefixes`: paths under these are sent with `Cache-Control: no-store` (a host whose
//   responses the browser must not cache; conditional requests still work).
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm',
  '.parquet': 'application/octet-stream', '.toml': 'text/plain; charset=utf-8',
};

/** Flips 64 bytes in the middle of `buf` (a copy). */
export function corrupt(buf) {
  const out = Buffer.from(buf);
  const mid = Math.floor(out.length / 2);
  for (let i = Math.max(0, mid - 32); i < Math.min(out.length, mid + 32); i++) out[i] ^= 0xa5;
  return out;
}

export function startServer({ mounts, overrides = {}, failPrefix = '/data/', rangePrefixes = [], noStorePrefixes = [] }) {
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const log = [];
  let mode = 'ok';
  const state = { overrides: { ...overrides } };

  function resolveFile(pathname) {
    const hit = entries.find(([prefix]) => pathname === prefix || pathname.startsWith(prefix.endsWith('/') ? prefix : prefix + '/'));
    if (!hit) return null;
    const [prefix, target] = hit;
    if (pathname === prefix && fs.existsSync(target) && fs.statSync(target).isFile()) return target;
    const rel = pathname.slice(prefix.length).replace(/^\/+/, '');
    const file = path.resolve(target, rel);
    return file.startsWith(path.resolve(target)) ? file : null;
  }

  function send(req, res, pathname, body, mtime, type) {
    const etag = '"' + crypto.createHash('sha256').update(body).digest('hex').slice(0, 32) + '"';
    const lastModified = new Date(Math.floor(mtime / 1000) * 1000).toUTCString();
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    const conditional = Boolean(inm || ims);
    const headers = {
      'content-type': type, 'cache-control': noStorePrefixes.some((p) => pathname.startsWith(p)) ? 'no-store' : 'no-cache',
      etag, 'last-modified': lastModified,
      'access-control-allow-origin': '*',
    };
    let notModified = false;
    if (inm) notModified = inm.split(',').map((s) => s.trim()).some((t) => t === etag || t === 'W/' + etag || t === '*');
    else if (ims) notModified = Date.parse(ims) >= Date.parse(lastModified);
    if (notModified) {
      res.writeHead(304, headers);
      res.end();
      log.push({ path: pathname, status: 304, bytes: 0, conditional, range: req.headers.range || null });
      return;
    }
    const m = rangePrefixes.some((p) => pathname.startsWith(p)) && /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || '');
    if (m && (m[1] !== '' || m[2] !== '') && body.length > 0) {
      const len = body.length;
      let start, end;
      if (m[1] === '') { start = Math.max(0, len - Number(m[2])); end = len - 1; } else { start = Number(m[1]); end = m[2] === '' ? len - 1 : Math.min(Number(m[2]), len - 1); }
      const part = body.subarray(start, end + 1);
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${len}`, 'accept-ranges': 'bytes', 'content-length': part.length });
      res.end(req.method === 'HEAD' ? undefined : part);
      log.push({ path: pathname, status: 206, bytes: req.method === 'HEAD' ? 0 : part.length, conditional, range: req.headers.range });
      return;
    }
    headers['content-length'] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    log.push({ path: pathname, status: 200, bytes: req.method === 'HEAD' ? 0 : body.length, conditional, range: req.headers.range || null });
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let pathname = decodeURIComponent(url.pathname);
    if (pathname === '/__control' && req.method === 'POST') {
      let text = '';
      req.on('data', (c) => { text += c; });
      req.on('end', () => {
        try { mode = JSON.parse(text).mode || 'ok'; res.writeHead(204); } catch { res.writeHead(400); }
        res.end();
      });
      return;
    }
    if (pathname === '/__stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(log));
      return;
    }
    if (pathname.endsWith('/')) pathname += 'index.html';
    if (pathname.startsWith(failPrefix)) {
      if (mode === '500') {
        log.push({ path: pathname, status: 500, bytes: 0, conditional: Boolean(req.headers['if-none-match'] || req.headers['if-modified-since']) });
        res.writeHead(500, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' });
        res.end('injected failure');
        return;
      }
      if (mode === 'drop') {
        log.push({ path: pathname, status: 'dropped', bytes: 0, conditional: false });
        req.socket.destroy();
        return;
      }
    }
    if (pathname in state.overrides) {
      const body = Buffer.from(state.overrides[pathname]);
      send(req, res, pathname, body, Date.now(), TYPES[path.extname(pathname)] || 'application/octet-stream');
      return;
    }
    const file = resolveFile(pathname);
    if (!file) { res.writeHead(404); res.end('not found'); log.push({ path: pathname, status: 404, bytes: 0 }); return; }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' });
        res.end('not found');
        log.push({ path: pathname, status: 404, bytes: 0 });
        return;
      }
      let body = fs.readFileSync(file);
      if (mode === `corrupt:${pathname}`) body = corrupt(body);
      send(req, res, pathname, body, st.mtimeMs, TYPES[path.extname(file)] || 'application/octet-stream');
    });
  });

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        port,
        origin: `http://127.0.0.1:${port}`,
        log,
        setMode: (m) => { mode = m; },
        setOverride: (p, text) => { state.overrides[p] = text; },
        count: (p) => log.filter((e) => e.path === p).length,
        bytes: (p) => log.filter((e) => e.path === p).reduce((s, e) => s + e.bytes, 0),
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
      });
    });
  });
}
