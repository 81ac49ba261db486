#include "tb/regress/regress.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "gpu_ref/floatsim.h"
#include "sim/core/error.h"
#include "tb/check/classify.h"

namespace cosim::regress {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

fsim::LayerView ViewOf(const gold::LayerVectors& v) {
  fsim::LayerView lv;
  lv.B = v.input.batch;
  lv.D = v.layer.channels;
  lv.L = v.input.seq_len;
  lv.x = v.input.x.data();
  lv.weight = v.layer.weight.data();
  lv.bias = v.layer.bias.data();
  lv.s_x = v.layer.input_scale;
  lv.s_w = v.layer.weight_scale.data();
  lv.n_s_w = static_cast<int>(v.layer.weight_scale.size());
  lv.s_b = v.layer.bias_scale;
  lv.s_out = v.layer.output_scale;
  return lv;
}

// The float-sim library reads the same knob JSON; it shares no code with the model core.
fsim::Knobs KnobsOf(const HwConfig& hw) { return fsim::Knobs::FromJson(hw.ToJson()); }

// The hardware the refine reading of research SE describes: the output grid s_out / F with
// enough output bits that codes unsaturated at the base width stay unsaturated, and the table
// index widened by the same number of bits (capped at the 20-bit knob limit).
HwConfig RefineConfig(const HwConfig& base, float factor) {
  HwConfig hw = base;
  const int w = fsim::SuggestedRefineOutputBits(factor, base.output_bits);
  hw.lut_index_bits = std::min(20, base.lut_index_bits + (w - base.output_bits));
  hw.output_bits = w;
  hw.output_scale_divisor = factor;
  hw.name = base.name + "/refine";
  return hw;
}

struct Job {
  fsim::Mode mode;
  float factor;
  fsim::Knobs knobs;
};

std::string Describe(const gold::LayerVectors& v, const CompiledLayer& c, const LayerData& layer, int64_t i,
                     int64_t expected, int64_t actual, float other_bq, check::Cause cause, const std::string& what) {
  const int D = layer.channels, L = v.input.seq_len;
  const int t = static_cast<int>(i % L), d = static_cast<int>((i / L) % D), b = static_cast<int>(i / L / D);
  const ElementTrace e = TraceElement(c, layer, v.View(), b, d, t);
  char buf[768];
  if (c.hw.profile == Profile::kIntLut) {
    std::snprintf(buf, sizeof buf,
                  "%s: layer %d channel %d t %d (batch %d): expected %lld (ASIC) actual %lld; window x[t-3..t] = "
                  "(%d, %d, %d, %d), taps (%d, %d, %d, %d), bias_acc %lld, acc %lld%s, p = acc*M = %lld*%lld, "
                  "shift %d, index %lld (unclamped %lld), table[%lld] = %lld; other before_quant %.9g; cause: %s",
                  what.c_str(), layer.index, d, t, b, static_cast<long long>(expected), static_cast<long long>(actual),
                  e.window[0], e.window[1], e.window[2], e.window[3], e.taps[0], e.taps[1], e.taps[2], e.taps[3],
                  static_cast<long long>(e.bias_term), static_cast<long long>(e.acc),
                  e.acc_overflow ? " (overflowed)" : "", static_cast<long long>(e.acc),
                  static_cast<long long>(c.mult[d]), c.shift[d], static_cast<long long>(e.index),
                  static_cast<long long>(e.index_unsat), static_cast<long long>(e.index + (1 << (c.hw.lut_index_bits - 1))),
                  static_cast<long long>(e.code), static_cast<double>(other_bq), check::ToString(cause));
  } else {
    std::snprintf(buf, sizeof buf,
                  "%s: layer %d channel %d t %d (batch %d): expected %lld (ASIC) actual %lld; window x[t-3..t] = "
                  "(%d, %d, %d, %d), taps (%d, %d, %d, %d), acc %lld%s, pre_act %.9g, silu32 %.9g, s_out %.9g; "
                  "other before_quant %.9g; cause: %s",
                  what.c_str(), layer.index, d, t, b, static_cast<long long>(expected), static_cast<long long>(actual),
                  e.window[0], e.window[1], e.window[2], e.window[3], e.taps[0], e.taps[1], e.taps[2], e.taps[3],
                  static_cast<long long>(e.acc), e.acc_overflow ? " (overflowed)" : "", static_cast<double>(e.pre_act),
                  static_cast<double>(e.silu), static_cast<double>(c.effective_output_scale),
                  static_cast<double>(other_bq), check::ToString(cause));
  }
  return buf;
}

// Compares codes with zero tolerance; classifies and describes mismatches.
CodeCheck CompareCodes(const std::string& name, bool asserted, const gold::LayerVectors& v, const CompiledLayer& c,
                       const std::vector<int32_t>& expected, const fsim::ModeResult& other, int max_reports,
                       std::vector<int64_t>* per_block, int block) {
  CodeCheck k;
  k.name = name;
  k.asserted = asserted;
  k.elements = static_cast<int64_t>(expected.size());
  if (other.codes.size() != expected.size()) {
    k.mismatches = k.elements;
    k.reports.push_back(name + ": layer " + std::to_string(v.layer.index) + ": produced " +
                        std::to_string(other.codes.size()) + " codes, expected " + std::to_string(expected.size()));
    return k;
  }
  const int D = v.layer.channels, L = v.input.seq_len;
  for (size_t i = 0; i < expected.size(); ++i) {
    if (expected[i] == other.codes[i]) continue;
    ++k.mismatches;
    const int d = static_cast<int>((i / L) % D);
    if (per_block) ++(*per_block)[d / block];
    const int t = static_cast<int>(i % L), b = static_cast<int>(i / L / D);
    const ElementTrace e = TraceElement(c, v.layer, v.View(), b, d, t);
    const float bq = other.before_quant.empty() ? NAN : other.before_quant[i];
    const check::Cause cause = check::Classify(c, v.layer, d, e, other.codes[i], bq);
    ++k.causes[static_cast<int>(cause)];
    if (static_cast<int>(k.reports.size()) < max_reports) {
      k.reports.push_back(Describe(v, c, v.layer, static_cast<int64_t>(i), expected[i], other.codes[i], bq, cause, name));
    }
  }
  return k;
}

// Signed bits that hold every code the mode would produce without clamping: the largest
// |before_quant| on the grid the codes live on (s_out * F for enhance is only a display scale;
// its codes are the INT8 ones, on the grid effective_scale / F).
int BitsNeeded(const fsim::ModeResult& r, double code_grid) {
  double mx = 0;
  for (float f : r.before_quant) mx = std::max(mx, std::fabs(static_cast<double>(f)));
  const double code = std::floor(mx / code_grid + 0.5);
  int bits = 1;
  while (bits < 63 && std::ldexp(1.0, bits - 1) - 1 < code) ++bits;
  return bits;
}

nlohmann::json Samples(const fsim::ModeResult& r, float output_scale, int n = 10) {
  nlohmann::json j;
  const size_t k = std::min<size_t>(static_cast<size_t>(n), r.after_quant.size());
  j["before_quant"] = std::vector<float>(r.before_quant.begin(), r.before_quant.begin() + static_cast<long>(k));
  j["after_quant"] = std::vector<float>(r.after_quant.begin(), r.after_quant.begin() + static_cast<long>(k));
  j["effective_scale"] = r.effective_scale;
  j["output_scale"] = output_scale;
  return j;
}

// Runs independent tasks on up to `threads` workers (tasks pick the next index atomically).
void RunTasks(const std::vector<std::function<void()>>& tasks, int threads) {
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex mu;
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < tasks.size();) {
      try {
        tasks[i]();
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::min<int>(threads, static_cast<int>(tasks.size())); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace

nlohmann::json CodeCheck::ToJson() const {
  nlohmann::json c = nlohmann::json::object();
  for (int i = 0; i < check::kNumCauses; ++i) c[check::ToString(static_cast<check::Cause>(i))] = causes[i];
  return {{"name", name},
          {"asserted", asserted},
          {"elements", elements},
          {"mismatches", mismatches},
          {"mismatch_rate", elements ? static_cast<double>(mismatches) / static_cast<double>(elements) : 0.0},
          {"causes", c},
          {"reports", reports}};
}

nlohmann::json ModeMetrics::ToJson() const {
  return {{"mode", mode},           {"factor", factor},           {"effective_scale", effective_scale},
          {"output_bits", output_bits}, {"bits_needed", bits_needed}, {"saturations", saturations},
          {"vs_fp32_upper_bound", vs_fp32.ToJson()}};
}

StageSeconds& StageSeconds::operator+=(const StageSeconds& o) {
  golden += o.golden;
  hardware += o.hardware;
  floatsim += o.floatsim;
  analysis += o.analysis;
  reports += o.reports;
  return *this;
}

nlohmann::json StageSeconds::ToJson() const {
  return {{"golden", golden}, {"hardware", hardware}, {"floatsim", floatsim}, {"analysis", analysis}, {"reports", reports}};
}

bool LayerOutcome::passed() const {
  for (const auto& c : checks)
    if (c.asserted && c.mismatches != 0) return false;
  return hardware.systemc_mismatches == 0 && hardware.rtl_mismatches == 0 && hardware.rtl_vs_model_mismatches == 0;
}

bool RegressResult::passed() const {
  for (const auto& l : layers)
    if (!l.passed()) return false;
  return !layers.empty();
}

RegressResult RunRegress(const gold::Model& model, const RegressOptions& opt,
                         const std::function<void(int, int)>& progress) {
  const auto t_start = Clock::now();
  RegressResult res;
  res.model = model.Describe();
  std::vector<int> layers = opt.layers;
  if (layers.empty())
    for (int i = 0; i < model.NumLayers(); ++i) layers.push_back(i);
  for (int i : layers) {
    if (i < 0 || i >= model.NumLayers()) {
      throw Error(ExitCode::kUsage, "layer " + std::to_string(i) + " does not exist (model has " +
                                        std::to_string(model.NumLayers()) + " layers)");
    }
  }
  for (float f : opt.se_factors) {
    if (!(f >= 1.0f) || !std::isfinite(f) || f > 1.0e6f) {
      throw Error(ExitCode::kUsage, "research-SE factor " + std::to_string(f) + " must be finite and in [1, 1e6]");
    }
  }
  bool use_gpu = false;
  if (opt.device == "gpu") {
    if (!fsim::DeviceAvailable()) throw Error(ExitCode::kUnsupported, "--device gpu: no CUDA device in this build/machine");
    use_gpu = true;
  } else if (opt.device == "auto") {
    use_gpu = fsim::DeviceAvailable();
  } else if (opt.device != "host") {
    throw Error(ExitCode::kUsage, "--device '" + opt.device + "' (allowed: auto, host, gpu)");
  }
  res.floatsim_device = use_gpu ? "gpu: " + fsim::DeviceName() : "host";
  res.hardware_parts = HardwareAvailable();
  const bool hw_runs = !res.hardware_parts.empty() && (opt.hardware.systemc || opt.hardware.rtl);
  const int block = std::max(1, opt.heatmap_block);

  int done = 0;
  for (int li : layers) {
    LayerOutcome out;
    out.layer = li;
    auto t0 = Clock::now();
    const gold::LayerVectors v = gold::ComputeLayer(model, li, opt.batch, opt.seq_len, opt.hw, opt.threads);
    if (!opt.dump_vectors.empty()) gold::WriteLayerFolder(opt.dump_vectors, v, res.model, gold::WriteOptions{});
    out.seconds.golden = Since(t0);
    out.elements = static_cast<int64_t>(v.result.y.size());
    out.counters = v.result.counters;

    // Float-sim jobs, run on a worker thread while this thread drives the SystemC/RTL side.
    const fsim::LayerView view = ViewOf(v);
    const fsim::Knobs knobs = KnobsOf(opt.hw);
    std::vector<Job> jobs = {{fsim::Mode::kFloatSimInt8, 1, knobs},   {fsim::Mode::kInt8Asic, 1, knobs},
                             {fsim::Mode::kInt8Quamba, 1, knobs},     {fsim::Mode::kFp32UpperBound, 1, knobs},
                             {fsim::Mode::kNaiveFakeQuant, 1, knobs}};
    for (float f : opt.se_factors) {
      jobs.push_back({fsim::Mode::kResearchSeEnhance, f, knobs});
      jobs.push_back({fsim::Mode::kResearchSeRefine, f, KnobsOf(RefineConfig(opt.hw, f))});
    }
    if (opt.fsim_fault == 2) {  // planted: the float-sim rounds half to even whatever the hardware does
      nlohmann::json j = opt.hw.ToJson();
      j["rounding"] = opt.hw.rounding == Rounding::kHalfToEven ? "half-away" : "half-even";
      jobs[0].knobs = fsim::Knobs::FromJson(j);
    }
    std::vector<fsim::ModeResult> results(jobs.size());
    double fsim_seconds = 0;
    std::exception_ptr fsim_error;
    auto run_fsim = [&] {
      try {
        const auto tf = Clock::now();
        if (use_gpu) {
          std::vector<fsim::DeviceJob> dj;
          for (const Job& j : jobs) dj.push_back({j.mode, view, j.knobs, j.factor});
          results = fsim::RunDeviceBatch(dj);
        } else {
          const int th = hw_runs ? std::max(1, opt.threads - 1) : opt.threads;
          for (size_t k = 0; k < jobs.size(); ++k) results[k] = fsim::RunHost(jobs[k].mode, view, jobs[k].knobs, jobs[k].factor, th);
        }
        fsim_seconds = Since(tf);
      } catch (...) {
        fsim_error = std::current_exception();
      }
    };
    t0 = Clock::now();
    if (hw_runs && opt.threads > 1) {
      std::thread worker(run_fsim);
      out.hardware = RunHardwareCheck(v, opt.hardware);
      out.seconds.hardware = Since(t0);
      worker.join();
    } else {
      if (hw_runs) out.hardware = RunHardwareCheck(v, opt.hardware);
      out.seconds.hardware = Since(t0);
      run_fsim();
    }
    if (fsim_error) {
      try {
        std::rethrow_exception(fsim_error);
      } catch (const std::invalid_argument& e) {
        throw Error(ExitCode::kBadInput, std::string("float-sim: layer ") + std::to_string(li) + ": " + e.what());
      } catch (const Error&) {
        throw;
      } catch (const std::exception& e) {
        throw Error(ExitCode::kInternal, std::string("float-sim: layer ") + std::to_string(li) + ": " + e.what());
      }
    }
    out.seconds.floatsim = fsim_seconds;

    // Checks and characterisation.
    t0 = Clock::now();
    if (opt.fsim_fault == 1 && !results[0].codes.empty()) {  // planted: one code off by one
      const size_t i = results[0].codes.size() / 2 + 7;
      results[0].codes[i] += results[0].codes[i] < MaxSigned(opt.hw.output_bits) ? 1 : -1;
    }
    const int nblocks = (v.layer.channels + block - 1) / block;
    out.naive_mismatch_blocks.assign(nblocks, 0);
    out.quamba_mismatch_blocks.assign(nblocks, 0);
    const CompiledLayer& c = v.compiled;
    const fsim::ModeResult& fp32 = results[3];
    const int64_t n = out.elements;
    // Independent analyses run in parallel; each writes its own slot, so the order of the
    // results (and every number in them) does not depend on the thread count.
    const size_t nf = opt.se_factors.size();
    std::vector<CodeCheck> checks(4 + nf);
    std::vector<ModeMetrics> metrics(3 + 2 * nf);
    std::vector<std::function<void()>> tasks;
    tasks.push_back([&] { checks[0] = CompareCodes("float-sim-int8 vs asic", true, v, c, v.result.y, results[0], opt.max_reports, nullptr, block); });
    tasks.push_back([&] { checks[1] = CompareCodes("int8-asic vs asic", true, v, c, v.result.y, results[1], opt.max_reports, nullptr, block); });
    tasks.push_back([&] { checks[2] = CompareCodes("int8-quamba vs asic", false, v, c, v.result.y, results[2], opt.max_reports, &out.quamba_mismatch_blocks, block); });
    tasks.push_back([&] { checks[3] = CompareCodes("naive-fake-quant vs asic", false, v, c, v.result.y, results[4], opt.max_reports, &out.naive_mismatch_blocks, block); });
    auto metric = [&](const std::string& name, const fsim::ModeResult& r, double factor, int bits) {
      ModeMetrics m;
      m.mode = name;
      m.factor = factor;
      m.effective_scale = r.effective_scale;
      m.output_bits = bits;
      m.bits_needed = BitsNeeded(r, name == "research-se-enhance" ? r.effective_scale / factor : r.effective_scale);
      m.saturations = r.saturations;
      m.vs_fp32 = check::Compare(r.after_quant.data(), fp32.after_quant.data(), n);
      return m;
    };
    tasks.push_back([&] { metrics[0] = metric("int8-quamba", results[2], 1, 8); });
    tasks.push_back([&] { metrics[1] = metric("float-sim-int8", results[0], 1, opt.hw.output_bits); });
    tasks.push_back([&] { metrics[2] = metric("naive-fake-quant", results[4], 1, 8); });
    for (size_t k = 0; k < nf; ++k) {
      const float f = opt.se_factors[k];
      const HwConfig rhw = RefineConfig(opt.hw, f);
      tasks.push_back([&, k, f] { metrics[3 + 2 * k] = metric("research-se-enhance", results[5 + 2 * k], f, opt.hw.output_bits); });
      tasks.push_back([&, k, f, rhw] { metrics[4 + 2 * k] = metric("research-se-refine", results[6 + 2 * k], f, rhw.output_bits); });
      // The refine reading is a hardware what-if: the float-sim must equal that hardware too.
      tasks.push_back([&, k, f, rhw] {
        gold::LayerVectors rv;
        rv.layer = v.layer;
        rv.input = v.input;
        rv.compiled = CompileLayer(rv.layer, rhw);
        const LayerResult asic_refine = RunLayer(rv.compiled, rv.layer, rv.View(), RunOptions{false, 1});
        char name[96];
        std::snprintf(name, sizeof name, "research-se-refine F=%g vs asic at s_out/F", static_cast<double>(f));
        checks[4 + k] = CompareCodes(name, true, rv, rv.compiled, asic_refine.y, results[6 + 2 * k], opt.max_reports, nullptr, block);
      });
    }
    RunTasks(tasks, opt.threads);
    out.checks = std::move(checks);
    out.metrics = std::move(metrics);
    // Heatmap of float-sim INT8 error vs FP32 per channel block, and the |diff| histogram.
    out.fsim_mse_blocks.assign(nblocks, 0.0);
    out.abs_diff_histogram.assign(kHistogramBins, 0);
    std::vector<int64_t> per_block_count(nblocks, 0);
    const int D = v.layer.channels, L = v.input.seq_len;
    for (int64_t i = 0; i < n; ++i) {
      const double diff = static_cast<double>(results[0].after_quant[i]) - fp32.after_quant[i];
      const int blk = static_cast<int>((i / L) % D) / block;
      out.fsim_mse_blocks[blk] += diff * diff;
      ++per_block_count[blk];
      const double a = std::fabs(diff);
      int bin = 0;
      if (a > 0) bin = std::min(kHistogramBins - 1, std::max(1, static_cast<int>(std::floor(std::log2(a))) + 31));
      ++out.abs_diff_histogram[bin];
    }
    for (int b = 0; b < nblocks; ++b)
      if (per_block_count[b]) out.fsim_mse_blocks[b] /= static_cast<double>(per_block_count[b]);
    out.user_samples["int8_baseline"] = Samples(results[2], v.layer.output_scale);
    out.user_samples["fp32_upper_bound"] = Samples(fp32, v.layer.output_scale);
    out.user_samples["float_sim_int8"] = Samples(results[0], v.layer.output_scale);
    for (size_t k = 0; k < opt.se_factors.size(); ++k) {
      char key[64];
      std::snprintf(key, sizeof key, "%g", static_cast<double>(opt.se_factors[k]));
      out.user_samples["research_se_enhance"][key] = Samples(results[5 + 2 * k], v.layer.output_scale);
      out.user_samples["research_se_refine"][key] = Samples(results[6 + 2 * k], v.layer.output_scale);
    }
    out.seconds.analysis = Since(t0);
    res.seconds += out.seconds;
    res.layers.push_back(std::move(out));
    if (progress) progress(++done, static_cast<int>(layers.size()));
  }
  res.wall_seconds = Since(t_start);
  return res;
}

}  // namespace cosim::regress
