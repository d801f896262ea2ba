#!/usr/bin/env bash
# End-to-end tests of `modelpulse alerts` and `modelpulse digest` against real receivers on
# 127.0.0.1: an HTTP recorder (tests/alerts/recorder.py; its path picks 200 / 202 / 500-then-200 /
# 400 / hang) and SMTP servers (aiosmtpd, one open and one requiring AUTH). Data are crafted with
# pyarrow (tests/alerts/make_data.py) so every expected value is known.
# Prints `N passed, M failed`; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/tests/alerts
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3

cargo build --quiet --bin modelpulse || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
BIN=$ROOT/target/debug/modelpulse

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

passed=0; failed=0
ok() { passed=$((passed+1)); echo "ok   - $1"; }
fail() { failed=$((failed+1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/       /'; }

wait_file() { for _ in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }

# ---- receivers ---------------------------------------------------------------------------------
LOG=$WORK/requests.jsonl; : > "$LOG"
"$PY" "$HERE/recorder.py" "$WORK/http.port" "$LOG" & PIDS+=($!)
"$PY" "$HERE/smtp_sink.py" "$WORK/smtp.port" "$WORK/mail" & PIDS+=($!)
"$PY" "$HERE/smtp_sink.py" "$WORK/smtp-auth.port" "$WORK/mail-auth" --auth "digest:s3cret" & PIDS+=($!)
# A private CA and a certificate for 127.0.0.1, for the STARTTLS and implicit-TLS servers
# (needs the openssl command; without it the two TLS checks fail, the others still run).
CERTS=$WORK/certs; mkdir -p "$CERTS"; TLS_SINKS=""
if ( cd "$CERTS" &&
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=modelpulse test CA" -keyout ca.key -out ca.pem &&
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr &&
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf &&
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out server.pem
) >"$WORK/openssl.log" 2>&1; then
  "$PY" "$HERE/smtp_sink.py" "$WORK/smtp-starttls.port" "$WORK/mail-starttls" --auth "digest:s3cret" \
    --starttls "$CERTS/server.pem" "$CERTS/server.key" & PIDS+=($!)
  "$PY" "$HERE/smtp_sink.py" "$WORK/smtps.port" "$WORK/mail-smtps" --tls "$CERTS/server.pem" "$CERTS/server.key" & PIDS+=($!)
  TLS_SINKS="smtp-starttls smtps"
else
  echo "note: could not make test certificates (is openssl installed?): $(tail -1 "$WORK/openssl.log")"
fi
for f in http smtp smtp-auth $TLS_SINKS; do
  wait_file "$WORK/$f.port" || { echo "receiver $f did not start"; echo "0 passed, 1 failed"; exit 1; }
done
HTTP="http://127.0.0.1:$(cat "$WORK/http.port")"
SMTP_PORT=$(cat "$WORK/smtp.port"); SMTP_AUTH_PORT=$(cat "$WORK/smtp-auth.port")
STARTTLS_PORT=$(cat "$WORK/smtp-starttls.port" 2>/dev/null || echo 9); SMTPS_PORT=$(cat "$WORK/smtps.port" 2>/dev/null || echo 9)

# Requests recorded since line $1 (1-based), as a JSON list, for the Python checks.
requests_since() { tail -n +"$1" "$LOG"; }
nlines() { wc -l < "$LOG" | tr -d ' '; }

# py CHECK-NAME PYTHON-CODE [ARGS]: runs the code with the new requests as `reqs` (list of dicts).
py_check() {
  local name=$1 code=$2 since=$3
  local out
  if out=$(requests_since "$since" | "$PY" -c "
import json, sys
reqs = [json.loads(l) for l in sys.stdin if l.strip()]
def by(prefix): return [r for r in reqs if r['path'].startswith(prefix)]
$code
" 2>&1); then ok "$name"; else fail "$name" "$out"; fi
}

# ---- data --------------------------------------------------------------------------------------
# 10 days from 2026-10-01. OpenAI's p95: 800 ×3, 1500 ×5 (days 4..8 = 2026-10-04..08), then 900.
DATA=$WORK/data; mkdir -p "$DATA"
"$PY" "$HERE/make_data.py" "$DATA" 2026-10-01 \
  "OpenAI=800,800,800,1500,1500,1500,1500,1500,900,900" \
  "Anthropic=700,700,700,700,700,700,700,700,700,700" \
  "<b>Evil</b> & Co=650,650,650,650,650,650,650,650,650,650" \
  || { echo "make_data failed"; echo "0 passed, 1 failed"; exit 1; }

rules() { # rules FILE SLACK_PATH PD_PATH [timeout] [retries]
  cat > "$1" <<EOF
dashboard_url = "https://dash.example/"
[notify]
timeout_secs = ${4:-2}
retries = ${5:-2}
backoff_ms = 100
[prices.OpenAI]
input_per_1m = 2.5
output_per_1m = 10.0
[channels.slack]
url = "$HTTP$2"
[channels.pagerduty]
url = "$HTTP$3"
routing_key = "R0UT1NGKEY"
[channels.webhook]
url_env = "TEST_ALERTS_WEBHOOK_URL"
[[rule]]
name = "latency_p95_budget"
description = "p95 latency over the 1200 ms budget"
metric = "latency_p95_ms"
op = ">"
threshold = 1200
recovery_threshold = 1000
for_days = 2
severity = "critical"
channels = ["slack", "pagerduty", "webhook"]
EOF
}
export TEST_ALERTS_WEBHOOK_URL="$HTTP/ok/webhook"

run_alerts() { # run_alerts RULES STATE DATE → sets RC, OUT, ERR
  OUT=$("$BIN" alerts --data "$DATA" --rules "$1" --state "$2" --date "$3" 2>"$WORK/stderr"); RC=$?
  ERR=$(cat "$WORK/stderr")
}

# ---- 1. incident lifecycle: pending → trigger once → quiet → resolve once → quiet --------------
R=$WORK/rules.toml; S=$WORK/state.json
rules "$R" /ok/slack /pd/enqueue

n=$(( $(nlines) + 1 )); run_alerts "$R" "$S" 2026-10-04
if [ $RC -eq 0 ] && echo "$OUT" | grep -q "PENDING  latency_p95_budget \[OpenAI\]" && [ "$(nlines)" -eq $((n-1)) ]; then
  ok "first breaching day with for_days=2 is pending: exit 0, nothing sent"
else fail "pending day" "rc=$RC out=$OUT err=$ERR"; fi

n=$(( $(nlines) + 1 )); run_alerts "$R" "$S" 2026-10-05
if [ $RC -eq 1 ] && echo "$OUT" | grep -q "FIRING   latency_p95_budget \[OpenAI\]"; then ok "second breaching day fires: exit 1"; else fail "firing exit code" "rc=$RC out=$OUT err=$ERR"; fi
py_check "one trigger per channel, nothing for the healthy providers" "
assert len(reqs) == 3, [r['path'] for r in reqs]
assert sorted(r['path'] for r in reqs) == ['/ok/slack', '/ok/webhook', '/pd/enqueue']
assert all(r['content_type'] == 'application/json' for r in reqs)
" $n
py_check "Slack payload: text, blocks with metric/value/threshold/provider, dashboard link with filters" "
[s] = by('/ok/slack'); b = s['body']
assert b['text'].startswith(':red_circle: FIRING latency_p95_budget [OpenAI]: latency_p95_ms 1,500 ms &gt; 1,200 ms since 2026-10-04'), b['text']
blocks = b['blocks']
assert blocks[0]['type'] == 'header' and 'latency_p95_budget [OpenAI]' in blocks[0]['text']['text']
fields = {f['text'].split('\n')[0]: f['text'].split('\n')[1] for f in blocks[1]['fields']}
assert fields == {'*Metric*': 'latency_p95_ms', '*Value*': '1,500 ms', '*Threshold*': '&gt; 1,200 ms', '*Provider*': 'OpenAI', '*Severity*': 'critical', '*Since*': '2026-10-04'}, fields
url = blocks[2]['elements'][0]['url']
assert url == 'https://dash.example/?providers=OpenAI&range=custom&from=2026-09-27&to=2026-10-05', url
" $n
py_check "PagerDuty trigger: routing_key, stable dedup_key, payload summary/source/severity/custom_details" "
[p] = by('/pd/'); b = p['body']
assert b['routing_key'] == 'R0UT1NGKEY' and b['event_action'] == 'trigger'
assert b['dedup_key'] == 'modelpulse/latency_p95_budget/OpenAI', b['dedup_key']
pl = b['payload']
assert pl['severity'] == 'critical' and pl['source'] == 'modelpulse/OpenAI' and pl['component'] == 'OpenAI'
assert 'latency_p95_budget [OpenAI]' in pl['summary'] and '1,500 ms' in pl['summary']
cd = pl['custom_details']
assert (cd['value'], cd['threshold'], cd['comparison'], cd['recovery_threshold'], cd['for_days']) == (1500.0, 1200.0, '>', 1000.0, 2), cd
assert (cd['since'], cd['date'], cd['provider']) == ('2026-10-04', '2026-10-05', 'OpenAI'), cd
assert b['links'][0]['href'].startswith('https://dash.example/?providers=OpenAI&')
" $n
py_check "generic webhook (URL from an env var): every fact as JSON" "
[w] = by('/ok/webhook'); b = w['body']
want = {'source': 'modelpulse', 'event': 'trigger', 'status': 'firing', 'rule': 'latency_p95_budget', 'scope': 'OpenAI',
        'metric': 'latency_p95_ms', 'value': 1500.0, 'comparison': '>', 'threshold': 1200.0, 'severity': 'critical',
        'since': '2026-10-04', 'date': '2026-10-05', 'dedup_key': 'modelpulse/latency_p95_budget/OpenAI'}
assert {k: b[k] for k in want} == want, b
" $n

n=$(( $(nlines) + 1 )); run_alerts "$R" "$S" 2026-10-05
if [ $RC -eq 1 ] && [ "$(nlines)" -eq $((n-1)) ]; then ok "running again on the same data notifies nothing (still exit 1)"; else fail "idempotent rerun" "rc=$RC new=$(requests_since $n)"; fi
n=$(( $(nlines) + 1 )); run_alerts "$R" "$S" 2026-10-08
if [ $RC -eq 1 ] && [ "$(nlines)" -eq $((n-1)) ]; then ok "a later day of the same incident notifies nothing"; else fail "ongoing incident" "rc=$RC new=$(requests_since $n)"; fi
if "$PY" -c "
import json; s = json.load(open('$S'))
inc = s['incidents']['modelpulse/latency_p95_budget/OpenAI']
assert inc['firing'] and sorted(inc['channels']) == ['pagerduty', 'slack', 'webhook'] and inc['since'] == '2026-10-04', inc
assert len(s['incidents']) == 1
" 2>"$WORK/py.err"; then ok "state file records the incident and the channels told"; else fail "state file content" "$(cat "$WORK/py.err")"; fi

n=$(( $(nlines) + 1 )); run_alerts "$R" "$S" 2026-10-09
if [ $RC -eq 0 ] && echo "$OUT" | grep -q "RESOLVED latency_p95_budget \[OpenAI\]"; then ok "recovery below the recovery threshold resolves: exit 0"; else fail "resolve exit" "rc=$RC out=$OUT err=$ERR"; fi
py_check "one resolve per channel: PagerDuty resolve by dedup_key, Slack and webhook 'resolved'" "
assert len(reqs) == 3, [r['path'] for r in reqs]
[p] = by('/pd/'); assert p['body'] == {'routing_key': 'R0UT1NGKEY', 'event_action': 'resolve', 'dedup_key': 'modelpulse/latency_p95_budget/OpenAI'}, p['body']
[s] = by('/ok/slack'); assert s['body']['text'].startswith(':large_green_circle: RESOLVED latency_p95_budget [OpenAI]: latency_p95_ms 900 ms'), s['body']['text']
[w] = by('/ok/webhook'); assert (w['body']['event'], w['body']['status'], w['body']['value']) == ('resolve', 'resolved', 900.0), w['body']
" $n
n=$(( $(nlines) + 1 )); run_alerts "$R" "$S" 2026-10-10
if [ $RC -eq 0 ] && [ "$(nlines)" -eq $((n-1)) ] && "$PY" -c "import json; assert json.load(open('$S'))['incidents'] == {}"; then
  ok "after the resolve: nothing sent, state empty"
else fail "after resolve" "rc=$RC new=$(requests_since $n) state=$(cat "$S")"; fi

# ---- 2. retries, timeouts, 4xx, and never losing a notification ----------------------------------
R2=$WORK/rules-flaky.toml; S2=$WORK/state-flaky.json
rules "$R2" /flaky/slack-1 /pd/enqueue
n=$(( $(nlines) + 1 )); run_alerts "$R2" "$S2" 2026-10-05
py_check "500 then 200: retried once with backoff, delivered" "
f = by('/flaky/slack-1')
assert [r['status'] for r in f] == [500, 200], [r['status'] for r in f]
assert f[1]['t'] - f[0]['t'] >= 0.09, f[1]['t'] - f[0]['t']
assert f[0]['raw'] == f[1]['raw']
" $n
if [ $RC -eq 1 ] && echo "$OUT" | grep -q "notified slack (slack): trigger latency_p95_budget \[OpenAI\] — HTTP 200, 2 attempts"; then ok "the retried delivery is reported (2 attempts), exit 1"; else fail "retry report" "rc=$RC out=$OUT err=$ERR"; fi

R3=$WORK/rules-hang.toml; S3=$WORK/state-hang.json
rules "$R3" /hang/slack /pd/enqueue 1 1
n=$(( $(nlines) + 1 )); t0=$(date +%s.%N); run_alerts "$R3" "$S3" 2026-10-05; t1=$(date +%s.%N)
el=$("$PY" -c "print(round($t1 - $t0, 2))")
if [ $RC -eq 2 ] && "$PY" -c "assert $el < 8, $el" && echo "$ERR" | grep -q "notifying slack (slack): trigger .* failed: .*gave up after 2 attempts"; then
  ok "a hanging receiver times out (1 s × 2 attempts, run took ${el}s), exit 2"
else fail "hang timeout" "rc=$RC elapsed=$el err=$ERR"; fi
py_check "the hanging receiver got exactly 1 + 1 retry; the other channels were still notified" "
assert len(by('/hang/slack')) == 2, len(by('/hang/slack'))
assert len(by('/pd/')) == 1 and len(by('/ok/webhook')) == 1
" $n
if "$PY" -c "
import json; inc = json.load(open('$S3'))['incidents']['modelpulse/latency_p95_budget/OpenAI']
assert sorted(inc['channels']) == ['pagerduty', 'webhook'], inc
" 2>"$WORK/py.err"; then ok "the undelivered trigger is not recorded as sent"; else fail "state after failure" "$(cat "$WORK/py.err")"; fi
rules "$R3" /ok/slack-fixed /pd/enqueue 1 1
n=$(( $(nlines) + 1 )); run_alerts "$R3" "$S3" 2026-10-06
py_check "next run delivers only the owed trigger (to the fixed URL)" "
assert [r['path'] for r in reqs] == ['/ok/slack-fixed'], [r['path'] for r in reqs]
assert reqs[0]['body']['text'].startswith(':red_circle: FIRING')
" $n
[ $RC -eq 1 ] && ok "exit 1 once everything owed is delivered" || fail "exit after fix" "rc=$RC err=$ERR"

R4=$WORK/rules-bad.toml; S4=$WORK/state-bad.json
rules "$R4" /bad/slack /pd/enqueue
n=$(( $(nlines) + 1 )); run_alerts "$R4" "$S4" 2026-10-05
py_check "400 is not retried" "assert len(by('/bad/slack')) == 1, len(by('/bad/slack'))" $n
if [ $RC -eq 2 ] && echo "$ERR" | grep -q "HTTP 400 invalid_payload (not retried)"; then ok "400 reported with the receiver's answer, exit 2"; else fail "400 report" "rc=$RC err=$ERR"; fi
# The incident resolves while the resolve to PagerDuty fails: the resolve stays owed until delivered.
rules "$R4" /ok/slack /bad/pd
run_alerts "$R4" "$S4" 2026-10-05   # delivers the owed Slack trigger
n=$(( $(nlines) + 1 )); run_alerts "$R4" "$S4" 2026-10-09
if [ $RC -eq 2 ] && "$PY" -c "
import json; inc = json.load(open('$S4'))['incidents']['modelpulse/latency_p95_budget/OpenAI']
assert not inc['firing'] and sorted(inc['channels']) == ['pagerduty'], inc
"; then ok "a failed resolve stays in the state (exit 2)"; else fail "failed resolve kept" "rc=$RC state=$(cat "$S4")"; fi
rules "$R4" /ok/slack /pd/enqueue
n=$(( $(nlines) + 1 )); run_alerts "$R4" "$S4" 2026-10-09
py_check "the owed resolve is sent on the next run, and only it" "
assert [(r['path'], r['body']['event_action']) for r in reqs] == [('/pd/enqueue', 'resolve')], [r['path'] for r in reqs]
" $n
[ $RC -eq 0 ] && "$PY" -c "import json; assert json.load(open('$S4'))['incidents'] == {}" && ok "then the state is empty, exit 0" || fail "after owed resolve" "rc=$RC"

# ---- 3. exit code 2 on bad input, with clear messages ---------------------------------------------
printf '[[rule]]\nname = "lat"\nmetric = "latency_p95_ms"\nop = ">"\nthresold = 1200\n' > "$WORK/bad-rules.toml"
OUT=$("$BIN" alerts --data "$DATA" --rules "$WORK/bad-rules.toml" 2>&1); RC=$?
if [ $RC -eq 2 ] && echo "$OUT" | grep -q 'bad-rules.toml: rule "lat": field "thresold": unknown field'; then ok "misspelt field: exit 2 naming file, rule and field"; else fail "bad rules" "rc=$RC $OUT"; fi
printf '[[rule]]\nname = "lat"\nmetric = "latency_p95_ms"\nop = ">"\nthreshold = 1200\nfor_days = 0\n' > "$WORK/bad-rules2.toml"
OUT=$("$BIN" alerts --data "$DATA" --rules "$WORK/bad-rules2.toml" 2>&1); RC=$?
if [ $RC -eq 2 ] && echo "$OUT" | grep -q 'rule "lat": field "for_days": must be between 1 and 366'; then ok "invalid value: exit 2 naming rule and field"; else fail "bad for_days" "rc=$RC $OUT"; fi
mkdir -p "$WORK/badparquet"; printf 'this is not parquet' > "$WORK/badparquet/raw_llm_events.parquet"
OUT=$("$BIN" alerts --data "$WORK/badparquet" --rules "$R" 2>&1); RC=$?
if [ $RC -eq 2 ] && echo "$OUT" | grep -q "raw_llm_events.parquet: not a Parquet file"; then ok "bad snapshot: exit 2 naming the file"; else fail "bad parquet" "rc=$RC $OUT"; fi
OUT=$("$BIN" alerts --data "$WORK/nope" --rules "$R" 2>&1); RC=$?
[ $RC -eq 2 ] && echo "$OUT" | grep -q "nope: not a folder" && ok "missing data folder: exit 2" || fail "missing folder" "rc=$RC $OUT"
echo '{not json' > "$WORK/broken-state.json"
OUT=$("$BIN" alerts --data "$DATA" --rules "$R" --state "$WORK/broken-state.json" 2>&1); RC=$?
[ $RC -eq 2 ] && echo "$OUT" | grep -q "broken-state.json: not a modelpulse alerts state file" && ok "corrupt state file: exit 2" || fail "corrupt state" "rc=$RC $OUT"
# An overlapping run (another process holds the state file's lock) refuses to run.
"$PY" -c "
import fcntl, sys, time
f = open('$WORK/locked.json.lock', 'w'); fcntl.flock(f, fcntl.LOCK_EX)
open('$WORK/locked.ready', 'w').write('1'); time.sleep(20)
" & LOCKER=$!; PIDS+=($LOCKER)
wait_file "$WORK/locked.ready"
n=$(( $(nlines) + 1 ))
OUT=$("$BIN" alerts --data "$DATA" --rules "$R" --state "$WORK/locked.json" --date 2026-10-05 2>&1); RC=$?
kill $LOCKER 2>/dev/null
if [ $RC -eq 2 ] && [ "$(nlines)" -eq $((n-1)) ] && echo "$OUT" | grep -q "another \`modelpulse alerts\` run is using this state file"; then
  ok "an overlapping run on the same state file exits 2 without notifying"
else fail "state lock" "rc=$RC $OUT"; fi
n=$(( $(nlines) + 1 ))
OUT=$("$BIN" alerts --data "$DATA" --rules "$R" --state "$WORK/dry.json" --date 2026-10-05 --dry-run 2>&1); RC=$?
if [ $RC -eq 1 ] && [ "$(nlines)" -eq $((n-1)) ] && [ ! -e "$WORK/dry.json" ] && echo "$OUT" | grep -q '"event_action":"trigger"' \
  && ! echo "$OUT" | grep -q R0UT1NGKEY; then
  ok "--dry-run prints the payloads (secrets masked), sends nothing, writes no state"
else fail "dry run" "rc=$RC $OUT"; fi
OUT=$("$BIN" alerts --data "$DATA" --rules alerts.toml --date 2026-10-02 --dry-run 2>&1); RC=$?
[ $RC -eq 0 ] && ok "the shipped alerts.toml runs (exit 0 on healthy days)" || fail "shipped rules" "rc=$RC $OUT"

# ---- 4. the digest -------------------------------------------------------------------------------
OUT=$("$BIN" digest --data "$DATA" --rules "$R" --date 2026-10-05 \
  --smtp "smtp://127.0.0.1:$SMTP_PORT" --from "modelpulse@example.com" --to "ops@example.com" --to "ml@example.com" 2>&1); RC=$?
if [ $RC -eq 0 ] && wait_file "$WORK/mail/1.eml"; then ok "digest sent over SMTP"; else fail "digest smtp" "rc=$RC $OUT"; fi
if "$PY" - "$WORK/mail/1.eml" "$WORK/mail/1.env" <<'EOF' 2>"$WORK/py.err"
import sys, email, re
from email import policy
from html.parser import HTMLParser
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
env = open(sys.argv[2]).read()
assert "to=ops@example.com,ml@example.com" in env, env
assert msg["From"] == "modelpulse@example.com", msg["From"]
assert "ops@example.com" in msg["To"] and "ml@example.com" in msg["To"]
assert msg["Subject"] == "modelpulse digest 5 Oct 2026 — 1 firing", msg["Subject"]
assert msg.get_content_type() == "multipart/alternative", msg.get_content_type()
parts = [p.get_content_type() for p in msg.iter_parts()]
assert parts == ["text/plain", "text/html"], parts
text = msg.get_body(("plain",)).get_content()
html = msg.get_body(("html",)).get_content()
assert "Summary for the 7 days to 5 Oct 2026." in text, text
assert "[FIRING] latency_p95_budget — OpenAI" in text, text
assert "over the 1,200 ms budget on 2 of 7 days" in text, text
# 4 tickets/day, 2 by the agent → 50.0%; tokens 5 days × 20 × 1200.
assert "the AI agent closed 50.0% of 20 tickets" in text, text
assert "120,000 tokens ($0.45)" in text, text
assert "Upsell experiment: 12.0% converted with the offer against 10.0% without, an uplift of +2.0 pp" in text, text
# HTML: one well-formed document, data escaped, sparklines present.
assert html.lstrip().startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
assert "&lt;b&gt;Evil&lt;" in html and "&amp; Co" in html and "<b>Evil" not in html, "escaping"
assert html.count("<polyline") >= 3, html.count("<polyline")
assert "latency_p95_budget" in html and "OpenAI" in html
class Check(HTMLParser):
    VOID = {"meta", "br", "img", "hr", "input", "link", "polyline"}
    def __init__(self):
        super().__init__(); self.stack = []
    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID: self.stack.append(tag)
    def handle_startendtag(self, tag, attrs): pass
    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()
c = Check(); c.feed(html); c.close()
assert c.stack == [], c.stack
EOF
then ok "digest e-mail: multipart/alternative text/plain + text/html, headers, content, escaping, well-formed HTML"
else fail "digest MIME content" "$(cat "$WORK/py.err")"; fi

OUT=$("$BIN" digest --data "$DATA" --rules "$R" --date 2026-10-05 --lang id \
  --smtp "smtp://digest:s3cret@127.0.0.1:$SMTP_AUTH_PORT" --from "modelpulse@example.com" --to "ops@example.com" 2>&1); RC=$?
if [ $RC -eq 0 ] && wait_file "$WORK/mail-auth/1.eml" && [ "$(cat "$WORK/mail-auth/1.auth" 2>/dev/null)" = "digest" ] \
  && "$PY" -c "
import email, sys
from email import policy
m = email.message_from_binary_file(open('$WORK/mail-auth/1.eml', 'rb'), policy=policy.default)
t = m.get_body(('plain',)).get_content()
assert 'Ringkasan 7 hari hingga 5 Okt 2026.' in t and 'melebihi anggaran 1.200 ms pada 2 dari 7 hari' in t, t
assert m['Subject'] == 'Ringkasan modelpulse 5 Okt 2026 — 1 aktif', m['Subject']
" 2>"$WORK/py.err"; then ok "SMTP AUTH (user:pass in the URL) and the Indonesian digest"; else fail "smtp auth / id" "rc=$RC $OUT $(cat "$WORK/py.err" 2>/dev/null) auth=$(cat "$WORK/mail-auth/1.auth" 2>/dev/null)"; fi
OUT=$("$BIN" digest --data "$DATA" --smtp "smtp://digest:wrong@127.0.0.1:$SMTP_AUTH_PORT" --from a@example.com --to b@example.com 2>&1); RC=$?
if [ $RC -eq 2 ] && ! echo "$OUT" | grep -q "wrong"; then ok "rejected AUTH: exit 2, password not echoed"; else fail "bad auth" "rc=$RC $OUT"; fi

OUT=$("$BIN" digest --data "$DATA" --date 2026-10-05 --smtp-ca "$CERTS/ca.pem" \
  --smtp "smtp://digest:s3cret@127.0.0.1:$STARTTLS_PORT?tls=required" --from a@example.com --to b@example.com 2>&1); RC=$?
if [ $RC -eq 0 ] && wait_file "$WORK/mail-starttls/1.eml" && [ "$(cat "$WORK/mail-starttls/1.tls")" = tls ] \
  && [ "$(cat "$WORK/mail-starttls/1.auth")" = digest ]; then ok "STARTTLS (certificate checked against --smtp-ca) then AUTH"
else fail "starttls" "rc=$RC $OUT"; fi
OUT=$("$BIN" digest --data "$DATA" --date 2026-10-05 --smtp-ca "$CERTS/ca.pem" \
  --smtp "smtps://127.0.0.1:$SMTPS_PORT" --from a@example.com --to b@example.com 2>&1); RC=$?
if [ $RC -eq 0 ] && wait_file "$WORK/mail-smtps/1.eml" && [ "$(cat "$WORK/mail-smtps/1.tls")" = tls ]; then ok "implicit TLS (smtps://)"
else fail "smtps" "rc=$RC $OUT"; fi
OUT=$("$BIN" digest --data "$DATA" --smtp "smtps://127.0.0.1:$SMTPS_PORT" --smtp-timeout 5 --from a@example.com --to b@example.com 2>&1); RC=$?
if [ $RC -eq 2 ] && [ ! -e "$WORK/mail-smtps/2.eml" ]; then ok "an untrusted certificate is refused (exit 2, nothing sent)"
else fail "untrusted cert" "rc=$RC $OUT"; fi

OUT=$("$BIN" digest --data "$DATA" --rules "$R" --date 2026-10-05 --format markdown 2>&1); RC=$?
if [ $RC -eq 0 ] && echo "$OUT" | grep -q '^| \\<b\\>Evil\\<' && echo "$OUT" | grep -q '| \*\*FIRING\*\* | latency\\_p95\\_budget | OpenAI |'; then ok "markdown digest on stdout, data escaped"; else fail "markdown digest" "$OUT"; fi
OUT=$("$BIN" digest --data "$DATA" --format html 2>&1); RC=$?
if [ $RC -eq 0 ] && echo "$OUT" | grep -q "No rules file given"; then ok "html digest without rules says alerts were not evaluated"; else fail "html digest no rules" "$OUT"; fi
echo '{{ providers|length }} providers, {{ firing|length }} firing, p95 {{ providers[2].latency_p95_ms|ms }}' > "$WORK/custom.j2"
OUT=$("$BIN" digest --data "$DATA" --rules "$R" --date 2026-10-05 --narrative-template "$WORK/custom.j2" 2>&1); RC=$?
if [ $RC -eq 0 ] && echo "$OUT" | grep -q "^3 providers, 1 firing, p95 1,500 ms$"; then ok "user narrative template"; else fail "custom template" "$OUT"; fi
echo '{{ providers[0].nmae|int }}' > "$WORK/typo.j2"
OUT=$("$BIN" digest --data "$DATA" --narrative-template "$WORK/typo.j2" 2>&1); RC=$?
if [ $RC -eq 2 ] && echo "$OUT" | grep -q "typo.j2: narrative template"; then ok "broken user template: exit 2 naming the file"; else fail "typo template" "rc=$RC $OUT"; fi

echo
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
