# runsc: the README's commands. Everything installs what it needs first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps build run test unit integration e2e bench bench-platform compat clean

all: build

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	scripts/demo $(BUILD_DIR)

test: build
	cd $(BUILD_DIR) && ctest -j $(JOBS) --output-on-failure --timeout 300 $(CTEST_ARGS)

unit: build
	cd $(BUILD_DIR) && ctest -j $(JOBS) -L unit --output-on-failure $(CTEST_ARGS)

integration: build
	cd $(BUILD_DIR) && ctest -j $(JOBS) -L integration --output-on-failure $(CTEST_ARGS)

# containerd, podman and docker driving runsc (README "Installing runsc as ...").
e2e: build
	cd $(BUILD_DIR) && ctest -j $(JOBS) -L e2e --output-on-failure $(CTEST_ARGS)

# The benchmarks, natively and under runc and runsc, in one run (README
# "Benchmarks"); writes $(BUILD_DIR)/bench/. More runtimes or a subset:
# make bench BENCH_ARGS='--runtime crun --filter "read_*,startup"'.
BENCH_ARGS ?=
bench: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target runsc runsc-bench
	$(BUILD_DIR)/runsc-bench --out $(BUILD_DIR)/bench \
	  --runtime native --runtime runc=$(RUNC) \
	  --runtime runsc-ptrace="$(BUILD_DIR)/runsc --platform=ptrace" \
	  --runtime runsc-systrap="$(BUILD_DIR)/runsc --platform=systrap" $(BENCH_ARGS)

# The platforms' own micro benchmark: a PTRACE_SYSEMU round trip and a
# systrap round trip (per spin budget) against native getppid
# (bench/getppid_bench.cc).
bench-platform: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target runsc_bench_getppid
	$(BUILD_DIR)/bench/runsc_bench_getppid

# The syscall-compatibility suite, natively and under runc and runsc
# (README "Compatibility suite"); writes $(BUILD_DIR)/compat/. More runtimes or
# flags: make compat COMPAT_ARGS='--runtime crun --filter read'.
RUNC ?= $(shell command -v runc 2>/dev/null || echo /usr/sbin/runc)
COMPAT_ARGS ?=
compat: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target runsc runsc-compat runsc_syscall_tests
	$(BUILD_DIR)/runsc-compat --tests $(BUILD_DIR)/test/syscalls/bin --out $(BUILD_DIR)/compat \
	  --runtime native --runtime runc=$(RUNC) \
	  --runtime runsc-ptrace="$(BUILD_DIR)/runsc --platform=ptrace" \
	  --runtime runsc-systrap="$(BUILD_DIR)/runsc --platform=systrap" $(COMPAT_ARGS)

clean:
	rm -rf $(BUILD_DIR)
