// kernels.cu: the device kernels of gpu_ref. Built with -fmad=false and without fast math; the
// arithmetic is element.h's, shared with the host. See kernels.h for the two kernel kinds.
#include "gpu_ref/kernels.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "gpu_ref/cuda_check.h"

namespace cosim::fsim {
namespace {

constexpr int kBlock = 256;
constexpr int kRun = 16;  // elements per thread in the vector paths (one 16-byte load)

// Programmatic dependent launch (KernelArgs::dependent_launch; PTX griddepcontrol, sm_90 and up).
// Every block of a codes8 kernel lets the next kernel in the stream start as soon as all of its
// blocks have started; that kernel copies its tables meanwhile, then waits. Without the launch
// attribute both instructions have nothing to do: the kernel starts after its predecessor ends.
__device__ __forceinline__ void LetDependentsStart() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}
// Waits until the grids before this one in the stream have completed and their writes are visible.
// Before it a kernel reads only what KernelArgs::dependent_launch allows (the layer's parameters
// and tables); x and state are read, and codes8 written, after it.
__device__ __forceinline__ void WaitForPriorGrids() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

// A kernel's table copy (copy_tables) and its first input load (load_first) in the order its launch
// allows: without a dependent launch the load first, so that the two overlap; with one the copy,
// then the wait for the kernel before, then the load.
template <class CopyTables, class LoadFirst>
__device__ __forceinline__ void TablesAndFirstLoad(bool dependent, CopyTables&& copy_tables, LoadFirst&& load_first) {
  if (!dependent) load_first();
  copy_tables();
  if (dependent) {
    WaitForPriorGrids();
    load_first();
  }
}

// Bytes 1..3 of the returned word are the three samples before t = 0 of `row`: the carried state,
// or zeros.
__device__ __forceinline__ uint32_t StateHalo(const KernelArgs& a, int64_t row) {
  if (!a.state) return 0u;
  const int8_t* s = a.state + row * 3;
  return (uint32_t{static_cast<uint8_t>(s[0])} << 8) | (uint32_t{static_cast<uint8_t>(s[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[2])} << 24);
}

// Bytes 1..3 of the returned word are x[t0-3], x[t0-2], x[t0-1] (byte 0 unused).
__device__ __forceinline__ uint32_t HaloWord(const KernelArgs& a, int64_t row, int t0,
                                             const int8_t* xr) {
  if (t0 > 0) return *reinterpret_cast<const uint32_t*>(xr + t0 - 4);
  return StateHalo(a, row);
}

// The window of element j of a run: bytes j+1 .. j+4 of the 20 bytes wd[0..4].
__device__ __forceinline__ Window RunWindow(const uint32_t (&wd)[5], int j) {
  Window w;
  const int q = (j + 1) >> 2, o = (j + 1) & 3;
  w.packed = o == 0 ? wd[q] : FunnelBytes(wd[q], wd[q + 1], o);
COSIM_UNROLL
  for (int k = 0; k < kTaps; ++k) w.x[k] = ByteS(wd[(j + 1 + k) >> 2], (j + 1 + k) & 3);
  return w;
}

__device__ __forceinline__ void AddCounters(unsigned long long* c, uint32_t n0, uint32_t n1,
                                            uint32_t n2) {
  for (int off = 16; off > 0; off >>= 1) {
    n0 += __shfl_xor_sync(0xffffffffu, n0, off);
    n1 += __shfl_xor_sync(0xffffffffu, n1, off);
    n2 += __shfl_xor_sync(0xffffffffu, n2, off);
  }
  if ((threadIdx.x & 31) == 0 && (n0 | n1 | n2)) {
    if (n0) atomicAdd(c + 0, n0);
    if (n1) atomicAdd(c + 1, n1);
    if (n2) atomicAdd(c + 2, n2);
  }
}

template <ElemOp kOp>
__global__ void __launch_bounds__(kBlock) FullVecKernel(const KernelArgs a) {
  const LayerParams& p = a.lp;
  const uint32_t cpr = static_cast<uint32_t>(p.L / kRun);
  const uint32_t chunks = static_cast<uint32_t>(int64_t{p.B} * p.D * cpr);
  uint32_t n_acc = 0, n_idx = 0, n_out = 0;
  for (uint32_t chunk = blockIdx.x * blockDim.x + threadIdx.x; chunk < chunks;
       chunk += gridDim.x * blockDim.x) {
    const uint32_t row = chunk / cpr;
    const int t0 = static_cast<int>(chunk - row * cpr) * kRun;
    const ChannelParams c = a.ch[row % static_cast<uint32_t>(p.D)];
    const int8_t* xr = a.x + int64_t{row} * p.L;
    const uint4 v = *reinterpret_cast<const uint4*>(xr + t0);
    const uint32_t wd[5] = {HaloWord(a, row, t0, xr), v.x, v.y, v.z, v.w};
    int32_t code[kRun];
    float bq[kRun], aq[kRun];
COSIM_UNROLL
    for (int j = 0; j < kRun; ++j) {
      const ElemOut o = EvalElement<kOp>(c, p, a.lut, RunWindow(wd, j), p.rounding);
      code[j] = o.code;
      bq[j] = o.before;
      aq[j] = o.after;
      n_acc += (o.flags & kFlagAccOverflow) != 0;
      n_idx += (o.flags & kFlagIndexSat) != 0;
      n_out += (o.flags & kFlagOutputSat) != 0;
    }
    const int64_t base = int64_t{row} * p.L + t0;
COSIM_UNROLL
    for (int q = 0; q < kRun / 4; ++q) {
      if (a.has_codes)
        reinterpret_cast<int4*>(a.codes + base)[q] =
            make_int4(code[4 * q], code[4 * q + 1], code[4 * q + 2], code[4 * q + 3]);
      reinterpret_cast<float4*>(a.before + base)[q] =
          make_float4(bq[4 * q], bq[4 * q + 1], bq[4 * q + 2], bq[4 * q + 3]);
      reinterpret_cast<float4*>(a.after + base)[q] =
          make_float4(aq[4 * q], aq[4 * q + 1], aq[4 * q + 2], aq[4 * q + 3]);
    }
  }
  AddCounters(a.counters, n_acc, n_idx, n_out);
}

template <ElemOp kOp>
__global__ void __launch_bounds__(kBlock) FullScalarKernel(const KernelArgs a) {
  const LayerParams& p = a.lp;
  const int64_t n = int64_t{p.B} * p.D * p.L;
  uint32_t n_acc = 0, n_idx = 0, n_out = 0;
  for (int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t row = i / p.L;
    const int t = static_cast<int>(i - row * p.L);
    const ChannelParams c = a.ch[row % p.D];
    Window w;
    w.packed = 0;
    COSIM_UNROLL
    for (int k = 0; k < kTaps; ++k) {
      const int tt = t - 3 + k;
      w.x[k] = tt >= 0 ? a.x[row * p.L + tt] : (a.state ? a.state[row * 3 + 3 + tt] : 0);
      w.packed |= uint32_t{static_cast<uint8_t>(w.x[k])} << (8 * k);
    }
    const ElemOut o = EvalElement<kOp>(c, p, a.lut, w, p.rounding);
    if (a.has_codes) a.codes[i] = o.code;
    a.before[i] = o.before;
    a.after[i] = o.after;
    n_acc += (o.flags & kFlagAccOverflow) != 0;
    n_idx += (o.flags & kFlagIndexSat) != 0;
    n_out += (o.flags & kFlagOutputSat) != 0;
  }
  AddCounters(a.counters, n_acc, n_idx, n_out);
}

// The codes8 kernel: each thread owns a run of kN consecutive t of one row (kN / 16 16-byte loads
// and the 4-byte halo word), 4 * (kN/4 + 1) bytes wd[]; element j reads bytes j+1 .. j+4.
// kN = 16 for the integer and SFU ops (a warp's loads and stores are 512 contiguous bytes);
// 32 for the float-sim table op, whose float MAC slides over the run (measured on an H200).
constexpr int kRun8Max = 32;  // CheckCodes8 asks for L % kRun8Max == 0
// kF: the y-table form the kernel reads (YForm; kNone evaluates the order per element).
#ifndef COSIM_YTAB_RUN
#define COSIM_YTAB_RUN 16
#endif
template <ElemOp kOp, YForm kF = YForm::kNone>
constexpr int kRunOf = kOp == ElemOp::kFsimLut ? 32 : (kF != YForm::kNone ? COSIM_YTAB_RUN : 16);

template <int kN>
__device__ __forceinline__ Window RunWindow8(const uint32_t (&wd)[kN / 4 + 1], int j) {
  Window w;
  const int q = (j + 1) >> 2, o = (j + 1) & 3;
  w.packed = o == 0 ? wd[q] : FunnelBytes(wd[q], wd[q + 1], o);
  COSIM_UNROLL
  for (int k = 0; k < kTaps; ++k) w.x[k] = ByteS(wd[(j + 1 + k) >> 2], (j + 1 + k) & 3);
  return w;
}

// Paths of the int-lut ops, chosen once per run from the channel's flags (warp-uniform in
// practice: a warp covers 32 runs of one row). kFast: AsicLutWideHi (asic_hot == 2) or
// FsimLutIndexFma (fsim_hot == 2), reading the table by its shared-memory byte address.
// kFastNoTie: the same on channels where no exact tie can occur (asic_hot/fsim_hot == 3), where
// every nearest mode is one rounding of the exact value.
// kYTab1, kYTab1P, kYTab3: the fp32 orders on the layer's y-table (ytable.h) of form kOneStep,
// kOneStepPlus, kThreeSteps: y as the order computes it, then the table entry of its bucket (one 8-
// or 16-byte shared load) and one or three compares.
enum Tier : int { kHot = 0, kTwoTerm = 1, kGeneral = 2, kFast = 3, kFastNoTie = 4, kYTab1 = 5, kYTab1P = 6, kYTab3 = 7 };

__device__ __forceinline__ void LdsV4(uint32_t addr, uint32_t (&e)[4]) {
  asm("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(e[0]), "=r"(e[1]), "=r"(e[2]), "=r"(e[3]) : "r"(addr));
}

// Where a thread reads the shared y-table: the copies of ytable.h's layout (YSharedWords), so that
// a data-dependent read costs the minimum wavefronts (2 per warp for 8-byte entries, 4 for 16-byte)
// instead of the bank conflicts of random addresses.
// The entry of bucket b is at base + stride * (kYBucketBase + b) (mod 2^32): base folds in the
// lane's copy and -stride * kYBucketBase, so the bits of 2^23 + bucket address it with one IMAD.
// side: the shared address of the side entries (kOneStepPlus; one copy, after the main copies).
struct YShared {
  uint32_t base, stride, side;
};

// Copies entries [0, n) of `from` into 2^lg interleaved copies at `to` (ytable.h's layout), each
// thread copying whole entries in an order rotated by its lane, so that a warp's stores fall on
// distinct banks.
template <class Entry>
__device__ __forceinline__ void CopyInterleaved(const Entry* from, int n, int lg, Entry* to) {
  const uint32_t lane = threadIdx.x & 31u, mask = (1u << lg) - 1u;
  for (int e = threadIdx.x; e < n; e += blockDim.x) {
    const Entry v = from[e];
    for (uint32_t k = 0; k <= mask; ++k) to[(e << lg) + ((k + lane) & mask)] = v;
  }
}

// The thread's YShared for 2^lg copies of `entry_bytes` entries at shared address s0 (side unset).
__device__ __forceinline__ YShared MakeYShared(uint32_t s0, int lg, uint32_t entry_bytes) {
  YShared ys{};
  ys.stride = entry_bytes << lg;
  ys.base = s0 + (threadIdx.x & ((1u << lg) - 1u)) * entry_bytes - kYBucketBase * ys.stride;
  // Opaque to the compiler, which would otherwise split the folded -kYBucketBase * stride back
  // out as an extra add per element.
  asm("mov.b32 %0, %0;" : "+r"(ys.base));
  return ys;
}

// The code of pre-activation y from the shared y-table.
template <YForm kForm>
__device__ __forceinline__ uint32_t YTableCodeShared(float y, const YTableParams& t, const YShared& ys) {
  if constexpr (YOneStepMap(kForm)) {
    const uint32_t addr = YBucketOneStep(y, t) * ys.stride + ys.base;
    uint32_t th, codes;
    asm("ld.shared.v2.u32 {%0, %1}, [%2];" : "=r"(th), "=r"(codes) : "r"(addr));
    if constexpr (kForm == YForm::kOneStepPlus) {
      if (codes & kYSideFlag) {  // a bucket of two or three steps (rare)
        uint32_t e[4];
        LdsV4(ys.side + YSideIndex(codes) * 16u, e);
        return static_cast<uint32_t>(YCodeThreeSteps(y, e));
      }
    }
    return y >= __uint_as_float(th) ? codes >> 8 : codes;  // YCodeOneStep; the caller keeps the low byte
  } else {
    const float yc = YTableClamp(y, t);
    uint32_t e[4];
    LdsV4(YTableBucketBits(yc, t) * ys.stride + ys.base, e);
    return static_cast<uint32_t>(YCodeThreeSteps(yc, e));
  }
}

// The one-step entry of y's bucket (YTableCodeShared's kOneStep read, without the compare):
// {bits of the bucket's step threshold or +inf, codes: byte 0 below it, byte 1 from it}.
__device__ __forceinline__ uint2 OneStepEntryShared(float y, const YTableParams& t, const YShared& ys) {
  uint2 e;
  asm("ld.shared.v2.u32 {%0, %1}, [%2];" : "=r"(e.x), "=r"(e.y) : "r"(YBucketOneStep(y, t) * ys.stride + ys.base));
  return e;
}

// Byte k of `to` replaced by byte 1 of the entry's codes where y >= its threshold: one FSETP and one
// predicated PRMT. On a word whose byte k holds byte 0 of those codes, this is YCodeOneStep's choice.
template <int k>
__device__ __forceinline__ void TakeStep(uint32_t& to, float y, const uint2& e) {
  constexpr uint32_t kSel = (0x3210u & ~(0xfu << (4 * k))) | (0x5u << (4 * k));
  asm("{\n\t.reg .pred p;\n\tsetp.ge.f32 p, %1, %2;\n\t@p prmt.b32 %0, %0, %3, %4;\n\t}"
      : "+r"(to)
      : "f"(y), "f"(__uint_as_float(e.x)), "r"(e.y), "n"(kSel));
}

// (float) of signed byte k of w by the conversion unit (I2F.S8; exact).
__device__ __forceinline__ float ByteToFloatCvt(uint32_t w, int k) {
  return __int2float_rn(static_cast<int>(static_cast<int8_t>(static_cast<uint8_t>(w >> (8 * k)))));
}

// Byte k of w read as the subnormal binary32 with those bits: byte * 2^-149, exact; one PRMT.
// The fast float-sim tiers and float-sim's acc kernel feed x + 128 (bytes of w ^ 0x80808080) this
// way (O7b, AccSubMac).
__device__ __forceinline__ float ByteAsSubnormal(uint32_t w, int k) {
  return __uint_as_float(__byte_perm(w, 0u, 0x4440u | static_cast<uint32_t>(k)));
}

// One byte of the shared extended table by its 32-bit shared-window address (zero-extended).
__device__ __forceinline__ uint32_t LdsU8(uint32_t addr) {
  uint32_t v;
  asm volatile("ld.shared.u8 %0, [%1];" : "=r"(v) : "r"(addr));
  return v;
}

// The low bytes of four words packed into one (byte k from q[k]): three PRMTs.
__device__ __forceinline__ uint32_t Pack4(uint32_t q0, uint32_t q1, uint32_t q2, uint32_t q3) {
  return __byte_perm(__byte_perm(q0, q1, 0x0040u), __byte_perm(q2, q3, 0x0040u), 0x5410u);
}

// The kN int8 codes of one run, packed into out[kN / 4].
// `redo` is set when the float-sim hot tier met a half-integer uh (see FsimLutIndexHot); the
// caller then recomputes the run with the two-term tier.
// s_idx: the extended table in shared memory, indexed by the index before saturation.
// s_base: the shared-window address of index 0 of that table (the kFast tiers).
// ys: where the kYTab* tiers read the y-table (YShared).
template <ElemOp kOp, Rounding kR, int kTier, int kN>
__device__ __forceinline__ void RunCodes8(const ChannelParams& c, const LayerParams& p,
                                          const uint32_t (&wd)[kN / 4 + 1], const int8_t* s_idx,
                                          uint32_t s_base, uint32_t (&out)[kN / 4], bool& redo,
                                          const YTableParams& yt, const YShared& ys = {}) {
  constexpr bool kFloatMac = kOp == ElemOp::kFsimLut || kOp == ElemOp::kFsimSfu;
  // The fast float-sim tiers run the MAC on (x + 128) * 2^-149 with the weights times 2^100, from
  // (bias_acc - 128 * sum_k w_k) * 2^-49: every product and partial sum is an integer below 2^24
  // times 2^-49, so exact, and the result is acc * 2^-49 (O7b). One PRMT per input byte.
  constexpr bool kSubMac = kOp == ElemOp::kFsimLut && (kTier == kFast || kTier == kFastNoTie);
  // The channel's constants come precomputed (ChannelParams::mac_*).
  if constexpr (kSubMac) {
    const uint32_t w0x = wd[0] ^ 0x80808080u;
    float s0 = ByteAsSubnormal(w0x, 1), s1 = ByteAsSubnormal(w0x, 2), s2 = ByteAsSubnormal(w0x, 3);
    uint32_t q[4];
    COSIM_UNROLL
    for (int j = 0; j < kN; ++j) {
      const float s3 = ByteAsSubnormal(wd[(j + 4) >> 2] ^ 0x80808080u, (j + 4) & 3);
      const float acc =
          Fma(c.mac_w[3], s3, Fma(c.mac_w[2], s2, Fma(c.mac_w[1], s1, Fma(c.mac_w[0], s0, c.mac_start))));
      s0 = s1;
      s1 = s2;
      s2 = s3;
      q[j % 4] = LdsU8(static_cast<uint32_t>(FsimLutIndexFmaScaled(acc, c.mac_ms, kR, kTier == kFastNoTie)) + s_base);
      if (j % 4 == 3) out[j / 4] = Pack4(q[0], q[1], q[2], q[3]);
    }
  } else if constexpr (kTier == kYTab1 || kTier == kYTab1P || kTier == kYTab3) {
    // y exactly as the order computes it (element.h), then the table.
    constexpr bool kNaiveMac = kOp == ElemOp::kNaive;
    float x0 = 0.0f, x1 = 0.0f, x2 = 0.0f, w0 = 0.0f, w1 = 0.0f, w2 = 0.0f, w3 = 0.0f;
    // Naive fake-quant dequantizes its operands (fl(x * s_x), fl(w * s_w)); the float MAC takes
    // the bytes as they are.
    const auto in = [&](float v, float scale) { return kNaiveMac ? Mul(v, scale) : v; };
    if constexpr (kFloatMac || kNaiveMac) {
      x0 = in(ByteToFloatCvt(wd[0], 1), p.s_x);
      x1 = in(ByteToFloatCvt(wd[0], 2), p.s_x);
      x2 = in(ByteToFloatCvt(wd[0], 3), p.s_x);
      w0 = in(ByteToFloat(c.w_packed, 0), c.s_w);
      w1 = in(ByteToFloat(c.w_packed, 1), c.s_w);
      w2 = in(ByteToFloat(c.w_packed, 2), c.s_w);
      w3 = in(ByteToFloat(c.w_packed, 3), c.s_w);
    }
    uint32_t q[4];
    COSIM_UNROLL
    for (int j = 0; j < kN; ++j) {
      float y;
      if constexpr (kFloatMac || kNaiveMac) {
        const float x3 = in(ByteToFloatCvt(wd[(j + 4) >> 2], (j + 4) & 3), p.s_x);
        if constexpr (kNaiveMac) {
          y = NaivePreActivation({x0, x1, x2, x3}, {w0, w1, w2, w3}, c.bias_f);
        } else {
          float conv = Fma(w3, x3, Fma(w2, x2, Fma(w1, x1, Mul(w0, x0))));  // FloatMac, exact (O2)
          uint32_t flags = 0;
          if (p.acc_bits <= 24) conv = FsimAccumulatorSingle(conv, p, flags);
          y = PreActivation(conv, c);
        }
        x0 = x1;
        x1 = x2;
        x2 = x3;
      } else {
        const Window w = RunWindow8<kN>(wd, j);
        // (float) acc through the magic constant's bits, exact (|acc| <= 2^16); fp32-sfu applies
        // sat/wrap to A bits first where A <= 17 (wider accumulators cannot overflow).
        if (kOp == ElemOp::kAsicSfu && p.acc_bits <= 17) {
          uint32_t flags = 0;
          y = PreActivation(SmallIntToFloat(static_cast<int>(AsicAccumulator(Dot4(w.packed, c.w_packed), p, flags))), c);
        } else {
          y = PreActivation(Sub(BitsToFloat(static_cast<uint32_t>(Dot4Acc(w.packed, c.w_packed, static_cast<int>(kMagicBits)))), kMagic), c);
        }
      }
      constexpr YForm kForm = kTier == kYTab1 ? YForm::kOneStep : (kTier == kYTab1P ? YForm::kOneStepPlus : YForm::kThreeSteps);
      q[j % 4] = YTableCodeShared<kForm>(y, yt, ys);
      if (j % 4 == 3) out[j / 4] = Pack4(q[0], q[1], q[2], q[3]);
    }
  } else {
    // Float MAC: a sliding window of the four inputs, each byte converted once (exact).
    float x0 = 0.0f, x1 = 0.0f, x2 = 0.0f, w0 = 0.0f, w1 = 0.0f, w2 = 0.0f, w3 = 0.0f;
    if constexpr (kFloatMac) {
      x0 = ByteToFloatCvt(wd[0], 1);
      x1 = ByteToFloatCvt(wd[0], 2);
      x2 = ByteToFloatCvt(wd[0], 3);
      w0 = ByteToFloat(c.w_packed, 0);
      w1 = ByteToFloat(c.w_packed, 1);
      w2 = ByteToFloat(c.w_packed, 2);
      w3 = ByteToFloat(c.w_packed, 3);
    }
    uint32_t q[4];
    COSIM_UNROLL
    for (int j = 0; j < kN; ++j) {
      int code;
      float conv = 0.0f;
      if constexpr (kFloatMac) {
        const float x3 = ByteToFloatCvt(wd[(j + 4) >> 2], (j + 4) & 3);
        // Exact (O2): all partial sums are integers below 2^24 (the hot tier starts from the bias).
        const float start = (kOp == ElemOp::kFsimLut && kTier == kHot) ? c.bias_hi : 0.0f;
        conv = Fma(w3, x3, Fma(w2, x2, Fma(w1, x1, Fma(w0, x0, start))));
        x0 = x1;
        x1 = x2;
        x2 = x3;
      }
      uint32_t flags = 0;
      if constexpr (kOp == ElemOp::kAsicLut) {
        const Window w = RunWindow8<kN>(wd, j);
        if constexpr (kTier == kFast || kTier == kFastNoTie)
          code = static_cast<int>(
              LdsU8(AsicLutWideHi(Dot4Acc(w.packed, c.w_packed, c.bias_acc), c, kR, s_base, kTier == kFastNoTie)));
        else if constexpr (kTier == kHot)
          code = s_idx[AsicLutIndexHot(Dot4Acc(w.packed, c.w_packed, c.bias_acc), c, kR)];
        else
          code = s_idx[static_cast<int>(AsicLutAddressFromConv(Dot4(w.packed, c.w_packed), c, p, kR, flags)) - p.idx_half];
      } else if constexpr (kOp == ElemOp::kFsimLut) {
        if constexpr (kTier == kHot) {
          code = s_idx[FsimLutIndexHot(conv, c, kR, redo)];  // conv already holds bias_acc
        } else {
          const FloorHalf fh = kTier == kTwoTerm ? FsimLutFloorHalfFast(conv, c, p, flags)
                                                 : FsimLutFloorHalfGeneral(conv, c, p, flags);
          code = s_idx[static_cast<int>(FsimLutAddress(fh, p, kR, flags)) - p.idx_half];
        }
      } else if constexpr (kOp == ElemOp::kFsimSfu) {
        if (p.acc_bits <= 24) conv = FsimAccumulatorSingle(conv, p, flags);
        code = SfuFromAcc(conv, c, p, kR, flags).code;
      } else {
        code = EvalElement<kOp>(c, p, LutView{}, RunWindow8<kN>(wd, j), kR).code;
      }
      q[j % 4] = static_cast<uint32_t>(code);
      if (j % 4 == 3) out[j / 4] = Pack4(q[0], q[1], q[2], q[3]);
    }
  }
}

// One run's inputs: its row, channel, start and 4 * (kN/4 + 1) bytes. The grid-stride loop
// loads the next run before computing the current one (loads stay in flight) and steps the
// (row, run, channel) position incrementally: no integer division per run.
template <int kN>
struct Run8 {
  uint32_t row, ci, d;  // row = b * D + d; ci = run index within the row
  uint32_t wd[kN / 4 + 1];
};

struct Stepper {
  uint32_t cpr, D, dq, dci, dd;  // runs per row, channels; the stride as (rows, runs, channels)
  __device__ Stepper(uint32_t runs_per_row, uint32_t channels, uint32_t stride)
      : cpr(runs_per_row), D(channels), dq(stride / runs_per_row),
        dci(stride - (stride / runs_per_row) * runs_per_row), dd((stride / runs_per_row) % channels) {}
  template <class R>
  __device__ __forceinline__ void Place(uint32_t chunk, R& r) const {
    r.row = chunk / cpr;
    r.ci = chunk - r.row * cpr;
    r.d = r.row % D;
  }
  template <class R>
  __device__ __forceinline__ void Step(const R& a, R& b) const {
    b.ci = a.ci + dci;
    b.row = a.row + dq;
    b.d = a.d + dd;
    if (b.ci >= cpr) {
      b.ci -= cpr;
      ++b.row;
      ++b.d;
    }
    if (b.d >= D) b.d -= D;
  }
};

// The kN bytes of a run from `src` (16-byte aligned) into wd[1..kN/4].
template <int kN>
__device__ __forceinline__ void LoadRunWords(const int8_t* src, uint32_t (&wd)[kN / 4 + 1]) {
  COSIM_UNROLL
  for (int q = 0; q < kN / 16; ++q) {
    const uint4 v = reinterpret_cast<const uint4*>(src)[q];
    wd[4 * q + 1] = v.x;
    wd[4 * q + 2] = v.y;
    wd[4 * q + 3] = v.z;
    wd[4 * q + 4] = v.w;
  }
}

template <int kN>
__device__ __forceinline__ void LoadRun8(const KernelArgs& a, Run8<kN>& r) {
  const int t0 = static_cast<int>(r.ci) * kN;
  const int8_t* xr = a.x + int64_t{r.row} * a.lp.L;
  r.wd[0] = HaloWord(a, r.row, t0, xr);
  LoadRunWords<kN>(xr + t0, r.wd);
}

// The same from the run's first byte (runs are consecutive in memory: run `chunk` starts at byte
// chunk * kN), for loops that step byte pointers: the halo word is the 4 bytes before it, except at
// t = 0 (ci == 0), where it comes from the carried state; the load is unconditional (of the run's
// own first word at t = 0).
template <int kN>
__device__ __forceinline__ void LoadRun8(const KernelArgs& a, Run8<kN>& r, const int8_t* src) {
  r.wd[0] = reinterpret_cast<const uint32_t*>(src)[r.ci != 0 ? -1 : 0];
  LoadRunWords<kN>(src, r.wd);
  if (r.ci == 0) r.wd[0] = StateHalo(a, r.row);
}

// Resident blocks per SM the register allocation must allow (more warps hide the load latency;
// measured on an H200: 5 for the integer table path, 4 where 5 would spill).
#ifndef COSIM_YTAB_MIN_BLOCKS
#define COSIM_YTAB_MIN_BLOCKS 4
#endif
template <ElemOp kOp, YForm kF = YForm::kNone>
constexpr int kMinBlocks = kOp == ElemOp::kAsicLut ? 5 : (kF != YForm::kNone ? COSIM_YTAB_MIN_BLOCKS : 4);

// Which codes8 kernels run two runs per loop iteration (the buffers of the current and the next run
// taking turns). Measured on an H200 (fsim_bench, 8x1536x4096 / 16x5120x4096): float-sim / int-lut
// 77.5% / 82.1% of the copy with one run per iteration, 80.7% / 85.3% with two; the other kernels
// gain nothing measurable, and some of their instantiations would spill, as would float-sim / int-lut
// with kTruncate (12 bytes), which keeps one run per iteration.
template <ElemOp kOp, Rounding kR>
constexpr bool kTwoRunLoop = kOp == ElemOp::kFsimLut && kR != Rounding::kTruncate;

template <ElemOp kOp, Rounding kR, YForm kF>
__global__ void __launch_bounds__(kBlock, (kMinBlocks<kOp, kF>)) Codes8Kernel(const KernelArgs a) {
  constexpr bool kLut = kOp == ElemOp::kAsicLut || kOp == ElemOp::kFsimLut;
  constexpr int kN = kRunOf<kOp, kF>;
  const LayerParams& p = a.lp;
  const uint32_t cpr = static_cast<uint32_t>(p.L / kN);
  const uint32_t chunks = static_cast<uint32_t>(int64_t{p.B} * p.D * cpr);
  const uint32_t stride = gridDim.x * blockDim.x;
  const uint32_t chunk = blockIdx.x * blockDim.x + threadIdx.x;
  const int nruns = chunk < chunks ? static_cast<int>((chunks - chunk - 1) / stride + 1) : 0;
  const Stepper st(cpr, static_cast<uint32_t>(p.D), stride);
  // The y-table kernels step byte pointers by stride * kN per iteration (fewer instructions per run;
  // measured on an H200: 1-2 points of the copy for them, while the int-lut kernels, at their tighter
  // register caps, lose up to 8 points with it and keep the row arithmetic).
  constexpr bool kStepPtr = kF != YForm::kNone;
  const uint64_t step = uint64_t{stride} * kN;
  const int8_t* src = a.x + uint64_t{chunk} * kN;
  int8_t* dst = a.codes8 + uint64_t{chunk} * kN;
  // The first run and the table's copy in TablesAndFirstLoad's order (measured on an H200, without
  // dependent launches: loading the first run before the copy makes no difference for the int-lut
  // kernels, whose tables are small).
  LetDependentsStart();
  Run8<kN> cur;
  extern __shared__ int4 s_lut4[];
  const int8_t* s_lut = reinterpret_cast<const int8_t*>(s_lut4) - p.ext_lo;  // by index
  const uint32_t s0 = static_cast<uint32_t>(__cvta_generic_to_shared(s_lut4));
  const uint32_t s_base = s0 - static_cast<uint32_t>(p.ext_lo);
  YShared ys{};
  TablesAndFirstLoad(
      a.dependent_launch,
      [&] {
        if constexpr (kLut) {
          const int n4 = p.ext_n / 16;
          for (int i = threadIdx.x; i < n4; i += blockDim.x) s_lut4[i] = reinterpret_cast<const int4*>(a.lut8)[i];
          __syncthreads();
        }
        // The y-table (ytable.h): the main entries' copies, then the side entries (kOneStepPlus).
        if constexpr (kF != YForm::kNone) {
          constexpr int kW = YEntryWords(kF);
          const int lg = a.ytab_copies_log2;
          const int main_words = YSharedMainWords(a.yt, lg);
          uint32_t* s_words = reinterpret_cast<uint32_t*>(s_lut4);
          using Entry = std::conditional_t<kW == 2, uint2, uint4>;
          CopyInterleaved(reinterpret_cast<const Entry*>(a.ytab), a.yt.n, lg, reinterpret_cast<Entry*>(s_words));
          if constexpr (kF == YForm::kOneStepPlus) {
            for (int i = threadIdx.x; i < a.yt.side * kYWordsThreeSteps; i += blockDim.x)
              s_words[main_words + i] = a.ytab[YSideOffsetWords(a.yt) + i];
          }
          __syncthreads();
          ys = MakeYShared(s0, lg, kW * 4u);
          ys.side = s0 + static_cast<uint32_t>(main_words) * 4u;
        }
      },
      [&] {
        if (nruns > 0) {
          st.Place(chunk, cur);
          if constexpr (kStepPtr) LoadRun8(a, cur, src);
          else LoadRun8(a, cur);
        }
      });
  if (nruns == 0) return;
  // The codes of one run of channel d, wd[] as Run8's (the halo word, then the kN bytes), into out.
  const auto run_codes = [&](uint32_t d, const uint32_t(&wd)[kN / 4 + 1], uint32_t(&out)[kN / 4]) {
    const ChannelParams c = a.ch[d];
    bool redo = false;
    if constexpr (kOp == ElemOp::kAsicLut) {
      if (c.asic_hot == 3)
        RunCodes8<kOp, kR, kFastNoTie, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt);
      else if (c.asic_hot == 2)
        RunCodes8<kOp, kR, kFast, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt);
      else if (c.asic_hot)
        RunCodes8<kOp, kR, kHot, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt);
      else
        RunCodes8<kOp, kR, kGeneral, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt);
    } else if constexpr (kOp == ElemOp::kFsimLut) {
      if (c.fsim_hot == 3) {
        RunCodes8<kOp, kR, kFastNoTie, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt);
      } else if (c.fsim_hot == 2) {
        RunCodes8<kOp, kR, kFast, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt);
      } else {
        if (c.fsim_hot) RunCodes8<kOp, kR, kHot, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt);
        if (redo) {
          RunCodes8<kOp, kR, kTwoTerm, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt);
        } else if (!c.fsim_hot) {
          if (c.fsim_fast)
            RunCodes8<kOp, kR, kTwoTerm, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt);
          else
            RunCodes8<kOp, kR, kGeneral, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt);
        }
      }
    } else if constexpr (IsYOrder(kOp)) {
      if constexpr (kF == YForm::kOneStep)
        RunCodes8<kOp, kR, kYTab1, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt, ys);
      else if constexpr (kF == YForm::kOneStepPlus)
        RunCodes8<kOp, kR, kYTab1P, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt, ys);
      else if constexpr (kF == YForm::kThreeSteps)
        RunCodes8<kOp, kR, kYTab3, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt, ys);
      else
        RunCodes8<kOp, kR, kHot, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt);
    } else {
      RunCodes8<kOp, kR, kHot, kN>(c, p, wd, s_lut, s_base, out, redo, a.yt);
    }
  };
  // The register prefetch: the next run is loaded while this one is computed. finish: the codes of
  // run r, stored; fetch: the run after `from` into `to`.
  const auto finish = [&](const Run8<kN>& r) {
    uint32_t out[kN / 4] = {};
    run_codes(r.d, r.wd, out);
    uint4* d16 = reinterpret_cast<uint4*>(kStepPtr ? dst : a.codes8 + int64_t{r.row} * p.L + r.ci * kN);
    COSIM_UNROLL
    for (int q = 0; q < kN / 16; ++q) d16[q] = make_uint4(out[4 * q], out[4 * q + 1], out[4 * q + 2], out[4 * q + 3]);
    if constexpr (kStepPtr) {
      src += step;
      dst += step;
    }
  };
  const auto fetch = [&](const Run8<kN>& from, Run8<kN>& to) {
    st.Step(from, to);
    if constexpr (kStepPtr) LoadRun8(a, to, src + step);
    else LoadRun8(a, to);
  };
  if constexpr (kTwoRunLoop<kOp, kR>) {
    // Two runs per iteration, the two buffers taking turns: no register copies from the next run to
    // the current one (9 words and the position per run of 32 elements).
    Run8<kN> nxt;
    for (int k = 0;; k += 2) {
      const bool more1 = k + 1 < nruns;
      if (more1) fetch(cur, nxt);
      finish(cur);
      if (!more1) break;
      const bool more2 = k + 2 < nruns;
      if (more2) fetch(nxt, cur);
      finish(nxt);
      if (!more2) break;
    }
  } else {
    for (int k = 0;; ++k) {
      const bool more = k + 1 < nruns;
      Run8<kN> nxt;
      if (more) fetch(cur, nxt);
      finish(cur);
      if (!more) break;
      cur = nxt;
    }
  }
}

