// `kiln serve ...`: Ray Serve lives in Python, so the command runs `python3 -m kiln.serve ...`
// (python/kiln/serve/__main__.py, docs/serving.md) with the same arguments.
#include "serve.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace kiln::cli {

namespace {

// The `kiln` package of the build tree this executable belongs to (<build>/python next to
// <build>/tools/kiln_cli/kiln), when there is one.
std::string build_tree_package() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  std::filesystem::path python = exe.parent_path().parent_path().parent_path() / "python";
  if (!std::filesystem::exists(python / "kiln" / "serve" / "__main__.py", ec)) return {};
  return python.string();
}

}  // namespace

int serve_main(int argc, const char* const* argv) {
  const char* python = std::getenv("KILN_PYTHON");
  if (python == nullptr || *python == '\0') python = "python3";
  std::string package = build_tree_package();
  if (!package.empty()) {
    const char* old = std::getenv("PYTHONPATH");
    std::string path = package + (old != nullptr && *old != '\0' ? std::string(":") + old : "");
    setenv("PYTHONPATH", path.c_str(), 1);
  }
  std::vector<const char*> args = {python, "-m", "kiln.serve"};
  for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  std::fflush(nullptr);
  execvp(python, const_cast<char* const*>(args.data()));
  std::fprintf(stderr,
               "kiln serve: could not run '%s -m kiln.serve': %s (set KILN_PYTHON to a Python "
               "with the kiln package and ray[serve])\n",
               python, std::strerror(errno));
  return 1;
}

}  // namespace kiln::cli
