// fuzz_model_json: model folders, cosim::gold::LoadModelFolder (vectors/golden/model.h).
//
// Each input is written as model/model.json of the per-process fixture folder (fuzz_fixture.h:
// next to layer_00/{weight,bias,inputs,weight_scale}.npy of a valid 8-channel model) and
// loaded. For the first two layers the loaded model is then used as ComputeLayer uses it:
// Layer(i), Inputs(i, 1, 8), CompileLayer (per-channel profile) and RunLayer; Describe() is
// serialised with DumpJsonStable as the manifest writer does. (CompileLayer and RunLayer are
// skipped with COSIM_FUZZ_SKIP_DATAPATH=1, see fuzz_common.h.)
// Accepted: a normal return or cosim::Error.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_common.h"
#include "fuzz_json_mutator.h"
#include "fuzz_fixture.h"
#include "sim/core/compile.h"
#include "sim/core/datapath.h"
#include "sim/core/error.h"
#include "sim/core/knobs.h"
#include "vectors/golden/model.h"
#include "vectors/io/json_util.h"

// Structure-aware mutations half of the time (fuzz_json_mutator.h).
COSIM_FUZZ_JSON_MUTATOR()

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)cosim_fuzz::ProcessFixture();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const cosim::HwConfig hw = cosim::HwConfig::Named("int-lut-per-channel");
  const cosim_fuzz::Fixture& f = cosim_fuzz::ProcessFixture();
  cosim_fuzz::WriteInput(f.model + "/model.json", data, size);

  std::unique_ptr<cosim::gold::Model> m;
  try {
    m = cosim::gold::LoadModelFolder(f.model);
    (void)cosim::vec::DumpJsonStable(m->Describe());
  } catch (const cosim::Error&) {
    if (!m) return 0;
  }
  const int n = std::min(m->NumLayers(), 2);
  for (int i = 0; i < n; ++i) {
    try {
      const cosim::LayerData layer = m->Layer(i);
      const cosim::gold::Activations a = m->Inputs(i, 1, 8);
      if (!cosim_fuzz::RunDatapath()) continue;
      const cosim::CompiledLayer c = cosim::CompileLayer(layer, hw);
      (void)cosim::RunLayer(c, layer, cosim::LayerInput{a.batch, a.seq_len, a.x.data(), nullptr},
                            cosim::RunOptions{false, 1});
    } catch (const cosim::Error&) {
    }
  }
  return 0;
}
