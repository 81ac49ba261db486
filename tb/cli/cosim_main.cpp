// cosim: the command-line entry point. Dispatches to the subcommands and maps errors to exit
// codes (sim/core/error.h).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "sim/core/error.h"
#include "tb/cli/commands.h"

namespace {

struct Sub {
  const char* words;  // "vectors verify"
  int (*run)(const std::vector<std::string>&);
  const char* summary;
};

const Sub kSubs[] = {
    {"regress", cosim::cli::RunRegress, "the main job: golden, SystemC, RTL, float-sim modes, bit-exact checks, reports"},
    {"cosim", cosim::cli::RunCosim, "three-way hardware check: SystemC model, RTL, golden (model or vector folder)"},
    {"sweep", cosim::cli::RunSweep, "hardware what-ifs: scale factors, rounding, widths, per-channel scales"},
    {"vectors verify", cosim::cli::RunVectorsVerify, "check every sha256 and the schema of a vector folder"},
    {"vectors", cosim::cli::RunVectors, "write per-layer golden vectors (npy, $readmemh hex, manifest)"},
    {"model export", cosim::cli::RunModelExport, "write a model as a model folder (JSON + npy)"},
    {"model info", cosim::cli::RunModelInfo, "describe a model and its per-layer scales"},
    {"profiles", cosim::cli::RunProfiles, "list the named hardware profiles"},
};

void Usage(FILE* f) {
  std::fprintf(f, "usage: cosim <command> [options]   (cosim <command> --help for its options)\n\ncommands:\n");
  for (const auto& s : kSubs) std::fprintf(f, "  %-16s %s\n", s.words, s.summary);
  std::fprintf(f, "\nexit codes: 0 ok, 1 check failed, 2 usage, 3 bad input, 4 i/o, 5 integrity, 6 unsupported\n");
}

// Every subcommand streams layers one at a time, allocating and freeing a layer's large buffers
// (hundreds of MB at mamba-2.8b sizes). glibc would map and unmap each buffer above its mmap
// threshold (at most 32 MiB by default), so every layer would fault in and zero its pages again,
// about a quarter of a mamba-2.8b-size regress run. Kept in the heap and never trimmed, the next
// layer reuses the same pages; one layer is live at a time, so the peak does not change.
void ReuseLayerBuffers() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, -1);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  ReuseLayerBuffers();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    Usage(args.empty() ? stderr : stdout);
    return args.empty() ? static_cast<int>(cosim::ExitCode::kUsage) : 0;
  }
  for (const auto& s : kSubs) {
    std::vector<std::string> words;
    for (const char* p = s.words; *p;) {
      const char* e = std::strchr(p, ' ');
      words.emplace_back(p, e ? e - p : std::strlen(p));
      p = e ? e + 1 : p + std::strlen(p);
    }
    if (args.size() < words.size() || !std::equal(words.begin(), words.end(), args.begin())) continue;
    try {
      return s.run(std::vector<std::string>(args.begin() + static_cast<long>(words.size()), args.end()));
    } catch (const cosim::Error& e) {
      std::fprintf(stderr, "cosim: error: %s\n", e.what());
      return static_cast<int>(e.code());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cosim: internal error: %s\n", e.what());
      return static_cast<int>(cosim::ExitCode::kInternal);
    }
  }
  std::fprintf(stderr, "cosim: unknown command '%s'\n\n", args[0].c_str());
  Usage(stderr);
  return static_cast<int>(cosim::ExitCode::kUsage);
}
