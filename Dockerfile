# oneentry-mock container image: one static binary, nothing else.
#
# Public base images (needs a registry); VERSION and REVISION are what --version prints:
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" \
#     --build-arg REVISION="$(git rev-parse HEAD)" -t oneentry-mock .
# Offline, with the base image made by .ci/docker-setup from the machine's Go toolchain (the
# same two --build-arg too):
#   docker build --build-arg GO_IMAGE=oneentry-mock/go-build:local -t oneentry-mock .
# Run it; mount a fixtures folder (same layout as fixtures/) to replace the embedded seed, and a
# volume on /data to keep the state:
#   docker run --rm -p 127.0.0.1:8080:8080 oneentry-mock
#   docker run --rm -p 127.0.0.1:8080:8080 -v "$PWD/fixtures:/fixtures:ro" -e ONEENTRY_MOCK_FIXTURES=/fixtures oneentry-mock
#   docker run --rm -p 127.0.0.1:8080:8080 -v oneentry-state:/data -e ONEENTRY_MOCK_DATA_DIR=/data oneentry-mock
#
# No "# syntax=" line and no BuildKit-only flags: the file builds with the classic builder and
# with BuildKit alike, and never has to fetch a Dockerfile frontend image.

# The build stage's image must provide Go at least as new as go.mod's go line, on its PATH.
ARG GO_IMAGE=golang:1.26-bookworm
# scratch needs no pull, and the binary needs nothing beside it: static, no cgo, no outbound
# TLS, and the zone database for the fixtures' time zone compiled in (time/tzdata in main).
# gcr.io/distroless/static-debian12:nonroot works too; it adds an /etc/passwd naming uid 65532,
# CA certificates and tzdata, at the cost of a registry pull.
ARG RUNTIME_IMAGE=scratch

FROM ${GO_IMAGE} AS build
# Module downloads go through whatever proxy the caller uses; unset means Go's own default.
ARG GOPROXY
ARG GOFLAGS
ENV CGO_ENABLED=0 GOTOOLCHAIN=local
# An empty folder for the final stage's /data: the image has no shell to make one there.
WORKDIR /out/data
WORKDIR /src
# Exec form throughout: the locally made build image has a Go toolchain but no shell.
# The standard library compiled with the final build's settings, in a layer that only a new
# base image invalidates: a source change then recompiles the project, not net/http and co.
RUN ["go", "build", "-trimpath", "std"]
COPY go.mod go.sum ./
RUN ["go", "mod", "download"]
COPY . .
# What --version prints. The context has no .git (.dockerignore), so Go stamps no revision: pass
# both from git, as the build line at the top does; the defaults say they are unknown. Declared
# only here, so that a new value rebuilds the binary alone.
ARG VERSION=unknown
ARG REVISION=unknown
# Given through GOFLAGS because an exec-form RUN expands no variables and the build image has no
# shell; the quotes keep -ldflags one setting (cmd/go splits GOFLAGS honouring them). A
# -ldflags on the command line would replace this one.
ENV GOFLAGS="${GOFLAGS} '-ldflags=-s -w -X=main.version=${VERSION} -X=main.revision=${REVISION}'"
RUN ["go", "build", "-trimpath", "-o", "/out/oneentry-mock", "./cmd/oneentry-mock"]

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="oneentry-mock" \
      org.opencontainers.image.description="Local stateful mock of the OneEntry Headless CMS content API"
COPY --from=build /out/oneentry-mock /oneentry-mock
# The data dir's usual place, the server's own: a new named volume mounted there starts with
# this owner, so --data-dir /data works without a chown.
COPY --from=build --chown=65532:65532 /out/data /data
# Numeric, so it works in scratch, which has no /etc/passwd; 65532 is distroless's nonroot.
USER 65532:65532
# serve listens on loopback by default; inside the container that would be unreachable.
ENV ONEENTRY_MOCK_ADDR=0.0.0.0:8080
EXPOSE 8080
# A short interval because the usual consumer is CI or compose waiting on service_healthy;
# the probe is the binary itself, since the image has no curl or wget.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/oneentry-mock", "healthcheck"]
ENTRYPOINT ["/oneentry-mock"]
CMD ["serve"]
