// fuzz_vector_manifest: the vector-folder readers of vectors/golden/golden.h.
//
// Each input is written, in turn, as three files of the per-process fixture folder
// (fuzz_fixture.h) and the matching reader is called:
//   1. vs/manifest.json   (top manifest)   -> cosim::gold::VerifyVectorSet(vs)
//   2. lay/manifest.json  (layer manifest) -> cosim::gold::LoadLayerFolder(lay)
//   3. par/params.json    (layer params)   -> cosim::gold::LoadLayerFolder(par)
// When LoadLayerFolder accepts the folder, the loaded layer is also run through the model core
// (RunLayer), as a testbench consuming it would: its shapes must be consistent (skipped with
// COSIM_FUZZ_SKIP_DATAPATH=1, see fuzz_common.h).
// Accepted: a normal return or cosim::Error, for each of the calls.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "fuzz_json_mutator.h"
#include "fuzz_fixture.h"
#include "sim/core/datapath.h"
#include "sim/core/error.h"
#include "vectors/golden/golden.h"

namespace {

void LoadAndRun(const std::string& dir) {
  try {
    const cosim::gold::LayerVectors v = cosim::gold::LoadLayerFolder(dir);
    if (cosim_fuzz::RunDatapath()) (void)cosim::RunLayer(v.compiled, v.layer, v.View(), cosim::RunOptions{false, 1});
  } catch (const cosim::Error&) {
  }
}

}  // namespace

// Structure-aware mutations half of the time (fuzz_json_mutator.h).
COSIM_FUZZ_JSON_MUTATOR()

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)cosim_fuzz::ProcessFixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const cosim_fuzz::Fixture& f = cosim_fuzz::ProcessFixture();

  cosim_fuzz::WriteInput(f.vs + "/manifest.json", data, size);
  try {
    (void)cosim::gold::VerifyVectorSet(f.vs);
  } catch (const cosim::Error&) {
  }

  cosim_fuzz::WriteInput(f.lay + "/manifest.json", data, size);
  LoadAndRun(f.lay);

  cosim_fuzz::WriteInput(f.par + "/params.json", data, size);
  LoadAndRun(f.par);
  return 0;
}
