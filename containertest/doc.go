// Package containertest checks the container image built from the repository's Dockerfile:
// that it builds, stays small, runs as non-root, turns healthy through its own HEALTHCHECK,
// takes a fixtures folder mounted at /fixtures, and serves the API from inside a container.
//
// The tests need a Docker engine and skip without one (`sudo bash .ci/docker-setup` installs
// and starts one on Debian, and makes the offline build image). They build with the
// Dockerfile's default, public base images unless ONEENTRY_CONTAINER_BUILD_ARGS names others,
// as space-separated NAME=VALUE build arguments:
//
//	ONEENTRY_CONTAINER_BUILD_ARGS="GO_IMAGE=oneentry-mock/go-build:local" go test ./containertest
//
// GOPROXY and GOFLAGS are passed on to the build when set. ONEENTRY_CONTAINER_TESTS=skip, or
// go test -short, skips them even where Docker runs.
package containertest
