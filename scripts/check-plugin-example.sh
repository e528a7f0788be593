#!/usr/bin/env bash
# Installs kiln from a build directory into a temporary prefix and builds examples/plugin/ against
# it as an outside project would, then runs the demo. Usage: scripts/check-plugin-example.sh [build]
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$root/examples/plugin" -B "$work/example" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/example"
LD_LIBRARY_PATH="$work/prefix/lib:${LD_LIBRARY_PATH:-}" \
  "$work/example/plugin_demo" "$work/example/libscaled_tanh_plugin.so"
