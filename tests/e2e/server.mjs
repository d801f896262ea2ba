// A small static file server for the browser tests and the benchmark: serves `root` (dist/) at
// `/` and extra folders under their own prefixes, with the MIME types the page needs
// (application/wasm for streaming instantiation). `cors: false` sends no CORS header, so a page on
// another origin cannot read from it — what the CORS error test needs.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm',
  '.parquet': 'application/octet-stream', '.png': 'image/png', '.csv': 'text/csv',
};

/** Starts a server on 127.0.0.1 (a free port). `mounts`: {'/prefix': '/abs/dir'}; '/' is the root.
 *  `delays`: [[RegExp, ms], …] holds back the answer for matching paths (e.g. to make a file
 *  arrive late). The result's `requests` lists every request's path in order (the page's and its
 *  worker's). */
export function startServer(mounts, { cors = true, port = 0, delays = [] } = {}) {
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push(url.pathname);
    let pathname = decodeURIComponent(url.pathname);
    if (pathname.endsWith('/')) pathname += 'index.html';
    const hit = entries.find(([prefix]) => pathname === prefix || pathname.startsWith(prefix.endsWith('/') ? prefix : prefix + '/'));
    if (!hit) { res.writeHead(404); res.end('not found'); return; }
    const [prefix, dir] = hit;
    const delay = delays.find(([re]) => re.test(url.pathname));
    if (delay) { setTimeout(() => serve(req, res, prefix, dir, pathname), delay[1]); return; }
    serve(req, res, prefix, dir, pathname);
  });
  function serve(req, res, prefix, dir, pathname) {
    const rel = pathname.slice(prefix.length).replace(/^\/+/, '');
    const file = path.resolve(dir, rel);
    if (!file.startsWith(path.resolve(dir))) { res.writeHead(403); res.end(); return; }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
      const headers = {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'content-length': st.size,
        'cache-control': 'no-cache',
      };
      if (cors) headers['access-control-allow-origin'] = '*';
      res.writeHead(200, headers);
      if (req.method === 'HEAD') { res.end(); return; }
      fs.createReadStream(file).pipe(res);
    });
  }
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ port, origin: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

// `node tests/e2e/server.mjs DIR [PORT]`: serve DIR on 127.0.0.1 (used by scripts/serve.sh).
if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = path.resolve(process.argv[2] || 'dist');
  const port = Number(process.argv[3] || 8080);
  startServer({ '/': dir }, { port }).then(({ origin }) => console.log(`serving ${dir} at ${origin}/`));
}
