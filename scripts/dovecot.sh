#!/usr/bin/env bash
# Starts Dovecot (Debian's dovecot-imapd, installed by scripts/setup.sh) for the IMAP tests, on
# loopback only, with its own configuration, a self-signed certificate and one test user:
#   IMAP + STARTTLS  127.0.0.1:10143     IMAPS  127.0.0.1:10993
#   user  mailroom-test   password  mailroom-test-password   (PLAIN/LOGIN, only over TLS)
# Everything lives under $MAILROOM_DOVECOT_DIR (default /var/tmp/mailroom-dovecot): the
# CA the tests trust (ca.pem; it signed the server's cert.pem), the mail, the log. Idempotent: a running Dovecot is
# left alone. `scripts/dovecot.sh stop` stops it.
set -euo pipefail

DIR="${MAILROOM_DOVECOT_DIR:-/var/tmp/mailroom-dovecot}"
IMAP_PORT="${MAILROOM_IMAP_PORT:-10143}"
IMAPS_PORT="${MAILROOM_IMAPS_PORT:-10993}"
MAIL_USER=mailroom-imap   # the system account the mail files belong to (created here)

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "${1:-start}" = "stop" ]; then
  [ -f "$DIR/dovecot.conf" ] && as_root doveadm -c "$DIR/dovecot.conf" stop 2>/dev/null || true
  exit 0
fi

command -v dovecot >/dev/null || { echo "dovecot: not installed (Debian dovecot-imapd); run scripts/setup.sh" >&2; exit 1; }
if listening "$IMAP_PORT" && listening "$IMAPS_PORT"; then
  echo "services: Dovecot is running on 127.0.0.1:$IMAP_PORT and :$IMAPS_PORT" >&2
  exit 0
fi

id "$MAIL_USER" >/dev/null 2>&1 || as_root useradd --system --no-create-home --shell /usr/sbin/nologin "$MAIL_USER"
uid="$(id -u "$MAIL_USER")"; gid="$(id -g "$MAIL_USER")"
as_root mkdir -p "$DIR/home" "$DIR/run" "$DIR/state"
if [ ! -f "$DIR/ca.pem" ]; then
  # A private CA and a server certificate it signed (rustls, rightly, refuses a CA
  # certificate used as the server's own): the tests trust ca.pem, as ca_file would.
  as_root openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=mailroom test CA" \
    -keyout "$DIR/ca-key.pem" -out "$DIR/ca.pem" 2>/dev/null
  as_root openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$DIR/key.pem" -out "$DIR/server.csr" 2>/dev/null
  as_root sh -c "printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:localhost,IP:127.0.0.1' > '$DIR/server.ext'"
  as_root openssl x509 -req -in "$DIR/server.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca-key.pem" -CAcreateserial -days 3650 \
    -extfile "$DIR/server.ext" -out "$DIR/cert.pem" 2>/dev/null
  as_root chmod 644 "$DIR/cert.pem" "$DIR/ca.pem"; as_root chmod 600 "$DIR/key.pem" "$DIR/ca-key.pem"
fi
as_root sh -c "printf '%s\n' 'mailroom-test:{PLAIN}mailroom-test-password::::::' > '$DIR/users'"
as_root chown -R "$uid:$gid" "$DIR/home"
as_root tee "$DIR/dovecot.conf" >/dev/null <<CONF
# Written by scripts/dovecot.sh: the mailroom IMAP test server. Loopback only.
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <$DIR/cert.pem
ssl_key = <$DIR/key.pem
auth_mechanisms = plain login
disable_plaintext_auth = yes
first_valid_uid = $uid
last_valid_uid = $uid
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:~/Maildir
mail_max_userip_connections = 64
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/users
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$DIR/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
namespace inbox {
  inbox = yes
  separator = /
}
CONF
echo "services: starting Dovecot on 127.0.0.1:$IMAP_PORT (STARTTLS) and :$IMAPS_PORT (IMAPS)" >&2
as_root dovecot -c "$DIR/dovecot.conf"
for _ in $(seq 1 30); do listening "$IMAP_PORT" && listening "$IMAPS_PORT" && exit 0; sleep 1; done
echo "services: Dovecot did not come up (see $DIR/dovecot.log)" >&2
exit 1
