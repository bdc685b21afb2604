#!/usr/bin/env python3
"""Float64 reference logits for the SmolLM2 prefix parity tests (Fixtures/runtime/smollm2).

The shared references (/work/shared/reference/smollm2, transformers + PEFT in float32) carry
float32 rounding of their own. With the projected prefix (K/V up to |23|) that rounding is about
1e-3 of a logit: as large as the 1e-3 tolerance, so which summation order a BLAS picks decided
the test. This script recomputes the same forward pass — the same dequantized GGUF weights,
PEFT's prefix cache as-is, real tokens at positions P.., eager attention — in float64, and
writes the last-position logits as float32 `.npy` (rounding to float32 moves them < 2e-6).

Run (needs torch, transformers and gguf; the shared reference set beside the repository):
  .venv-peft/bin/python scripts/make-float64-logits.py [SHARED_SMOLLM2_DIR] [GGUF]
It prints, per case, the float32 reference's distance from float64 and a float32 recomputation's.
"""
import json
import os
import sys

import numpy as np
import torch
from transformers import AutoModelForCausalLM
from transformers.cache_utils import DynamicCache

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "reference", "smollm2")
gguf = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
out_dir = os.path.join(root, "Fixtures", "runtime", "smollm2")
cases = json.load(open(os.path.join(out_dir, "cases.json")))

torch.set_num_threads(2)
model = AutoModelForCausalLM.from_pretrained(os.path.dirname(gguf), gguf_file=os.path.basename(gguf),
                                             attn_implementation="eager", dtype=torch.float32).eval()


def last_logits(kind, ids, dtype):
    m = model.to(dtype)
    ids = torch.tensor([ids])
    pkv = np.load(os.path.join(shared, f"prefix_{kind}_past_key_values.npy"))  # [layer, k/v, 1, head, P, d]
    cache = DynamicCache()
    for layer in range(pkv.shape[0]):
        cache.update(torch.tensor(pkv[layer, 0]).to(dtype), torch.tensor(pkv[layer, 1]).to(dtype), layer)
    p, t = pkv.shape[4], ids.shape[1]
    with torch.no_grad():
        out = m(input_ids=ids, past_key_values=cache, position_ids=torch.arange(p, p + t)[None],
                attention_mask=torch.ones(1, p + t, dtype=torch.long))
    return out.logits[0, -1].double().numpy()


for kind in ("raw", "proj"):
    for case in cases[kind]:
        if case["name"] not in ("chat_capital", "code_fib"):
            continue
        name = f"prefix_{kind}_{case['name']}"
        reference = np.load(os.path.join(shared, f"{name}_logits_last.npy")).astype(np.float64)
        exact = last_logits(kind, case["input_ids"], torch.float64)
        single = last_logits(kind, case["input_ids"], torch.float32)
        np.save(os.path.join(out_dir, f"{name}_logits_last_float64.npy"), exact.astype(np.float32))
        print(f"{name}: shared float32 reference - float64 {abs(reference - exact).max():.3e}, "
              f"float32 here - float64 {abs(single - exact).max():.3e}")
