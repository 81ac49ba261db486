// fuzz_seedgen DIR: writes the fuzz fixture folder (fuzz_fixture.h) to DIR, so that
// tests/fuzz/make_corpus.py can take real manifests, params, model.json and hex files from it.
#include <cstdio>

#include "fuzz_fixture.h"
#include "sim/core/error.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seedgen DIR\n");
    return 2;
  }
  try {
    cosim_fuzz::BuildFixture(argv[1]);
  } catch (const cosim::Error& e) {
    std::fprintf(stderr, "fuzz_seedgen: %s\n", e.what());
    return static_cast<int>(e.code());
  }
  return 0;
}
