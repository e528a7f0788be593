"""Regenerates python/kiln/_kiln.pyi from a built extension with nanobind's stubgen.

    PYTHONPATH=build/python python3 python/make_stubs.py

stubgen sees `object` where a binding returns "X or None" (TensorRT-style failures); the table
below gives those calls their real types. Check the diff and commit the stub with the bindings.
"""

import pathlib
import re
import subprocess
import sys

OUT = pathlib.Path(__file__).parent / "kiln" / "_kiln.pyi"

# (class or "" for module level, name) -> return type
RETURNS = {
    ("", "get_last_error"): "str | None",
    ("IShuffleLayer", "first_transpose"): "tuple[int, ...]",
    ("IShuffleLayer", "second_transpose"): "tuple[int, ...]",
    ("IShuffleLayer", "reshape_dims"): "kiln.Dims | None",
    ("IResizeLayer", "shape"): "kiln.Dims | None",
    ("IResizeLayer", "scales"): "list[float] | None",
    ("Weights", "numpy"): "numpy.ndarray | None",
    ("ITensor", "shape"): "kiln.Dims | None",
    ("ICudaEngine", "get_tensor_name"): "str | None",
    ("ICudaEngine", "get_tensor_dtype"): "DataType | None",
    ("ICudaEngine", "get_tensor_shape"): "kiln.Dims | None",
    ("ICudaEngine", "get_tensor_profile_shape"): "list[kiln.Dims] | None",
    ("ICudaEngine", "serialize"): "IHostMemory",
    ("ICudaEngine", "create_execution_context"): "IExecutionContext | None",
    ("IExecutionContext", "engine"): "ICudaEngine",
    ("IExecutionContext", "get_tensor_shape"): "kiln.Dims | None",
    ("ITimingCache", "serialize"): "IHostMemory",
    ("AlgorithmIOInfo", "shape"): "kiln.Dims",
    ("IAlgorithm", "algorithm_variant"): "IAlgorithm",
    ("IOptimizationProfile", "get_shape"): "list[kiln.Dims]",
    ("IBuilderConfig", "create_timing_cache"): "ITimingCache | None",
    ("IBuilderConfig", "get_timing_cache"): "ITimingCache | None",
    ("IBuilderConfig", "algorithm_selector"): "IAlgorithmSelector | None",
    ("IBuilderConfig", "progress_monitor"): "IProgressMonitor | None",
    ("Builder", "build_serialized_network"): "IHostMemory | None",
    ("Runtime", "deserialize_cuda_engine"): "ICudaEngine | None",
    ("OnnxParser", "get_error"): "ParserError | None",
}

# Python-side additions (kiln/__init__.py attaches them to the extension's classes).
EXTRA = {
    "DataType": "    @property\n    def itemsize(self) -> int:\n        \"\"\"Bytes per element.\"\"\"\n",
    "IExecutionContext": (
        "    def infer(self, feeds: Mapping[str, Any], stream: int | None = None) -> dict[str, Any] | None:\n"
        "        \"\"\"Sets shapes, allocates outputs, runs; {output name: array}, or None with the\n"
        "        reason logged (see kiln/_infer.py).\"\"\"\n"),
}


def main():
    subprocess.run([sys.executable, "-m", "nanobind.stubgen", "-m", "kiln._kiln", "-o", str(OUT)],
                   check=True)
    lines = OUT.read_text().splitlines(keepends=True)
    out, cls = [], ""
    for i, line in enumerate(lines):
        if line.startswith(("from kiln._helpers import", "from kiln._infer import")):
            continue  # the monkeypatched attributes; EXTRA declares them properly
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() == "@property" and not following.lstrip().startswith("def "):
            continue  # stubgen's remnant of a property it could not render (DataType.itemsize)
        if re.match(r"\S", line):
            if cls in EXTRA:
                out.append(EXTRA[cls] + "\n")  # at the end of the class body
            m = re.match(r"class (\w+)", line)
            cls = m.group(1) if m else ""
        d = re.match(r"(\s*def (\w+)\(.*\) -> )object(:.*)$", line, re.S)
        if d and (cls, d.group(2)) in RETURNS:
            line = d.group(1) + RETURNS[(cls, d.group(2))] + d.group(3)
        out.append(line)
    if cls in EXTRA:
        out.append("\n" + EXTRA[cls])
    text = "".join(out)
    text = text.replace("import enum\n", "import enum\nfrom typing import Any, Mapping\n\nimport numpy\n", 1)
    OUT.write_text(text)


if __name__ == "__main__":
    main()