// The codes8 kernel on per-channel acc tables (acctable.h). Block (d, part) owns channel d in the
// batch rows [part * B / parts, (part + 1) * B / parts): it copies the channel's table into shared
// memory (ytable.h's interleaved copies; lane l reads copy l mod 2^lg), then each thread takes
// 16-element runs a block apart. Per element: the key v = 1.5 * 2^23 + acc (the IDP4A from kMagicBits;
// float-sim: its float MAC in O7b's offset form, exact, v * 2^-49: AccSubMac), its bucket (two FMAs),
// one 8-byte shared load and one compare (the integer MACs: predicating the PRMT that takes the
// step's code, TakeStep).
// Two schedules (kStaged, chosen by the launch):
//  - staged, where the runs of a row divide the block (L / 16 divides kBlock: L <= 4096 and a
//    power of two, the usual case), so that a thread's runs all sit at the same t, a fixed stride
//    apart: the runs come in by cp.async (no registers hold loads in flight), kAccStages - 1 ahead
//    through a ring of kAccStages slots per thread (16 bytes and the halo word each) after the
//    table in shared memory; the table's copies through registers (FillAccCopies). Its loop is
//    unrolled by the ring's slots (every slot address a constant from the thread's base, the
//    global addresses running pointers), and it takes 3 blocks per SM (the 16 copies of a 46 KiB
//    table and the ring allow no more), so up to 80 registers. Measured on an H200
//    (docs/floatsim.md section 5): 79% of the copy at 8x1536x4096 and 88% at 16x5120x4096 launched
//    one after another, 84-85% and 88-89% as dependent launches.
//  - otherwise the register prefetch: the thread's next run is loaded while the current one is
//    computed.
constexpr int kAccRun = 16;
constexpr int kAccStages = 3;
constexpr uint32_t kAccSlotBytes = 20;  // a staged run: 16 bytes, then (in a second array) its halo word

