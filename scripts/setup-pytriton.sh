#!/usr/bin/env bash
# Sets up .venv-pytriton/: a virtual environment for serving kiln engines through Triton Inference
# Server with PyTriton (docs/serving.md). nvidia-pytriton 0.7 pins numpy < 2 while the rest of
# kiln's development environment has numpy 2, so it gets its own environment. The environment
# uses the same interpreter as `python3` (the kiln extension in build/python is built for it) and
# reaches kiln through PYTHONPATH=build/python; nothing here is part of scripts/setup.sh or CI.
#
#   bash scripts/setup-pytriton.sh            # once (about 300 MB from PyPI)
#   PYTHONPATH=build/python .venv-pytriton/bin/python -m kiln.serve.triton model.plan
#   PYTHONPATH=build/python .venv-pytriton/bin/python -m pytest -q tests/python/test_serve_triton.py
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${KILN_PYTRITON_VENV:-.venv-pytriton}
python=$(python3 -c 'import sys; print(sys.executable)')
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "nvidia-pytriton==0.7.*" "tritonclient[http,grpc]" "numpy<2" pytest
# The bundled tritonserver is a manylinux_2_35 binary: it needs glibc 2.35 or newer.
"$venv/bin/python" - <<'PY'
import platform
import pytriton, numpy
print(f"setup-pytriton: pytriton ready (numpy {numpy.__version__}, glibc {platform.libc_ver()[1]})")
PY
