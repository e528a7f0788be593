"""The checked-in typing stub python/kiln/_kiln.pyi matches the built extension (regenerate it
with `PYTHONPATH=build/python python3 python/make_stubs.py`)."""

import os
import pathlib
import subprocess
import sys

import pytest

import kiln

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_typing_stub_is_current():
    pytest.importorskip("nanobind.stubgen")
    package = pathlib.Path(kiln.__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(package))
    result = subprocess.run([sys.executable, str(ROOT / "python" / "make_stubs.py"), "--check"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
