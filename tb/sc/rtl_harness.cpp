// RtlHarness: the Verilated csr_top (SystemC) + sc_clock + the per-cycle driver/monitor thread.
#include "tb/sc/rtl_harness.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>

#include <systemc>

#include "sim/core/error.h"
#include "tb/sc/rtl_build.h"
#if CSR_SC_CLEAN
#include CSR_SC_CLEAN_HEADER
#endif
#if CSR_SC_VERIFY
#include CSR_SC_VERIFY_HEADER
#endif
#if CSR_SC_CLEAN_TRACE == 1 || CSR_SC_VERIFY_TRACE == 1
#include "verilated_fst_c.h"
#endif
#if CSR_SC_CLEAN_TRACE == 2 || CSR_SC_VERIFY_TRACE == 2
#include "verilated_vcd_c.h"
#endif

namespace cosim {
namespace tb {
namespace {

using sc_core::sc_signal;
using sc_core::sc_time;

// The C++ type Verilator gave a port: bool, uint32_t, uint64_t or sc_bv<W>.
template <class Port>
using DataOf = typename std::remove_reference_t<Port>::data_type;
#define CSR_PORT_T(port) DataOf<decltype(std::declval<Dut&>().port)>

// The waveform writer of a model traced as `kind` (0 none, 1 FST, 2 VCD).
struct NoTrace {};
template <int kind>
struct TraceFor {
  using type = NoTrace;
};
#if CSR_SC_CLEAN_TRACE == 1 || CSR_SC_VERIFY_TRACE == 1
template <>
struct TraceFor<1> {
  using type = VerilatedFstC;
};
#endif
#if CSR_SC_CLEAN_TRACE == 2 || CSR_SC_VERIFY_TRACE == 2
template <>
struct TraceFor<2> {
  using type = VerilatedVcdC;
};
#endif

// Word access to every port type, so that the harness does not depend on the widths.
template <class T>
struct Bits;
template <>
struct Bits<bool> {
  static constexpr int kWidth = 1;
  static void Set(bool& v, const uint32_t* w) { v = (w[0] & 1u) != 0; }
  static void Get(const bool& v, uint32_t* w) { w[0] = v ? 1u : 0u; }
};
template <>
struct Bits<uint32_t> {
  static constexpr int kWidth = 0;  // up to 32, not visible in the type
  static void Set(uint32_t& v, const uint32_t* w) { v = w[0]; }
  static void Get(const uint32_t& v, uint32_t* w) { w[0] = v; }
};
template <>
struct Bits<uint64_t> {
  static constexpr int kWidth = 0;  // 33..64
  static void Set(uint64_t& v, const uint32_t* w) { v = w[0] | (uint64_t{w[1]} << 32); }
  static void Get(const uint64_t& v, uint32_t* w) {
    w[0] = static_cast<uint32_t>(v);
    w[1] = static_cast<uint32_t>(v >> 32);
  }
};
template <int W>
struct Bits<sc_dt::sc_bv<W>> {
  static constexpr int kWidth = W;
  static void Set(sc_dt::sc_bv<W>& v, const uint32_t* w) {
    for (int i = 0; i < (W + 31) / 32; ++i) v.set_word(i, w[i]);
    if (W % 32 != 0) v.clean_tail();
  }
  static void Get(const sc_dt::sc_bv<W>& v, uint32_t* w) {
    for (int i = 0; i < (W + 31) / 32; ++i) w[i] = v.get_word(i);
  }
};

// A port's width must be the one rtl_build.h assumes wherever the type shows it.
template <class T>
constexpr bool WidthIs(int bits) {
  return Bits<T>::kWidth == 0 || Bits<T>::kWidth == bits;
}

constexpr int kWords(int bits) { return (bits + 31) / 32 + 1; }  // +1: Field reads a word ahead

// `width` (1..32) bits at `lsb` of a little-endian word array.
inline uint32_t Field(const uint32_t* w, int lsb, int width) {
  const int i = lsb / 32, s = lsb % 32;
  const uint64_t two = w[i] | (uint64_t{w[i + 1]} << 32);
  return static_cast<uint32_t>((two >> s) & ((uint64_t{1} << width) - 1));
}
inline int32_t SignExtend(uint32_t v, int bits) {
  const uint32_t m = 1u << (bits - 1);
  return static_cast<int32_t>((v ^ m) - m);
}

// Seeded generator for bubbles and back-pressure (SplitMix64; portable, deterministic).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  bool Chance(double p) {
    if (p <= 0) return false;
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53 < p;
  }

