#!/usr/bin/env bash
# Installs hemotwin from the build tree into a scratch prefix, builds examples/cpp against it with
# find_package(hemotwin), and runs the example.
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$source_dir/examples/cpp" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" > "$work/build.log" || { cat "$work/build.log"; exit 1; }
cd "$work"
"$work/build/stenosis_example" "$work/results"
test -f "$work/results/results.h5"
test -f "$work/results/summary.json"
echo "installed package builds and runs examples/cpp"