__device__ __forceinline__ void CpAsync16(uint32_t saddr, const void* g) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(saddr), "l"(g) : "memory");
}
__device__ __forceinline__ void CpAsync4(uint32_t saddr, const void* g) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4;" ::"r"(saddr), "l"(g) : "memory");
}
__device__ __forceinline__ void CpAsyncCommit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
// Waits until at most kN of this thread's committed groups are still in flight.
template <int kN>
__device__ __forceinline__ void CpAsyncWait() {
  asm volatile("cp.async.wait_group %0;" ::"n"(kN) : "memory");
}

// The 2^lg interleaved copies of a channel's acc table (ytable.h's layout: the copies of entry e in
// the 2^lg 8-byte slots from e << lg), from its packed form in global memory (AccEntryPack) into
// shared memory at s: thread t takes the entries t, t + kBlock, ..., two per iteration, each one
// 4-byte load expanded to the entry's two words (AccEntryExpand), then one 16-byte store per two
// copies (2^(lg-1) per entry, at addresses computed once per thread). The stores of an entry go in
// an order XOR-ed by the lane, so that the 8 lanes of a quarter-warp, writing 8 consecutive
// entries, fall on distinct banks at lg = 4 (an entry's 16 copies are 128 bytes, all 32 banks).
// Measured on an H200 against cp.async of each 8-byte copy (docs/floatsim.md section 5).