 private:
  uint64_t s_;
};

bool EnableTracing() {
  Verilated::traceEverOn(true);  // before a model is built (harmless without --trace)
  return true;
}

bool g_exists = false;

// What one model's thread shares with RtlHarness::Run.
struct HarnessBase : public sc_core::sc_module {
  explicit HarnessBase(sc_core::sc_module_name name) : sc_core::sc_module(name) {}
  sc_core::sc_event job_event{"job_event"};
  bool pending = false, done = false;
  bool clock_on = false;  // the clock gate
  const RtlJob* job = nullptr;
  RtlCapture* cap = nullptr;
};

// One Verilated csr_top, its gated clock and its driver/monitor thread.
template <class Dut, int kTraceKind>
struct Harness : public HarnessBase {
  using TraceFile = typename TraceFor<kTraceKind>::type;
  static constexpr bool kTraced = !std::is_same<TraceFile, NoTrace>::value;
  static_assert(WidthIs<CSR_PORT_T(x_i)>(kRtlLanes * 8), "csr_top LANES differs from rtl_build.h");
  static_assert(WidthIs<CSR_PORT_T(y_o)>(kRtlLanes * kRtlOutBits), "csr_top OUT_BITS differs from rtl_build.h");
  static_assert(WidthIs<CSR_PORT_T(dbg_acc_o)>(kRtlLanes * kRtlAccBits), "csr_top ACC_BITS differs");
  static_assert(WidthIs<CSR_PORT_T(dbg_idx_o)>(kRtlLanes * kRtlIndexBits), "csr_top LUT_INDEX_BITS differs");

  SC_HAS_PROCESS(Harness);
  Harness(sc_core::sc_module_name name, sc_core::sc_clock& clock)
      : HarnessBase(name), clk(clock), trace_on(EnableTracing()), dut("dut") {
    dut.clk_i(gclk);
    dut.rst_n_i(rst_n);
    dut.cfg_we_i(cfg_we);
    dut.cfg_sel_i(cfg_sel);
    dut.cfg_addr_i(cfg_addr);
    dut.cfg_wdata_i(cfg_wdata);
    dut.fault_sel_i(fault_sel);
    dut.in_valid_i(in_valid);
    dut.in_ready_o(in_ready);
    dut.x_i(x);
    dut.ch_base_i(ch_base_i);
    dut.sos_i(sos_i);
    dut.out_valid_o(out_valid);
    dut.out_ready_i(out_ready);
    dut.y_o(y);
    dut.ch_base_o(ch_base_o);
    dut.sos_o(sos_o);
    dut.dbg_acc_o(dbg_acc);
    dut.dbg_acc_ovf_o(dbg_acc_ovf);
    dut.dbg_idx_o(dbg_idx);
    dut.dbg_idx_sat_o(dbg_idx_sat);
    SC_METHOD(Gate);
    sensitive << clk.value_changed_event();
    dont_initialize();
    SC_THREAD(Thread);  // runs at initialisation, then waits for a job
    sensitive << gclk.negedge_event();
  }

  // Clock gate: the model sees the clock only while it runs a layer.
  void Gate() {
    if (clock_on) gclk.write(clk.read());
  }

  template <class T>
  void WriteWord(sc_signal<T>& sig, uint32_t v) {
    uint32_t w[2] = {v, 0};
    T t{};
    Bits<T>::Set(t, w);
    sig.write(t);
  }

