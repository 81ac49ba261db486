// device_run.cu: DeviceAvailable, RunDevice, RunDeviceBatch and DeviceLayer.
//
// Every job is checked and compiled on the host before the first launch. RunDeviceBatch keeps up
// to `streams` layers in flight: each slot owns a stream, pinned staging buffers and device
// buffers sized from the largest layer it has seen, all freed on return (also on exceptions).
#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gpu_ref/cuda_check.h"
#include "gpu_ref/floatsim.h"
#include "gpu_ref/floatsim_cuda.h"
#include "gpu_ref/kernels.h"
#include "gpu_ref/prepare.h"
#include "gpu_ref/ytable_build.h"

namespace cosim::fsim {
namespace {

size_t Align256(size_t n) { return (n + 255) & ~size_t{255}; }

class DeviceBuffer {
 public:
  ~DeviceBuffer() { if (p_) cudaFree(p_); }
  void Ensure(size_t n) {
    if (n <= cap_) return;
    if (p_) FSIM_CUDA_CHECK(cudaFree(p_));
    p_ = nullptr;
    cap_ = 0;
    FSIM_CUDA_CHECK(cudaMalloc(&p_, n));
    cap_ = n;
  }
  template <class T> T* as(size_t off = 0) const { return reinterpret_cast<T*>(static_cast<char*>(p_) + off); }
 private:
  void* p_ = nullptr;
  size_t cap_ = 0;
};

class PinnedBuffer {
 public:
  ~PinnedBuffer() { if (p_) cudaFreeHost(p_); }
  void Ensure(size_t n) {
    if (n <= cap_) return;
    if (p_) FSIM_CUDA_CHECK(cudaFreeHost(p_));
    p_ = nullptr;
    cap_ = 0;
    FSIM_CUDA_CHECK(cudaMallocHost(&p_, n));
    cap_ = n;
  }
  template <class T> T* as(size_t off = 0) const { return reinterpret_cast<T*>(static_cast<char*>(p_) + off); }
 private:
  void* p_ = nullptr;
  size_t cap_ = 0;
};

// Layout of a layer's parameters in one buffer: channels, then the int-lut tables.
struct ParamLayout {
  size_t lut = 0, clamped = 0, before = 0, lut8 = 0, total = 0;
  explicit ParamLayout(const Prepared& pr) {
    lut = Align256(pr.ch.size() * sizeof(ChannelParams));
    clamped = Align256(lut + pr.lut.size() * sizeof(int32_t));
    before = Align256(clamped + pr.lut_clamped.size());
    lut8 = Align256(before + pr.lut_before.size() * sizeof(float));
    total = Align256(lut8 + pr.lut8.size());
  }
  void Fill(const Prepared& pr, char* dst) const {
    std::memcpy(dst, pr.ch.data(), pr.ch.size() * sizeof(ChannelParams));
    std::memcpy(dst + lut, pr.lut.data(), pr.lut.size() * sizeof(int32_t));
    std::memcpy(dst + clamped, pr.lut_clamped.data(), pr.lut_clamped.size());
    std::memcpy(dst + before, pr.lut_before.data(), pr.lut_before.size() * sizeof(float));
    std::memcpy(dst + lut8, pr.lut8.data(), pr.lut8.size());
  }
};

KernelArgs ArgsFor(const Prepared& pr, const char* d_params, const ParamLayout& lay) {
  KernelArgs a;
  a.lp = pr.lp;
  a.ch = reinterpret_cast<const ChannelParams*>(d_params);
  if (!pr.lut.empty()) {
    a.lut.code = reinterpret_cast<const int32_t*>(d_params + lay.lut);
    a.lut.clamped = reinterpret_cast<const uint8_t*>(d_params + lay.clamped);
    a.lut.before = reinterpret_cast<const float*>(d_params + lay.before);
  }
  if (!pr.lut8.empty()) a.lut8 = reinterpret_cast<const int8_t*>(d_params + lay.lut8);
  a.has_codes = pr.has_codes;
  return a;
}

void RequireDevice(const char* what) {
  if (!DeviceAvailable())
    throw std::runtime_error(std::string(what) +
                             ": no usable CUDA device (DeviceAvailable() is false); use RunHost");
}

// One stream with its staging and device buffers.
struct Slot {
  cudaStream_t stream = nullptr;
  PinnedBuffer h_in, h_out;
  DeviceBuffer d_in, d_out;
  int job = -1;
  size_t n = 0, state_bytes = 0;
  Slot() { FSIM_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking)); }
  ~Slot() { if (stream) cudaStreamDestroy(stream); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
};

// Output layout in h_out / d_out: counters, codes, before, after.
struct OutLayout {
  size_t codes, before, after, total;
  explicit OutLayout(size_t n) {
    codes = 256;
    before = Align256(codes + n * sizeof(int32_t));
    after = Align256(before + n * sizeof(float));
    total = Align256(after + n * sizeof(float));
  }
};

void Harvest(Slot& s, const Prepared& pr, ModeResult& r) {
  FSIM_CUDA_CHECK(cudaStreamSynchronize(s.stream));
  const OutLayout o(s.n);
  const auto* cnt = s.h_out.as<unsigned long long>();
  r.acc_overflows = static_cast<int64_t>(cnt[0]);
  r.index_saturations = static_cast<int64_t>(cnt[1]);
  r.saturations = static_cast<int64_t>(cnt[2]);
  r.effective_scale = pr.effective_scale;
  if (pr.has_codes) r.codes.assign(s.h_out.as<int32_t>(o.codes), s.h_out.as<int32_t>(o.codes) + s.n);
  r.before_quant.assign(s.h_out.as<float>(o.before), s.h_out.as<float>(o.before) + s.n);
  r.after_quant.assign(s.h_out.as<float>(o.after), s.h_out.as<float>(o.after) + s.n);
  s.job = -1;
}

}  // namespace

