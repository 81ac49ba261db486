// test_device_kernels.cu: see device_kernels.h. Built with the flags of the gpu_ref kernels.
#include "device_kernels.h"

#include <stdexcept>

#include "gpu_ref/cuda_check.h"
#include "gpu_ref/element.h"
#include "gpu_ref/exp32.h"
#include "gpu_ref/int_lut.h"

namespace fsimtest {
namespace {

__global__ void Exp32Kernel(uint32_t first, uint32_t count, float* e, float* s) {
  for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < count; i += gridDim.x * blockDim.x) {
    const float x = __uint_as_float(first + i);
    e[i] = cosim::fsim::Exp32(x);
    s[i] = cosim::fsim::Silu32(x);
  }
}

__global__ void RequantKernel(cosim::fsim::ChannelParams c, cosim::fsim::LayerParams p, bool general,
                              uint32_t* fa, uint32_t* ff, uint32_t* aa, uint32_t* af) {
  const int n = 2 * 65536 + 1;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const int conv = i - 65536;
    uint32_t f1 = 0, f2 = 0;
    fa[i] = cosim::fsim::FsimLutAddressFromConv(static_cast<float>(conv), c, p, p.rounding, f1, general);
    aa[i] = cosim::fsim::AsicLutAddressFromConv(conv, c, p, p.rounding, f2);
    // the hot paths must agree with the general ones where the channel allows them
    const int sum = c.bias_acc + conv;
    const int half = p.idx_half;
    auto sat = [half](int v) { return v < -half ? -half : (v > half - 1 ? half - 1 : v); };
    if (c.asic_hot && static_cast<uint32_t>(sat(cosim::fsim::AsicLutIndexHot(sum, c, p.rounding)) + half) != aa[i])
      f2 |= 0x100u;
    bool redo = false;
    const int ih = c.fsim_hot ? cosim::fsim::FsimLutIndexHot(static_cast<float>(sum), c, p.rounding, redo) : 0;
    if (c.fsim_hot && !redo && static_cast<uint32_t>(sat(ih) + half) != fa[i]) f1 |= 0x100u;
    // the fast forms of the codes8 kernel (hi_add = 0 returns the index itself)
    if (c.asic_hot >= 2 &&
        static_cast<uint32_t>(sat(static_cast<int>(cosim::fsim::AsicLutWideHi(sum, c, p.rounding, 0u, c.asic_hot == 3))) +
                              half) != aa[i])
      f2 |= 0x200u;
    if (c.fsim_hot >= 2 &&
        static_cast<uint32_t>(sat(cosim::fsim::FsimLutIndexFma(static_cast<float>(sum), c, p.rounding, c.fsim_hot == 3)) +
                              half) != fa[i])
      f1 |= 0x200u;
    ff[i] = f1;
    af[i] = f2;
  }
}

__global__ void FmaDownKernel(const float* a, const float* b, const float* c, float* out, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
    out[i] = cosim::fsim::FmaDown(a[i], b[i], c[i]);
}

// Every binary32 bit pattern a (NaN excluded): DivByScale(a, b, y) against __fdiv_rn(a, b).
// counts[0]: mismatches with a normal, zero or infinite; counts[1]: mismatches with a subnormal
// (both must be 0: O9 holds for every a).
__global__ void DivByScaleKernel(float b, float y, unsigned long long* counts, unsigned int* first) {
  for (uint64_t i = blockIdx.x * uint64_t{blockDim.x} + threadIdx.x; i < (uint64_t{1} << 32);
       i += uint64_t{gridDim.x} * blockDim.x) {
    const float a = __uint_as_float(static_cast<uint32_t>(i));
    if (a != a) continue;
    const float q1 = cosim::fsim::DivByScale(a, b, y), q2 = __fdiv_rn(a, b);
    if (__float_as_uint(q1) == __float_as_uint(q2)) continue;
    const bool sub = a != 0.0f && fabsf(a) < 0x1p-126f;
    atomicAdd(counts + (sub ? 1 : 0), 1ull);
    if (!sub) atomicMin(first, static_cast<unsigned int>(i));
  }
}

template <class T>
struct DevArray {
  T* p = nullptr;
  explicit DevArray(size_t n) { FSIM_CUDA_CHECK(cudaMalloc(&p, n * sizeof(T))); }
  ~DevArray() { cudaFree(p); }
  void CopyTo(std::vector<T>& v, size_t n) {
    v.resize(n);
    FSIM_CUDA_CHECK(cudaMemcpy(v.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
  }
};

// Every binary32 y = +-float(m), m in [0, m_max]: YTableLookup against CodeOfY<kOp>.
template <cosim::fsim::ElemOp kOp>
__global__ void YTableAllKernel(cosim::fsim::LayerParams p, cosim::fsim::YTableParams t,
                                const uint32_t* e, uint32_t m_max,
                                unsigned long long* count, unsigned int* first) {
  const uint64_t n = 2 * (uint64_t{m_max} + 1);
  for (uint64_t i = blockIdx.x * uint64_t{blockDim.x} + threadIdx.x; i < n; i += uint64_t{gridDim.x} * blockDim.x) {
    const uint32_t m = static_cast<uint32_t>(i >> 1);
    const float y = (i & 1) ? -__uint_as_float(m) : __uint_as_float(m);
    if (cosim::fsim::YTableLookup(y, t, e) != cosim::fsim::CodeOfY<kOp>(y, p, p.rounding)) {
      atomicAdd(count, 1ull);
      atomicMin(first, __float_as_uint(y));
    }
  }
}

__global__ void DelayedCopyKernel(const int8_t* src, int8_t* dst, const int8_t* watch, int8_t* seen, size_t n,
                                  uint64_t delay_ns) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
  uint64_t t0 = 0, t = 0;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
  do {
    __nanosleep(1000);
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  } while (t - t0 < delay_ns);
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x) {
    dst[i] = src[i];
    seen[i] = watch[i];
  }
}

}  // namespace

