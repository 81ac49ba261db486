#!/usr/bin/env python3
"""Export a Quamba W8A8 (Mamba1) checkpoint's conv1d layers as an asic-cosim model folder.

Reads CHECKPOINT_DIR/pytorch_model.bin (torch.save of the state dict, loaded with
weights_only=True) and CHECKPOINT_DIR/config.json, and for every layer i takes

    backbone.layers.{i}.mixer.conv1d.weight        int8 [d_inner, 4] (or [d_inner, 1, 4])
    backbone.layers.{i}.mixer.conv1d.bias          int8 [d_inner]
    backbone.layers.{i}.mixer.conv1d.weight_scale  Python float (or a 1-element tensor)
    backbone.layers.{i}.mixer.conv1d.bias_scale    ...
    backbone.layers.{i}.mixer.conv1d.input_scale   ...
    backbone.layers.{i}.mixer.conv1d.output_scale  ...

exactly as stored: integers copied, scales rounded once to binary32 (what Quamba's CUDA kernel
receives), nothing recomputed. The folder format is vectors/golden/README.md; files are written
atomically and model.json last. With --capture-tokens, the conv1d inputs of every layer are
recorded by forward pre-hooks while the model runs on the given token ids (this needs a model
object: quamba's loader when installed, or --model-factory MODULE:FUNCTION).

The writer half (write_model_folder) needs only numpy; reading a checkpoint needs torch.

Exit codes: 0 ok, 2 usage, 3 bad checkpoint (missing keys, wrong dtypes or shapes, not Quamba),
4 I/O.
"""
import argparse
import json
import os
import sys
import tempfile

SCHEMA_VERSION = 1
PREFIX = "backbone.layers.{i}.mixer.conv1d."
SCALE_KEYS = ("input_scale", "weight_scale", "bias_scale", "output_scale")


class ExportError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _np():
    try:
        import numpy
    except ImportError:
        raise ExportError(4, "numpy is not installed for %s (Debian: apt-get install python3-numpy; "
                             "run with /usr/bin/python3)" % sys.executable)
    return numpy


def _write_atomic(path, data):
    d = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".tmp.", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _npy_bytes(array):
    import io
    np = _np()
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


def _scale(value, what):
    """A stored scale as the binary32 value the kernel sees; rejects NaN, Inf, <= 0."""
    import math
    np = _np()
    try:
        if hasattr(value, "numel"):  # a torch tensor
            if value.numel() != 1:
                raise ExportError(3, "%s: expected one number, got a tensor of shape %s" % (what, tuple(value.shape)))
            value = value.reshape(-1)[0].item()
        v = float(value)
    except (TypeError, ValueError):
        raise ExportError(3, "%s: expected a number, got %r" % (what, type(value).__name__))
    f = np.float32(v)
    if not math.isfinite(float(f)) or float(f) <= 0.0:
        raise ExportError(3, "%s = %r must be finite and positive" % (what, v))
    return float(f)