  void Thread() {
    for (;;) {
      while (!pending) wait(job_event);
      pending = false;
      clock_on = true;
      RunJob();
      clock_on = false;
      done = true;
      sc_core::sc_pause();
    }
  }

  // One clock cycle: returns at the next falling edge. In the waveform window, samples after
  // this edge's input changes and after the rising edge.
  void Tick() {
    if constexpr (kTraced) {
      if (tfp) {
        wait(sc_core::SC_ZERO_TIME);
        wait(sc_core::SC_ZERO_TIME);
        tfp->dump(static_cast<uint64_t>(sc_core::sc_time_stamp().value()));
        wait(gclk.posedge_event());
        wait(sc_core::SC_ZERO_TIME);
        wait(sc_core::SC_ZERO_TIME);
        tfp->dump(static_cast<uint64_t>(sc_core::sc_time_stamp().value()));
      }
    }
    wait();  // static sensitivity: the falling edge
    ++cycle;
    if constexpr (kTraced) {
      if (!job->wave_path.empty()) {
        if (!tfp && cycle >= job->wave_from && cycle <= job->wave_to) {
          tfp = std::make_unique<TraceFile>();
          dut.trace(tfp.get(), 99);
          tfp->set_time_unit("1ps");
          tfp->set_time_resolution("1ps");
          tfp->open(job->wave_path.c_str());
          cap->wave_file = job->wave_path;
        } else if (tfp && cycle > job->wave_to) {
          CloseTrace();
        }
      }
    }
  }

  void CloseTrace() {
    if constexpr (kTraced) {
      if (tfp) {
        tfp->close();
        tfp.reset();
      }
    }
  }

  void ProtocolError(const std::string& what) {
    if (cap->protocol_errors.size() < 10) cap->protocol_errors.push_back("cycle " + std::to_string(cycle) + ": " + what);
    ++cap->protocol_error_count;
  }

  void RunJob() {
    const RtlJob& j = *job;
    cycle = 0;
    groups = cap->groups;
    pre = j.state != nullptr ? kStateLen : 0;
    row_beats = static_cast<uint64_t>(pre + j.L);
    row_b = row_g = -1;
    wait();  // align to a falling edge
    in_valid.write(false);
    out_ready.write(false);
    cfg_we.write(false);
    WriteWord(fault_sel, static_cast<uint32_t>(j.fault));
    rst_n.write(false);
    for (int i = 0; i < 3; ++i) Tick();
    rst_n.write(true);
    Tick();
    for (const RtlConfigWrite& w : j.config) {
      cfg_we.write(true);
      WriteWord(cfg_sel, w.sel);
      WriteWord(cfg_addr, w.addr);
      WriteWord(cfg_wdata, w.wdata);
      Tick();
    }
    cfg_we.write(false);
    cap->config_cycles = cycle;
    Stream();
    cap->total_cycles = cycle;
    CloseTrace();
  }

  // Loads the row buffer with the input beats of (b, g): beat-major, LANES bytes per beat, the
  // state preamble first, zeros in lanes past D.
  void LoadRow(int b, int g) {
    const RtlJob& j = *job;
    row.assign(static_cast<size_t>(row_beats) * kRtlLanes, 0);
    for (int l = 0; l < kRtlLanes; ++l) {
      const int d = g * kRtlLanes + l;
      if (d >= j.D) break;
      const size_t r = static_cast<size_t>(b) * j.D + d;
      for (int t = -pre; t < 0; ++t) {
        row[static_cast<size_t>(t + pre) * kRtlLanes + l] = static_cast<uint8_t>(j.state[r * kStateLen + kStateLen + t]);
      }
      const int8_t* xr = j.x + r * j.L;
      for (int t = 0; t < j.L; ++t) row[static_cast<size_t>(t + pre) * kRtlLanes + l] = static_cast<uint8_t>(xr[t]);
    }
    row_b = b;
    row_g = g;
  }

