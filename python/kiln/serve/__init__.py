"""kiln.serve: kiln engines behind Ray Serve and Triton Inference Server (docs/serving.md).

    python -m kiln.serve model.onnx          # or model.plan; `kiln serve model.plan` runs this
    python -m kiln.serve.triton model.plan   # PyTriton (its environment: scripts/setup-pytriton.sh)

From Python::

    from ray import serve
    import kiln.serve
    handle = serve.run(kiln.serve.deployment("model.plan", num_replicas=2))
    outputs = handle.infer.remote({"x": array}).result()

The Ray part needs ``ray[serve]``; ``ServedModel`` and the plan cache need only kiln and numpy.
"""

from __future__ import annotations

from ._model import (
    PayloadError,
    ServedModel,
    TensorSpec,
    build_plan_from_onnx,
    default_cache_dir,
    device_model,
    load_or_build_plan,
    plan_cache_path,
)


def deployment(model: str, **options):
    """A Ray Serve application serving ``model`` (see kiln.serve._ray.deployment)."""
    from ._ray import deployment as make

    return make(model, **options)


def __getattr__(name):
    if name == "KilnDeployment":
        from ._ray import KilnDeployment

        return KilnDeployment
    raise AttributeError(f"module 'kiln.serve' has no attribute '{name}'")


__all__ = ["PayloadError", "ServedModel", "TensorSpec", "build_plan_from_onnx",
           "default_cache_dir", "deployment", "device_model", "load_or_build_plan",
           "plan_cache_path", "KilnDeployment"]
