#!/usr/bin/env python3
"""How much of TensorRT's Python API kiln has, by name.

Reads TensorRT's Python stubs (the PyPI package `tensorrt-stubs`; nothing of it is kept in this
repository) and checks, for every public class, enum, function and constant TensorRT's `tensorrt`
module has and for every public member of those classes, whether `kiln` has the same name.
Names are all it checks: whether a member behaves as TensorRT's is the job of tests/python.

    pip download --no-deps tensorrt-stubs==10.13.0.35.1 -d /tmp/trt-stubs
    PYTHONPATH=build/python python3 scripts/trt_api_coverage.py /tmp/trt-stubs/tensorrt_stubs-*.whl
    ... --missing           # also list every missing name, per class
    ... --markdown          # the table docs/python.md shows

Without a path the script runs that `pip download` into a temporary directory.
"""

from __future__ import annotations

import argparse
import ast
import glob
import os
import re
import subprocess
import sys
import tempfile
import zipfile

STUBS_VERSION = "10.13.0.35.1"
STUB_FILE = "tensorrt_bindings/tensorrt.pyi"

# The classes a build-and-run script touches (the "core build/run classes").
CORE = {
    "Builder", "IBuilderConfig", "INetworkDefinition", "ITensor", "ILayer", "IOptimizationProfile",
    "Runtime", "ICudaEngine", "IExecutionContext", "IHostMemory", "Logger", "ILogger",
    "OnnxParser", "ParserError", "Refitter", "OnnxParserRefitter", "ITimingCache", "Weights",
    "Dims", "DimsHW", "Permutation", "EngineInspector",
}
# Callback interfaces scripts subclass.
CALLBACKS = {
    "IAlgorithmSelector", "IProgressMonitor", "IProfiler", "Profiler", "IErrorRecorder",
    "IGpuAllocator", "IGpuAsyncAllocator", "IOutputAllocator", "IDebugListener", "IStreamReader",
    "IStreamReaderV2", "IStreamWriter", "IInt8Calibrator", "IInt8EntropyCalibrator",
    "IInt8EntropyCalibrator2", "IInt8LegacyCalibrator", "IInt8MinMaxCalibrator",
}


def group_of(name: str, is_enum: bool) -> str:
    if name in CORE:
        return "core build/run classes"
    if name in CALLBACKS:
        return "callback interfaces"
    if "Plugin" in name or name in {"DimsExprs", "IDimensionExpr", "IExprBuilder", "ISymExpr",
                                     "ISymExprs", "KernelLaunchParams", "QuickPluginCreationRequest",
                                     "DynamicPluginTensorDesc", "InterfaceInfo",
                                     "IVersionedInterface"}:
        return "plugin API"
    if is_enum:
        return "enums"
    if name.startswith("I") and name.endswith("Layer") or name in {"ILoop", "IIfConditional"}:
        return "layer classes"
    return "other classes"


def find_stubs(path: str | None) -> str:
    """The text of tensorrt.pyi from a wheel, an unpacked wheel, or a fresh `pip download`."""
    if path is None:
        tmp = tempfile.mkdtemp(prefix="trt-stubs-")
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp,
                        f"tensorrt-stubs=={STUBS_VERSION}"], check=True)
        path = glob.glob(os.path.join(tmp, "*.whl"))[0]
    if os.path.isdir(path):
        with open(os.path.join(path, STUB_FILE), encoding="utf-8") as f:
            return f.read()
    with zipfile.ZipFile(path) as wheel:
        return wheel.read(STUB_FILE).decode("utf-8")


def public(name: str) -> bool:
    return not name.startswith("_")


def parse_tolerant(text: str) -> ast.Module:
    """ast.parse, after replacing signatures Python rejects (the stub has a few, such as a
    non-default argument after default ones) by `(*args, **kwargs)`: only names matter here."""
    lines = text.splitlines()
    while True:
        try:
            return ast.parse("\n".join(lines))
        except SyntaxError as e:
            line = lines[e.lineno - 1]
            match = re.match(r"(\s*)def (\w+)\(", line)
            if match is None:
                raise
            lines[e.lineno - 1] = f"{match.group(1)}def {match.group(2)}(*args, **kwargs):"


def parse(text: str):
    """{class name: (is_enum, [member names])} and [module-level names] of TensorRT's stub."""
    tree = parse_tolerant(text)
    classes, module = {}, []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and public(node.name):
            members, is_enum = [], False
            for item in node.body:
                names = []
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names = [item.name]
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    names = [item.target.id]
                    # `FLOAT: typing.ClassVar[DataType]  # value = <DataType.FLOAT: 0>`
                    if ast.unparse(item.annotation) == f"typing.ClassVar[{node.name}]":
                        is_enum = True
                elif isinstance(item, ast.Assign):
                    names = [t.id for t in item.targets if isinstance(t, ast.Name)]
                for name in names:
                    if public(name) and name not in members:
                        members.append(name)
            if is_enum:  # pybind11's enum plumbing, not TensorRT's API
                members = [m for m in members if m not in ("name", "value")]
            classes[node.name] = (is_enum, members)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and public(node.name):
            module.append(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if public(node.target.id):
                module.append(node.target.id)
        elif isinstance(node, ast.Assign):
            module.extend(t.id for t in node.targets
                          if isinstance(t, ast.Name) and public(t.id) and t.id != "__all__")
    return classes, module


def measure(classes, module, kiln):
    """{group: [present, total]}, {class: [missing members]}, [missing module names]."""
    groups: dict[str, list[int]] = {}
    missing: dict[str, list[str]] = {}
    for name, (is_enum, members) in sorted(classes.items()):
        group = groups.setdefault(group_of(name, is_enum), [0, 0])
        ours = getattr(kiln, name, None)
        absent = [m for m in members if ours is None or not hasattr(ours, m)]
        # The class itself counts as one name.
        group[0] += (ours is not None) + len(members) - len(absent)
        group[1] += 1 + len(members)
        if ours is None or absent:
            missing[name] = ([] if ours is not None else ["(class)"]) + absent
    functions = groups.setdefault("module functions and constants", [0, 0])
    absent_module = [n for n in module if not hasattr(kiln, n)]
    functions[0] += len(module) - len(absent_module)
    functions[1] += len(module)
    return groups, missing, absent_module


ORDER = ["core build/run classes", "layer classes", "enums", "callback interfaces", "plugin API",
         "other classes", "module functions and constants"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stubs", nargs="?", help="tensorrt-stubs wheel or unpacked directory")
    parser.add_argument("--missing", action="store_true", help="list the missing names")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args()

    import kiln

    classes, module = parse(find_stubs(args.stubs))
    groups, missing, absent_module = measure(classes, module, kiln)
    total = [sum(g[0] for g in groups.values()), sum(g[1] for g in groups.values())]
    rows = [(name, *groups[name]) for name in ORDER if name in groups] + [("all", *total)]
    if args.markdown:
        print(f"| TensorRT {STUBS_VERSION.rsplit('.', 1)[0]} names | in kiln | of | share |")
        print("|---|---:|---:|---:|")
        for name, have, of in rows:
            label = f"**{name}**" if name == "all" else name
            print(f"| {label} | {have} | {of} | {100 * have / of:.0f}% |")
    else:
        for name, have, of in rows:
            print(f"{name:34s} {have:5d} / {of:5d}  {100 * have / of:5.1f}%")
    if args.missing:
        for name, names in sorted(missing.items()):
            print(f"{name}: {', '.join(names)}")
        if absent_module:
            print(f"module: {', '.join(absent_module)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
