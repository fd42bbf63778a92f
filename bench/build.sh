#!/usr/bin/env bash
# Benchmark of a clean release build (a benchmark, not a test): builds BASE (default: the commit
# before the build was made lighter) and the working tree's HEAD one after the other, each from a
# fresh checkout into an empty target folder, with `cargo build --release --timings --bin
# taizhang`, and prints for each the wall time, the processor time (user + system), when the
# library's compilation started (everything before it is dependencies), how long it took, and the
# binary's; then the ratios HEAD / BASE. The machine should be otherwise idle: both builds use
# every core.
#
#   bench/build.sh [BASE]      (default 0ffdc6f)
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${1:-0ffdc6f}"
WORK=$(mktemp -d)
trap 'git worktree remove --force "$WORK/base" 2>/dev/null || true;
      git worktree remove --force "$WORK/head" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Builds revision $2 in $WORK/$1 and prints "wall cpu lib_start lib_seconds bin_seconds".
build() {
  local name=$1 rev=$2
  git worktree add --quiet --detach "$WORK/$name" "$rev"
  (cd "$WORK/$name" && CARGO_TARGET_DIR="$WORK/target-$name" /usr/bin/time -f '%e %U %S' \
    -o "$WORK/$name.time" cargo build --release --timings --bin taizhang --quiet)
  python3 - "$WORK/target-$name/cargo-timings/cargo-timing.html" "$WORK/$name.time" <<'PY'
import json, re, sys
html = open(sys.argv[1]).read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S).group(1))
wall, user, system = map(float, open(sys.argv[2]).read().split()[-3:])
ours = [u for u in units if u["name"] == "taizhang"]
lib = next(u for u in ours if "bin" not in u["target"])
binary = next(u for u in ours if "bin" in u["target"])
print(f"{wall:.1f} {user + system:.1f} {lib['start']:.1f} {lib['duration']:.1f} {binary['duration']:.1f} {len(units)}")
PY
}

echo "clean release builds, one after the other (s): wall, CPU, library starts at, library, binary, units"
base=$(build base "$BASE")
echo "BASE $BASE: $base"
head=$(build head HEAD)
echo "HEAD $(git rev-parse --short HEAD): $head"
python3 - "$base" "$head" <<'PY'
import sys
b = list(map(float, sys.argv[1].split()))
h = list(map(float, sys.argv[2].split()))
names = ["wall", "CPU", "library starts at", "library", "binary"]
for i, n in enumerate(names):
    print(f"{n:>18}: {b[i]:7.1f} s -> {h[i]:7.1f} s   ({h[i] / b[i]:.2f} x)")
print(f"{'units':>18}: {int(b[5]):7d}   -> {int(h[5]):7d}")
print(f"target: wall about half of BASE (0.50 x); now {h[0] / b[0]:.2f} x")
PY
