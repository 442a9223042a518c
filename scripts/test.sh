#!/bin/sh
# Build libcrm (dev preset: debug, warnings as errors) and run the whole test
# suite: the Check suites (including pandas parity on ../shared/data when it
# is present), the header test, the CLI test and the Python binding tests.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh test
cmake --preset dev
cmake --build --preset dev -j"$(nproc)"
ctest --preset dev -j"$(nproc)"
