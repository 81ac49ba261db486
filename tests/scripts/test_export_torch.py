#!/usr/bin/env python3
"""Torch side of the checkpoint import (runs where PyTorch is, e.g. scripts/gpu_check.sh):
a tiny randomly initialised module with Quamba's state-dict names, saved with torch.save, is
exported, compared exactly with the checkpoint, and regressed end to end with cosim.
Usage: test_export_torch.py COSIM_BINARY. Exit 77 = skipped (no torch)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
except ImportError as e:
    print("SKIP: %s" % e)
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import export_quamba as ex  # noqa: E402

cosim = sys.argv[1]
passed = failures = 0


def check(cond, what):
    global passed, failures
    print(("ok   " if cond else "FAIL ") + what)
    passed += bool(cond)
    failures += not cond


class QConv(torch.nn.Module):
    """Buffers named as Quamba's QCausalConv1D; forward is a plain int8 causal conv for capture."""

    def __init__(self, d, g):
        super().__init__()
        self.register_buffer("weight", torch.randint(-128, 128, (d, 1, 4), dtype=torch.int8, generator=g))
        self.register_buffer("bias", torch.randint(-128, 128, (d,), dtype=torch.int8, generator=g))
        self.weight_scale = float(torch.rand(1, generator=g)) * 0.01 + 1e-3
        self.bias_scale = float(torch.rand(1, generator=g)) * 0.01 + 1e-4
        self.input_scale = float(torch.rand(1, generator=g)) * 0.05 + 0.01
        self.output_scale = float(torch.rand(1, generator=g)) * 0.05 + 0.01

    def get_extra_state(self):
        return None

    def forward(self, x):
        return x


class Mixer(torch.nn.Module):
    def __init__(self, d, g):
        super().__init__()
        self.conv1d = QConv(d, g)
        self.in_proj = torch.nn.Linear(8, d)


class Layer(torch.nn.Module):
    def __init__(self, d, g):
        super().__init__()
        self.mixer = Mixer(d, g)


class Backbone(torch.nn.Module):
    def __init__(self, n, d, g):
        super().__init__()
        self.embedding = torch.nn.Embedding(100, 8)
        self.layers = torch.nn.ModuleList([Layer(d, g) for _ in range(n)])


class TinyQuamba(torch.nn.Module):
    def __init__(self, n=3, d=32, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.backbone = Backbone(n, d, g)

    def state_dict_with_scales(self):
        sd = self.state_dict()
        for i, l in enumerate(self.backbone.layers):
            for k in ex.SCALE_KEYS:
                sd["backbone.layers.%d.mixer.conv1d.%s" % (i, k)] = getattr(l.mixer.conv1d, k)  # Python floats
        return sd

    def forward(self, ids):
        h = self.backbone.embedding(ids)
        for l in self.backbone.layers:
            x = l.mixer.in_proj(h).transpose(1, 2)
            q = torch.clamp(torch.round(x / l.mixer.conv1d.input_scale), -128, 127).to(torch.int8)
            l.mixer.conv1d(q)
        return h


tmp = tempfile.mkdtemp()
try:
    model = TinyQuamba()
    ck = os.path.join(tmp, "ckpt")
    os.makedirs(ck)
    sd = model.state_dict_with_scales()
    torch.save(sd, os.path.join(ck, "pytorch_model.bin"))
    json.dump({"n_layer": 3, "d_model": 16, "expand": 2}, open(os.path.join(ck, "config.json"), "w"))
    out = os.path.join(tmp, "model")
    r = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "export_quamba.py"),
                        ck, "--out", out], capture_output=True, text=True)
    check(r.returncode == 0, "export_quamba.py exports the tiny checkpoint: " + r.stderr.strip())
    doc = json.load(open(os.path.join(out, "model.json")))
    exact = True
    for i in range(3):
        p = "backbone.layers.%d.mixer.conv1d." % i
        w = np.load(os.path.join(out, doc["layers"][i]["weight"]))
        b = np.load(os.path.join(out, doc["layers"][i]["bias"]))
        exact &= np.array_equal(w, sd[p + "weight"][:, 0, :].numpy()) and np.array_equal(b, sd[p + "bias"].numpy())
        for k in ex.SCALE_KEYS:
            exact &= doc["layers"][i][k] == float(np.float32(sd[p + k]))
    check(exact, "exported ints and scales equal the checkpoint's exactly (scales as binary32)")
    rep = os.path.join(tmp, "rep")
    r = subprocess.run([cosim, "regress", "--model", out, "--seq-len", "64", "--out", rep], capture_output=True, text=True)
    check(r.returncode == 0 and "PASS" in r.stdout, "cosim regress passes on the exported model")
    # Capture: conv1d inputs recorded by hooks on backbone.layers.{i}.mixer.conv1d.
    ids = torch.randint(0, 100, (1, 40), generator=torch.Generator().manual_seed(1))
    xs = ex.capture_conv_inputs(model, ids, 3)
    check(len(xs) == 3 and xs[0].shape == (1, 32, 40) and xs[0].dtype == np.int8, "capture records int8 [1, 32, 40] per layer")
    # Damaged checkpoints.
    for damage, needle in ((lambda s: s.pop("backbone.layers.1.mixer.conv1d.output_scale"), "output_scale"),
                           (lambda s: s.__setitem__("backbone.layers.0.mixer.conv1d.weight",
                                                    s["backbone.layers.0.mixer.conv1d.weight"].float()), "int8"),
                           (lambda s: s.__setitem__("backbone.layers.2.mixer.conv1d.bias_scale", float("nan")), "bias_scale")):
        bad = dict(sd)
        damage(bad)
        torch.save(bad, os.path.join(ck, "pytorch_model.bin"))
        r = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "export_quamba.py"),
                            ck, "--out", os.path.join(tmp, "bad")], capture_output=True, text=True)
        check(r.returncode == 3 and needle in r.stderr, "damaged checkpoint (%s) is a clear error: %s" % (needle, r.stderr.strip()))
    with open(os.path.join(ck, "pytorch_model.bin"), "wb") as f:
        f.write(b"not a checkpoint")
    r = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "export_quamba.py"),
                        ck, "--out", os.path.join(tmp, "bad")], capture_output=True, text=True)
    check(r.returncode == 3, "a file that is not a checkpoint is a clear error: " + r.stderr.strip())
finally:
    shutil.rmtree(tmp)
print("%d passed, %d failed" % (passed, failures))
sys.exit(1 if failures else 0)
