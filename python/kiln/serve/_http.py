"""kiln.serve's HTTP payloads (docs/serving.md): JSON, .npz or .npy in, the same format out.

JSON request:  {"inputs": {"x": [[0.1, 0.2, ...], ...]}}      (nested lists, row-major)
JSON response: {"outputs": {"y": [[...], ...]}, "batch": {"rows": 12, "requests": 3}}
npz request:   the body of numpy.savez(f, x=array), Content-Type application/x-npz
npy request:   the body of numpy.save(f, array) for an engine with one input, application/x-npy
npz/npy responses carry the batch in the headers X-Kiln-Batch-Rows and X-Kiln-Batch-Requests.
"""

from __future__ import annotations

import io
import json

import numpy as np

from ._model import PayloadError

JSON = "application/json"
NPZ = "application/x-npz"
NPY = "application/x-npy"


def payload_format(content_type: str | None) -> str:
    kind = (content_type or JSON).split(";")[0].strip().lower()
    if kind in (NPZ, NPY):
        return kind
    if kind in (JSON, "text/json", "", "text/plain"):
        return JSON
    raise PayloadError(f"Content-Type '{kind}' is not served: send {JSON}, {NPZ} or {NPY}")


def decode(body: bytes, content_type: str | None, input_names: list[str]) -> dict:
    """{input name: value} from a request body; PayloadError for a body that does not decode."""
    kind = payload_format(content_type)
    if kind == JSON:
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            raise PayloadError(f"the body is not JSON: {e}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("inputs"), dict):
            raise PayloadError('the JSON body must be {"inputs": {"<input name>": [...], ...}}')
        return doc["inputs"]
    try:
        loaded = np.load(io.BytesIO(body), allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise PayloadError(f"the body is not a valid {kind} file: {e}") from None
    if kind == NPY:
        if not isinstance(loaded, np.ndarray):
            raise PayloadError(f"the body is an .npz archive; send it as {NPZ}")
        if len(input_names) != 1:
            raise PayloadError(f"{NPY} carries one array but the engine has inputs {input_names}; "
                               f"send an .npz archive ({NPZ})")
        return {input_names[0]: loaded}
    if not hasattr(loaded, "files"):
        raise PayloadError(f"the body is a single .npy array; send it as {NPY}")
    try:
        return {name: loaded[name] for name in loaded.files}
    except (ValueError, OSError, EOFError) as e:
        raise PayloadError(f"the .npz archive is damaged: {e}") from None


def encode(outputs: dict, rows: int, requests: int, kind: str) -> tuple[bytes, str, dict]:
    """(body, content type, headers) of a response in the request's format."""
    headers = {"X-Kiln-Batch-Rows": str(rows), "X-Kiln-Batch-Requests": str(requests)}
    if kind == JSON:
        doc = {"outputs": {k: v.tolist() for k, v in outputs.items()},
               "batch": {"rows": rows, "requests": requests}}
        return json.dumps(doc).encode(), JSON, headers
    buf = io.BytesIO()
    if kind == NPY and len(outputs) == 1:
        np.save(buf, next(iter(outputs.values())))
        return buf.getvalue(), NPY, headers
    np.savez(buf, **outputs)
    return buf.getvalue(), NPZ, headers


def error_body(error: Exception) -> bytes:
    if isinstance(error, PayloadError):
        return json.dumps(error.to_json()).encode()
    return json.dumps({"error": str(error), "input": None}).encode()
