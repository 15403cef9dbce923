# syntax=docker/dockerfile:1
# Reestr's container image. The build stage runs the README's own commands
# (scripts/setup.sh installs the pinned cargo-leptos, wasm-bindgen-cli and
# wasm-opt; scripts/build-release.sh is the release build scripts/test.sh
# also runs and starts); the runtime stage holds the binary and the site.
#   docker build --build-arg REVISION=$(git rev-parse HEAD) -t reestr .
#   docker run -p 3000:3000 -v $PWD/registries.yaml:/config/registries.yaml:ro reestr

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
ENV CARGO_TARGET_DIR=/src/target/cargo CARGO_TERM_COLOR=never
COPY . .
RUN bash scripts/setup.sh run \
 && bash scripts/build-release.sh \
 && mkdir -p /out/data \
 && cp "$CARGO_TARGET_DIR/release/reestr" "$CARGO_TARGET_DIR/release/hash.txt" /out/ \
 && cp -r target/site /out/site \
 && cp registries.yaml /out/registries.yaml

# glibc, libgcc, OpenSSL (webauthn-rs) and CA certificates; no shell; uid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
ARG REVISION=unknown
ARG CREATED=unknown
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="Reestr" \
      org.opencontainers.image.description="A self-hosted browser for container registries" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
COPY --from=build /out/reestr /out/hash.txt /app/
COPY --from=build /out/site /app/site
COPY --from=build /out/registries.yaml /config/registries.yaml
COPY --from=build --chown=65532:65532 /out/data /data
ENV LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_ENV=PROD \
    REESTR_LISTEN=0.0.0.0:3000 \
    REESTR_CONFIG=/config/registries.yaml \
    REESTR_DATA_DIR=/data \
    REESTR_LOG_FORMAT=json
USER 65532:65532
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/app/reestr", "healthcheck"]
ENTRYPOINT ["/app/reestr"]
CMD ["serve"]