// The y-table of a layer from a device scan (ytable.h): the device's own evaluations of the order.
YTable DeviceYTable(const Prepared& pr, YForm first) {
  YScan scan;
  scan.spec = MakeYScanSpec(pr);
  const size_t tr_off = 256, bytes = tr_off + sizeof(YTransition) * kYMaxTransitions;
  DeviceBuffer d;
  d.Ensure(bytes);
  FSIM_CUDA_CHECK(cudaMemset(d.as<char>(), 0, 256));
  LaunchYScan(pr.lp, scan.spec, d.as<uint32_t>(), d.as<int32_t>(16), d.as<YTransition>(tr_off), kYMaxTransitions, nullptr);
  FSIM_CUDA_CHECK(cudaDeviceSynchronize());
  uint32_t count = 0;
  int32_t ends[4];
  FSIM_CUDA_CHECK(cudaMemcpy(&count, d.as<char>(), sizeof count, cudaMemcpyDeviceToHost));
  FSIM_CUDA_CHECK(cudaMemcpy(ends, d.as<char>(16), sizeof ends, cudaMemcpyDeviceToHost));
  scan.overflow = count > static_cast<uint32_t>(kYMaxTransitions);
  scan.transitions.resize(std::min<size_t>(count, kYMaxTransitions));
  FSIM_CUDA_CHECK(cudaMemcpy(scan.transitions.data(), d.as<char>(tr_off),
                             scan.transitions.size() * sizeof(YTransition), cudaMemcpyDeviceToHost));
  scan.neg_first = ends[0];
  scan.neg_last = ends[1];
  scan.pos_first = ends[2];
  scan.pos_last = ends[3];
  return BuildYTable(scan, first);
}

bool DeviceAvailable() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n < 1) {
    cudaGetLastError();  // clear the sticky-free error state of a failed query
    return false;
  }
  int dev = 0, major = 0;
  if (cudaGetDevice(&dev) != cudaSuccess ||
      cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  return major >= 9;  // built for sm_90 (plus compute_90 PTX for newer devices)
}

std::string DeviceName() {
  if (!DeviceAvailable()) return "";
  int dev = 0;
  cudaDeviceProp prop{};
  FSIM_CUDA_CHECK(cudaGetDevice(&dev));
  FSIM_CUDA_CHECK(cudaGetDeviceProperties(&prop, dev));
  return prop.name;
}

