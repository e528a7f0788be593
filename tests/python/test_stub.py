"""The checked-in typing stub python/kiln/_kiln.pyi matches the built extension (regenerate it
with `PYTHONPATH=build/python python3 python/make_stubs.py`)."""

import os
import pathlib
import subprocess
import sys

import pytest

import kiln

ROOT = pathlib.Path(__file__).resolve().parents[2]


def pinned_nanobind():
    for line in (ROOT / "requirements-dev.txt").read_text().splitlines():
        if line.startswith("nanobind=="):
            return line.split("==", 1)[1].strip()
    return None


def test_typing_stub_is_current():
    pytest.importorskip("nanobind.stubgen")
    import nanobind

    # stubgen's output differs between nanobind versions: the stub is generated (and checked)
    # with the version requirements-dev.txt pins; elsewhere (the GPU machine's own nanobind)
    # the check cannot tell a stale stub from another stubgen.
    if nanobind.__version__ != pinned_nanobind():
        pytest.skip(f"nanobind {nanobind.__version__}; the stub is checked with {pinned_nanobind()}")
    package = pathlib.Path(kiln.__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(package))
    result = subprocess.run([sys.executable, str(ROOT / "python" / "make_stubs.py"), "--check"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
