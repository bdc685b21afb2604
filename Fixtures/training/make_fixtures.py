#!/usr/bin/env python3
"""Copies the training reference data the PrefixTraining tests need from
/work/shared/reference into this folder, converting every safetensors file to one .npy per
tensor (numpy only; the tests then need no safetensors reader). Writes PROVENANCE.md."""
import hashlib, json, os, shutil, struct, sys
import numpy as np

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference"
HERE = os.path.dirname(os.path.abspath(__file__))
rows = []

def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()

def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (path, name, info["dtype"])
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + a:8 + n + b], dtype="<f4").reshape(info["shape"])
    return out

def convert(src_rel, dst_rel):
    src = os.path.join(SRC, src_rel)
    dst = os.path.join(HERE, dst_rel)
    os.makedirs(dst, exist_ok=True)
    for name, array in read_safetensors(src).items():
        np.save(os.path.join(dst, name + ".npy"), np.ascontiguousarray(array))
    rows.append((dst_rel + "/*.npy", src_rel, sha(src), "one .npy per tensor"))

def copy(src_rel, dst_rel):
    src = os.path.join(SRC, src_rel)
    dst = os.path.join(HERE, dst_rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)
    rows.append((dst_rel, src_rel, sha(src), "copied"))

copy("models/train_batch.json", "train_batch.json")
for model in ["tiny-llama", "tiny-llama-untied", "tiny-gpt2"]:
    copy(f"models/{model}/hf/config.json", f"{model}/config.json")
    convert(f"models/{model}/hf/model.safetensors", f"{model}/weights")
    for kind in ["prefix_raw", "prefix_proj"]:
        base = f"models/{model}/{kind}"
        convert(f"{base}/encoder_params.safetensors", f"{model}/{kind}/init")
        convert(f"{base}/train_grads_encoder_params.safetensors", f"{model}/{kind}/grads")
        convert(f"{base}/train_params_after_1_step.safetensors", f"{model}/{kind}/after_1_step")
        convert(f"{base}/train_params_after_20_steps.safetensors", f"{model}/{kind}/after_20_steps")
        convert(f"{base}/train_adam_state_after_1_step.safetensors", f"{model}/{kind}/adam_after_1_step")
        copy(f"{base}/train_grad_prompt_encoder_output.npy", f"{model}/{kind}/grad_prefix.npy")
        copy(f"{base}/train_losses.json", f"{model}/{kind}/train_losses.json")
copy("smollm2_train/batch.json", "smollm2/batch.json")
copy("smollm2_train/loss.json", "smollm2/loss.json")
copy("smollm2_train/grad_prefix.npy", "smollm2/grad_prefix.npy")
convert("smollm2_train/prefix_raw_encoder_params.safetensors", "smollm2/init")

with open(os.path.join(HERE, "PROVENANCE.md"), "w") as f:
    f.write("# Training fixtures\n\nMade by `make_fixtures.py` from the shared reference set "
            "(transformers 5.24 + PEFT 0.21.2, see its READMEs). safetensors files are split into one "
            "float32 `.npy` per tensor, named after the tensor; values are unchanged. sha256 is of the SOURCE file.\n\n"
            "| fixture | source (under /work/shared/reference) | sha256 of source | how |\n|---|---|---|---|\n")
    for dst, src, digest, how in rows:
        f.write(f"| `{dst}` | `{src}` | `{digest}` | {how} |\n")
