#!/usr/bin/env bash
# Benchmark of a policy push (a benchmark, not a test): in a release build, matching one new
# policy against 10,000 enterprise profiles and queueing its pushes on SQLite, the way the API's
# push does it (examples/policy_bench.rs prints the median of several runs). Target: ≤ 1 s.
#
#   bench/policies.sh [ENTERPRISES] [RUNS]      (default 10000 enterprises, 7 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
ENTERPRISES="${1:-10000}"
RUNS="${2:-7}"
cargo build --release --quiet --example policy_bench
TARGET="${CARGO_TARGET_DIR:-target}/release"
"$TARGET/examples/policy_bench" "$ENTERPRISES" "$RUNS"