def write_model_folder(out_dir, name, layers, source=None):
    """Writes a model folder. layers: list of dicts with numpy arrays 'weight' int8 [D,4], 'bias'
    int8 [D], optional 'inputs' int8 [B,D,L], and the four scales (float, or for weight_scale a
    float32 array [D] for per-channel scales). Returns the number of bytes written."""
    np = _np()
    if not layers:
        raise ExportError(3, "no layers to write")
    d_inner = int(layers[0]["weight"].shape[0])
    os.makedirs(out_dir, exist_ok=True)
    total = 0
    entries = []
    for i, layer in enumerate(layers):
        w, b = layer["weight"], layer["bias"]
        if w.dtype != np.int8 or w.shape != (d_inner, 4):
            raise ExportError(3, "layer %d weight: expected int8 [%d, 4], got %s %s" % (i, d_inner, w.dtype, w.shape))
        if b.dtype != np.int8 or b.shape != (d_inner,):
            raise ExportError(3, "layer %d bias: expected int8 [%d], got %s %s" % (i, d_inner, b.dtype, b.shape))
        ld = "layer_%02d" % i
        os.makedirs(os.path.join(out_dir, ld), exist_ok=True)
        entry = {"index": i, "weight": ld + "/weight.npy", "bias": ld + "/bias.npy"}
        for key, arr in (("weight", w), ("bias", b)):
            data = _npy_bytes(arr)
            _write_atomic(os.path.join(out_dir, ld, key + ".npy"), data)
            total += len(data)
        for key in SCALE_KEYS:
            v = layer[key]
            if key == "weight_scale" and hasattr(v, "shape") and getattr(v, "shape", ()) not in ((), (1,)):
                arr = np.asarray(v, dtype=np.float32)
                if arr.shape != (d_inner,) or not np.all(np.isfinite(arr)) or not np.all(arr > 0):
                    raise ExportError(3, "layer %d weight_scale: expected %d finite positive values" % (i, d_inner))
                data = _npy_bytes(arr)
                _write_atomic(os.path.join(out_dir, ld, "weight_scale.npy"), data)
                total += len(data)
                entry[key] = ld + "/weight_scale.npy"
            else:
                entry[key] = _scale(v, "layer %d %s" % (i, key))
        if layer.get("inputs") is not None:
            x = layer["inputs"]
            if x.dtype != np.int8 or x.ndim != 3 or x.shape[1] != d_inner:
                raise ExportError(3, "layer %d inputs: expected int8 [B, %d, L], got %s %s" % (i, d_inner, x.dtype, x.shape))
            data = _npy_bytes(x)
            _write_atomic(os.path.join(out_dir, ld, "inputs.npy"), data)
            total += len(data)
            entry["inputs"] = ld + "/inputs.npy"
        entries.append(entry)
    doc = {"schema": "asic-cosim-model", "schema_version": SCHEMA_VERSION, "name": name, "d_inner": d_inner,
           "d_conv": 4, "n_layers": len(entries), "source": source or {}, "layers": entries}
    text = json.dumps(doc, indent=2, sort_keys=True).encode() + b"\n"
    _write_atomic(os.path.join(out_dir, "model.json"), text)
    return total + len(text)


def _torch():
    try:
        import torch
    except ImportError:
        raise ExportError(4, "reading a checkpoint needs PyTorch (torch is not importable here)")
    return torch


