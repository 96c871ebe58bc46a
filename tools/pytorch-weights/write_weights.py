#!/usr/bin/python3
"""Writes the PyTorch files that PrivilegedAttribution.PretrainedWeights' tests load.

Usage (Debian and Ubuntu: `sudo apt-get install -y python3-torch python3-torchvision`):

    /usr/bin/python3 tools/pytorch-weights/write_weights.py OUTPUT_FOLDER

The tests run it at set-up (into artifacts/pytorch-weights, again whenever this script changes); nothing it writes
is committed. Every weight is random (seeded): the files say nothing about ImageNet, but they are what a user's
torchvision file looks like, byte for byte, with values that make a wrong mapping visible (BatchNorm's affine
parameters and running statistics are randomised too, and its counters are non-zero).

What it writes (manifest.json lists it, with the versions and this script's SHA-256):
* for each architecture in WITH_LOGITS: ARCH.pth (torch.save of the state dict: PyTorch's zip format),
  ARCH.safetensors unless the architecture is in PTH_ONLY (written by hand: python3-safetensors is not in Debian 12),
  ARCH.logits.f32, the eval-mode logits of input.f32 (raw little-endian float32, row-major; shapes in the
  manifest), and ARCH.logits.f64, the same in float64 (weights and input converted to float64 first);
* for each architecture in NAMES_ONLY: ARCH.names.safetensors, a valid safetensors file whose data is all zeros and
  never written (a sparse file): the names, dtypes and shapes of torchvision's state dict at no cost in time or disk;
* resnet18.float16.pth and resnet18.bfloat16.safetensors: resnet18.pth's weights in half precision;
* tiny.*: a small torch.nn.Sequential (conv, batch norm, ReLU, flatten, linear) as a plain state dict (.pth and
  .safetensors, with tiny.logits.f32 of tiny.input.f32), and in the forms users hold by mistake: a state dict saved
  from DataParallel (every name prefixed with "module."), a training checkpoint ({"epoch", "state_dict",
  "optimizer"}), a whole pickled model, a TorchScript archive and the pre-1.6 (non-zip) torch.save format.
"""
import hashlib
import json
import os
import struct
import sys

import torch
import torchvision

SEED = 20220324
WITH_LOGITS = ["resnet18", "vgg11_bn", "resnet50"]
# VGG's 25088 x 4096 first classifier layer makes its files 0.5 GB each: one format is enough for its logits.
PTH_ONLY = {"vgg11_bn"}
# Also vgg11_bn: its .pth has the names, but not in a header that shows PyTorch's order without reading the pickle.
NAMES_ONLY = ["resnet34", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn"]
INPUT_SHAPE = [2, 3, 64, 64]
TINY_INPUT_SHAPE = [2, 3, 8, 8]

SAFETENSORS_DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
    torch.bool: "BOOL",
}


def randomised(model):
    """Random BatchNorm parameters and statistics, so that weight/bias or mean/variance swapped would show."""
    generator = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                n = module.num_features
                module.weight.copy_(1 + 0.2 * torch.randn(n, generator=generator))
                module.bias.copy_(0.1 * torch.randn(n, generator=generator))
                module.running_mean.copy_(0.1 * torch.randn(n, generator=generator))
                module.running_var.copy_(0.5 + torch.rand(n, generator=generator))
                module.num_batches_tracked.fill_(int(torch.randint(1, 10_000, (1,), generator=generator)))
    return model


def raw_bytes(tensor):
    """The tensor's values as little-endian bytes, row-major (bfloat16 through its 16-bit pattern)."""
    tensor = tensor.detach().contiguous().cpu()
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.view(torch.int16)
    array = tensor.numpy()
    return array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()


def safetensors_header(state_dict):
    """The 8-byte little-endian header length and the JSON header (padded with spaces to a multiple of 8 bytes, as
    the reference implementation does), and the data section's length."""
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, tensor in state_dict.items():
        length = tensor.numel() * tensor.element_size()
        header[name] = {"dtype": SAFETENSORS_DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + length]}
        offset += length
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text, offset


def write_safetensors(path, state_dict):
    prefix, _ = safetensors_header(state_dict)
    with open(path, "wb") as stream:
        stream.write(prefix)
        for tensor in state_dict.values():
            stream.write(raw_bytes(tensor))


def write_names_only_safetensors(path, state_dict):
    prefix, data_length = safetensors_header(state_dict)
    with open(path, "wb") as stream:
        stream.write(prefix)
        stream.truncate(len(prefix) + data_length)


def write_f32(path, tensor):
    with open(path, "wb") as stream:
        stream.write(raw_bytes(tensor.float()))


