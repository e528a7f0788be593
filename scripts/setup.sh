#!/usr/bin/env bash
# Installs what kiln needs from Debian's packages and builds it into build/ (CUDA backend when
# nvcc is found). Safe to run again: it installs only what is missing and rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

# cmake/ninja/g++ build kiln, libgtest-dev runs its tests, ccache keeps rebuilds short,
# libdnnl-dev (oneDNN 2.6) gives CPU engines oneDNN tactics (docs/cpu-backend.md).
packages=(cmake ninja-build g++ libgtest-dev ccache libdnnl-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# nvcc lives outside PATH on many machines; the CUDA backend is built when it is found.
if ! command -v nvcc >/dev/null 2>&1 && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH="/usr/local/cuda/bin:$PATH"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
echo "setup: kiln is built in build/"

# --- Python package (python/, docs/python.md) --------------------------------------------------
# The build and test requirements come from pip; the extension is built into the same build/ tree
# (KILN_PYTHON=ON) and assembled in build/python/kiln: scripts/test.sh puts build/python on
# PYTHONPATH. The interpreter is the `python3` on PATH.
python=$(python3 -c 'import sys; print(sys.executable)')
"$python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# Ray Serve for kiln.serve (docs/serving.md); PyTriton has its own script (setup-pytriton.sh).
"$python" -m pip install --quiet --disable-pip-version-check -r requirements-serve.txt
cmake -S . -B build -DKILN_PYTHON=ON -DPython_EXECUTABLE="$python" >/dev/null
cmake --build build
echo "setup: the Python package is built in build/python (PYTHONPATH=build/python)"