// Two copies of an entry: one 16-byte store.
__device__ __forceinline__ void StoreTwoCopies(uint32_t at, const uint2& v) {
  asm volatile("st.shared.v4.u32 [%0], {%1, %2, %1, %2};" ::"r"(at), "r"(v.x), "r"(v.y) : "memory");
}

// Sixteen copies: one 128-bit register holding the entry twice, stored at at[0..7] + off (one asm
// statement, so that the register is formed once: per-store statements cost 4 moves each).
__device__ __forceinline__ void StoreSixteenCopies(const uint32_t (&at)[8], uint32_t off, const uint2& v) {
  const uint64_t e = (uint64_t{v.y} << 32) | v.x;
  asm volatile(
      "{\n\t.reg .b128 q;\n\tmov.b128 q, {%8, %8};\n\t"
      "st.shared.b128 [%0], q;\n\tst.shared.b128 [%1], q;\n\tst.shared.b128 [%2], q;\n\tst.shared.b128 [%3], q;\n\t"
      "st.shared.b128 [%4], q;\n\tst.shared.b128 [%5], q;\n\tst.shared.b128 [%6], q;\n\tst.shared.b128 [%7], q;\n\t}"
      ::"r"(at[0] + off), "r"(at[1] + off), "r"(at[2] + off), "r"(at[3] + off), "r"(at[4] + off), "r"(at[5] + off),
        "r"(at[6] + off), "r"(at[7] + off), "l"(e)
      : "memory");
}

