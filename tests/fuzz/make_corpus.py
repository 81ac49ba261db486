#!/usr/bin/env python3
"""Regenerates the seed corpus tests/fuzz/corpus/<target>/ (see tests/fuzz/README.md).

Usage: python3 tests/fuzz/make_corpus.py [--seedgen build-fuzz/fuzz_seedgen] [--out tests/fuzz/corpus]

Real files come from numpy (npy seeds), from sim/profiles.json (knob seeds) and from the fuzz
fixture folder written by fuzz_seedgen (manifests, params.json, model.json, hex files): the
same folder every file-based target builds at start-up, so the sha256s in the real manifests
match. The rest are small hand-made valid and invalid variants. Output is deterministic.
Inputs that crash belong in tests/fuzz/regressions/<target>/, not here.
"""
import argparse
import io
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def put(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def npy_bytes(arr, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, arr, allow_pickle=False)
    else:
        np.lib.format.write_array(buf, arr, version=version, allow_pickle=False)
    return buf.getvalue()


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True)


def read(path, binary=False):
    with open(path, "rb" if binary else "r") as f:
        return f.read()


def npy_seeds(out, fix):
    t = "fuzz_npy"
    put(out, t, "valid_i1_2x3.npy", npy_bytes((np.arange(6, dtype=np.int8) - 3).reshape(2, 3)))
    put(out, t, "valid_i2_3x1.npy", npy_bytes(np.array([[-32768], [0], [32767]], dtype=np.int16)))
    put(out, t, "valid_i4_5.npy", npy_bytes(np.array([-2, -1, 0, 1, 2**31 - 1], dtype=np.int32)))
    put(out, t, "valid_i8_2x1x2.npy", npy_bytes(np.array([[[1, -1]], [[2**62, -(2**63)]]], dtype=np.int64)))
    put(out, t, "valid_u1_empty.npy", npy_bytes(np.zeros((0,), dtype=np.uint8)))
    put(out, t, "valid_u2_3.npy", npy_bytes(np.array([0, 1, 65535], dtype=np.uint16)))
    put(out, t, "valid_u4_v2.npy", npy_bytes(np.array([7, 8], dtype=np.uint32), version=(2, 0)))
    put(out, t, "valid_u8_4x0.npy", npy_bytes(np.zeros((4, 0), dtype=np.uint64)))
    put(out, t, "valid_f4_2x2.npy", npy_bytes(np.array([[0.5, -1.25], [np.inf, 3e-39]], dtype=np.float32)))
    put(out, t, "valid_f8_1.npy", npy_bytes(np.array([np.pi], dtype=np.float64)))
    put(out, t, "project_weight.npy", read(os.path.join(fix, "vs/layer_00/weight.npy"), True))
    put(out, t, "project_weight_scale.npy", read(os.path.join(fix, "model/layer_00/weight_scale.npy"), True))
    # Invalid: each should be a clean cosim::Error.
    put(out, t, "bad_fortran_order.npy", npy_bytes(np.asfortranarray(np.arange(6, dtype=np.int16).reshape(2, 3))))
    put(out, t, "bad_big_endian.npy", npy_bytes(np.array([1, 2], dtype=">i4")))
    put(out, t, "bad_0d.npy", npy_bytes(np.array(7, dtype=np.int32)))
    put(out, t, "bad_structured.npy", npy_bytes(np.zeros(2, dtype=[("a", "<i4"), ("b", "<f4")])))
    put(out, t, "bad_bool.npy", npy_bytes(np.array([True, False])))
    good = npy_bytes(np.array([1, 2, 3, 4], dtype=np.int16))
    put(out, t, "bad_truncated_data.npy", good[:-3])
    put(out, t, "bad_extra_data.npy", good + b"\0\0\0\0")
    put(out, t, "bad_truncated_header.npy", good[:20])
    put(out, t, "bad_version_3.npy", good[:6] + b"\x03\x00" + good[8:])
    put(out, t, "bad_magic.npy", b"\x93NUMPX" + good[6:])


