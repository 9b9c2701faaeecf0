#!/usr/bin/env bash
# Where the SDK's per-call time goes at 64 concurrent calls (BENCHMARKS.md,
# section 1c). Builds the bench with frame pointers, records the client
# thread with `perf record` while it calls `getVideo` from 64 tasks for five
# seconds, once through bare reqwest and once through the SDK, and prints
# CPU microseconds per call on the client thread by what the sampled
# instruction was in (allocator, kernel, reqwest/hyper, ...).
# Needs `perf` and python3. Run it on an otherwise idle machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="$root/target/prof"
RUSTFLAGS="-C force-frame-pointers=yes" cargo bench -q -p heygen-api-ext --no-run 2>/dev/null
bench=$(ls -t "$CARGO_TARGET_DIR"/release/deps/sdk-* | grep -v '\.d$' | head -1)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for way in bare sdk; do
  perf record -q -F 1999 -o "$out/$way.data" -- "$bench" --bench "profile-$way" >"$out/$way.txt" 2>/dev/null
  cat "$out/$way.txt"
  perf script -i "$out/$way.data" -F pid,tid,ip,sym,dso 2>/dev/null >"$out/$way.script"
done
python3 - "$out" <<'PY'
import collections, re, sys
out = sys.argv[1]
RATE = 1999  # samples per second of CPU time

def category(line):
    if "kernel.kallsyms" in line or "[kernel" in line:
        return "kernel (syscalls, wakeups, TCP)"
    for name, pattern in [
        ("allocator (malloc, free)", r"malloc|free|realloc|__rust_alloc|__rust_dealloc|_int_"),
        ("memmove/memcmp (moving futures, copying)", r"memmove|memcpy|memcmp|memset"),
        ("timers and clocks", r"tokio::time|runtime::time|Sleep|clock_gettime|read_tsc|TotalTimeout|atomic_waker"),
        ("tracing (no subscriber)", r"tracing"),
        ("SDK, generated client, bench closure", r"heygen|sdk::|progenitor"),
        ("serde", r"serde"),
        ("url parsing", r"url::|idna"),
        ("reqwest, hyper, http", r"reqwest|hyper|tower|http::|http_body|bytes::|h2::"),
        ("tokio scheduler and IO", r"tokio|mio::"),
    ]:
        if re.search(pattern, line):
            return name
    return "other (libc, std)"

def load(way):
    calls = int(re.search(r"(\d+) calls", open(f"{out}/{way}.txt").read()).group(1))
    counts, total = collections.Counter(), 0
    # Recorded without call chains: one line per sample, "pid/tid ip sym (dso)".
    for line in open(f"{out}/{way}.script"):
        fields = line.split(None, 1)
        if len(fields) < 2 or "/" not in fields[0]:
            continue
        pid, tid = fields[0].split("/", 1)
        if pid != tid:  # the client is the main thread; the server has its own
            continue
        total += 1
        counts[category(fields[1])] += 1
    per_call = lambda n: n / RATE / calls * 1e6
    return calls, counts, total, per_call

b_calls, b, b_total, b_us = load("bare")
s_calls, s, s_total, s_us = load("sdk")
print(f"\nthroughput ratio bare/SDK: {b_calls / s_calls:.3f}; client thread CPU per call: "
      f"bare {b_us(b_total):.2f} us, SDK {s_us(s_total):.2f} us (ratio {s_us(s_total) / b_us(b_total):.3f})\n")
print("| where the client thread was (sampled frame) | bare reqwest (us/call) | SDK (us/call) | SDK - bare |")
print("|---|---|---|---|")
for k in sorted(set(b) | set(s), key=lambda k: -(s_us(s[k]) - b_us(b[k]))):
    print(f"| {k} | {b_us(b[k]):.2f} | {s_us(s[k]):.2f} | {s_us(s[k]) - b_us(b[k]):+.2f} |")
print(f"| all | {b_us(b_total):.2f} | {s_us(s_total):.2f} | {s_us(s_total) - b_us(b_total):+.2f} |")
PY
