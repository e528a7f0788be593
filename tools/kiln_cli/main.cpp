// `kiln`: build, run and inspect engines from the command line (docs/cli.md).
#include "cli.h"

int main(int argc, char** argv) {
  return kiln::cli::kiln_main(argc, argv);
}
