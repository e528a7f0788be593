"""Regenerates python/kiln/_kiln.pyi from a built extension with nanobind's stubgen.

    PYTHONPATH=build/python python3 python/make_stubs.py           # rewrite the stub
    PYTHONPATH=build/python python3 python/make_stubs.py --check   # exit 1 when it is stale

stubgen runs on the extension alone (_KILN_STUBGEN=1 keeps kiln/__init__.py from attaching the
TensorRT members kiln implements in Python); those members are then added to their classes here,
with their Python signatures and `Any` types.

stubgen sees `object` where a binding returns "X or None" (TensorRT-style failures); the table
below gives those calls their real types. Check the diff and commit the stub with the bindings.
"""

import inspect
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

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


LIST_CLASSES = """
import json, kiln._kiln as k
print(json.dumps({n: sorted(vars(c)) for n, c in vars(k).items() if isinstance(c, type)}))
"""


def python_members():
    """{class: stub text} for the members kiln/__init__.py attaches to the extension's classes."""
    env = dict(os.environ, _KILN_STUBGEN="1")
    plain = json.loads(subprocess.run([sys.executable, "-c", LIST_CLASSES], env=env, check=True,
                                      capture_output=True, text=True).stdout)
    here = str(pathlib.Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if str(pathlib.Path(p or ".").resolve()) != here]
    import kiln._kiln as k  # the built package (PYTHONPATH), not python/kiln beside this script

    out = {}
    for name, before in plain.items():
        cls = getattr(k, name)
        added = sorted(set(vars(cls)) - set(before) - {"__class__"})
        text = ""
        for member in added:
            value = vars(cls)[member]
            doc = (inspect.getdoc(value) or "").split("\n\n")[0].replace('"""', "'")
            doc_line = f'        """{doc}"""\n' if doc else ""
            if isinstance(value, property):
                text += f"    @property\n    def {member}(self) -> Any:\n{doc_line or '        ...'}\n"
                if value.fset is not None:
                    text += (f"    @{member}.setter\n    def {member}(self, value: Any, /) -> None: "
                             "...\n")
            elif inspect.isfunction(value):
                params = []
                for p in inspect.signature(value).parameters.values():
                    prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
                    default = "" if p.default is p.empty else " = ..."
                    params.append(f"{prefix}{p.name}{default}")
                body = doc_line or "        ...\n"
                text += f"    def {member}({', '.join(params)}) -> Any:\n{body}"
            else:
                text += f"    {member}: Any\n"
            text += "\n"
        if text:
            out[name] = text
    return out


def generate(out_path: pathlib.Path) -> None:
    env = dict(os.environ, _KILN_STUBGEN="1")
    subprocess.run([sys.executable, "-m", "nanobind.stubgen", "-q", "-m", "kiln._kiln", "-o",
                    str(out_path)], check=True, env=env)
    extra = dict(EXTRA)
    for name, text in python_members().items():
        extra[name] = (extra[name] + "\n" if name in extra else "") + text
    lines = out_path.read_text().splitlines(keepends=True)
    out, cls = [], ""
    for i, line in enumerate(lines):
        if line.startswith(("from kiln._helpers import", "from kiln._infer import")):
            continue  # the monkeypatched attributes; EXTRA declares them properly
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() == "@property" and not following.lstrip().startswith("def "):
            continue  # stubgen's remnant of a property it could not render (DataType.itemsize)
        if re.match(r"\S", line):
            if cls in extra:
                out.append(extra[cls].rstrip("\n") + "\n\n")  # at the end of the class body
            m = re.match(r"class (\w+)", line)
            cls = m.group(1) if m else ""
        d = re.match(r"(\s*def (\w+)\(.*\) -> )object(:.*)$", line, re.S)
        if d and (cls, d.group(2)) in RETURNS:
            line = d.group(1) + RETURNS[(cls, d.group(2))] + d.group(3)
        out.append(line)
    if cls in extra:
        out.append("\n" + extra[cls])
    text = "".join(out)
    text = text.replace("import enum\n", "import enum\nfrom typing import Any, Mapping\n\nimport numpy\n", 1)
    out_path.write_text(text)


def main() -> int:
    if "--check" in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = pathlib.Path(tmp) / "_kiln.pyi"
            generate(fresh)
            if fresh.read_text() != OUT.read_text():
                print(f"{OUT} is stale: run PYTHONPATH=build/python python3 python/make_stubs.py")
                return 1
        return 0
    generate(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
