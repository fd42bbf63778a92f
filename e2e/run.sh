#!/usr/bin/env bash
# End-to-end suite: a demo server on loopback, driven by headless Chromium through playwright-core.
# Needs Debian's chromium (installed by .ci/run) and Node.js. Screenshots go to target/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${TZ_E2E_PORT:-18123}"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
export TZ_PASSWORD='E2e-pass-123'
# The demo's admin duties sign in with a second factor: the demo gives them this secret, and the
# browser suite types the code an authenticator app would show.
export TAIZHANG_DEMO_TOTP_SECRET='JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
export TZ_TOTP_SECRET="$TAIZHANG_DEMO_TOTP_SECRET"
# One data folder for the demo and the server: the audit key the demo's chain is signed with is there.
export TAIZHANG_DATA_DIR="$WORK/data"

cargo build --quiet --bin taizhang
BIN="${CARGO_TARGET_DIR:-target}/debug/taizhang"
DB="sqlite://$WORK/e2e.db"
TAIZHANG_ADMIN_PASSWORD="$TZ_PASSWORD" $BIN --database-url "$DB" demo > /dev/null
$BIN --database-url "$DB" serve --addr "127.0.0.1:$PORT" > "$WORK/serve.log" 2>&1 &
for _ in $(seq 1 100); do curl -sf "127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

cd e2e
npm ci --no-audit --no-fund --silent
TZ_BASE="http://127.0.0.1:$PORT" TZ_SHOTS="$PWD/../target/e2e" node --test
