#!/usr/bin/env bash
# Starts the servers production mode (and its tests) talk to, when they are not running:
#   RabbitMQ   127.0.0.1:5672 (guest/guest)   — Debian's rabbitmq-server, started detached
#   PostgreSQL 127.0.0.1:5432 (trust auth)    — the machine's cluster; database `mailroom` created
#   S3         127.0.0.1:9000                 — moto[server], installed by scripts/setup.sh
#   IMAP       127.0.0.1:10143/10993          — Dovecot with a test user (scripts/dovecot.sh)
# Idempotent: a running server is left alone. Everything listens on loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VENV="${MAILROOM_MOTO_VENV:-/opt/mailroom/moto-venv}"
S3_PORT="${MAILROOM_S3_PORT:-9000}"
LOG_DIR="${MAILROOM_SERVICE_LOGS:-target/services}"
mkdir -p "$LOG_DIR"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # port seconds name
  for _ in $(seq 1 "$2"); do listening "$1" && return 0; sleep 1; done
  echo "services: $3 did not come up on 127.0.0.1:$1 (see $LOG_DIR)" >&2
  return 1
}

if listening 5672; then
  echo "services: RabbitMQ is running on 127.0.0.1:5672" >&2
else
  echo "services: starting RabbitMQ (rabbitmq-server -detached)" >&2
  rabbitmq-server -detached >"$LOG_DIR/rabbitmq.log" 2>&1 || true
  wait_for 5672 90 RabbitMQ
fi

if ! listening 5432; then
  echo "services: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >"$LOG_DIR/postgresql.log" 2>&1 || true
  wait_for 5432 60 PostgreSQL
fi
if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'mailroom'" 2>/dev/null | grep -q 1; then
  echo "services: creating the PostgreSQL database mailroom" >&2
  psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE mailroom" >/dev/null
fi

if listening "$S3_PORT"; then
  echo "services: an S3 server is running on 127.0.0.1:$S3_PORT" >&2
else
  [ -x "$MOTO_VENV/bin/moto_server" ] || { echo "services: moto is not installed; run scripts/setup.sh" >&2; exit 1; }
  echo "services: starting moto (S3) on 127.0.0.1:$S3_PORT" >&2
  nohup "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT" >"$LOG_DIR/moto.log" 2>&1 &
  wait_for "$S3_PORT" 30 "moto (S3)"
fi

bash scripts/dovecot.sh
