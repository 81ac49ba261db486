#!/usr/bin/env python3
"""gen_golden_layer.py: a tiny, independent generator of one golden layer folder for the RTL
testbenches (test helper; the real generator is `cosim vectors`).

Follows docs/datapath.md sections 1-5 and 7 (profile int-lut) from random int8 tensors and
random binary32 scales: the offline compile step (section 4: M, shift, bias_acc, the SiLU table
through exp32/silu32 in binary32), then every (b, d, t) (section 5). Writes the layout of
vectors/README.md: <tensor>.npy and <tensor>.hex ($readmemh text, one word per line,
ceil(bits/4) lowercase digits, two's complement masked to `bits`, one leading // comment),
params.json (batch, channels, seq_len, hardware knobs, scales) and manifest.json.

  gen_golden_layer.py OUT_DIR [--B 1] [--D 32] [--L 17] [--seed 1] [--rounding half-away]
      [--acc-bits 32] [--acc-overflow saturate] [--mult-bits 16] [--lut-bits 10] [--out-bits 8]
  gen_golden_layer.py --corrupt-y SRC_DIR DST_DIR   copy a folder, flip one hex digit of y.hex
  gen_golden_layer.py --selftest                    the worked example of docs/datapath.md s.5

Needs numpy. Uses only binary32 operations where the contract says fl32 (numpy float32 scalar
arithmetic is IEEE single, one rounding per operation).
"""
import argparse
import hashlib
import json
import math
import os
import shutil
import sys

import numpy as np

F32 = np.float32


def f32_bits(u):
    return np.array([u], dtype=np.uint32).view(np.float32)[0]


LOG2E = f32_bits(0x3FB8AA3B)
LN2_HI = f32_bits(0x3F317200)
LN2_LO = f32_bits(0x35BFBE8E)
C = [f32_bits(0x3F800000), f32_bits(0x3F800000), f32_bits(0x3F000000), f32_bits(0x3E2AAAAB),
     f32_bits(0x3D2AAAAB), f32_bits(0x3C088889), f32_bits(0x3AB60B61)]  # C0..C6

ROUNDINGS = ("half-away", "half-even", "half-up", "truncate")


def exp32(x):
    """docs/datapath.md section 7, every step one binary32 operation."""
    x = F32(x)
    if x > F32(88.0):
        return F32(np.inf)
    if x < F32(-86.0):
        return F32(0.0)
    t = F32(x * LOG2E)
    k = int(np.rint(t))  # ties to even
    kf = F32(k)
    r = F32(x - F32(kf * LN2_HI))
    r = F32(r - F32(kf * LN2_LO))
    p = C[6]
    for c in (C[5], C[4], C[3], C[2], C[1], C[0]):
        p = F32(F32(p * r) + c)
    p2k = f32_bits((k + 127) << 23)
    return F32(p * p2k)


def silu32(y):
    y = F32(y)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return F32(y / F32(F32(1.0) + exp32(F32(-y))))


def round_knob_real(v, mode):
    """Rounds a binary32 value (exactly representable in binary64) by the knob's mode."""
    v = float(v)
    if mode == "half-away":
        r = math.floor(abs(v) + 0.5)
        return -r if v < 0 else r
    if mode == "half-even":
        return int(round(v))  # Python rounds half to even, exactly
    if mode == "half-up":
        return math.floor(v + 0.5)
    return math.floor(v)  # truncate = floor


def sat(v, bits):
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return min(max(v, lo), hi)


def compile_layer(s_x, s_w, s_b, s_out, bias, hw):
    """Section 4 (per-tensor weight scale, F = 1). Returns M, shift, bias_acc, lut, s_lut."""
    W, N, Wm, A = hw["output_bits"], hw["lut_index_bits"], hw["requant_mult_bits"], hw["acc_bits"]
    s_oe = F32(s_out)
    s_lut = F32(s_oe * F32(2.0 ** (W + 1 - N)))  # exact power-of-two scaling
    if not np.isfinite(s_lut) or abs(float(s_lut)) < float(np.finfo(np.float32).tiny):
        raise ValueError("s_lut is not a normal binary32")
    D = len(bias)
    mult = np.zeros(D, dtype=np.int64)
    shift = np.zeros(D, dtype=np.int64)
    bias_acc = np.zeros(D, dtype=np.int64)
    for d in range(D):
        s_acc = float(s_w) * float(s_x)  # exact in binary64
        r = s_acc / float(s_lut)
        m, e = math.frexp(r)
        M = int(round(m * (1 << Wm)))  # rint_even, m * 2^Wm is exact
        if M == (1 << Wm):
            M = 1 << (Wm - 1)
            e += 1
        sh = Wm - e
        if not 0 <= sh <= 62:
            raise ValueError("channel %d: shift %d outside 0..62" % (d, sh))
        ba = int(round((float(bias[d]) * float(s_b)) / s_acc))
        if ba != sat(ba, A):
            raise ValueError("channel %d: bias_acc %d does not fit acc_bits" % (d, ba))
        mult[d], shift[d], bias_acc[d] = M, sh, ba
    lut = np.zeros(1 << N, dtype=np.int64)
    for i in range(1 << N):
        v = i - (1 << (N - 1))
        y = F32(F32(v) * s_lut)
        a = silu32(y)
        q = F32(a / s_oe)
        lut[i] = sat(round_knob_real(q, hw["rounding"]), W)
    return mult, shift, bias_acc, lut, s_lut


