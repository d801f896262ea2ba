// A static file server for the range-read browser test: serves `mounts` ({'/prefix': dir}) on
// 127.0.0.1 (a free port), honours single `Range` requests (`bytes=a-b`, `a-`, `-n`) with 206 +
// Content-Range when `ranges` is true (else always 200 with the whole file, like a server without
// range support), and counts the body bytes it sends per path (`served`) and the requests
// (`log`: [path, range header or null, status, bytes, conditional]).
// Validators (for the polling test), switchable at run time through the returned `opts`:
// `opts.validators` 'off' (none, the default), 'honour' (ETag "<size>-<mtime>" and Last-Modified
// from the file's stat; a matching If-None-Match, else If-Modified-Since, gets 304 without a body)
// or 'ignore' (the same validators, but conditional headers are ignored);
// `opts.fail` (e.g. 500): every request under `opts.failPrefix` gets that status.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.toml': 'text/plain',
};

export function startServer(mounts, { ranges = true, validators = 'off', failPrefix = '/big/' } = {}) {
  const opts = { validators, fail: 0, failPrefix };
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const served = {};
  const log = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let pathname = decodeURIComponent(url.pathname);
    if (pathname.endsWith('/')) pathname += 'index.html';
    const hit = entries.find(([prefix]) => pathname === prefix || pathname.startsWith(prefix.endsWith('/') ? prefix : prefix + '/'));
    const send = (status, headers, body) => {
      const n = body ? body.length : 0;
      served[pathname] = (served[pathname] || 0) + n;
      log.push([pathname, req.headers.range || null, status, n, Boolean(req.headers['if-none-match'] || req.headers['if-modified-since'])]);
      res.writeHead(status, { 'cache-control': 'no-cache', ...headers, 'content-length': n });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!hit) return send(404, {}, Buffer.from('not found'));
    const [prefix, dir] = hit;
    const file = path.resolve(dir, pathname.slice(prefix.length).replace(/^\/+/, ''));
    if (!file.startsWith(path.resolve(dir))) return send(403, {}, Buffer.alloc(0));
    if (opts.fail && pathname.startsWith(opts.failPrefix)) return send(opts.fail, {}, Buffer.from('injected failure'));
    let data, st;
    try { data = fs.readFileSync(file); st = fs.statSync(file); } catch { return send(404, {}, Buffer.from('not found')); }
    const type = { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' };
    if (opts.validators !== 'off') {
      type.etag = `"${st.size}-${Math.floor(st.mtimeMs)}"`;
      type['last-modified'] = new Date(Math.floor(st.mtimeMs / 1000) * 1000).toUTCString();
      const inm = req.headers['if-none-match'], ims = req.headers['if-modified-since'];
      const same = inm ? inm.split(',').map((x) => x.trim()).includes(type.etag) : Boolean(ims) && Date.parse(ims) >= Date.parse(type['last-modified']);
      if (opts.validators === 'honour' && same) return send(304, type, Buffer.alloc(0));
    }
    const m = ranges && /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || '');
    if (!m) return send(200, ranges ? { ...type, 'accept-ranges': 'bytes' } : type, data);
    const len = data.length;
    let start, end;
    if (m[1] === '' && m[2] !== '') { start = Math.max(0, len - Number(m[2])); end = len - 1; }
    else { start = Number(m[1]); end = m[2] === '' ? len - 1 : Math.min(Number(m[2]), len - 1); }
    if (len === 0 || start > end || start >= len) return send(416, { 'content-range': `bytes */${len}` }, Buffer.alloc(0));
    send(206, { ...type, 'content-range': `bytes ${start}-${end}/${len}`, 'accept-ranges': 'bytes' }, data.subarray(start, end + 1));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ origin: `http://127.0.0.1:${port}`, served, log, opts, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