def without_initialisation(factory):
    """Builds a model without drawing its random initial weights (only its names and shapes are wanted)."""
    saved = {name: getattr(torch.nn.init, name) for name in
             ("kaiming_normal_", "kaiming_uniform_", "normal_", "uniform_", "constant_", "zeros_", "ones_")}
    try:
        for name in saved:
            setattr(torch.nn.init, name, lambda tensor, *args, **kwargs: tensor)
        return factory()
    finally:
        for name, function in saved.items():
            setattr(torch.nn.init, name, function)


def tiny_model():
    """The same layers and names as the tests' TorchSharp Sequential: 0 conv, 1 batch norm, 2 ReLU, 3 flatten,
    4 linear."""
    torch.manual_seed(SEED + 2)
    return randomised(torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.Flatten(),
        torch.nn.Linear(4 * 6 * 6, 5))).eval()


def write_tiny(output, manifest):
    model = tiny_model()
    state_dict = model.state_dict()
    x = torch.randn(*TINY_INPUT_SHAPE, generator=torch.Generator().manual_seed(SEED + 3))
    write_f32(os.path.join(output, "tiny.input.f32"), x)
    with torch.no_grad():
        write_f32(os.path.join(output, "tiny.logits.f32"), model(x))
    torch.save(state_dict, os.path.join(output, "tiny.pth"))
    write_safetensors(os.path.join(output, "tiny.safetensors"), state_dict)
    torch.save({f"module.{k}": v for k, v in state_dict.items()}, os.path.join(output, "tiny.module_prefix.pth"))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch.save({"epoch": 3, "state_dict": state_dict, "optimizer": optimizer.state_dict()},
               os.path.join(output, "tiny.checkpoint.pth"))
    torch.save(model, os.path.join(output, "tiny.whole_model.pth"))
    torch.jit.script(model).save(os.path.join(output, "tiny.torchscript.pt"))
    torch.save(state_dict, os.path.join(output, "tiny.legacy.pth"), _use_new_zipfile_serialization=False)
    manifest["tiny"] = {"input_shape": TINY_INPUT_SHAPE, "logits_shape": [TINY_INPUT_SHAPE[0], 5]}


def main(output):
    os.makedirs(output, exist_ok=True)
    torch.manual_seed(SEED)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    with open(os.path.abspath(__file__), "rb") as stream:
        script_sha256 = hashlib.sha256(stream.read()).hexdigest()
    manifest = {"script_sha256": script_sha256, "torch": torch.__version__, "torchvision": torchvision.__version__,
                "input": "input.f32", "input_shape": INPUT_SHAPE, "models": [], "names_only": []}
    x = torch.randn(*INPUT_SHAPE, generator=torch.Generator().manual_seed(SEED + 1))
    write_f32(os.path.join(output, "input.f32"), x)

    for arch in WITH_LOGITS:
        torch.manual_seed(SEED)
        model = randomised(getattr(torchvision.models, arch)()).eval()
        state_dict = model.state_dict()
        torch.save(state_dict, os.path.join(output, f"{arch}.pth"))
        entry = {"arch": arch, "pth": f"{arch}.pth", "logits": f"{arch}.logits.f32"}
        if arch not in PTH_ONLY:
            write_safetensors(os.path.join(output, f"{arch}.safetensors"), state_dict)
            entry["safetensors"] = f"{arch}.safetensors"
        if arch == "resnet18":
            torch.save({k: v.half() if v.is_floating_point() else v for k, v in state_dict.items()},
                       os.path.join(output, "resnet18.float16.pth"))
            write_safetensors(os.path.join(output, "resnet18.bfloat16.safetensors"),
                              {k: v.bfloat16() if v.is_floating_point() else v for k, v in state_dict.items()})
        with torch.no_grad():
            logits = model(x)
        entry["logits_shape"] = list(logits.shape)
        entry["max_abs_logit"] = float(logits.abs().max())
        write_f32(os.path.join(output, entry["logits"]), logits)
        # The same network in float64: float32 rounding grows with depth and with the logits' size (ResNet-50's
        # random weights give logits near 100), so only float64 shows that every value went to the right place.
        with torch.no_grad():
            logits64 = model.double()(x.double())
        entry["logits64"] = f"{arch}.logits.f64"
        with open(os.path.join(output, entry["logits64"]), "wb") as stream:
            stream.write(raw_bytes(logits64))
        manifest["models"].append(entry)
        del model, state_dict

    for arch in NAMES_ONLY:
        state_dict = without_initialisation(getattr(torchvision.models, arch)).state_dict()
        write_names_only_safetensors(os.path.join(output, f"{arch}.names.safetensors"), state_dict)
        manifest["names_only"].append({"arch": arch, "safetensors": f"{arch}.names.safetensors"})
        del state_dict

    write_tiny(output, manifest)
    # Written last: the tests take a folder with a manifest of this script's hash as complete.
    with open(os.path.join(output, "manifest.json"), "w") as stream:
        json.dump(manifest, stream, indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: write_weights.py OUTPUT_FOLDER")
    main(sys.argv[1])