// One entry of a channel's packed table (AccEntryExpand, thresholds on the key of key0_bits) as its
// two shared-memory words.
template <uint32_t kKey0Bits>
__device__ __forceinline__ uint2 AccEntryAt(const uint32_t* table, int e) {
  const AccEntry v = AccEntryExpand(table[e], kKey0Bits);
  return make_uint2(v.th_bits, v.codes);
}

template <int kLg, uint32_t kKey0Bits>
__device__ __forceinline__ void FillAccCopies(const uint32_t* table, int n, uint32_t s) {
  constexpr uint32_t kChunks = 1u << (kLg - 1), kEntry = 8u << kLg, kStep = kBlock * kEntry;
  uint32_t at[kChunks];
  COSIM_UNROLL
  for (uint32_t c = 0; c < kChunks; ++c) at[c] = s + threadIdx.x * kEntry + ((c ^ (threadIdx.x & (kChunks - 1u))) << 4);
#pragma unroll 1
  for (int e = threadIdx.x; e < n; e += 2 * kBlock) {
    const bool two = e + kBlock < n;
    const uint2 v0 = AccEntryAt<kKey0Bits>(table, e);
    uint2 v1{};
    if (two) v1 = AccEntryAt<kKey0Bits>(table, e + kBlock);
    if constexpr (kLg == 4) {
      StoreSixteenCopies(at, 0, v0);
      if (two) StoreSixteenCopies(at, kStep, v1);
    } else {
      COSIM_UNROLL
      for (uint32_t c = 0; c < kChunks; ++c) StoreTwoCopies(at[c], v0);
      if (two) {
        COSIM_UNROLL
        for (uint32_t c = 0; c < kChunks; ++c) StoreTwoCopies(at[c] + kStep, v1);
      }
    }
    COSIM_UNROLL
    for (uint32_t c = 0; c < kChunks; ++c) at[c] += 2 * kStep;
  }
}

