#!/usr/bin/env bash
# Long, coverage-guided fuzzing of one target: scripts/fuzz.sh TARGET MINUTES [JOBS]
#
#   TARGET   pdf | image | einvoice | email | upload | config   (src/fuzzing.rs), or "all"
#            (every target, MINUTES each, one after the other)
#   MINUTES  how long to fuzz (per target)
#   JOBS     libFuzzer child processes side by side (default 1)
#
# cargo fuzz with libFuzzer on the nightly toolchain, no sanitizer (mailroom's own code is
# safe Rust, and pdfium, the one C++ library on these paths, is loaded at run time and not
# instrumented either way) but with debug assertions and overflow checks (fuzz/Cargo.toml), so
# that an arithmetic overflow is a crash. libFuzzer runs the target in child processes (-fork), so that a crash inside pdfium
# (C++) or an out-of-memory is recorded and the run goes on for its full time.
#
# What it keeps: the growing corpus in fuzz/corpus/TARGET (not committed), crashes in
# fuzz/artifacts/TARGET. A crash becomes a regression: copy it to fuzz/regressions/TARGET/
# (tests/fuzz.rs runs every file there in the test suite), then fix it.
# A summary line per run is appended to target/fuzz-runs.log: target, minutes, executions,
# corpus size, crashes.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:?usage: scripts/fuzz.sh TARGET MINUTES [JOBS]}"
minutes="${2:?usage: scripts/fuzz.sh TARGET MINUTES [JOBS]}"
jobs="${3:-1}"
targets=(pdf image einvoice email upload config)

if [ "$target" = all ]; then
  for t in "${targets[@]}"; do "$0" "$t" "$minutes" "$jobs"; done
  exit 0
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
echo "fuzz.sh: $target for $minutes min ($jobs job(s)); log: $log" >&2
before=$(ls "fuzz/artifacts/$target" | wc -l)
set +e
cargo +nightly fuzz run --sanitizer none --fuzz-dir fuzz "$target" \
  "fuzz/corpus/$target" "fuzz/seeds/$target" "fuzz/regressions/$target" -- \
  -fork="$jobs" -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 \
  -max_total_time="$seconds" -max_len="$max_len" -timeout=20 -rss_limit_mb=2048 \
  -artifact_prefix="fuzz/artifacts/$target/" >"$log" 2>&1
rc=$?
set -e
after=$(ls "fuzz/artifacts/$target" | wc -l)
# libFuzzer's fork mode prints "#N: cov: … corp: C/… exec/s: … oom/timeout/crash: O/T/C time: Ss job: J dft_time: …".
last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
execs=$(sed -nE 's/^#([0-9]+): cov:.*/\1/p' <<<"$last")
corpus=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
crashes=$(sed -nE 's/.* oom\/timeout\/crash: ([0-9]+\/[0-9]+\/[0-9]+).*/\1/p' <<<"$last")
line="$(date -u +%FT%TZ) target=$target minutes=$minutes jobs=$jobs executions=${execs:-?} corpus=${corpus:-?} oom/timeout/crash=${crashes:-?} new_artifacts=$((after - before)) rc=$rc"
echo "$line" | tee -a target/fuzz-runs.log
if [ "$after" -gt "$before" ]; then
  echo "fuzz.sh: new findings in fuzz/artifacts/$target/ — reproduce with: cargo +nightly fuzz run --sanitizer none --fuzz-dir fuzz $target fuzz/artifacts/$target/FILE" >&2
  exit 1
fi