def floor_shift(p, s):
    return p >> s  # numpy >> on int64 is arithmetic (floor)


def run_layer(x, weight, bias_acc, mult, shift, lut, hw):
    """Section 5 for every (b, d, t), vectorized over int64 (|acc * M| < 2^62)."""
    B, D, L = x.shape
    A, N, mode = hw["acc_bits"], hw["lut_index_bits"], hw["rounding"]
    xp = np.concatenate([np.zeros((B, D, 3), dtype=np.int64), x.astype(np.int64)], axis=2)
    s = bias_acc.astype(np.int64)[None, :, None] + np.zeros((B, D, L), dtype=np.int64)
    for k in range(4):  # tap k multiplies x[t - 3 + k]
        s = s + weight[:, k].astype(np.int64)[None, :, None] * xp[:, :, k:k + L]
    lo, hi = -(1 << (A - 1)), (1 << (A - 1)) - 1
    if hw["acc_overflow"] == "wrap":
        acc = ((s - lo) % (1 << A)) + lo
    else:
        acc = np.clip(s, lo, hi)
    p = acc * mult.astype(np.int64)[None, :, None]
    sh = np.broadcast_to(shift.astype(np.int64)[None, :, None], p.shape)
    half = np.where(sh > 0, np.left_shift(np.int64(1), np.maximum(sh - 1, 0)), 0)
    if mode == "half-away":
        a = np.abs(p)
        r = (a + half) >> sh
        i = np.where(p < 0, -r, r)
    elif mode == "half-even":
        q = p >> sh
        rem = p - (q << sh)
        up = (rem > half) | ((rem == half) & ((q & 1) == 1))
        i = np.where(sh > 0, q + up.astype(np.int64), p)
    elif mode == "half-up":
        i = (p + half) >> sh
    else:
        i = p >> sh
    nlo, nhi = -(1 << (N - 1)), (1 << (N - 1)) - 1
    idx = np.clip(i, nlo, nhi)
    y = lut[idx + (1 << (N - 1))]
    return y, acc, idx


def hex_text(values, bits, name, shape):
    digits = (bits + 3) // 4
    mask = (1 << bits) - 1
    lines = ["// %s %s, %d bits per word, row-major" % (name, list(shape), bits)]
    fmt = "%0" + str(digits) + "x"
    lines += [fmt % (int(v) & mask) for v in np.asarray(values).reshape(-1)]
    return "\n".join(lines) + "\n"


def code_dtype(bits):
    return np.int8 if bits <= 8 else (np.int16 if bits <= 16 else np.int32)


