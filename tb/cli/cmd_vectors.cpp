// cosim vectors: write per-layer golden vector folders; cosim vectors verify: check one.
#include <cstdio>

#include "sim/core/error.h"
#include "tb/cli/commands.h"
#include "tb/cli/progress.h"
#include "tb/cli/run_config.h"
#include "vectors/golden/golden.h"

namespace cosim::cli {

int RunVectors(const std::vector<std::string>& argv) {
  std::vector<OptionSpec> opts = CommonRunOptions();
  opts.push_back({"out", "DIR", "output folder (created; layer_NN/ per layer, manifest.json last)", ""});
  opts.push_back({"no-hex", "", "write only .npy (no $readmemh .hex files)", ""});
  opts.push_back({"hex-intermediates", "", "also write acc.hex and index.hex (large)", ""});
  const Command cmd("vectors", "Compute golden vectors with the model core and write one folder per layer.",
                    "cosim vectors --out DIR [options]\n       cosim vectors verify DIR", opts,
                    "Layout, dtypes, shapes and the hex bit layout: vectors/README.md. The same options give\n"
                    "byte-identical files on any machine.");
  ParsedArgs args;
  if (!cmd.Parse(argv, &args)) return 0;
  if (!args.positionals().empty()) {
    throw Error(ExitCode::kUsage, "cosim vectors: unexpected argument '" + args.positionals()[0] +
                                      "' (did you mean 'cosim vectors verify DIR'?)");
  }
  RunConfig rc = BuildRunConfig(args);
  if (rc.out.empty()) throw Error(ExitCode::kUsage, "cosim vectors: --out DIR is required");
  const auto model = gold::OpenModel(rc.model, rc.Synthetic());
  gold::VectorSetOptions vo;
  vo.layers = rc.layers;
  vo.batch = rc.batch;
  vo.seq_len = rc.seq_len;
  vo.threads = rc.Threads();
  vo.write.hex = !args.Has("no-hex");
  vo.write.hex_intermediates = args.Has("hex-intermediates");
  Progress bar("vectors");
  const gold::VectorSetSummary s =
      gold::WriteVectorSet(*model, rc.hw, rc.out, vo, [&](int d, int t) { bar.Update(d, t); });
  bar.Done();
  std::printf("wrote %d layer folders of %s (profile %s, B=%d, L=%d) to %s: %.1f MB in %.1f s\n", s.layers_written,
              model->Name().c_str(), rc.hw.name.c_str(), rc.batch, rc.seq_len, rc.out.c_str(), s.bytes / 1e6,
              s.seconds);
  return 0;
}

int RunVectorsVerify(const std::vector<std::string>& argv) {
  const Command cmd("vectors verify", "Re-hash every file of a vector folder and check the manifests and schema.",
                    "cosim vectors verify DIR", {},
                    "Exit code 0: every file matches; 5: a file is missing, changed or the set is incomplete.");
  ParsedArgs args;
  if (!cmd.Parse(argv, &args)) return 0;
  if (args.positionals().size() != 1) throw Error(ExitCode::kUsage, "cosim vectors verify: expected one folder");
  const gold::VerifyResult r = gold::VerifyVectorSet(args.positionals()[0]);
  for (const auto& p : r.problems) std::printf("FAIL %s\n", p.c_str());
  if (!r.problems.empty()) {
    std::printf("%zu problem(s) in %d layer(s), %d file(s)\n", r.problems.size(), r.layers, r.files);
    return static_cast<int>(ExitCode::kIntegrity);
  }
  std::printf("OK %d layer(s), %d file(s) verified\n", r.layers, r.files);
  return 0;
}

}  // namespace cosim::cli
