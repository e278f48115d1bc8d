#!/usr/bin/env bash
# README command 2: set everything up and run the whole test suite.
# The production-mode tests talk to a real RabbitMQ and a real S3 server (moto) on loopback;
# scripts/services.sh starts them when they are down.
# Slow evaluations over the full corpus are not part of it: see README ("Evaluation and benchmarks").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/services.sh
# Habits, checked before the (long) test build: formatted code, no clippy warnings.
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked "$@"