def write_folder(out, x, weight, bias, bias_acc, mult, shift, lut, y, acc, idx, hw, scales):
    os.makedirs(out, exist_ok=True)
    B, D, L = x.shape
    W, N, Wm = hw["output_bits"], hw["lut_index_bits"], hw["requant_mult_bits"]
    files = {}

    def put(name, data):
        path = os.path.join(out, name)
        with open(path, "wb") as f:
            f.write(data)
        files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}

    def npy(name, arr):
        path = os.path.join(out, name)
        np.save(path, arr)
        with open(path, "rb") as f:
            data = f.read()
        files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                       "dtype": str(arr.dtype), "shape": list(arr.shape)}

    tensors = [
        ("x", x.astype(np.int8), 8), ("weight", weight.astype(np.int8), 8),
        ("bias", bias.astype(np.int8), 8), ("bias_acc", bias_acc.astype(np.int32), 32),
        ("mult", mult.astype(np.int32), Wm), ("shift", shift.astype(np.int32), 8),
        ("silu_lut", lut.astype(code_dtype(W)), W), ("y", y.astype(code_dtype(W)), W),
        ("acc", acc.astype(np.int32), 32),
        ("index", idx.astype(np.int16 if N <= 16 else np.int32), N),
    ]
    for name, arr, bits in tensors:
        npy(name + ".npy", arr)
        put(name + ".hex", hex_text(arr, bits, name, arr.shape).encode())
    params = {"batch": B, "channels": D, "seq_len": L, "hardware": hw, "scales": scales,
              "generator": "tests/rtl_models/gen_golden_layer.py"}
    put("params.json", (json.dumps(params, indent=2, sort_keys=True) + "\n").encode())
    manifest = {"schema": "asic-cosim-vectors", "generator": "tests/rtl_models/gen_golden_layer.py",
                "hardware": hw, "shape": {"batch": B, "channels": D, "seq_len": L}, "files": files}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        f.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def generate(args):
    rng = np.random.default_rng(args.seed)
    hw = {"profile": "int-lut", "rounding": args.rounding, "acc_bits": args.acc_bits,
          "acc_overflow": args.acc_overflow, "requant_mult_bits": args.mult_bits,
          "lut_index_bits": args.lut_bits, "output_bits": args.out_bits,
          "weight_scale": "per-tensor", "output_scale_divisor": 1.0}
    B, D, L = args.B, args.D, args.L
    x = rng.integers(-128, 128, size=(B, D, L), dtype=np.int64)
    weight = rng.integers(-128, 128, size=(D, 4), dtype=np.int64)
    bias = rng.integers(-128, 128, size=(D,), dtype=np.int64)
    # Scales around Quamba-like magnitudes; the table index then spans its range with some
    # saturation (|acc| ~ 2^13..2^16, the edge at ~2^14).
    W, N = args.out_bits, args.lut_bits
    s_x = F32(0.05 * 2.0 ** rng.uniform(-1, 1))
    s_w = F32(0.004 * 2.0 ** rng.uniform(-1, 1))
    s_b = F32(0.002 * 2.0 ** rng.uniform(-1, 1))
    target = (1 << (N - 1)) / 16384.0  # r such that |acc| = 2^14 maps to the index range edge
    s_lut_want = float(s_x) * float(s_w) / target
    s_out = F32(s_lut_want / 2.0 ** (W + 1 - N) * 2.0 ** rng.uniform(-1, 1))
    # Keep bias_acc inside acc_bits for narrow accumulators.
    mult, shift, bias_acc, lut, s_lut = compile_layer(s_x, s_w, s_b, s_out, bias, hw)
    y, acc, idx = run_layer(x, weight, bias_acc, mult, shift, lut, hw)
    scales = {k: {"value": float(v), "bits": "0x%08x" % int(np.array([v], dtype=np.float32).view(np.uint32)[0])}
              for k, v in (("input_scale", s_x), ("weight_scale", s_w), ("bias_scale", s_b),
                           ("output_scale", s_out), ("lut_step", s_lut))}
    write_folder(args.out, x, weight, bias, bias_acc, mult, shift, lut, y, acc, idx, hw, scales)
    nsat = int(np.sum(np.abs(idx) >= (1 << (N - 1)) - 1))
    print("wrote %s: B=%d D=%d L=%d, %s, M=%d shift=%d, %d outputs (%d at the index range edge)"
          % (args.out, B, D, L, args.rounding, int(mult[0]), int(shift[0]), y.size, nsat))


def corrupt_y(src, dst):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    path = os.path.join(dst, "y.hex")
    with open(path) as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if line and not line.startswith("//"):
            c = line[-1]
            lines[i] = line[:-1] + ("0" if c != "0" else "1")  # one hex digit changed
            break
    with open(path, "w") as f:
        f.write("\n".join(lines))
    print("wrote %s: y.hex word 0 changed" % dst)


def selftest():
    hw = {"rounding": "half-away", "acc_bits": 32, "acc_overflow": "saturate",
          "requant_mult_bits": 16, "lut_index_bits": 10, "output_bits": 8}
    mult, shift, bias_acc, lut, s_lut = compile_layer(F32(0.05), F32(0.004), F32(0.002), F32(0.03),
                                                      np.array([10]), hw)
    x = np.array([[[10, 20, 30, 40]]])
    w = np.array([[1, -2, 3, 4]])
    y, acc, idx = run_layer(x, w, bias_acc, mult, shift, lut, hw)
    got = (float(s_lut), int(mult[0]), int(shift[0]), int(bias_acc[0]), int(acc[0, 0, 3]), int(idx[0, 0, 3]),
           int(lut[4 + 512]), int(y[0, 0, 3]))
    want = (0.015, 55924, 22, 100, 320, 4, 1, 1)
    ok = abs(got[0] - want[0]) < 1e-9 and got[1:] == want[1:]
    print("selftest (docs/datapath.md section 5 worked example): %s got %s" % ("ok" if ok else "FAILED", got))
    # exp32 sanity against binary64 exp on a few points.
    for v in (-10.0, -1.0, -0.5, 0.0, 0.25, 1.0, 5.0, 30.0):
        e = float(exp32(F32(v)))
        if abs(e - math.exp(float(F32(v)))) > 1e-6 * math.exp(float(F32(v))):
            print("exp32(%g) = %r too far from exp" % (v, e))
            ok = False
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?")
    ap.add_argument("--B", type=int, default=1)
    ap.add_argument("--D", type=int, default=32)
    ap.add_argument("--L", type=int, default=17)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounding", choices=ROUNDINGS, default="half-away")
    ap.add_argument("--acc-bits", type=int, default=32)
    ap.add_argument("--acc-overflow", choices=("saturate", "wrap"), default="saturate")
    ap.add_argument("--mult-bits", type=int, default=16)
    ap.add_argument("--lut-bits", type=int, default=10)
    ap.add_argument("--out-bits", type=int, default=8)
    ap.add_argument("--corrupt-y", nargs=2, metavar=("SRC", "DST"))
    ap.add_argument("--selftest", action="store_true")
    a = ap.parse_args()
    if a.selftest:
        return selftest()
    if a.corrupt_y:
        corrupt_y(*a.corrupt_y)
        return 0
    if not a.out:
        ap.error("OUT_DIR is required")
    generate(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
