// floatsim_cuda.h: device-resident layers for code that keeps its data on the GPU (fsim_bench).
//
// DeviceLayer compiles a layer on the host (the same Prepare() as RunHost) and uploads its
// parameters (and, for the fp32 orders, builds its y-table on the device: codes_plan()); the
// launches then read x and write outputs in device memory, asynchronously on the given stream.
// Only built with CUDA (target cosim_fsim_cuda).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <cuda_runtime_api.h>

#include "gpu_ref/floatsim.h"

namespace cosim::fsim {

struct Prepared;
struct YTable;
struct AccTables;

// How LaunchCodesInt8 runs a layer of the Quamba, naive or fp32-sfu order: on a y-table (ytable.h)
// built when the DeviceLayer is made, by a device scan of every binary32 pre-activation value the
// layer can produce, or (no table) by evaluating the order per element. Quamba and fp32-sfu layers
// with a y-table also get per-channel acc tables built from it (acctable.h), which the launches read.
struct CodesPlan {
  bool y_table = false;
  int entries = 0;            // buckets (8 bytes each in the one-step forms, 16 in three-step)
  std::string form;           // "one-step", "one-step+side" or "three-step" (ytable.h)
  int side_entries = 0;       // one-step+side: 16-byte side entries (buckets of two or three steps)
  int copies = 0;             // copies of the entries in each block's shared memory (ytable.h)
  int64_t transitions = 0;    // code changes the scan found
  uint64_t points = 0;        // binary32 values the scan evaluated
  double build_ms = 0.0;      // device scan + table build on the host, wall time (not the upload)
  std::string note;           // why there is no table (empty when y_table or not applicable)
  // Quamba and fp32-sfu: per-channel tables over the accumulator (acctable.h), built on the host
  // from the y-table; the launches read them instead of the y-table where AccTablesPreferred, or
  // as UseAccTables says.
  bool acc_tables = false;    // built
  bool acc_in_use = false;    // built and read by the launches
  int acc_entries_max = 0;    // entries of the largest channel table (8 bytes each)
  int acc_copies = 0;         // copies of it in each block's shared memory
  int64_t acc_steps = 0;      // code steps over all channels
  double acc_build_ms = 0.0;  // wall time of the build on the host (not the upload)
  std::string acc_note;       // why there are none (empty when acc_tables or not applicable)
};

// Which y-table form DeviceLayer builds: the smallest that holds the layer's steps, or the
// three-step form (the tests of the kernel's three-step tier).
enum class YTableChoice { kSmallest, kThreeStepForm };

class DeviceLayer {
 public:
  // layer.x is not read (the launches take device pointers); shapes, weights, bias and scales are.
  DeviceLayer(Mode mode, const LayerView& layer, const Knobs& knobs, float factor = kDefaultSeFactor,
              YTableChoice y_table = YTableChoice::kSmallest);
  ~DeviceLayer();
  DeviceLayer(const DeviceLayer&) = delete;
  DeviceLayer& operator=(const DeviceLayer&) = delete;

  // int8 codes only (output_bits <= 8; L % 16 == 0; 16-byte aligned buffers).
  void LaunchCodesInt8(const int8_t* d_x, int8_t* d_codes, cudaStream_t stream,
                       const int8_t* d_state = nullptr) const;
  // All outputs; d_codes may be null for fp32-upper-bound; d_counters[3] are added to.
  void LaunchFull(const int8_t* d_x, int32_t* d_codes, float* d_before, float* d_after,
                  unsigned long long* d_counters, cudaStream_t stream,
                  const int8_t* d_state = nullptr) const;

  // At most 2^log2_cap copies of the y-table per block (default: as many as ytable.h's layout
  // allows); the tests run the kernel's lookup with every copy count.
  void CapYTableCopies(int log2_cap);
  // Read the acc tables (when the layer has them) or the y-table, instead of the default
  // (AccTablesPreferred, acctable.h): the tests of both paths, fsim_bench --acc-tables on|off.
  void UseAccTables(bool on);
  // LaunchCodesInt8 as a programmatic dependent launch where the device has it (compute capability
  // 9.0 and up; KernelArgs::dependent_launch): the kernel copies its tables into shared memory while
  // the kernel before it in the stream finishes, then waits for it before reading d_x or d_state or
  // writing d_codes. On by default; fsim_bench --pdl off measures without it.
  void UseDependentLaunch(bool on);

  const Prepared& prepared() const { return *prepared_; }
  const CodesPlan& codes_plan() const { return plan_; }

 private:
  std::unique_ptr<Prepared> prepared_;
  std::unique_ptr<YTable> ytable_;
  CodesPlan plan_;
  void* d_params_ = nullptr;  // one allocation: channels, tables
  void* d_ytab_ = nullptr;    // the y-table entries
  int copies_log2_ = 0;       // the launches' copies of the y-table (CapYTableCopies)
  std::unique_ptr<AccTables> acc_;
  void* d_acc_ = nullptr;     // the acc tables: channels, then entries
  int acc_copies_log2_ = 0;
  bool dependent_launch_ = true;
};

}  // namespace cosim::fsim