template <uint32_t kKey0Bits>
__device__ __forceinline__ void FillAccTable(const uint32_t* table, int n, int lg, int4* s) {
  const uint32_t s32 = static_cast<uint32_t>(__cvta_generic_to_shared(s));
  switch (lg) {
    case 4: return FillAccCopies<4, kKey0Bits>(table, n, s32);
    case 3: return FillAccCopies<3, kKey0Bits>(table, n, s32);
    case 2: return FillAccCopies<2, kKey0Bits>(table, n, s32);
    case 1: return FillAccCopies<1, kKey0Bits>(table, n, s32);
    default:  // one copy: the table as it is
      for (int e = threadIdx.x; e < n; e += kBlock) reinterpret_cast<uint2*>(s)[e] = AccEntryAt<kKey0Bits>(table, e);
  }
}

// Shared memory of a staged block: the table's copies, 16-byte aligned, then the run and halo slots.
__host__ __device__ constexpr size_t AccStagedBytes(size_t table_bytes, size_t threads) {
  return ((table_bytes + 15) & ~size_t{15}) + size_t{kAccStages} * threads * kAccSlotBytes;
}

template <ElemOp kOp, bool kStaged>
__global__ void __launch_bounds__(kBlock, kStaged ? 3 : 4) AccCodes8Kernel(const KernelArgs a) {
  constexpr int kN = kAccRun;
  extern __shared__ int4 s_lut4[];
  LetDependentsStart();
  const LayerParams& p = a.lp;
  // The launch gives kBlock threads per block (a constant: the divisions by it are shifts).
  const uint32_t d = blockIdx.x, parts = gridDim.y, part = blockIdx.y;
  const uint32_t b_first = parts == 1 ? 0u : part * static_cast<uint32_t>(p.B) / parts;
  const uint32_t b_end = parts == 1 ? static_cast<uint32_t>(p.B) : (part + 1) * static_cast<uint32_t>(p.B) / parts;
  const uint32_t rpr = static_cast<uint32_t>(p.L / kN);
  const uint32_t runs = (b_end - b_first) * rpr;
  // Run r = threadIdx.x + i * kBlock: batch row b = b_first + r / rpr, run ci = r % rpr; its
  // inputs at byte offset off (Run8's row is the tensor row b * D + d). Staged, rpr is a power of
  // two (it divides kBlock): shifts.
  const int64_t row_bytes = int64_t{p.D} * p.L;
  const uint32_t rpr_log2 = static_cast<uint32_t>(__ffs(static_cast<int>(rpr)) - 1);
  const uint32_t b = b_first + (kStaged ? threadIdx.x >> rpr_log2 : threadIdx.x / rpr);
  Run8<kN> cur{b * static_cast<uint32_t>(p.D) + d, kStaged ? threadIdx.x & (rpr - 1) : threadIdx.x % rpr, d, {}};
  const int64_t off = int64_t{cur.row} * p.L + int64_t{cur.ci} * kN;
  const uint32_t dq = kStaged ? kBlock >> rpr_log2 : kBlock / rpr, dci = kStaged ? 0u : kBlock % rpr;
  const int64_t step = int64_t{dq} * row_bytes + int64_t{dci} * kN;
  const uint32_t s_table = static_cast<uint32_t>(__cvta_generic_to_shared(s_lut4));
  const int lg = a.acc_copies_log2;
  // Staged: run k of this thread (k = 0 .. nruns - 1) is at off + k * step, in slot k % kAccStages
  // of the ring (slot i of thread t: 16 bytes at s_runs + (i * kBlock + t) * 16, its halo word at
  // s_halos + (i * kBlock + t) * 4; the launch gives kBlock threads).
  const int nruns = threadIdx.x < runs ? static_cast<int>((runs - threadIdx.x + kBlock - 1) / kBlock) : 0;
  const uint32_t s_ring = s_table + ((static_cast<uint32_t>(AccSharedBytes(a.acc_n_max, lg)) + 15u) & ~15u);
  const uint32_t s_runs = s_ring + threadIdx.x * 16u;
  const uint32_t s_halos = s_ring + kAccStages * kBlock * 16u + threadIdx.x * 4u;
  // One commit group per run (empty past the thread's last), so that the groups count runs. The
  // halo word is the 4 bytes before the run, or at t = 0 the run's own first word, replaced by the
  // carried state when read.
  const int halo_back = cur.ci != 0 ? 4 : 0;
  const auto stage = [&](bool valid, int i, const int8_t* g) {
    if (valid) {
      CpAsync16(s_runs + static_cast<uint32_t>(i) * (kBlock * 16u), g);
      CpAsync4(s_halos + static_cast<uint32_t>(i) * (kBlock * 4u), g - halo_back);
    }
    CpAsyncCommit();
  };
  const uint32_t* table = a.acc_packed + int64_t{d} * a.acc_n_max;
  // float-sim reads the table at its MAC's scaled key (AccSubMac, acctable.h), the others at AccKey.
  constexpr uint32_t kKey0Bits = kOp == ElemOp::kFsimSfu ? kAccSubMacKeyBits : kMagicBits;
  // All a.acc_n_max entries: a bound that does not wait for the header.
  if constexpr (kStaged) {
    // The table's copies through registers, then the first runs by cp.async, either launch: issuing
    // them before the fill measured slower (docs/floatsim.md section 5).
    FillAccTable<kKey0Bits>(table, a.acc_n_max, lg, s_lut4);
    WaitForPriorGrids();
    COSIM_UNROLL
    for (int k = 0; k < kAccStages - 1; ++k) stage(k < nruns, k, a.x + off + k * step);
  } else {
    TablesAndFirstLoad(
        a.dependent_launch, [&] { FillAccTable<kKey0Bits>(table, a.acc_n_max, lg, s_lut4); },
        [&] {
          if (threadIdx.x < runs) LoadRun8(a, cur, a.x + off);
        });
  }
  const AccChannel h = a.acc_ch[d];
  const uint32_t w_packed = a.ch[d].w_packed;
  __syncthreads();
  if (threadIdx.x >= runs) return;
  const YShared ys = MakeYShared(s_table, lg, 8u);
  const YTableParams yt = kOp == ElemOp::kFsimSfu ? AccBucketMapScaled(h) : AccBucketMap(h);
  float w0 = 0.0f, w1 = 0.0f, w2 = 0.0f, w3 = 0.0f, mac_start = 0.0f;
  if constexpr (kOp == ElemOp::kFsimSfu) {
    w0 = AccSubMacWeight(w_packed, 0);
    w1 = AccSubMacWeight(w_packed, 1);
    w2 = AccSubMacWeight(w_packed, 2);
    w3 = AccSubMacWeight(w_packed, 3);
    mac_start = AccSubMacStart(w_packed);
  }
  // The codes of one run, wd[] as Run8's (the halo word, then the 16 bytes), stored at dst.
  const auto run_codes = [&](const uint32_t(&wd)[kN / 4 + 1], int8_t* dst) {
    uint32_t out[kN / 4], q[4];
    // Element j's code from key v. The integer MACs take two elements at a time: byte 0 of their
    // entries' codes packed into a half word, byte 1 taken where the step is reached (TakeStep; one
    // instruction per element fewer than YTableCodeShared's shift and select); two halves make
    // out[j / 4]. float-sim keeps YTableCodeShared (measured on an H200: TakeStep costs it about a
    // point of the copy at 16x5120x4096, where it gains the others one).
    uint2 e[2];
    float v2[2];
    const auto code = [&](int j, float v) {
      if constexpr (kOp == ElemOp::kFsimSfu) {
        q[j % 4] = YTableCodeShared<YForm::kOneStep>(v, yt, ys);
        if (j % 4 == 3) out[j / 4] = Pack4(q[0], q[1], q[2], q[3]);
      } else {
        e[j % 2] = OneStepEntryShared(v, yt, ys);
        v2[j % 2] = v;
        if (j % 2 == 1) {
          uint32_t& half = q[(j / 2) % 2];
          half = __byte_perm(e[0].y, e[1].y, 0x0040u);
          TakeStep<0>(half, v2[0], e[0]);
          TakeStep<1>(half, v2[1], e[1]);
        }
        if (j % 4 == 3) out[j / 4] = __byte_perm(q[0], q[1], 0x5410u);
      }
    };
    if constexpr (kOp == ElemOp::kFsimSfu) {
      // float-sim's MAC in O7b's offset form (AccSubMac, acctable.h): the inputs as subnormals
      // (one PRMT per byte), every FMA exact, the result the scaled key AccKey(acc) * 2^-49.
      const uint32_t w0x = wd[0] ^ 0x80808080u;
      float x0 = ByteAsSubnormal(w0x, 1), x1 = ByteAsSubnormal(w0x, 2), x2 = ByteAsSubnormal(w0x, 3);
      COSIM_UNROLL
      for (int j = 0; j < kN; ++j) {
        const float x3 = ByteAsSubnormal(wd[(j + 4) >> 2] ^ 0x80808080u, (j + 4) & 3);
        const float v = Fma(w3, x3, Fma(w2, x2, Fma(w1, x1, Fma(w0, x0, mac_start))));
        x0 = x1;
        x1 = x2;
        x2 = x3;
        code(j, v);
      }
    } else {
      COSIM_UNROLL
      for (int j = 0; j < kN; ++j) {
        const Window w = RunWindow8<kN>(wd, j);
        code(j, BitsToFloat(static_cast<uint32_t>(Dot4Acc(w.packed, w_packed, static_cast<int>(kMagicBits)))));
      }
    }
    uint4* d16 = reinterpret_cast<uint4*>(dst);
    COSIM_UNROLL
    for (int k = 0; k < kN / 16; ++k) d16[k] = make_uint4(out[4 * k], out[4 * k + 1], out[4 * k + 2], out[4 * k + 3]);
  };
  if constexpr (kStaged) {
    // Unrolled by the ring's size, so that every slot address is the thread's base plus a constant;
    // the global addresses and the row step by running values.
    const uint32_t drow = dq * static_cast<uint32_t>(p.D);
    uint32_t row = cur.row;
    const int8_t* g = a.x + off + (kAccStages - 1) * step;  // the next run to stage
    int8_t* dst = a.codes8 + off;
    const auto run = [&](int k, auto slot) {
      constexpr int i = decltype(slot)::value;
      stage(k + kAccStages - 1 < nruns, (i + kAccStages - 1) % kAccStages, g);
      g += step;
      CpAsyncWait<kAccStages - 1>();  // run k's group (each thread reads only its own slots)
      uint32_t wd[kN / 4 + 1];
      asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];"
                   : "=r"(wd[1]), "=r"(wd[2]), "=r"(wd[3]), "=r"(wd[4])
                   : "r"(s_runs + i * (kBlock * 16u)));
      asm volatile("ld.shared.u32 %0, [%1];" : "=r"(wd[0]) : "r"(s_halos + i * (kBlock * 4u)));
      if (halo_back == 0) wd[0] = StateHalo(a, row);
      row += drow;
      run_codes(wd, dst);
      dst += step;
    };
    static_assert(kAccStages == 3, "the loop below is unrolled by the ring's three slots");
    for (int k = 0; k < nruns; k += kAccStages) {
      run(k, std::integral_constant<int, 0>{});
      if (k + 1 >= nruns) break;
      run(k + 1, std::integral_constant<int, 1>{});
      if (k + 2 >= nruns) break;
      run(k + 2, std::integral_constant<int, 2>{});
    }
  } else {
    const int64_t wrap = row_bytes - int64_t{rpr} * kN;
    const int8_t* src = a.x + off;
    int8_t* dst = a.codes8 + off;
    for (uint32_t r = threadIdx.x;;) {
      const bool more = r + kBlock < runs;
      Run8<kN> nxt{cur.row + dq * static_cast<uint32_t>(p.D), cur.ci + dci, d, {}};
      int64_t adv = step;
      if (nxt.ci >= rpr) {
        nxt.ci -= rpr;
        nxt.row += static_cast<uint32_t>(p.D);
        adv += wrap;
      }
      if (more) LoadRun8(a, nxt, src + adv);
      run_codes(cur.wd, dst);
      if (!more) break;
      r += kBlock;
      src += adv;
      dst += adv;
      cur = nxt;
    }
  }
}

