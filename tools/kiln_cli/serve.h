// `kiln serve MODEL.plan|MODEL.onnx [options]`: runs `python3 -m kiln.serve` (docs/serving.md).
#pragma once

namespace kiln::cli {

// Replaces the process with `$KILN_PYTHON -m kiln.serve argv[2..]` (python3 by default; the build
// tree's python/ goes first on PYTHONPATH when the executable sits in a build tree). Returns 1,
// with the reason on stderr, only when the interpreter cannot be run.
int serve_main(int argc, const char* const* argv);

}  // namespace kiln::cli
