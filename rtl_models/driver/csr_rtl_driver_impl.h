// csr_rtl_driver_impl.h: the Driver implementation for one Verilated class (a template, so
// that the per-cycle loop touches the model's ports directly). Included only by the generated
// per-model factory files (csr_rtl_model.cpp.in); users include csr_rtl_driver.h and
// csr_rtl_models.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "verilated.h"
#if VM_TRACE_FST
#include "verilated_fst_c.h"
#endif

#include "csr_rtl_driver.h"
#include "csr_rtl_driver_detail.h"

namespace cosim::rtl {
namespace detail {

// ---- port access, whatever C type Verilator chose for a width ----
template <class T> struct PortWords { static constexpr size_t value = sizeof(T) > 4 ? 2 : 1; };
template <std::size_t N> struct PortWords<VlWide<N>> { static constexpr size_t value = N; };
template <class P> constexpr size_t kWords = PortWords<std::remove_cv_t<std::remove_reference_t<P>>>::value;

template <std::size_t N> inline void Put(VlWide<N>& p, const uint32_t* w) {
  for (std::size_t i = 0; i < N; ++i) p[i] = w[i];
}
inline void Put(QData& p, const uint32_t* w) { p = static_cast<QData>(w[0]) | (static_cast<QData>(w[1]) << 32); }
inline void Put(IData& p, const uint32_t* w) { p = w[0]; }
inline void Put(SData& p, const uint32_t* w) { p = static_cast<SData>(w[0]); }
inline void Put(CData& p, const uint32_t* w) { p = static_cast<CData>(w[0]); }

template <std::size_t N> inline void Get(const VlWide<N>& p, uint32_t* w) {
  for (std::size_t i = 0; i < N; ++i) w[i] = p[i];
}
inline void Get(QData p, uint32_t* w) { w[0] = static_cast<uint32_t>(p); w[1] = static_cast<uint32_t>(p >> 32); }
inline void Get(IData p, uint32_t* w) { w[0] = p; }
inline void Get(SData p, uint32_t* w) { w[0] = p; }
inline void Get(CData p, uint32_t* w) { w[0] = p; }

}  // namespace detail

template <class V>
class DriverImpl final : public Driver {
 public:
  explicit DriverImpl(ModelInfo info) : info_(std::move(info)) {
    ctx_ = std::make_unique<VerilatedContext>();
#if VM_TRACE_FST
    ctx_->traceEverOn(true);
#endif
    top_ = std::make_unique<V>(ctx_.get(), "csr_top");
    top_->clk_i = 0;
    top_->rst_n_i = 0;
    top_->cfg_we_i = 0;
    top_->fault_sel_i = 0;
    top_->in_valid_i = 0;
    top_->out_ready_i = 0;
    top_->eval();
  }
  ~DriverImpl() override {
    CloseTrace();
    top_->final();
  }

  const ModelInfo& info() const override { return info_; }
  uint64_t cycles() const override { return cycle_; }

  RunResult Run(const LayerView& layer, const RunOptions& opt) override {
    CheckLayer(info_, layer, opt);
    run_start_ = cycle_;
    if (!opt.trace_path.empty()) OpenTrace(opt);

    RunResult r;
    const uint64_t c0 = cycle_;
    Reset();
    if (opt.program) Program(layer);
    WriteKnobs(layer.knobs);
    top_->fault_sel_i = opt.fault;
    r.config_cycles = cycle_ - c0;
    Stream(layer, opt, &r);
    CloseTrace();
    return r;
  }

 private:
  using XPort = decltype(std::declval<V&>().x_i);
  using YPort = decltype(std::declval<V&>().y_o);
  using APort = decltype(std::declval<V&>().dbg_acc_o);
  using IPort = decltype(std::declval<V&>().dbg_idx_o);
  using FPort = decltype(std::declval<V&>().dbg_acc_ovf_o);
  static constexpr size_t kXW = detail::kWords<XPort>;
  static constexpr size_t kYW = detail::kWords<YPort>;
  static constexpr size_t kAW = detail::kWords<APort>;
  static constexpr size_t kIW = detail::kWords<IPort>;
  static constexpr size_t kFW = detail::kWords<FPort>;

