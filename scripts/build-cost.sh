#!/usr/bin/env bash
# What a user compiles, timed (README, "Build cost"): in a clean clone of
# the commit to measure, from a fresh target directory each time,
#   1. `cargo build -p heygen-api-ext`, dependencies included;
#   2. `heygen-api-ext` again after an edit to its src/lib.rs;
#   3. `cargo build -p heygen-api`, dependencies included;
#   4. `heygen-api` again after `touch src/lib.rs`.
# Usage: scripts/build-cost.sh [COMMIT]   (default HEAD). Run it on an
# otherwise idle machine; it leaves nothing behind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
commit=${1:-HEAD}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/repo"
git -C "$work/repo" checkout -q "$commit"
cd "$work/repo"
export CARGO_TARGET_DIR="$work/target"

timed() { # label, command...
  local label=$1 start end
  shift
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  printf '%-60s %6.1f s\n' "$label" "$(echo "$end - $start" | bc)"
}

echo "commit $(git rev-parse --short HEAD), $(rustc --version)"
timed "cold cargo build -p heygen-api-ext" cargo build -q -p heygen-api-ext
echo "// an edit" >>heygen-api-ext/src/lib.rs
timed "heygen-api-ext rebuilt after an edit to src/lib.rs" cargo build -q -p heygen-api-ext
git checkout -q heygen-api-ext/src/lib.rs
rm -rf "$CARGO_TARGET_DIR"
timed "cold cargo build -p heygen-api" cargo build -q -p heygen-api
touch heygen-api/src/lib.rs
timed "heygen-api rebuilt after touch src/lib.rs" cargo build -q -p heygen-api
