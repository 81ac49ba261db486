#!/usr/bin/env python3
"""CI side of the checkpoint import: the numpy-only writer of scripts/export_quamba.py, read back
by the C++ loader (cosim). Usage: test_export_numpy.py COSIM_BINARY. Exit 77 = skipped."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("SKIP: numpy not installed for %s (apt-get install python3-numpy)" % sys.executable)
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import export_quamba as ex  # noqa: E402

cosim = sys.argv[1]
failures = 0
passed = 0


def check(cond, what):
    global failures, passed
    print(("ok   " if cond else "FAIL ") + what)
    failures += 0 if cond else 1
    passed += 1 if cond else 0


rng = np.random.default_rng(7)
D = 48
layers = []
for i in range(3):
    layers.append({
        "weight": rng.integers(-128, 128, size=(D, 4), dtype=np.int8),
        "bias": rng.integers(-128, 128, size=(D,), dtype=np.int8),
        "input_scale": float(np.float32(0.031 + i * 0.001)),
        "weight_scale": 0.00211 + i * 1e-5,  # a Python float (binary64) as Quamba stores it
        "bias_scale": float(np.float32(0.0007)),
        "output_scale": float(np.float32(0.02)),
        "inputs": rng.integers(-128, 128, size=(1, D, 33), dtype=np.int8) if i == 0 else None,
    })
tmp = tempfile.mkdtemp()
try:
    out = os.path.join(tmp, "m")
    ex.write_model_folder(out, "numpy-tiny", layers, {"test": True})
    doc = json.load(open(os.path.join(out, "model.json")))
    check(doc["n_layers"] == 3 and doc["d_inner"] == D, "model.json has 3 layers of %d channels" % D)
    check(doc["layers"][1]["weight_scale"] == float(np.float32(0.00211 + 1e-5)),
          "a binary64 scale is stored as its binary32 value")
    check(np.array_equal(np.load(os.path.join(out, "layer_02", "weight.npy")), layers[2]["weight"]),
          "weights are copied exactly")
    r = subprocess.run([cosim, "model", "info", "--model", out], capture_output=True, text=True)
    check(r.returncode == 0 and "numpy-tiny" in r.stdout, "cosim model info reads the folder")
    vdir = os.path.join(tmp, "v")
    r = subprocess.run([cosim, "vectors", "--model", out, "--out", vdir, "--seq-len", "20"], capture_output=True, text=True)
    check(r.returncode == 0, "cosim vectors runs on the exported model: " + r.stderr.strip())
    x = np.load(os.path.join(vdir, "layer_00", "x.npy"))
    check(x.shape == (1, D, 33) and np.array_equal(x, layers[0]["inputs"]), "captured inputs are used as they are")
    p = json.load(open(os.path.join(vdir, "layer_01", "params.json")))
    bits = "0x%08x" % int(np.array([doc["layers"][1]["weight_scale"]], dtype=np.float32).view(np.uint32)[0])
    check(p["scales"]["weight_scale"]["binary32"] == bits, "scales reach the vectors exactly (binary32 bits)")
    # Damaged input: wrong dtype, wrong shape, NaN scale, non-positive scale.
    for damage, field in ((lambda l: l.update(weight=l["weight"].astype(np.int16)), "weight"),
                          (lambda l: l.update(bias=l["bias"][:5]), "bias"),
                          (lambda l: l.update(output_scale=float("nan")), "output_scale"),
                          (lambda l: l.update(input_scale=0.0), "input_scale")):
        bad = [dict(l) for l in layers]
        damage(bad[1])
        try:
            ex.write_model_folder(os.path.join(tmp, "bad"), "bad", bad)
            check(False, "damaged %s is rejected" % field)
        except ex.ExportError as e:
            check(e.code == 3 and field in str(e), "damaged %s is rejected: %s" % (field, e))
    # A damaged model.json is rejected by the C++ loader with a clear message.
    with open(os.path.join(out, "model.json"), "w") as f:
        f.write('{"schema": "asic-cosim-model", "schema_version": 1, "name": "x", "d_inner": 48, "layers": []}')
    r = subprocess.run([cosim, "model", "info", "--model", out], capture_output=True, text=True)
    check(r.returncode == 3 and "layers" in r.stderr, "an empty layer list is a clear error: " + r.stderr.strip())
finally:
    shutil.rmtree(tmp)
print("%d passed, %d failed" % (passed, failures))
sys.exit(1 if failures else 0)