  void Present(uint64_t k) {
    const uint64_t per_b = static_cast<uint64_t>(groups) * row_beats;
    const int b = static_cast<int>(k / per_b), g = static_cast<int>(k % per_b / row_beats);
    const uint64_t i = k % row_beats;
    if (b != row_b || g != row_g) LoadRow(b, g);
    uint32_t words[kWords(kRtlLanes * 8)] = {};
    std::memcpy(words, &row[i * kRtlLanes], kRtlLanes);  // lane l = bits [8l, 8l+8): little-endian
    Bits<CSR_PORT_T(x_i)>::Set(x_value, words);
    x.write(x_value);
    WriteWord(ch_base_i, static_cast<uint32_t>(g * kRtlLanes));
    sos_i.write(i == 0);
    in_valid.write(true);
  }

  void Capture(uint64_t k) {
    const RtlJob& j = *job;
    const uint64_t per_b = static_cast<uint64_t>(groups) * row_beats;
    const int b = static_cast<int>(k / per_b), g = static_cast<int>(k % per_b / row_beats);
    const int t = static_cast<int>(k % row_beats) - pre;
    uint32_t ch[2] = {0, 0};
    Bits<CSR_PORT_T(ch_base_o)>::Get(ch_base_o.read(), ch);
    const bool sos = sos_o.read();
    if (ch[0] != static_cast<uint32_t>(g * kRtlLanes) || sos != (t == -pre)) {
      ProtocolError("output beat " + std::to_string(k) + " should be b " + std::to_string(b) + " channels " +
                    std::to_string(g * kRtlLanes) + ".." + std::to_string(std::min(j.D, (g + 1) * kRtlLanes) - 1) +
                    " t " + std::to_string(t) + " (ch_base " + std::to_string(g * kRtlLanes) + ", sos " +
                    std::to_string(t == -pre) + ") but came with ch_base_o " + std::to_string(ch[0]) + ", sos_o " +
                    std::to_string(sos));
    }
    if (t < 0) return;  // a state preamble beat
    uint32_t yw[kWords(kRtlLanes * kRtlOutBits)] = {};
    uint32_t aw[kWords(kRtlLanes * kRtlAccBits)] = {};
    uint32_t iw[kWords(kRtlLanes * kRtlIndexBits)] = {};
    Bits<CSR_PORT_T(y_o)>::Get(y.read(), yw);
    Bits<CSR_PORT_T(dbg_acc_o)>::Get(dbg_acc.read(), aw);
    Bits<CSR_PORT_T(dbg_idx_o)>::Get(dbg_idx.read(), iw);
    RtlCapture& c = *cap;
    for (int l = 0; l < kRtlLanes; ++l) {
      const int d = g * kRtlLanes + l;
      if (d >= j.D) break;
      const size_t o = (static_cast<size_t>(b) * j.D + d) * j.L + t;
      c.y[o] = SignExtend(Field(yw, l * kRtlOutBits, kRtlOutBits), kRtlOutBits);
      c.acc[o] = SignExtend(Field(aw, l * kRtlAccBits, kRtlAccBits), kRtlAccBits);
      c.index[o] = SignExtend(Field(iw, l * kRtlIndexBits, kRtlIndexBits), kRtlIndexBits);
      c.received[o] = 1;
    }
    c.beat_cycle[(static_cast<size_t>(b) * groups + g) * j.L + t] = cycle;
  }

