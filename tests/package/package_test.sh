#!/usr/bin/env bash
# Installs the built project into a temporary prefix, then builds the program
# in consumer/ against it twice, as an application would, and runs each build:
# with CMake (find_package(tenantlog), tenantlog::engine) and with
# `pkg-config --cflags --libs tenantlog`. Everything it writes is under one
# temporary directory, removed on exit.
#
# Usage: package_test.sh BUILD_DIR LIBDIR CXX GENERATOR CXXFLAGS LDFLAGS
#   LIBDIR: the install libdir relative to the prefix (CMAKE_INSTALL_LIBDIR);
#   CXXFLAGS, LDFLAGS: flags the program needs to link with this build of the
#   library (its sanitizers), space-separated, possibly empty.
set -euo pipefail

build_dir=$1 libdir=$2 cxx=$3 generator=$4
read -ra cxxflags <<<"$5"
read -ra ldflags <<<"$6"
consumer_dir=$(cd "$(dirname "$0")/consumer" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/tenantlog-package-test-XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

echo "== cmake --install into $prefix"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null

echo "== find_package(tenantlog) and tenantlog::engine"
cmake -S "$consumer_dir" -B "$work/cmake-build" -G "$generator" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_FLAGS="${cxxflags[*]}" -DCMAKE_EXE_LINKER_FLAGS="${ldflags[*]}" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
"$work/cmake-build/app" "$work/store-cmake"

echo "== pkg-config --cflags --libs tenantlog"
pc_flags=$(PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig" pkg-config --cflags --libs tenantlog)
echo "$pc_flags"
read -ra pc_flags <<<"$pc_flags"
"$cxx" -std=c++20 "${cxxflags[@]}" "$consumer_dir/main.cc" -o "$work/app-pkg-config" \
  "${ldflags[@]}" "${pc_flags[@]}"
"$work/app-pkg-config" "$work/store-pkg-config"
