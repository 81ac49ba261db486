// fuzz_fixture.cpp: see fuzz_fixture.h.
#include "fuzz_fixture.h"

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "fuzz_common.h"
#include "sim/core/error.h"
#include "sim/core/knobs.h"
#include "vectors/golden/golden.h"
#include "vectors/golden/model.h"
#include "vectors/io/atomic_file.h"
#include "vectors/io/json_util.h"
#include "vectors/io/npy.h"

namespace cosim_fuzz {
namespace {

namespace fs = std::filesystem;
constexpr const char* kScratchPrefix = "cosim-fuzz-";

void CopyFolder(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  if (ec) throw cosim::Error(cosim::ExitCode::kIo, "copy " + from + " -> " + to + ": " + ec.message());
}

std::string TempRoot() {
  const char* t = std::getenv("TMPDIR");
  std::string dir = (t != nullptr && *t != '\0') ? t : "/tmp";
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// Removes cosim-fuzz-<pid>-* folders of processes that no longer exist (a crashed process does
// not run its atexit handlers). Best effort: errors are ignored.
void RemoveStaleScratch(const std::string& tmp) {
  std::error_code ec;
  for (fs::directory_iterator it(tmp, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kScratchPrefix, 0) != 0) continue;
    const std::string rest = name.substr(std::char_traits<char>::length(kScratchPrefix));
    char* stop = nullptr;
    const long pid = std::strtol(rest.c_str(), &stop, 10);
    if (pid <= 0 || stop == nullptr || *stop != '-') continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // still alive
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
}

std::string* g_scratch = nullptr;

void RemoveScratch() {
  if (g_scratch == nullptr) return;
  std::error_code ignored;
  fs::remove_all(*g_scratch, ignored);
}

}  // namespace

Fixture BuildFixture(const std::string& root) {
  using namespace cosim;
  Fixture f;
  f.root = root;
  f.vs = root + "/vs";
  f.lay = root + "/lay";
  f.par = root + "/par";
  f.model = root + "/model";
  vec::MakeDirs(root);

  gold::SyntheticOptions opts;
  opts.calib_len = 16;
  const std::unique_ptr<gold::Model> model = gold::MakeSyntheticModel("fuzz", 1, 8, opts);

  gold::VectorSetOptions vo;
  vo.batch = 1;
  vo.seq_len = 8;
  vo.threads = 1;
  gold::WriteVectorSet(*model, HwConfig::Named("int-lut"), f.vs, vo);

  CopyFolder(f.vs + "/" + gold::LayerFolderName(0), f.lay);
  CopyFolder(f.vs + "/" + gold::LayerFolderName(0), f.par);
  const nlohmann::json no_files = {{"schema", "asic-cosim-vectors"},
                                   {"schema_version", gold::kVectorSchemaVersion},
                                   {"files", nlohmann::json::object()}};
  vec::WriteFileAtomic(f.par + "/manifest.json", vec::DumpJsonStable(no_files));

  gold::ExportModel(*model, f.model, 1, 8);
  // Per-channel scales for model.json variants whose "weight_scale" names an npy file.
  const LayerData l = model->Layer(0);
  std::vector<float> ws;
  for (int d = 0; d < l.channels; ++d) ws.push_back(l.weight_scale[0] * (1.0f + 0.0625f * static_cast<float>(d)));
  vec::WriteNpy(f.model + "/layer_00/weight_scale.npy", vec::DType::kF32, {static_cast<int64_t>(ws.size())},
                ws.data(), ws.size() * sizeof(float));
  return f;
}

const Fixture& ProcessFixture() {
  static const Fixture* fixture = [] {
    const std::string tmp = TempRoot();
    RemoveStaleScratch(tmp);
    std::string tmpl = tmp + "/" + kScratchPrefix + std::to_string(static_cast<long>(::getpid())) + "-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) HarnessFailure(tmpl + ": mkdtemp failed");
    g_scratch = new std::string(buf.data());
    std::atexit(RemoveScratch);
    try {
      return new Fixture(BuildFixture(*g_scratch));
    } catch (const cosim::Error& e) {
      HarnessFailure(std::string("cannot build the fixture folder: ") + e.what());
    }
  }();
  return *fixture;
}

}  // namespace cosim_fuzz
