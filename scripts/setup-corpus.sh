#!/usr/bin/env bash
# Installs what the training-corpus generator (scripts/corpus/) needs, idempotently:
# a handful of business fonts (Debian packages) and the pinned Python packages in a
# virtualenv at target/py-corpus. poppler-utils (pdftoppm, pdftotext) comes from
# scripts/setup.sh; it is checked here too. Re-running it is cheap: it only installs
# what is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/target/py-corpus"
req="$root/scripts/corpus/requirements.txt"

APT_PACKAGES=(
  poppler-utils
  # sans and serif families seen on real business letters (Arial/Times/Calibri/Cambria
  # metric clones, DejaVu, FreeFont, Open Sans, Lato) and one monospace for ERP printouts
  fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf fonts-crosextra-carlito
  fonts-crosextra-caladea fonts-open-sans fonts-lato
  python3-venv
)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-corpus: installing Debian packages: ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "setup-corpus: creating virtualenv $venv" >&2
  python3 -m venv "$venv"
fi
# Install only when the pinned set differs from what the venv has.
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup-corpus: installing pinned Python packages" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi

echo "setup-corpus: ok ($("$venv/bin/python" --version), $(pdftoppm -v 2>&1 | head -1))" >&2