  void Stream() {
    const RtlJob& j = *job;
    RtlCapture& c = *cap;
    const uint64_t total = c.expected_beats;
    Rng rng(j.seed);
    uint64_t in_pos = 0, out_pos = 0;
    bool presenting = false;
    const uint64_t start = cycle;
    uint64_t last_out = cycle;
    while (out_pos < total) {
      // At the falling edge: DUT outputs are the registers loaded at the last rising edge.
      const bool ready_now = in_ready.read();
      const bool valid_now = out_valid.read();
      const bool take = !rng.Chance(j.backpressure_rate);
      out_ready.write(take);
      if (valid_now && take) {  // transferred at the next rising edge
        Capture(out_pos++);
        last_out = cycle;
        c.stream_cycles = cycle - start + 1;
      }
      if (!presenting) {
        if (in_pos < total && !rng.Chance(j.bubble_rate)) {
          Present(in_pos);
          presenting = true;
        } else {
          in_valid.write(false);
        }
      }
      if (presenting && ready_now) {  // accepted at the next rising edge
        ++in_pos;
        presenting = false;
      }
      if (cycle - last_out > j.timeout_cycles) {
        ProtocolError("no output beat for " + std::to_string(j.timeout_cycles) + " cycles: received " +
                      std::to_string(out_pos) + " of " + std::to_string(total) + " beats (" +
                      std::to_string(in_pos) + " accepted)");
        break;
      }
      Tick();
    }
    c.beats_in = in_pos;
    c.beats_out = out_pos;
    // Drain: nothing more may come out.
    in_valid.write(false);
    out_ready.write(true);
    for (int i = 0; i < 8; ++i) {
      Tick();
      if (out_valid.read()) ProtocolError("extra output beat after the last expected one");
    }
    out_ready.write(false);
  }

  sc_core::sc_clock& clk;
  sc_signal<bool> gclk{"gclk"};
  sc_signal<bool> rst_n{"rst_n"}, cfg_we{"cfg_we"}, in_valid{"in_valid"}, in_ready{"in_ready"};
  sc_signal<bool> sos_i{"sos_i"}, out_valid{"out_valid"}, out_ready{"out_ready"}, sos_o{"sos_o"};
  sc_signal<CSR_PORT_T(cfg_sel_i)> cfg_sel{"cfg_sel"};
  sc_signal<CSR_PORT_T(cfg_addr_i)> cfg_addr{"cfg_addr"};
  sc_signal<CSR_PORT_T(cfg_wdata_i)> cfg_wdata{"cfg_wdata"};
  sc_signal<CSR_PORT_T(fault_sel_i)> fault_sel{"fault_sel"};
  sc_signal<CSR_PORT_T(x_i)> x{"x"};
  sc_signal<CSR_PORT_T(ch_base_i)> ch_base_i{"ch_base_i"};
  sc_signal<CSR_PORT_T(y_o)> y{"y"};
  sc_signal<CSR_PORT_T(ch_base_o)> ch_base_o{"ch_base_o"};
  sc_signal<CSR_PORT_T(dbg_acc_o)> dbg_acc{"dbg_acc"};
  sc_signal<CSR_PORT_T(dbg_acc_ovf_o)> dbg_acc_ovf{"dbg_acc_ovf"};
  sc_signal<CSR_PORT_T(dbg_idx_o)> dbg_idx{"dbg_idx"};
  sc_signal<CSR_PORT_T(dbg_idx_sat_o)> dbg_idx_sat{"dbg_idx_sat"};
  bool trace_on;
  Dut dut;

  uint64_t cycle = 0;
  int groups = 0, pre = 0;
  uint64_t row_beats = 0;
  std::vector<uint8_t> row;  // input beats of the current (b, g), beat-major
  int row_b = -1, row_g = -1;
  CSR_PORT_T(x_i) x_value{};
  std::unique_ptr<TraceFile> tfp;
};

}  // namespace

const char* ToString(RtlModel m) { return m == RtlModel::kClean ? "clean" : "verify"; }

// The shared clock and the models this build links.
struct RtlHarness::Impl : public sc_core::sc_module {
  explicit Impl(sc_core::sc_module_name name) : sc_core::sc_module(name), clk("clk", sc_time(1, sc_core::SC_NS)) {
#if CSR_SC_CLEAN
    clean = new Harness<CSR_SC_CLEAN_CLASS, CSR_SC_CLEAN_TRACE>("clean", clk);
#endif
#if CSR_SC_VERIFY
    verify = new Harness<CSR_SC_VERIFY_CLASS, CSR_SC_VERIFY_TRACE>("verify", clk);
#endif
  }
  sc_core::sc_clock clk;
  HarnessBase* clean = nullptr;
  HarnessBase* verify = nullptr;
};