template <ElemOp kOp>
__global__ void __launch_bounds__(kBlock) YScanKernel(const LayerParams p, const YScanSpec spec,
                                                      uint32_t* count, int32_t* ends, YTransition* tr,
                                                      int capacity) {
  const uint64_t chunks = (spec.neg_n + spec.pos_n + kYScanChunk - 1) / kYScanChunk;
  const Rounding r = p.rounding;
  const auto g = [&p, r](float y) { return CodeOfY<kOp>(y, p, r); };
  for (uint64_t c = blockIdx.x * uint64_t{blockDim.x} + threadIdx.x; c < chunks;
       c += uint64_t{gridDim.x} * blockDim.x) {
    YScanChunk(
        spec, c, g,
        [&](const YTransition& t) {
          const uint32_t i = atomicAdd(count, 1u);
          if (i < static_cast<uint32_t>(capacity)) tr[i] = t;
        },
        [&](int slot, int32_t code) { ends[slot] = code; });
  }
}

bool Aligned16(const void* ptr) { return (reinterpret_cast<uintptr_t>(ptr) & 15u) == 0; }

int SmCount() {
  int dev = 0, sms = 0;
  FSIM_CUDA_CHECK(cudaGetDevice(&dev));
  FSIM_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
  return sms;
}

// Whether the current device takes this file's kernels as dependent launches: compute capability
// 9.0 and up, and the kernel's code compiled for it (its PTX for sm_90 or later: with an earlier
// target the kernel has no griddepcontrol.wait, and a dependent launch would let it run ahead of
// its predecessor). Looked up once per device: every kernel of this file has the same PTX target.
bool DependentLaunchOk(const void* kernel) {
  static std::array<std::atomic<int>, 64> known{};  // per device: 0 not looked up, 1 no, 2 yes
  int dev = 0;
  FSIM_CUDA_CHECK(cudaGetDevice(&dev));
  const bool cached = dev >= 0 && dev < static_cast<int>(known.size());
  if (cached) {
    const int v = known[static_cast<size_t>(dev)].load(std::memory_order_relaxed);
    if (v != 0) return v == 2;
  }
  int major = 0;
  FSIM_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev));
  cudaFuncAttributes fa{};
  FSIM_CUDA_CHECK(cudaFuncGetAttributes(&fa, kernel));
  const bool ok = major >= 9 && fa.ptxVersion >= 90;
  if (cached) known[static_cast<size_t>(dev)].store(ok ? 2 : 1, std::memory_order_relaxed);
  return ok;
}

// kernel<<<grid, kBlock, smem, s>>>(a), as a programmatic dependent launch when `dependent` (a
// kernel that waits: WaitForPriorGrids) and DependentLaunchOk.
template <class Kernel>
void LaunchKernel(Kernel kernel, dim3 grid, size_t smem, cudaStream_t s, const KernelArgs& a, bool dependent) {
  dependent = dependent && DependentLaunchOk(reinterpret_cast<const void*>(kernel));
  KernelArgs args = a;
  args.dependent_launch = dependent;  // the kernel's load order follows the launch it got
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = grid;
  cfg.blockDim = dim3(kBlock);
  cfg.dynamicSmemBytes = smem;
  cfg.stream = s;
  cudaLaunchAttribute attr{};
  attr.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attr.val.programmaticStreamSerializationAllowed = 1;
  cfg.attrs = &attr;
  cfg.numAttrs = dependent ? 1 : 0;
  FSIM_CUDA_CHECK(cudaLaunchKernelEx(&cfg, kernel, args));
}

// Persistent grid: as many resident blocks as fit, capped by the work.
template <class Kernel>
void Launch(Kernel kernel, const KernelArgs& a, int64_t work_items, size_t smem, cudaStream_t s, bool dependent) {
  if (smem > 48 * 1024)
    FSIM_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         static_cast<int>(smem)));
  int per_sm = 0;
  FSIM_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, kBlock, smem));
  const int64_t need = (work_items + kBlock - 1) / kBlock;
  const int64_t grid = std::max<int64_t>(1, std::min<int64_t>(need, int64_t{SmCount()} * std::max(per_sm, 1)));
  LaunchKernel(kernel, dim3(static_cast<unsigned>(grid)), smem, s, a, dependent);
}

bool VecOk(const KernelArgs& a, int run) {
  const LayerParams& p = a.lp;
  return p.L % run == 0 && Aligned16(a.x) &&
         int64_t{p.B} * p.D * (p.L / run) < (int64_t{1} << 31);
}

template <ElemOp kOp>
void LaunchFullOp(const KernelArgs& a, cudaStream_t s) {
  const LayerParams& p = a.lp;
  const bool vec = VecOk(a, kRun) && Aligned16(a.before) && Aligned16(a.after) &&
                   (!a.has_codes || Aligned16(a.codes));
  if (vec)
    Launch(FullVecKernel<kOp>, a, int64_t{p.B} * p.D * (p.L / kRun), 0, s, false);  // the full kernels do not wait
  else
    Launch(FullScalarKernel<kOp>, a, int64_t{p.B} * p.D * p.L, 0, s, false);
}