std::vector<ModeResult> RunDeviceBatch(const std::vector<DeviceJob>& jobs, int streams) {
  RequireDevice("RunDeviceBatch");
  if (streams < 1) throw std::invalid_argument("RunDeviceBatch: streams must be >= 1");
  std::vector<Prepared> preps;
  preps.reserve(jobs.size());
  for (const DeviceJob& j : jobs) preps.push_back(Prepare(j.mode, j.layer, j.knobs, j.factor));
  std::vector<ModeResult> results(jobs.size());
  std::vector<Slot> slots(std::min<size_t>(static_cast<size_t>(streams), std::max<size_t>(jobs.size(), 1)));
  for (size_t j = 0; j < jobs.size(); ++j) {
    Slot& s = slots[j % slots.size()];
    if (s.job >= 0) Harvest(s, preps[s.job], results[s.job]);
    const Prepared& pr = preps[j];
    const LayerView& v = jobs[j].layer;
    const size_t n = static_cast<size_t>(v.B) * v.D * v.L;
    const size_t state_bytes = v.state ? static_cast<size_t>(v.B) * v.D * 3 : 0;
    const ParamLayout lay(pr);
    // input staging: params | x | state
    const size_t x_off = lay.total, state_off = Align256(x_off + n), in_total = Align256(state_off + state_bytes);
    s.h_in.Ensure(in_total);
    s.d_in.Ensure(in_total);
    lay.Fill(pr, s.h_in.as<char>());
    std::memcpy(s.h_in.as<char>(x_off), v.x, n);
    if (state_bytes) std::memcpy(s.h_in.as<char>(state_off), v.state, state_bytes);
    const OutLayout o(n);
    s.h_out.Ensure(o.total);
    s.d_out.Ensure(o.total);
    FSIM_CUDA_CHECK(cudaMemcpyAsync(s.d_in.as<char>(), s.h_in.as<char>(), in_total,
                                    cudaMemcpyHostToDevice, s.stream));
    FSIM_CUDA_CHECK(cudaMemsetAsync(s.d_out.as<char>(), 0, 256, s.stream));
    KernelArgs a = ArgsFor(pr, s.d_in.as<char>(), lay);
    a.x = s.d_in.as<int8_t>(x_off);
    a.state = state_bytes ? s.d_in.as<int8_t>(state_off) : nullptr;
    a.counters = s.d_out.as<unsigned long long>();
    a.codes = pr.has_codes ? s.d_out.as<int32_t>(o.codes) : nullptr;
    a.before = s.d_out.as<float>(o.before);
    a.after = s.d_out.as<float>(o.after);
    LaunchFull(a, s.stream);
    FSIM_CUDA_CHECK(cudaMemcpyAsync(s.h_out.as<char>(), s.d_out.as<char>(), o.total,
                                    cudaMemcpyDeviceToHost, s.stream));
    s.job = static_cast<int>(j);
    s.n = n;
  }
  for (Slot& s : slots)
    if (s.job >= 0) Harvest(s, preps[s.job], results[s.job]);
  return results;
}

ModeResult RunDevice(Mode mode, const LayerView& layer, const Knobs& knobs, float factor) {
  return std::move(RunDeviceBatch({DeviceJob{mode, layer, knobs, factor}}, 1)[0]);
}

DeviceLayer::DeviceLayer(Mode mode, const LayerView& layer, const Knobs& knobs, float factor,
                         YTableChoice y_table) {
  RequireDevice("DeviceLayer");
  static const int8_t kDummy = 0;
  LayerView v = layer;
  if (!v.x) v.x = &kDummy;  // x is not read here
  prepared_ = std::make_unique<Prepared>(Prepare(mode, v, knobs, factor));
  const ParamLayout lay(*prepared_);
  std::vector<char> host(lay.total);
  lay.Fill(*prepared_, host.data());
  if (YTableApplies(*prepared_)) {
    const auto t0 = std::chrono::steady_clock::now();
    ytable_ = std::make_unique<YTable>(DeviceYTable(
        *prepared_, y_table == YTableChoice::kThreeStepForm ? YForm::kThreeSteps : YForm::kOneStep));
    plan_.y_table = ytable_->params.form != YForm::kNone;
    plan_.entries = ytable_->params.n;
    plan_.form = YFormName(ytable_->params.form);
    plan_.side_entries = ytable_->params.side;
    plan_.transitions = ytable_->transitions;
    plan_.points = ytable_->points;
    plan_.note = ytable_->why_not;
    plan_.build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (plan_.y_table && AccTablesApply(*prepared_)) {
      const auto t1 = std::chrono::steady_clock::now();
      acc_ = std::make_unique<AccTables>(BuildAccTables(*prepared_, *ytable_));
      plan_.acc_build_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
      plan_.acc_tables = !acc_->ch.empty();
      plan_.acc_in_use =
          plan_.acc_tables && AccTablesPreferred(ytable_->params.form, int64_t{prepared_->lp.B} * prepared_->lp.L);
      plan_.acc_entries_max = acc_->n_max;
      plan_.acc_steps = acc_->steps;
      plan_.acc_note = acc_->why_not;
      if (!plan_.acc_tables) acc_.reset();
    }
    CapYTableCopies(kYCopiesLog2Max);
  }
  try {
    FSIM_CUDA_CHECK(cudaMalloc(&d_params_, lay.total));
    FSIM_CUDA_CHECK(cudaMemcpy(d_params_, host.data(), lay.total, cudaMemcpyHostToDevice));
    if (plan_.y_table) {
      const size_t bytes = ytable_->words.size() * sizeof(uint32_t);
      FSIM_CUDA_CHECK(cudaMalloc(&d_ytab_, bytes));
      FSIM_CUDA_CHECK(cudaMemcpy(d_ytab_, ytable_->words.data(), bytes, cudaMemcpyHostToDevice));
    }
    if (acc_) {
      const size_t ch_bytes = Align256(acc_->ch.size() * sizeof(AccChannel));
      FSIM_CUDA_CHECK(cudaMalloc(&d_acc_, ch_bytes + acc_->packed.size() * sizeof(uint32_t)));
      FSIM_CUDA_CHECK(cudaMemcpy(d_acc_, acc_->ch.data(), acc_->ch.size() * sizeof(AccChannel), cudaMemcpyHostToDevice));
      FSIM_CUDA_CHECK(cudaMemcpy(static_cast<char*>(d_acc_) + ch_bytes, acc_->packed.data(),
                                 acc_->packed.size() * sizeof(uint32_t), cudaMemcpyHostToDevice));
    }
    // A cudaMemcpy from pageable memory may return before its DMA lands; the launches, on any
    // stream and possibly dependent launches, read these buffers as complete (KernelArgs).
    FSIM_CUDA_CHECK(cudaStreamSynchronize(nullptr));
  } catch (...) {
    if (d_params_) cudaFree(d_params_);
    if (d_ytab_) cudaFree(d_ytab_);
    if (d_acc_) cudaFree(d_acc_);
    throw;
  }
}

