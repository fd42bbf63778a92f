#!/usr/bin/env bash
# Generated requests against the API, as a client no one here wrote would send them: schemathesis
# reads the OpenAPI document and sends every operation, signed in as each role of the demo park,
# with valid and invalid values. It fails on any server error (5xx) and on any status the
# document does not list for the operation. Sign-in, sign-out and the own-password change are
# left out (they would end the run's own session). Needs Python's schemathesis (installed by
# .ci/run). Bounded: a fixed seed, a fixed number of examples per operation, a time limit.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
PORT=18461
BASE="http://127.0.0.1:$PORT"
cleanup() {
  [[ -n "${SERVER:-}" ]] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cargo build --quiet --bin taizhang
BIN="$(pwd)/${CARGO_TARGET_DIR:-target}/debug/taizhang"
PASSWORD='Fuzz-pass-2026'
# The demo's three admin duties must have a second factor: serve --demo gives them this secret,
# and each sign-in sends the code an authenticator app would show (RFC 6238, SHA-1, 30 s).
TOTP_SECRET='JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
(cd "$WORK" && TAIZHANG_ADMIN_PASSWORD="$PASSWORD" TAIZHANG_DEMO_TOTP_SECRET="$TOTP_SECRET" exec "$BIN" serve --demo \
  --addr "127.0.0.1:$PORT" --database-url "sqlite://$WORK/demo.db" > "$WORK/server.log" 2>&1) &
SERVER=$!
for _ in $(seq 1 120); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "$BASE/healthz" >/dev/null

totp_code() {
  python3 -c 'import base64, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1])
mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
o = mac[-1] & 15
print("%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7fffffff) % 1000000))' "$TOTP_SECRET"
}

token() {
  curl -fsS -X POST -H 'Content-Type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"$PASSWORD\",\"code\":\"$(totp_code)\"}" "$BASE/api/v1/session" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

fail=0
# The duties that change accounts go last: their writes may end the others' sessions.
for login in office secretary leader xiaoer qiye auditor secadmin admin; do
  echo "--- as $login"
  T=$(token "$login")
  # From the work folder: schemathesis keeps its cache (.schemathesis/) where it runs.
  if ! (cd "$WORK" && timeout 600 schemathesis run "$BASE/api/v1/openapi.json" \
    -H "Authorization: Bearer $T" \
    --checks not_a_server_error,status_code_conformance \
    --exclude-path /api/v1/session --exclude-path /api/v1/me/password \
    --max-examples 25 --seed 20261203 -w 2 --no-color > "$WORK/$login.log" 2>&1); then
    tail -n 60 "$WORK/$login.log"
    fail=1
  else
    grep -E "generated|passed" "$WORK/$login.log" | tail -n 2
  fi
done
if grep -q "ERROR" "$WORK/server.log"; then
  echo "the server logged errors:"
  grep "ERROR" "$WORK/server.log" | tail -n 20
  fail=1
fi
exit $fail
