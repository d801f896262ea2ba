"""HTTP recorder for the alerts tests: records every request to a JSON-lines file.

The first path segment chooses the response (so one server covers every mode):
  /ok/...     200 "ok"                 (Slack answers 200 "ok")
  /pd/...     202 {"status":"success"} (PagerDuty Events API v2)
  /flaky/ID   500 on the first request for ID, then 200
  /bad/...    400 "invalid_payload"
  /hang/...   never answers within the test (sleeps 30 s)
Usage: recorder.py PORT_FILE LOG_FILE
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, log_file = sys.argv[1], sys.argv[2]
lock = threading.Lock()
seen = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        mode = self.path.strip("/").split("/")[0]
        with lock:
            n = seen.get(self.path, 0) + 1
            seen[self.path] = n
        if mode == "ok":
            status, text = 200, "ok"
        elif mode == "pd":
            status, text = 202, '{"status":"success","message":"Event processed"}'
        elif mode == "flaky":
            status, text = (500, "try later") if n == 1 else (200, "ok")
        elif mode == "bad":
            status, text = 400, "invalid_payload"
        elif mode == "hang":
            status, text = 0, ""
        else:
            status, text = 404, "no such mode"
        record = {
            "t": time.time(),
            "path": self.path,
            "n": n,
            "status": status,
            "content_type": self.headers.get("Content-Type"),
            "raw": raw,
            "body": body,
        }
        with lock:
            with open(log_file, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
        if mode == "hang":
            time.sleep(30)
            return
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if mode == "pd" else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that time out and hang up (the "hang" mode) are expected


server = Server(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
