# mailroom: one binary and its native dependencies, the same as scripts/setup.sh installs.
# Keep the package list and the pypdfium2 pin in step with scripts/setup.sh.

FROM rust:1.95-bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        clang libclang-dev pkg-config build-essential \
        libtesseract-dev libleptonica-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY assets ./assets
COPY benches ./benches
RUN cargo build --release --locked --bin mailroom

FROM debian:bookworm-slim
ARG PYPDFIUM2_VERSION=4.30.0
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libtesseract5 liblept5 tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng tesseract-ocr-osd \
        python3 python3-pip ca-certificates \
    && python3 -m pip install --no-cache-dir --break-system-packages "pypdfium2==${PYPDFIUM2_VERSION}" \
    && install -m 0644 "$(python3 -c 'import pypdfium2_raw, os; print(os.path.join(os.path.dirname(pypdfium2_raw.__file__), "libpdfium.so"))')" /usr/local/lib/libpdfium.so \
    && ldconfig \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/mailroom /usr/local/bin/mailroom
RUN useradd --system --create-home --home-dir /var/lib/mailroom mailroom
USER mailroom
WORKDIR /var/lib/mailroom
ENV MAILROOM_ARCHIVE=/var/lib/mailroom/archive
VOLUME ["/var/lib/mailroom/archive"]
ENTRYPOINT ["mailroom"]
CMD ["--help"]
