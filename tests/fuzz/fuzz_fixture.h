// fuzz_fixture.h: the scratch folder of the file-based fuzz targets.
//
// The manifest and model loaders read whole folders, so those targets write the fuzz input as
// one file of a small VALID folder and call the loader on it. The folder is generated once per
// process (in a fresh mkdtemp directory under $TMPDIR, default /tmp, removed at exit) from a
// tiny synthetic model, exactly as fuzz_seedgen writes it for tests/fuzz/make_corpus.py, so the
// sha256s recorded in the corpus's real manifests match the files next to the fuzz input.
//
// Layout under the root:
//   vs/      WriteVectorSet of the model (int-lut, batch 1, seq_len 8): manifest.json +
//            layer_00/ (npy, hex, params.json, manifest.json). The fuzz input replaces
//            vs/manifest.json (the top manifest).
//   lay/     a copy of vs/layer_00; the fuzz input replaces lay/manifest.json (layer manifest).
//   par/     a copy of vs/layer_00 whose manifest.json lists no files (so nothing is
//            sha-checked); the fuzz input replaces par/params.json.
//   model/   ExportModel of the model with captured inputs (batch 1, seq_len 8), plus
//            layer_00/weight_scale.npy (8 per-channel scales); the fuzz input replaces
//            model/model.json.
#pragma once

#include <string>

namespace cosim_fuzz {

struct Fixture {
  std::string root, vs, lay, par, model;
};

// Writes the layout above under `root` (created if needed). Throws cosim::Error on failure.
Fixture BuildFixture(const std::string& root);

// The per-process fixture: created on first use in a fresh scratch directory that is removed at
// normal exit. Scratch directories left behind by processes that died (crashes) are removed on
// the next start. Harness problems end the process with exit code 3.
const Fixture& ProcessFixture();

}  // namespace cosim_fuzz
