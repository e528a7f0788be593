"""The README's first command: examples/digits/classify.py on kiln's CPU backend.

Runs the classifier on the held-out digits, checks the accuracy threshold the README promises,
and checks that kiln computed what the trained network computes (a numpy forward pass of the same
weights), so a right answer cannot come from anywhere but the engine.
"""

import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np

# scikit-learn (requirements-dev.txt, installed by scripts/setup.sh) provides the digits; without
# it these tests fail rather than skip, as the README's first command would.

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "digits"


def load(name):
    spec = importlib.util.spec_from_file_location(f"digits_{name}", EXAMPLE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def numpy_reference(params, images):
    x = images.reshape(len(images), -1)
    h = np.maximum(x @ params["w1"] + params["b1"], 0)
    z = h @ params["w2"] + params["b2"]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_weights_are_small_and_split_is_held_out():
    assert (EXAMPLE / "digits_weights.npz").stat().st_size < 100 * 1024
    train = load("train")
    params, test_idx, _ = load("classify").load_weights()
    train_idx, expected_test = train.split(1797)
    np.testing.assert_array_equal(test_idx, expected_test)
    assert not set(train_idx) & set(test_idx)
    assert params["w1"].shape == (64, train.HIDDEN) and params["w2"].shape == (train.HIDDEN, 10)


def test_classifier_on_cpu(capsys):
    classify = load("classify")
    result = classify.main(["--device=cpu", "--batch=32", "--repeats=2"])
    out = capsys.readouterr().out
    assert result["device"] == "CPU"
    assert result["accuracy"] > 0.90, out
    assert "accuracy:" in out and "latency per batch of 32 on the CPU" in out
    assert np.all(result["latency_ms"] > 0)

    # kiln's probabilities and classes are the trained network's.
    from sklearn.datasets import load_digits

    params, test_idx, scale = classify.load_weights()
    images = (load_digits().images[test_idx] * scale).astype(np.float32)
    expected = numpy_reference(params, images)
    np.testing.assert_allclose(result["prob"], expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(result["predicted"], expected.argmax(axis=1))


def test_batch_sizes_give_the_same_answer():
    classify = load("classify")
    a = classify.main(["--device=cpu", "--batch=7", "--repeats=1"])
    b = classify.main(["--device=cpu", "--batch=1", "--repeats=1"])
    np.testing.assert_array_equal(a["predicted"], b["predicted"])
    np.testing.assert_allclose(a["prob"], b["prob"], rtol=1e-5, atol=1e-6)


def test_readme_command_runs():
    """The command README.md and .ci/run give (less the setup), as a user runs it."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT / "build" / "python"), os.environ.get("PYTHONPATH")) if p))
    run = subprocess.run([sys.executable, "examples/digits/classify.py", "--device=auto",
                          "--repeats=2"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    line = next(l for l in run.stdout.splitlines() if l.startswith("accuracy:"))
    assert float(line.split()[1].rstrip("%")) > 90.0
    assert "latency per batch" in run.stdout


def test_ci_runs_the_readme_command():
    """.ci/run runs exactly the README's first command."""
    readme = (ROOT / "README.md").read_text()
    command = next(l for l in readme.splitlines() if l.startswith("bash scripts/setup.sh"))
    assert "examples/digits/classify.py" in command
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()