template <ElemOp kOp, YForm kF>
void LaunchCodes8Form(const KernelArgs& a, cudaStream_t s) {
  const LayerParams& p = a.lp;
  const int64_t work = int64_t{p.B} * p.D * (p.L / kRunOf<kOp, kF>);
  constexpr bool kLut = kOp == ElemOp::kAsicLut || kOp == ElemOp::kFsimLut;
  const size_t smem = kLut ? static_cast<size_t>(p.ext_n)
                           : (kF != YForm::kNone ? static_cast<size_t>(YSharedWords(a.yt, a.ytab_copies_log2)) * 4 : 0);
  if constexpr (kOp == ElemOp::kQuamba || kOp == ElemOp::kQuambaFastExp || kOp == ElemOp::kNaive) {
    Launch(Codes8Kernel<kOp, Rounding::kHalfAway, kF>, a, work, smem, s, a.dependent_launch);
  } else {
    switch (p.rounding) {
      case Rounding::kHalfAway: Launch(Codes8Kernel<kOp, Rounding::kHalfAway, kF>, a, work, smem, s, a.dependent_launch); break;
      case Rounding::kHalfEven: Launch(Codes8Kernel<kOp, Rounding::kHalfEven, kF>, a, work, smem, s, a.dependent_launch); break;
      case Rounding::kHalfUp: Launch(Codes8Kernel<kOp, Rounding::kHalfUp, kF>, a, work, smem, s, a.dependent_launch); break;
      case Rounding::kTruncate: Launch(Codes8Kernel<kOp, Rounding::kTruncate, kF>, a, work, smem, s, a.dependent_launch); break;
    }
  }
}

// Grid (D, parts): parts splits the batch so that at least two waves of blocks run.
template <ElemOp kOp>
void LaunchAccCodes8(const KernelArgs& a, cudaStream_t s) {
  const LayerParams& p = a.lp;
  const bool staged = kBlock % (p.L / kAccRun) == 0;
  const size_t table = static_cast<size_t>(AccSharedBytes(a.acc_n_max, a.acc_copies_log2));
  const size_t smem = staged ? AccStagedBytes(table, kBlock) : table;
  const auto kernel = staged ? AccCodes8Kernel<kOp, true> : AccCodes8Kernel<kOp, false>;
  if (smem > 48 * 1024)
    FSIM_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
  int per_sm = 0;
  FSIM_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, kBlock, smem));
  const int64_t resident = int64_t{SmCount()} * std::max(per_sm, 1);
  const int64_t parts = std::clamp<int64_t>((2 * resident + p.D - 1) / p.D, 1, std::min<int64_t>(p.B, 65535));
  LaunchKernel(kernel, dim3(static_cast<unsigned>(p.D), static_cast<unsigned>(parts)), smem, s, a, a.dependent_launch);
}

// The fp32 orders pick the kernel of their acc tables, or of their y-table's form (one compiled
// path per kernel).
template <ElemOp kOp>
void LaunchCodes8Op(const KernelArgs& a, cudaStream_t s) {
  if constexpr (IsAccOrder(kOp)) {
    if (a.acc_ch) return LaunchAccCodes8<kOp>(a, s);
  }
  if constexpr (IsYOrder(kOp)) {
    if (a.ytab && a.yt.form == YForm::kOneStep) return LaunchCodes8Form<kOp, YForm::kOneStep>(a, s);
    if (a.ytab && a.yt.form == YForm::kOneStepPlus) return LaunchCodes8Form<kOp, YForm::kOneStepPlus>(a, s);
    if (a.ytab && a.yt.form == YForm::kThreeSteps) return LaunchCodes8Form<kOp, YForm::kThreeSteps>(a, s);
  }
  LaunchCodes8Form<kOp, YForm::kNone>(a, s);
}

}  // namespace

void CheckCodes8(const KernelArgs& a) {
  const LayerParams& p = a.lp;
  if (p.op == ElemOp::kUpperBound)
    throw std::invalid_argument("codes8: fp32-upper-bound has no codes");
  if (p.output_bits > 8)
    throw std::invalid_argument("codes8: output_bits = " + std::to_string(p.output_bits) +
                                " does not fit int8 (use the full outputs)");
  if (!VecOk(a, kRun8Max) || !Aligned16(a.codes8))
    throw std::invalid_argument("codes8: needs L % 32 == 0 (L = " + std::to_string(p.L) +
                                "), 16-byte aligned x and codes, and B * D * L / 32 < 2^31");
  const bool lut = p.op == ElemOp::kAsicLut || p.op == ElemOp::kFsimLut;
  if (lut && (p.ext_n > (1 << 17) || !a.lut8 || !Aligned16(a.lut8)))
    throw std::invalid_argument("codes8: lut_index_bits = " + std::to_string(p.index_bits) +
                                " > 17 does not fit shared memory (use the full outputs)");
  if (a.acc_ch && (!IsAccOrder(p.op) || !a.acc_packed || a.acc_n_max < 1 || a.acc_copies_log2 < 0 || a.acc_copies_log2 > AccCopiesLog2(a.acc_n_max) || p.D > (1 << 30)))
    throw std::invalid_argument("codes8: inconsistent acc tables (" + std::to_string(a.acc_n_max) + " entries, 2^" +
                                std::to_string(a.acc_copies_log2) + " copies; acctable.h)");
  if (a.ytab && (a.ytab_copies_log2 < 0 || a.ytab_copies_log2 > YCopiesLog2(a.yt)))
    throw std::invalid_argument("codes8: 2^" + std::to_string(a.ytab_copies_log2) +
                                " copies of the y-table do not fit shared memory (YCopiesLog2)");
}

void LaunchFull(const KernelArgs& a, cudaStream_t s) {
  switch (a.lp.op) {
    case ElemOp::kQuamba: return LaunchFullOp<ElemOp::kQuamba>(a, s);
    case ElemOp::kQuambaFastExp: return LaunchFullOp<ElemOp::kQuambaFastExp>(a, s);
    case ElemOp::kUpperBound: return LaunchFullOp<ElemOp::kUpperBound>(a, s);
    case ElemOp::kNaive: return LaunchFullOp<ElemOp::kNaive>(a, s);
    case ElemOp::kAsicLut: return LaunchFullOp<ElemOp::kAsicLut>(a, s);
    case ElemOp::kAsicSfu: return LaunchFullOp<ElemOp::kAsicSfu>(a, s);
    case ElemOp::kFsimLut: return LaunchFullOp<ElemOp::kFsimLut>(a, s);
    case ElemOp::kFsimSfu: return LaunchFullOp<ElemOp::kFsimSfu>(a, s);
  }
}

void LaunchYScan(const LayerParams& p, const YScanSpec& spec, uint32_t* d_count, int32_t* d_ends,
                 YTransition* d_tr, int capacity, cudaStream_t s) {
  const uint64_t chunks = (spec.neg_n + spec.pos_n + kYScanChunk - 1) / kYScanChunk;
  const unsigned grid = static_cast<unsigned>(std::max<uint64_t>(1, std::min<uint64_t>((chunks + kBlock - 1) / kBlock, static_cast<uint64_t>(SmCount()) * 16)));
  const auto go = [&](auto kernel) {
    kernel<<<grid, kBlock, 0, s>>>(p, spec, d_count, d_ends, d_tr, capacity);
    FSIM_CUDA_CHECK(cudaGetLastError());
  };
  WithYOrder(p.op, "LaunchYScan", [&](auto op) { go(YScanKernel<decltype(op)::value>); });
}

void LaunchCodes8(const KernelArgs& a, cudaStream_t s) {
  CheckCodes8(a);
  switch (a.lp.op) {
    case ElemOp::kQuamba: return LaunchCodes8Op<ElemOp::kQuamba>(a, s);
    case ElemOp::kQuambaFastExp: return LaunchCodes8Op<ElemOp::kQuambaFastExp>(a, s);
    case ElemOp::kNaive: return LaunchCodes8Op<ElemOp::kNaive>(a, s);
    case ElemOp::kAsicLut: return LaunchCodes8Op<ElemOp::kAsicLut>(a, s);
    case ElemOp::kAsicSfu: return LaunchCodes8Op<ElemOp::kAsicSfu>(a, s);
    case ElemOp::kFsimLut: return LaunchCodes8Op<ElemOp::kFsimLut>(a, s);
    case ElemOp::kFsimSfu: return LaunchCodes8Op<ElemOp::kFsimSfu>(a, s);
    case ElemOp::kUpperBound: break;
  }
}

}  // namespace cosim::fsim