  // One clock cycle with the inputs as they are: falling-edge eval (inputs settle), rising
  // edge eval (state updates).
  void Tick() {
    top_->clk_i = 0;
    top_->eval();
    Dump(0);
    top_->clk_i = 1;
    top_->eval();
    Dump(1);
    ++cycle_;
  }

  void Reset() {
    top_->cfg_we_i = 0;
    top_->in_valid_i = 0;
    top_->out_ready_i = 0;
    top_->rst_n_i = 0;
    Tick();
    Tick();
    top_->rst_n_i = 1;
    Tick();
  }

  void CfgWrite(uint32_t sel, uint32_t addr, uint32_t data) {
    top_->cfg_we_i = 1;
    top_->cfg_sel_i = sel;
    top_->cfg_addr_i = addr;
    top_->cfg_wdata_i = data;
    Tick();
  }

  void Program(const LayerView& layer) {
    const Knobs& k = layer.knobs;
    const uint32_t amask = k.acc_bits >= 32 ? 0xFFFFFFFFu : ((1u << k.acc_bits) - 1u);
    const uint32_t wmask = k.output_bits >= 32 ? 0xFFFFFFFFu : ((1u << k.output_bits) - 1u);
    for (int d = 0; d < layer.D; ++d) {
      uint32_t w = 0;
      for (int j = 0; j < 4; ++j) w |= static_cast<uint32_t>(static_cast<uint8_t>(layer.weight[d * 4 + j])) << (8 * j);
      CfgWrite(detail::kSelWeight, d, w);
      CfgWrite(detail::kSelBias, d, static_cast<uint32_t>(layer.bias_acc[d]) & amask);
      CfgWrite(detail::kSelMult, d, layer.mult[d]);
      CfgWrite(detail::kSelShift, d, static_cast<uint32_t>(layer.shift[d]));
    }
    const int P = info_.lanes;
    const int dpad = (layer.D + P - 1) / P * P;
    for (int d = layer.D; d < dpad; ++d) {  // padding lanes: defined (zero) parameters
      CfgWrite(detail::kSelWeight, d, 0);
      CfgWrite(detail::kSelBias, d, 0);
      CfgWrite(detail::kSelMult, d, 0);
      CfgWrite(detail::kSelShift, d, 0);
    }
    const uint32_t entries = 1u << k.lut_index_bits;
    for (uint32_t a = 0; a < entries; ++a) CfgWrite(detail::kSelLut, a, static_cast<uint32_t>(layer.lut[a]) & wmask);
    top_->cfg_we_i = 0;
  }

  // The CTRL register (run-time knobs) is reset with the pipeline: written on every Run.
  void WriteKnobs(const Knobs& k) {
    if (!info_.runtime_knobs) return;
    CfgWrite(detail::kSelCtrl, 0, static_cast<uint32_t>(k.rounding) | (k.acc_wrap ? 4u : 0u));
    top_->cfg_we_i = 0;
  }

