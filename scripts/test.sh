#!/usr/bin/env bash
# README command 2: set everything up and run the whole test suite.
# Slow evaluations over the full corpus are not part of it: see README ("Evaluation").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --locked "$@"
