#!/usr/bin/env python3
"""Copies the training reference data the PrefixTraining tests need from
/work/shared/reference into this folder, unchanged, and writes PROVENANCE.md."""
import hashlib, json, os, shutil, struct, sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference"
HERE = os.path.dirname(os.path.abspath(__file__))
rows = []

def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()

def copy(src_rel, dst_rel):
    src = os.path.join(SRC, src_rel)
    dst = os.path.join(HERE, dst_rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)
    rows.append((dst_rel, src_rel, sha(src)))

copy("models/train_batch.json", "train_batch.json")
for model in ["tiny-llama", "tiny-llama-untied", "tiny-gpt2"]:
    for kind in ["prefix_raw", "prefix_proj"]:
        base = f"models/{model}/{kind}"
        copy(f"{base}/encoder_params.safetensors", f"{model}/{kind}/encoder_params.safetensors")
        copy(f"{base}/train_grads_encoder_params.safetensors", f"{model}/{kind}/train_grads_encoder_params.safetensors")
        copy(f"{base}/train_params_after_1_step.safetensors", f"{model}/{kind}/train_params_after_1_step.safetensors")
        copy(f"{base}/train_params_after_20_steps.safetensors", f"{model}/{kind}/train_params_after_20_steps.safetensors")
        copy(f"{base}/train_adam_state_after_1_step.safetensors", f"{model}/{kind}/train_adam_state_after_1_step.safetensors")
        copy(f"{base}/train_grad_prompt_encoder_output.npy", f"{model}/{kind}/grad_prefix.npy")
        copy(f"{base}/train_losses.json", f"{model}/{kind}/train_losses.json")
    if model == "tiny-llama":
        copy(f"models/{model}/prefix_proj/train_prompt_encoder_output_after_20_steps.npy",
             f"{model}/prefix_proj/train_prompt_encoder_output_after_20_steps.npy")
    copy(f"models/{model}/init_from_text_prefix.npy", f"{model}/init_from_text_prefix.npy")
copy("models/sequences.json", "sequences.json")
copy("smollm2_train/batch.json", "smollm2/batch.json")
copy("smollm2_train/loss.json", "smollm2/loss.json")
copy("smollm2_train/grad_prefix.npy", "smollm2/grad_prefix.npy")
copy("smollm2_train/per_token_loss.npy", "smollm2/per_token_loss.npy")
copy("smollm2_train/prefix_raw_encoder_params.safetensors", "smollm2/prefix_raw_encoder_params.safetensors")

with open(os.path.join(HERE, "PROVENANCE.md"), "w") as f:
    f.write("# Training fixtures\n\nMade by `make_fixtures.py` from the shared reference set "
            "(transformers 5.24 + PEFT 0.21.2, see its READMEs); every file is an unchanged copy.\n\n"
            "| fixture | source (under /work/shared/reference) | sha256 |\n|---|---|---|\n")
    for dst, src, digest in rows:
        f.write(f"| `{dst}` | `{src}` | `{digest}` |\n")
