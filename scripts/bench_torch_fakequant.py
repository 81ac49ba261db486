#!/usr/bin/env python3
"""PyTorch eager fake-quant of the conv1d + SiLU + requant layer, timed with CUDA events.

What a PyTorch user writes for one Quamba conv1d layer (the "naive-fake-quant" mode of
docs/floatsim.md, as eager PyTorch ops): int8 -> float * s_x, F.conv1d(groups=D, padding=3)
trimmed to L, SiLU, round(y / s_out), clamp to int8, to int8. Bandwidth counts the int8 bytes read
and written (2 * B*D*L), like fsim_bench.

    python3 scripts/bench_torch_fakequant.py --size 8x1536x4096 [--size ...] [--iters N]

Prints one "RESULT mode=pytorch-eager size=BxDxL ms=... gbps=..." line per size (read by
scripts/gpu_check.sh). Needs torch with CUDA; exits 3 when either is missing.
"""
import argparse
import sys


def parse_size(text):
    try:
        b, d, l = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must be BxDxL, got {text!r}")
    if min(b, d, l) < 1:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return b, d, l


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=parse_size, action="append", help="BxDxL (repeatable)")
    ap.add_argument("--iters", type=int, default=0, help="timed iterations (default: by size)")
    args = ap.parse_args()
    sizes = args.size or [(1, 1536, 2048), (8, 1536, 4096), (16, 5120, 4096)]
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("bench_torch_fakequant: torch is not installed", file=sys.stderr)
        return 3
    if not torch.cuda.is_available():
        print("bench_torch_fakequant: torch sees no CUDA device", file=sys.stderr)
        return 3
    dev = torch.device("cuda")
    print(f"device: {torch.cuda.get_device_name(dev)}, torch {torch.__version__}")
    s_x, s_w, s_b, s_out = 0.05, 0.004, 0.002, 0.03
    for (B, D, L) in sizes:
        gen = torch.Generator(device=dev).manual_seed(1234)
        x = torch.randint(-128, 128, (B, D, L), dtype=torch.int8, device=dev, generator=gen)
        w = torch.randint(-127, 128, (D, 4), dtype=torch.int8, device=dev, generator=gen)
        b = torch.randint(-127, 128, (D,), dtype=torch.int8, device=dev, generator=gen)

        def fake_quant():
            xf = x.float() * s_x
            wf = (w.float() * s_w)[:, None, :]
            bf = b.float() * s_b
            y = F.conv1d(xf, wf, bf, padding=3, groups=D)[..., :L]
            y = F.silu(y)
            return torch.round(y / s_out).clamp(-128, 127).to(torch.int8)

        n = B * D * L
        iters = args.iters or max(5, min(100, (2 << 30) // n))
        with torch.no_grad():
            for _ in range(3):
                fake_quant()
            torch.cuda.synchronize()
            start = torch.cuda.Event(enable_timing=True)
            stop = torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(iters):
                fake_quant()
            stop.record()
            stop.synchronize()
        ms = start.elapsed_time(stop) / iters
        gbps = 2.0 * n / (ms * 1e6)
        size = f"{B}x{D}x{L}"
        print(f"pytorch-eager {size:>16} {ms:10.4f} ms {gbps:10.1f} GB/s")
        print(f"RESULT mode=pytorch-eager size={size} ms={ms:.5f} gbps={gbps:.2f}")
        del x, w, b
        torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    sys.exit(main())