def read_checkpoint(ckpt_dir):
    """Returns (config dict, list of layer dicts) from a Quamba W8A8 checkpoint directory."""
    torch = _torch()
    np = _np()
    bin_path = os.path.join(ckpt_dir, "pytorch_model.bin")
    cfg_path = os.path.join(ckpt_dir, "config.json")
    for p in (bin_path, cfg_path):
        if not os.path.isfile(p):
            raise ExportError(4, "%s: missing (a Quamba checkpoint has pytorch_model.bin and config.json)" % p)
    try:
        with open(cfg_path) as f:
            config = json.load(f)
    except (OSError, ValueError) as e:
        raise ExportError(3, "%s: not valid JSON (%s)" % (cfg_path, e))
    try:
        state = torch.load(bin_path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types for damaged files
        raise ExportError(3, "%s: cannot be loaded with torch.load(weights_only=True): %s" % (bin_path, e))
    if not isinstance(state, dict):
        raise ExportError(3, "%s: expected a state dict, got %s" % (bin_path, type(state).__name__))
    n_layer = config.get("n_layer", config.get("num_hidden_layers"))
    if n_layer is None:
        n_layer = 0
        while (PREFIX.format(i=n_layer) + "weight") in state:
            n_layer += 1
    if not isinstance(n_layer, int) or n_layer <= 0:
        raise ExportError(3, "%s: no layer count (n_layer) and no %sweight keys: not a Quamba Mamba checkpoint"
                          % (cfg_path, PREFIX.format(i=0)))
    layers = []
    d_inner = None
    for i in range(n_layer):
        p = PREFIX.format(i=i)
        missing = [p + k for k in ("weight", "bias") + SCALE_KEYS if p + k not in state]
        if missing:
            raise ExportError(3, "%s: missing key(s) %s (is this a Quamba W8A8 checkpoint?)" % (bin_path, ", ".join(missing)))
        w, b = state[p + "weight"], state[p + "bias"]
        for key, t in (("weight", w), ("bias", b)):
            if not hasattr(t, "dtype") or t.dtype != torch.int8:
                raise ExportError(3, "%s%s: expected an int8 tensor, got %s" % (p, key, getattr(t, "dtype", type(t).__name__)))
        if w.dim() == 3 and w.shape[1] == 1:
            w = w[:, 0, :]
        if w.dim() != 2 or w.shape[1] != 4:
            raise ExportError(3, "%sweight: expected shape [d_inner, 4] (or [d_inner, 1, 4]), got %s" % (p, tuple(w.shape)))
        if d_inner is None:
            d_inner = int(w.shape[0])
        if w.shape[0] != d_inner or tuple(b.shape) != (d_inner,):
            raise ExportError(3, "%s: weight %s / bias %s do not match d_inner = %d" % (p, tuple(w.shape), tuple(b.shape), d_inner))
        layer = {"weight": np.ascontiguousarray(w.numpy()), "bias": np.ascontiguousarray(b.numpy())}
        for key in SCALE_KEYS:
            layer[key] = _scale(state[p + key], p + key)
        layers.append(layer)
    return config, layers


def capture_conv_inputs(model, input_ids, n_layers):
    """Runs `model(input_ids)` and records each layer's conv1d input (int8 [B, D, L]) with forward
    pre-hooks on modules named backbone.layers.{i}.mixer.conv1d."""
    torch = _torch()
    captured = {}
    hooks = []
    names = dict(model.named_modules())
    for i in range(n_layers):
        name = PREFIX.format(i=i)[:-1]
        if name not in names:
            raise ExportError(3, "the model has no module %s to capture" % name)

        def hook(module, args, i=i):
            x = args[0]
            if x.dtype != torch.int8:
                raise ExportError(3, "layer %d conv1d input has dtype %s, expected int8" % (i, x.dtype))
            captured[i] = x.detach().to("cpu").contiguous().numpy()
        hooks.append(names[name].register_forward_pre_hook(hook))
    try:
        with torch.no_grad():
            model(input_ids)
    finally:
        for h in hooks:
            h.remove()
    missing = [i for i in range(n_layers) if i not in captured]
    if missing:
        raise ExportError(3, "conv1d of layer(s) %s did not run during capture" % missing)
    return [captured[i] for i in range(n_layers)]


def _load_model(ckpt_dir, factory):
    import importlib
    if factory:
        mod, _, fn = factory.partition(":")
        try:
            return getattr(importlib.import_module(mod), fn)(ckpt_dir)
        except Exception as e:
            raise ExportError(3, "--model-factory %s failed: %s" % (factory, e))
    try:
        from quamba import QuambaLMHeadModel  # noqa: F401  (installed with Quamba)
    except ImportError:
        raise ExportError(2, "--capture-tokens needs a model object: install quamba or pass --model-factory MODULE:FUNCTION")
    return QuambaLMHeadModel.from_pretrained(ckpt_dir)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="Example: export_quamba.py pretrained/quamba-130m-w8a8 --out models/q130m")
    ap.add_argument("checkpoint", help="directory with pytorch_model.bin and config.json")
    ap.add_argument("--out", required=True, help="model folder to write")
    ap.add_argument("--name", help="model name (default: the checkpoint directory name)")
    ap.add_argument("--capture-tokens", help="file of whitespace-separated token ids; capture conv1d inputs on them")
    ap.add_argument("--model-factory", help="MODULE:FUNCTION returning the model for capture, given the checkpoint dir")
    args = ap.parse_args(argv)
    try:
        config, layers = read_checkpoint(args.checkpoint)
        name = args.name or os.path.basename(os.path.normpath(args.checkpoint))
        if args.capture_tokens:
            torch = _torch()
            try:
                with open(args.capture_tokens) as f:
                    ids = [int(t) for t in f.read().split()]
            except (OSError, ValueError) as e:
                raise ExportError(3, "%s: expected whitespace-separated integers (%s)" % (args.capture_tokens, e))
            if not ids:
                raise ExportError(3, "%s: no token ids" % args.capture_tokens)
            model = _load_model(args.checkpoint, args.model_factory)
            xs = capture_conv_inputs(model, torch.tensor([ids]), len(layers))
            for layer, x in zip(layers, xs):
                layer["inputs"] = x
        source = {"checkpoint": os.path.abspath(args.checkpoint), "exporter": "scripts/export_quamba.py",
                  "config": {k: config[k] for k in sorted(config) if isinstance(config[k], (int, float, str))}}
        n = write_model_folder(args.out, name, layers, source)
    except ExportError as e:
        print("export_quamba: error: %s" % e, file=sys.stderr)
        return e.code
    except OSError as e:
        print("export_quamba: error: %s" % e, file=sys.stderr)
        return 4
    d = layers[0]["weight"].shape[0]
    print("exported %s: %d layers x %d channels%s -> %s (%.1f MB)"
          % (name, len(layers), d, ", with captured inputs" if args.capture_tokens else "", args.out, n / 1e6))
    for i, l in enumerate(layers):
        print("  layer %2d  input_scale %.7g  weight_scale %.7g  bias_scale %.7g  output_scale %.7g"
              % (i, l["input_scale"], l["weight_scale"], l["bias_scale"], l["output_scale"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
