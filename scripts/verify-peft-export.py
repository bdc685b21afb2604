#!/usr/bin/env python3
"""Loads adapters written by `prefixpack export peft` with PEFT and compares the logits.

Usage: verify-peft-export.py BASE_MODEL_DIR EXPORTED_ADAPTER REFERENCE_ADAPTER IDS_JSON

BASE_MODEL_DIR is a Hugging Face folder; EXPORTED_ADAPTER is what `prefixpack export peft`
wrote (a folder); REFERENCE_ADAPTER is the adapter PEFT itself saved; IDS_JSON is a JSON list
of token-id lists. For each list it runs PeftModel.forward (eager attention, float32) with
both adapters and prints max |logit diff|. Needs torch, transformers and peft (0.21).
Exit status 1 if any difference exceeds 1e-5.
"""
import json
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM


def logits(base_dir, adapter, ids):
    base = AutoModelForCausalLM.from_pretrained(base_dir, torch_dtype=torch.float32, attn_implementation="eager")
    model = PeftModel.from_pretrained(base, adapter)
    model.eval()
    out = []
    with torch.no_grad():
        for seq in ids:
            x = torch.tensor([seq])
            out.append(model(input_ids=x, attention_mask=torch.ones_like(x)).logits[0])
    return out


def main():
    base_dir, exported, reference, ids_json = sys.argv[1:5]
    ids = json.load(open(ids_json))
    torch.manual_seed(0)
    ours = logits(base_dir, exported, ids)
    theirs = logits(base_dir, reference, ids)
    worst = max(float((a - b).abs().max()) for a, b in zip(ours, theirs))
    print(f"{exported}: PEFT logits with the exported adapter vs PEFT's own adapter: max |diff| = {worst:.3g}")
    sys.exit(0 if worst <= 1e-5 else 1)


if __name__ == "__main__":
    main()