def hex_seeds(out, fix):
    t = "fuzz_hex"
    ld = os.path.join(fix, "vs/layer_00")
    # byte 0: (bits - 1) | 0x40 if signed (fuzz_hex.cpp)
    sel = lambda bits, signed: bytes([(bits - 1) | (0x40 if signed else 0)])
    put(out, t, "project_x_s8.hex", sel(8, True) + read(os.path.join(ld, "x.hex"), True))
    put(out, t, "project_mult_u16.hex", sel(16, False) + read(os.path.join(ld, "mult.hex"), True))
    put(out, t, "project_bias_acc_s32.hex", sel(32, True) + read(os.path.join(ld, "bias_acc.hex"), True))
    put(out, t, "project_shift_u8.hex", sel(8, False) + read(os.path.join(ld, "shift.hex"), True))
    put(out, t, "valid_u1.hex", sel(1, False) + b"0\n1\n1\n")
    put(out, t, "valid_s5.hex", sel(5, True) + b"1f\n10\n0f\n00\n")
    put(out, t, "valid_s12_comments.hex", sel(12, True) + b"// c\n//\nfff\n800\n7ff\n")
    put(out, t, "valid_s64.hex", sel(64, True) + b"ffffffffffffffff\n8000000000000000\n0000000000000001\n")
    put(out, t, "valid_u64.hex", sel(64, False) + b"7fffffffffffffff\n0000000000000000\n")
    put(out, t, "valid_empty_u8.hex", sel(8, False))
    put(out, t, "bad_u64_too_big.hex", sel(64, False) + b"8000000000000000\n")
    put(out, t, "bad_s5_range.hex", sel(5, True) + b"3f\n")
    put(out, t, "bad_uppercase.hex", sel(8, True) + b"0A\n")
    put(out, t, "bad_crlf.hex", sel(8, True) + b"01\r\n")
    put(out, t, "bad_address.hex", sel(8, True) + b"@10\n01\n")
    put(out, t, "bad_no_final_newline.hex", sel(8, True) + b"01\n02")
    put(out, t, "bad_comment_after_data.hex", sel(8, True) + b"01\n// x\n")
    put(out, t, "bad_blank_line.hex", sel(8, True) + b"01\n\n02\n")
    put(out, t, "bad_width.hex", sel(8, True) + b"1\n")
    put(out, t, "bad_space.hex", sel(16, False) + b"00 1\n")


def knob_seeds(out):
    t = "fuzz_knobs_json"
    prof = json.loads(read(os.path.join(REPO, "sim/profiles.json")))
    put(out, t, "profiles_json.json", read(os.path.join(REPO, "sim/profiles.json")))
    for name, entry in sorted(prof["profiles"].items()):
        put(out, t, "profile_%s.json" % name, json.dumps(entry, indent=2) + "\n")
    put(out, t, "run_config.json", compact({"schema_version": 1, "model": "mamba-130m", "profile": "int-lut-small",
                                            "hardware": {"acc_bits": 20, "rounding": "half-even"}}))
    put(out, t, "knob_rounding.json", compact({"rounding": "half-up"}))
    put(out, t, "knob_wide.json", compact({"output_bits": 12, "lut_index_bits": 14, "output_scale_divisor": 16}))
    put(out, t, "knob_float_int.json", compact({"acc_bits": 24.0, "acc_overflow": "wrap"}))
    put(out, t, "knob_named.json", compact({"name": "my-hw", "profile": "fp32-sfu", "weight_scale": "per-channel"}))
    put(out, t, "bad_range.json", compact({"acc_bits": 33}))
    put(out, t, "bad_unknown.json", compact({"unknown": 1}))
    put(out, t, "bad_type.json", compact({"rounding": 5, "requant_mult_bits": "16"}))
    put(out, t, "bad_not_object.json", "[1, 2]")
    put(out, t, "bad_divisor.json", '{"output_scale_divisor": 1e400}')
    put(out, t, "bad_truncated.json", '{"acc_bits": ')
    put(out, t, "bad_hardware_array.json", compact({"hardware": []}))
    put(out, t, "bad_profile_name.json", compact({"profile": "nope", "hardware": {}}))
    put(out, t, "bad_profiles_entry.json", compact({"profiles": {"x": {"acc_bits": "32"}}}))