void DeviceExp32Silu32(uint32_t first, uint32_t count, std::vector<float>& exp_out,
                       std::vector<float>& silu_out) {
  DevArray<float> e(count), s(count);
  Exp32Kernel<<<2048, 256>>>(first, count, e.p, s.p);
  FSIM_CUDA_CHECK(cudaGetLastError());
  e.CopyTo(exp_out, count);
  s.CopyTo(silu_out, count);
}

void DeviceRequantSweep(const cosim::fsim::ChannelParams& c, const cosim::fsim::LayerParams& p,
                        bool force_general, std::vector<uint32_t>& fsim_addr,
                        std::vector<uint32_t>& fsim_flags, std::vector<uint32_t>& asic_addr,
                        std::vector<uint32_t>& asic_flags) {
  const size_t n = 2 * 65536 + 1;
  DevArray<uint32_t> fa(n), ff(n), aa(n), af(n);
  RequantKernel<<<256, 256>>>(c, p, force_general, fa.p, ff.p, aa.p, af.p);
  FSIM_CUDA_CHECK(cudaGetLastError());
  fa.CopyTo(fsim_addr, n);
  ff.CopyTo(fsim_flags, n);
  aa.CopyTo(asic_addr, n);
  af.CopyTo(asic_flags, n);
}

void DeviceFmaDown(const std::vector<float>& a, const std::vector<float>& b,
                   const std::vector<float>& c, std::vector<float>& out) {
  const size_t n = a.size();
  DevArray<float> da(n), db(n), dc(n), dout(n);
  FSIM_CUDA_CHECK(cudaMemcpy(da.p, a.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  FSIM_CUDA_CHECK(cudaMemcpy(db.p, b.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  FSIM_CUDA_CHECK(cudaMemcpy(dc.p, c.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  FmaDownKernel<<<1024, 256>>>(da.p, db.p, dc.p, dout.p, static_cast<int>(n));
  FSIM_CUDA_CHECK(cudaGetLastError());
  dout.CopyTo(out, n);
}

DivCheck DeviceDivByScaleAll(float b, float y) {
  DevArray<unsigned long long> counts(2);
  DevArray<unsigned int> first(1);
  FSIM_CUDA_CHECK(cudaMemset(counts.p, 0, 2 * sizeof(unsigned long long)));
  FSIM_CUDA_CHECK(cudaMemset(first.p, 0xff, sizeof(unsigned int)));
  DivByScaleKernel<<<4096, 256>>>(b, y, counts.p, first.p);
  FSIM_CUDA_CHECK(cudaGetLastError());
  std::vector<unsigned long long> cv;
  std::vector<unsigned int> fv;
  counts.CopyTo(cv, 2);
  first.CopyTo(fv, 1);
  return DivCheck{static_cast<int64_t>(cv[0]), static_cast<int64_t>(cv[1]), fv[0]};
}

YCheck DeviceYTableAll(const cosim::fsim::LayerParams& p, const cosim::fsim::YTable& t, float bound) {
  const size_t n = t.words.size();
  DevArray<uint32_t> e(n);
  DevArray<unsigned long long> count(1);
  DevArray<unsigned int> first(1);
  FSIM_CUDA_CHECK(cudaMemcpy(e.p, t.words.data(), n * sizeof(uint32_t), cudaMemcpyHostToDevice));
  FSIM_CUDA_CHECK(cudaMemset(count.p, 0, sizeof(unsigned long long)));
  FSIM_CUDA_CHECK(cudaMemset(first.p, 0xff, sizeof(unsigned int)));
  const uint32_t m_max = cosim::fsim::FloatBits(bound);
  const auto go = [&](auto kernel) {
    kernel<<<4096, 256>>>(p, t.params, e.p, m_max, count.p, first.p);
    FSIM_CUDA_CHECK(cudaGetLastError());
  };
  cosim::fsim::WithYOrder(p.op, "DeviceYTableAll", [&](auto op) { go(YTableAllKernel<decltype(op)::value>); });
  std::vector<unsigned long long> cv;
  std::vector<unsigned int> fv;
  count.CopyTo(cv, 1);
  first.CopyTo(fv, 1);
  return YCheck{static_cast<int64_t>(cv[0]), fv[0], 2 * (uint64_t{m_max} + 1)};
}

void LaunchDelayedCopy(const int8_t* src, int8_t* dst, const int8_t* watch, int8_t* seen, size_t n,
                       uint64_t delay_ns, cudaStream_t stream) {
  // 32 blocks: the kernels launched after it find room beside them.
  DelayedCopyKernel<<<32, 256, 0, stream>>>(src, dst, watch, seen, n, delay_ns);
  FSIM_CUDA_CHECK(cudaGetLastError());
}

}  // namespace fsimtest