bool RtlHarness::Exists() { return g_exists; }

bool RtlHarness::Has(RtlModel m) { return m == RtlModel::kClean ? kHaveClean : kHaveVerify; }

int RtlHarness::Trace(RtlModel m) {
  if (!Has(m)) return 0;
  return m == RtlModel::kClean ? CSR_SC_CLEAN_TRACE : CSR_SC_VERIFY_TRACE;
}

RtlHarness& RtlHarness::Instance() {
  static RtlHarness* h = new RtlHarness();
  return *h;
}

RtlHarness::RtlHarness() {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  if (sc_core::sc_get_curr_simcontext()->elaboration_done()) {
    throw Error(ExitCode::kUnsupported,
                "the RTL testbench must be elaborated before the first sc_start of the process "
                "(call cosim::tb::Elaborate() before running the SystemC model)");
  }
  impl_ = new Impl("cosim_rtl_harness");
  g_exists = true;
}

RtlCapture RtlHarness::Run(const RtlJob& j, RtlModel m) {
  if (j.D < 1 || j.D > kRtlDMax || j.B < 1 || j.L < 1 || j.x == nullptr) {
    throw Error(ExitCode::kInternal, "RtlHarness::Run: bad job shape");
  }
  HarnessBase* h = m == RtlModel::kClean ? impl_->clean : impl_->verify;
  if (h == nullptr) throw Error(ExitCode::kInternal, std::string("RtlHarness::Run: no ") + ToString(m) + " model");
  RtlCapture c;
  c.model = m;
  const size_t n = static_cast<size_t>(j.B) * j.D * j.L;
  c.lanes = kRtlLanes;
  c.groups = (j.D + kRtlLanes - 1) / kRtlLanes;
  c.y.assign(n, 0);
  c.acc.assign(n, 0);
  c.index.assign(n, 0);
  c.received.assign(n, 0);
  c.beat_cycle.assign(static_cast<size_t>(j.B) * c.groups * j.L, 0);
  const uint64_t row_beats = static_cast<uint64_t>((j.state != nullptr ? kStateLen : 0) + j.L);
  c.expected_beats = static_cast<uint64_t>(j.B) * c.groups * row_beats;
  h->job = &j;
  h->cap = &c;
  h->done = false;
  h->pending = true;
  h->job_event.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();
  h->job = nullptr;
  h->cap = nullptr;
  if (!h->done) throw Error(ExitCode::kInternal, "RTL harness: simulation stopped before the layer finished");
  return c;
}

std::vector<RtlConfigWrite> RtlConfigFor(const CompiledLayer& c, const LayerData& layer) {
  std::vector<RtlConfigWrite> w;
  const int D = layer.channels;
  w.reserve(static_cast<size_t>(D) * 4 + c.lut.size() + 1);
  for (int d = 0; d < D; ++d) {
    uint32_t taps = 0;
    for (int k = 0; k < kTaps; ++k) taps |= uint32_t{static_cast<uint8_t>(layer.weight[static_cast<size_t>(d) * kTaps + k])} << (8 * k);
    const uint32_t a = static_cast<uint32_t>(d);
    w.push_back({kSelWeight, a, taps});
    w.push_back({kSelBias, a, static_cast<uint32_t>(c.bias_acc[d])});  // two's complement, low ACC_BITS used
    w.push_back({kSelMult, a, static_cast<uint32_t>(c.mult[d])});
    w.push_back({kSelShift, a, static_cast<uint32_t>(c.shift[d])});
  }
  for (size_t i = 0; i < c.lut.size(); ++i) w.push_back({kSelLut, static_cast<uint32_t>(i), static_cast<uint32_t>(c.lut[i])});
  const uint32_t ctrl = static_cast<uint32_t>(c.hw.rounding) | (c.hw.acc_overflow == Overflow::kWrap ? 4u : 0u);
  w.push_back({kSelCtrl, 0, ctrl});
  return w;
}

}  // namespace tb
}  // namespace cosim
