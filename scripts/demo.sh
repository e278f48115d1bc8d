#!/usr/bin/env bash
# README command 1: set everything up, build mailroom, and process the bundled fixtures
# into a local archive (embedded mode: no servers), then print a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --locked 2>&1 | grep -E '^(error|warning: unused)|Finished' || true
test -x target/release/mailroom || { echo "build failed: run 'cargo build --release' to see why" >&2; exit 1; }
ARCHIVE="${MAILROOM_ARCHIVE:-archive}"
echo "processing fixtures/documents into $ARCHIVE/ …" >&2
target/release/mailroom process fixtures/documents --archive "$ARCHIVE"
echo >&2
echo "index of each document: $ARCHIVE/documents/<sha256>/index/0001.json  (try: target/release/mailroom process --json FILE)" >&2
echo >&2
echo "held for review (they reach the ERP outbox only once a person approves them):" >&2
target/release/mailroom --archive "$ARCHIVE" review list
