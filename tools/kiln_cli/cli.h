// The whole `kiln` command: parse, then build / run / inspect. Returns the exit status: 0 success,
// 1 a failure while working (message on stderr), 2 a usage error.
#pragma once

namespace kiln::cli {

int kiln_main(int argc, const char* const* argv);

}  // namespace kiln::cli
