# acsbatch in a container: `docker build -t acsbatch:0.1.0 .` then
#   docker run --rm acsbatch:0.1.0 run /usr/local/share/acsbatch/jobs/quickstart.yaml
# The Kubernetes manifests in scripts/k8s/ run this image (see "Running on Kubernetes" in the README).

# Build: the release preset through the project's scripts, without the test suite (so none of
# the test-only packages of scripts/setup.sh: googletest, benchmark, chromium), then installed
# into a staging prefix with the binary stripped.
FROM debian:12 AS build
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      g++ cmake ninja-build ccache make pkg-config \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
      libssl-dev libyaml-cpp-dev libcli11-dev libsqlite3-dev \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rm -rf build \
 && cmake --preset release -DACSBATCH_TESTS=OFF \
 && scripts/build.sh release \
 && cmake --install build --prefix /usr/local --strip \
 && /usr/local/bin/acsbatch --version

# Run: Debian 12 with only the shared libraries acsbatch links — OpenSSL; the C++ libraries are
# linked in — (the Packaging tests check this list against the binary's) and the CA store for
# TLS to the real service; a non-root user.
FROM debian:12-slim
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libssl3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 acsbatch \
 && useradd --system --uid 10001 --gid acsbatch --home-dir /var/lib/acsbatch --create-home \
      --shell /usr/sbin/nologin acsbatch
COPY --from=build /usr/local/bin/acsbatch /usr/local/bin/acsbatch
COPY --from=build /usr/local/share/acsbatch /usr/local/share/acsbatch
COPY --from=build /usr/local/share/man/man1/acsbatch.1 /usr/local/share/man/man1/acsbatch.1
# Fails the image build when a library is missing, and checks a shipped job loads.
RUN acsbatch --version && acsbatch validate /usr/local/share/acsbatch/jobs/quickstart.yaml
USER 10001:10001
WORKDIR /var/lib/acsbatch
ENTRYPOINT ["acsbatch"]
CMD ["--help"]
