// ytable_build.h: host side of the y-tables of ytable.h: which layers get one, the scan's range,
// the host scan, and the table built from a scan's transitions (device or host); and the per-channel
// acc tables of acctable.h, built from a y-table. Internal to gpu_ref and its tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gpu_ref/acctable.h"
#include "gpu_ref/params.h"
#include "gpu_ref/prepare.h"
#include "gpu_ref/ytable.h"

namespace cosim::fsim {

// The transitions of one scan and the codes at the ends of its two sides.
struct YScan {
  YScanSpec spec;
  std::vector<YTransition> transitions;  // any order
  bool overflow = false;                 // more transitions than kYMaxTransitions
  int32_t neg_first = 0, neg_last = 0, pos_first = 0, pos_last = 0;
};

constexpr int kYMaxTransitions = 3 * (kYTableMaxWords / kYWordsThreeSteps);  // more never fit

struct YTable {
  YTableParams params;          // params.form == kNone: no table (why_not says why)
  std::vector<uint32_t> words;  // the entries, YTableWords(params) words
  std::string why_not;
  int64_t transitions = 0;      // in the scan
  uint64_t points = 0;          // binary32 values the scan evaluated
};

// True when the codes8 kernel of this layer can run on a y-table: the Quamba, naive and fp32-sfu
// orders with int8 output codes, an output scale >= 2^-40 and a finite bound on |y| (YBound).
bool YTableApplies(const Prepared& pr);

// A bound Y with |y| <= Y for every pre-activation value the layer can produce (monotonicity of
// round-to-nearest; docs/floatsim.md O11).
float YBound(const Prepared& pr);

// The scan's range for this layer (quiet interval from the output scale, both signs scanned past it
// only for kTruncate).
YScanSpec MakeYScanSpec(const Prepared& pr);

// "one-step", "one-step+side", "three-step" or "none".
const char* YFormName(YForm f);

// Evaluate G on every point of the spec on the host (threads over chunks).
YScan ScanYHost(const Prepared& pr, int threads = 0);

// The table from a scan: the kOneStep form with the fewest entries that separates every step, else
// the kThreeSteps form with the coarsest bucket width 2^-e that holds at most three steps per
// bucket, within kYTableMaxWords words; or why_not. Throws std::logic_error when the scan contradicts
// itself or O11 (a transition chain that does not connect, a non-zero code in the quiet interval)
// or the finished table misses a transition. first == kThreeSteps skips the one-step forms (the
// tests of the kernel's three-step tier use it).
YTable BuildYTable(const YScan& scan, YForm first = YForm::kOneStep);

// ScanYHost + BuildYTable.
YTable HostYTable(const Prepared& pr);

// The same from a scan on the device: the device's own evaluations (cosim_fsim_cuda only; what
// DeviceLayer uses).
YTable DeviceYTable(const Prepared& pr, YForm first = YForm::kOneStep);

// The per-channel acc tables of a layer (acctable.h).
struct AccTables {
  std::vector<AccChannel> ch;    // [D]; empty: no tables (why_not says why)
  std::vector<uint32_t> packed;  // n_max entries per channel (AccEntryPack: 1 word each), unused ones zero
  int32_t n_max = 0;             // entries of the largest channel table
  int64_t steps = 0;             // code steps over all channels
  std::string why_not;
  // Channel d's ch[d].n entries in the two-word form the lookups read (AccTableLookup), expanded
  // from the packed ones as the kernel's fill does; key0_bits as AccEntryExpand's.
  std::vector<uint32_t> ChannelWords(size_t d, uint32_t key0_bits = kMagicBits) const {
    std::vector<uint32_t> w(static_cast<size_t>(ch[d].n) * kYWordsOneStep);
    for (size_t b = 0; b < static_cast<size_t>(ch[d].n); ++b) {
      const AccEntry e = AccEntryExpand(packed[d * static_cast<size_t>(n_max) + b], key0_bits);
      w[kYWordsOneStep * b] = e.th_bits;
      w[kYWordsOneStep * b + 1] = e.codes;
    }
    return w;
  }
};

constexpr int kAccMaxEntries = kYTableMaxWords / kYWordsOneStep;  // 32 KiB: one copy in shared memory

// True when the layer's order has acc tables (IsAccOrder) and a y-table, and every channel's y is
// monotone in acc: a non-negative finite scale, and an accumulator stage (fp32-sfu) that saturates
// or that no reachable acc overflows.
bool AccTablesApply(const Prepared& pr);

// The tables from the layer's y-table (device- or host-built: the codes follow the platform whose
// scan built it). Per channel, the one-step bucket map with the fewest entries (growing by ~1/16)
// that puts every step in a bucket of its own; why_not when a channel needs more than
// kAccMaxEntries. Throws std::logic_error when the steps do not chain or a finished table misses a
// step or an end of the channel's range.
AccTables BuildAccTables(const Prepared& pr, const YTable& yt, int threads = 0);

}  // namespace cosim::fsim
