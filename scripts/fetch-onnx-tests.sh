#!/usr/bin/env bash
# Fetches the ONNX backend node tests (onnx/backend/test/data/node) shipped in the pinned onnx wheel
# into a git-ignored cache folder; does nothing when they are already there.
# Usage: scripts/fetch-onnx-tests.sh [cache-dir]   (default .cache/onnx-node-tests-1.19.1)
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.19.1
dest=${1:-.cache/onnx-node-tests-$version}
if [ -f "$dest/.complete" ]; then
  echo "onnx tests: $dest already present"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The wheel for the current Python (any of them holds the same test data).
python3 -m pip download --quiet "onnx==$version" --no-deps -d "$tmp"
wheel=$(ls "$tmp"/onnx-"$version"-*.whl | head -n1)
rm -rf "$dest"
mkdir -p "$dest"
python3 - "$wheel" "$dest" <<'PY'
import sys, zipfile, os
wheel, dest = sys.argv[1], sys.argv[2]
prefix = "onnx/backend/test/data/node/"
n = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if not name.startswith(prefix) or name.endswith("/"):
            continue
        rel = name[len(prefix):]
        out = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with z.open(name) as src, open(out, "wb") as dst:
            dst.write(src.read())
        n += 1
print(f"onnx tests: {n} files into {dest}")
PY
touch "$dest/.complete"