void DeviceLayer::UseAccTables(bool on) { plan_.acc_in_use = on && plan_.acc_tables; }

void DeviceLayer::UseDependentLaunch(bool on) { dependent_launch_ = on; }

void DeviceLayer::CapYTableCopies(int log2_cap) {
  if (log2_cap < 0) throw std::invalid_argument("DeviceLayer::CapYTableCopies: log2_cap < 0");
  if (!plan_.y_table) return;
  copies_log2_ = YCopiesLog2(ytable_->params, log2_cap);
  plan_.copies = 1 << copies_log2_;
  if (acc_) {
    acc_copies_log2_ = AccCopiesLog2(acc_->n_max, log2_cap);
    plan_.acc_copies = 1 << acc_copies_log2_;
  }
}

DeviceLayer::~DeviceLayer() {
  if (d_params_) cudaFree(d_params_);
  if (d_ytab_) cudaFree(d_ytab_);
  if (d_acc_) cudaFree(d_acc_);
}

void DeviceLayer::LaunchCodesInt8(const int8_t* d_x, int8_t* d_codes, cudaStream_t stream,
                                  const int8_t* d_state) const {
  KernelArgs a = ArgsFor(*prepared_, static_cast<const char*>(d_params_), ParamLayout(*prepared_));
  a.x = d_x;
  a.state = d_state;
  a.codes8 = d_codes;
  a.dependent_launch = dependent_launch_;
  if (d_ytab_) {
    a.ytab = static_cast<const uint32_t*>(d_ytab_);
    a.yt = ytable_->params;
    a.ytab_copies_log2 = copies_log2_;
  }
  if (plan_.acc_in_use) {
    a.acc_ch = static_cast<const AccChannel*>(d_acc_);
    a.acc_packed = reinterpret_cast<const uint32_t*>(static_cast<const char*>(d_acc_) +
                                                    Align256(acc_->ch.size() * sizeof(AccChannel)));
    a.acc_n_max = acc_->n_max;
    a.acc_copies_log2 = acc_copies_log2_;
  }
  LaunchCodes8(a, stream);
}

void DeviceLayer::LaunchFull(const int8_t* d_x, int32_t* d_codes, float* d_before, float* d_after,
                             unsigned long long* d_counters, cudaStream_t stream,
                             const int8_t* d_state) const {
  KernelArgs a = ArgsFor(*prepared_, static_cast<const char*>(d_params_), ParamLayout(*prepared_));
  a.x = d_x;
  a.state = d_state;
  a.codes = d_codes;
  a.before = d_before;
  a.after = d_after;
  a.counters = d_counters;
  if (!d_before || !d_after || !d_counters || (prepared_->has_codes && !d_codes))
    throw std::invalid_argument("DeviceLayer::LaunchFull: an output pointer is null");
  ::cosim::fsim::LaunchFull(a, stream);
}

}  // namespace cosim::fsim
