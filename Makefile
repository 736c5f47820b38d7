# ember: the two commands the README shows (`make run`, `make test`) and their parts.
BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc)

# Debian packages the build, the tests and the benchmarks use.
DEB_PACKAGES := build-essential cmake pkg-config libevent-dev libspdlog-dev libfmt-dev \
	libcli11-dev libinih-dev catch2 libxxhash-dev libjemalloc-dev libhiredis-dev \
	libconcurrentqueue-dev libboost-dev redis-server redis-tools python3 python3-redis libhnswlib-dev \
	libedit-dev libssl-dev openssl libzstd-dev python3-xxhash libprotobuf-dev protobuf-compiler \
	python3-protobuf python3-prometheus-client curl

.PHONY: deps build run test test-asan test-tsan bench clean

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "missing packages; run as root:"; \
		echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y" $$missing; exit 1; fi; \
	echo "installing:" $$missing; \
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/bin/ember-server --config ember.conf

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j 2

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan:
	$(MAKE) test BUILD_DIR=build-asan BUILD_TYPE=Asan

# ThreadSanitizer: for hunting races (not in CI).
test-tsan:
	$(MAKE) test BUILD_DIR=build-tsan BUILD_TYPE=Tsan

bench: build
	bench/compare-redis.sh
	bench/memory.sh

clean:
	rm -rf build build-asan build-tsan