def manifest_seeds(out, fix):
    t = "fuzz_vector_manifest"
    ld = os.path.join(fix, "vs/layer_00")
    top = json.loads(read(os.path.join(fix, "vs/manifest.json")))
    layer = json.loads(read(os.path.join(ld, "manifest.json")))
    params = json.loads(read(os.path.join(ld, "params.json")))
    put(out, t, "top_manifest.json", read(os.path.join(fix, "vs/manifest.json")))
    put(out, t, "layer_manifest.json", read(os.path.join(ld, "manifest.json")))
    put(out, t, "params.json", read(os.path.join(ld, "params.json")))
    put(out, t, "top_manifest_min.json", compact({"schema": top["schema"], "schema_version": 1,
                                                  "layers": [{"dir": "layer_00", "manifest_sha256": ""}]}))
    keep = {k: {"sha256": layer["files"][k]["sha256"]} for k in ("params.json", "x.npy", "y.npy")}
    put(out, t, "layer_manifest_min.json", compact({"schema": "asic-cosim-vectors", "schema_version": 1,
                                                    "files": keep}))
    p = json.loads(json.dumps(params))
    p["hardware"]["profile"] = "fp32-sfu"
    put(out, t, "params_fp32.json", compact(p))
    put(out, t, "params_min.json", compact({k: params[k] for k in ("batch", "channels", "hardware", "layer",
                                                                    "scales", "seq_len")}))
    bad = json.loads(json.dumps(top))
    bad["schema_version"] = 2
    put(out, t, "bad_top_version.json", compact(bad))
    bad = json.loads(json.dumps(top))
    bad["layers"].append({"dir": "layer_07", "index": 7, "manifest_sha256": "00"})
    put(out, t, "bad_top_missing_layer.json", compact(bad))
    bad = json.loads(json.dumps(layer))
    bad["files"]["x.npy"]["sha256"] = "0" * 64
    put(out, t, "bad_layer_sha.json", compact(bad))
    bad = json.loads(json.dumps(params))
    bad["channels"] = 4
    put(out, t, "bad_params_channels.json", compact(bad))
    bad = json.loads(json.dumps(params))
    bad["hardware"]["lut_index_bits"] = 99
    put(out, t, "bad_params_knob.json", compact(bad))
    put(out, t, "bad_empty_object.json", "{}")
    put(out, t, "bad_not_json.json", "{\"schema\": ")


def model_seeds(out, fix):
    t = "fuzz_model_json"
    m = json.loads(read(os.path.join(fix, "model/model.json")))
    put(out, t, "model.json", read(os.path.join(fix, "model/model.json")))
    mm = json.loads(json.dumps(m))
    del mm["source"], mm["layers"][0]["inputs"], mm["n_layers"], mm["d_conv"]
    put(out, t, "model_min.json", compact(mm))
    v = json.loads(json.dumps(mm))
    v["layers"][0]["weight_scale"] = "layer_00/weight_scale.npy"
    put(out, t, "model_ws_npy.json", compact(v))
    v = json.loads(json.dumps(m))
    v["layers"].append(dict(v["layers"][0], index=1))
    v["n_layers"] = 2
    put(out, t, "model_two_layers.json", compact(v))

    def bad(name, fn):
        b = json.loads(json.dumps(m))
        fn(b)
        put(out, t, name, compact(b))

    bad("bad_d_conv.json", lambda b: b.update(d_conv=3))
    bad("bad_n_layers.json", lambda b: b.update(n_layers=2))
    bad("bad_schema_version.json", lambda b: b.update(schema_version=2))
    bad("bad_index.json", lambda b: b["layers"][0].update(index=1))
    bad("bad_scale.json", lambda b: b["layers"][0].update(output_scale=-1.0))
    bad("bad_weight_path.json", lambda b: b["layers"][0].update(weight="layer_00/missing.npy"))
    bad("bad_ws_npy_shape.json", lambda b: b["layers"][0].update(weight_scale="layer_00/inputs.npy"))
    bad("bad_d_inner.json", lambda b: b.update(d_inner=16))
    bad("bad_layers_empty.json", lambda b: b.update(layers=[]))
    put(out, t, "bad_not_object.json", "[]")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seedgen", default=os.path.join(REPO, "build-fuzz", "fuzz_seedgen"))
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cosim-seedgen-") as tmp:
        fix = os.path.join(tmp, "fixture")
        subprocess.run([args.seedgen, fix], check=True)
        npy_seeds(args.out, fix)
        hex_seeds(args.out, fix)
        knob_seeds(args.out)
        manifest_seeds(args.out, fix)
        model_seeds(args.out, fix)
    for t in sorted(os.listdir(args.out)):
        files = os.listdir(os.path.join(args.out, t))
        size = sum(os.path.getsize(os.path.join(args.out, t, f)) for f in files)
        print("%-22s %3d files %6d bytes" % (t, len(files), size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
