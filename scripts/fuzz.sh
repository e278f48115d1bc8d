#!/usr/bin/env bash
# Long, coverage-guided fuzzing of one target: scripts/fuzz.sh TARGET MINUTES
#
#   TARGET   pdf | image | einvoice | email | upload | config   (src/fuzzing.rs), or "all"
#            (every target, MINUTES each, one after the other)
#   MINUTES  how long to fuzz (per target)
#
# cargo fuzz with libFuzzer on the nightly toolchain, no sanitizer (mailroom's own code is
# safe Rust, and pdfium, the one C++ library on these paths, is loaded at run time and not
# instrumented either way) but with debug assertions and overflow checks (fuzz/Cargo.toml), so
# that an arithmetic overflow is a crash (mail-parser excepted: see fuzz/Cargo.toml). A crash —
# inside pdfium (C++) too — an out-of-memory or a timeout ends one libFuzzer run with its input
# saved; the script starts the next with the time left, so a run lasts its full time.
#
# What it keeps: the growing corpus in fuzz/corpus/TARGET (not committed), crashes in
# fuzz/artifacts/TARGET. A crash becomes a regression: copy it to fuzz/regressions/TARGET/
# (tests/fuzz.rs runs every file there in the test suite), then fix it.
# A summary line per call is appended to target/fuzz-runs.log: target, minutes, libFuzzer runs,
# executions, corpus size, new findings; it exits 1 when there were any.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:?usage: scripts/fuzz.sh TARGET MINUTES}"
minutes="${2:?usage: scripts/fuzz.sh TARGET MINUTES}"
targets=(pdf image einvoice email upload config)

if [ "$target" = all ]; then
  status=0
  for t in "${targets[@]}"; do "$0" "$t" "$minutes" || status=1; done
  exit $status
fi
if [[ ! " ${targets[*]} " =~ " $target " ]]; then
  echo "fuzz.sh: unknown target '$target'; one of: ${targets[*]} all" >&2
  exit 2
fi
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz.sh: cargo fuzz needs the nightly toolchain: rustup toolchain install nightly" >&2
  exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz (once)" >&2
  cargo install cargo-fuzz --version 0.13.2 --locked
fi

mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target" target
if [ ! -e /usr/local/lib/libpdfium.so ] && [ -z "${MAILROOM_PDFIUM_LIB:-}" ]; then
  echo "fuzz.sh: libpdfium is missing: run scripts/setup.sh (or set MAILROOM_PDFIUM_LIB)" >&2
  exit 2
fi
# Inputs as large as the seeds (a hybrid PDF is ~100 KB); most mutations stay small.
case "$target" in
  pdf) max_len=131072 ;;
  email|einvoice|config) max_len=16384 ;;
  *) max_len=8192 ;;
esac
seconds=$((minutes * 60))
log="target/fuzz-$target.log"
echo "fuzz.sh: $target for $minutes min; log: $log" >&2
before=$(ls "fuzz/artifacts/$target" | wc -l)
cargo +nightly fuzz build -O --sanitizer none --fuzz-dir fuzz "$target" >"$log" 2>&1 || { cat "$log" >&2; exit 2; }
# In process (libFuzzer's -fork mode ran ~40x fewer executions per second on pdf and reported
# a killed child as the exit status): a crash, out-of-memory or timeout stops the run with
# its input saved in fuzz/artifacts/TARGET, and the loop goes on with the time left.
execs=0
runs=0
end=$((SECONDS + seconds))
while [ "$SECONDS" -lt "$end" ]; do
  left=$((end - SECONDS))
  runs=$((runs + 1))
  set +e
  cargo +nightly fuzz run -O --sanitizer none --fuzz-dir fuzz "$target" \
    "fuzz/corpus/$target" "fuzz/seeds/$target" "fuzz/regressions/$target" -- \
    -max_total_time="$left" -max_len="$max_len" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="fuzz/artifacts/$target/" >>"$log" 2>&1
  rc=$?
  set -e
  n=$(grep -E '^stat::number_of_executed_units:' "$log" | tail -1 | awk '{print $2}')
  execs=$((execs + ${n:-0}))
  # -print_final_stats prints again at each run's end: count each once.
  sed -i 's/^stat::number_of_executed_units:/counted::number_of_executed_units:/' "$log"
  [ "$rc" -eq 0 ] && break
  echo "fuzz.sh: $target stopped (exit $rc) after run $runs; going on with the time left" >&2
  sleep 1
done
after=$(ls "fuzz/artifacts/$target" | wc -l)
corpus=$(ls "fuzz/corpus/$target" | wc -l)
line="$(date -u +%FT%TZ) target=$target minutes=$minutes runs=$runs executions=$execs corpus=$corpus new_artifacts=$((after - before))"
echo "$line" | tee -a target/fuzz-runs.log
if [ "$after" -gt "$before" ]; then
  echo "fuzz.sh: new findings in fuzz/artifacts/$target/ — reproduce with: cargo +nightly fuzz run -O --sanitizer none --fuzz-dir fuzz $target fuzz/artifacts/$target/FILE" >&2
  exit 1
fi