  void Stream(const LayerView& layer, const RunOptions& opt, RunResult* r) {
    const int P = info_.lanes;
    const uint32_t G = static_cast<uint32_t>((layer.D + P - 1) / P);
    const uint32_t L = static_cast<uint32_t>(layer.L);
    const uint64_t nbeats = static_cast<uint64_t>(layer.B) * G * L;
    r->beats_expected = nbeats;

    const std::vector<uint32_t> xb = detail::PackBeats(info_, layer, kXW);
    detail::RawOutputs raw;
    raw.y_words = kYW;
    raw.acc_words = kAW;
    raw.idx_words = kIW;
    raw.flag_words = kFW;
    raw.y.resize(nbeats * kYW);
    raw.ch_base.resize(nbeats);
    raw.sos.resize(nbeats);
    const bool dbg = opt.collect_debug;
    if (dbg) {
      raw.acc.resize(nbeats * kAW);
      raw.idx.resize(nbeats * kIW);
      raw.ovf.resize(nbeats * kFW);
      raw.sat.resize(nbeats * kFW);
    }

    detail::Rng rng_in(opt.seed), rng_out(opt.seed ^ 0xA5A5A5A5DEADBEEFULL);
    const uint64_t thr_in = detail::ProbThreshold(opt.bubble_prob);
    const uint64_t thr_out = detail::ProbThreshold(opt.stall_prob);
    uint32_t garbage[kXW + 1];

    V* const top = top_.get();
    uint64_t sent = 0, got = 0, idle = 0;
    uint32_t g = 0, t = 0;
    const uint64_t c0 = cycle_;
    const auto w0 = std::chrono::steady_clock::now();
    top->out_ready_i = 1;
    while (got < nbeats) {
      // Inputs of this cycle.
      bool offer = sent < nbeats;
      if (thr_in != 0 && offer && rng_in.Next() < thr_in) {
        offer = false;
        for (size_t i = 0; i < kXW; ++i) garbage[i] = static_cast<uint32_t>(rng_in.Next() >> 32);
        detail::Put(top->x_i, garbage);  // an idle bus carries junk
      }
      if (offer) {
        detail::Put(top->x_i, &xb[sent * kXW]);
        top->ch_base_i = g * P;
        top->sos_i = (t == 0);
      }
      top->in_valid_i = offer;
      const bool ready = thr_out == 0 || rng_out.Next() >= thr_out;
      top->out_ready_i = ready;
      top->clk_i = 0;
      top->eval();
      Dump(0);
      // Handshakes of this cycle (in_ready_o, out_valid_o and the output beat are registers).
      if (offer && top->in_ready_o) {
        ++sent;
        if (++t == L) { t = 0; if (++g == G) g = 0; }
      }
      if (ready && top->out_valid_o) {
        detail::Get(top->y_o, &raw.y[got * kYW]);
        raw.ch_base[got] = top->ch_base_o;
        raw.sos[got] = top->sos_o;
        if (dbg) {
          detail::Get(top->dbg_acc_o, &raw.acc[got * kAW]);
          detail::Get(top->dbg_idx_o, &raw.idx[got * kIW]);
          detail::Get(top->dbg_acc_ovf_o, &raw.ovf[got * kFW]);
          detail::Get(top->dbg_idx_sat_o, &raw.sat[got * kFW]);
        }
        ++got;
        idle = 0;
      } else if (sent == nbeats && ++idle > opt.idle_limit) {
        break;  // the RTL lost beats
      }
      top->clk_i = 1;
      top->eval();
      Dump(1);
      ++cycle_;
    }
    top->in_valid_i = 0;
    r->stream_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    r->stream_cycles = cycle_ - c0;
    r->beats_in = sent;
    r->beats_out = got;
    raw.beats = got;
    detail::Unpack(info_, layer, raw, dbg, r);
  }

  void OpenTrace(const RunOptions& opt) {
#if VM_TRACE_FST
    CloseTrace();
    tfp_ = std::make_unique<VerilatedFstC>();
    top_->trace(tfp_.get(), 99);
    tfp_->open(opt.trace_path.c_str());
    trace_begin_ = run_start_ + opt.trace_begin;
    trace_end_ = opt.trace_end == UINT64_MAX ? UINT64_MAX : run_start_ + opt.trace_end;
#else
    (void)opt;
    detail::ThrowNoTrace(info_);
#endif
  }
  void CloseTrace() {
#if VM_TRACE_FST
    if (tfp_) {
      tfp_->close();
      tfp_.reset();
    }
#endif
  }
  void Dump(int phase) {
#if VM_TRACE_FST
    if (tfp_ && cycle_ >= trace_begin_ && cycle_ < trace_end_) tfp_->dump(cycle_ * 10 + phase * 5);
#else
    (void)phase;
#endif
  }
  ModelInfo info_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
#if VM_TRACE_FST
  std::unique_ptr<VerilatedFstC> tfp_;
#endif
  uint64_t cycle_ = 0;
  uint64_t run_start_ = 0;
  uint64_t trace_begin_ = 0, trace_end_ = 0;
};

}  // namespace cosim::rtl
