#!/usr/bin/env python3
"""Samples the Gemma 3 270M reference logits for the parity tests (see PROVENANCE.md).

Usage: python3 make_logit_samples.py REFERENCE_DIR   (REFERENCE_DIR = reference/arch/gemma3-270m)

Writes logit_samples_indices.npy (int32 [10, K]) and logit_samples_values.npy (float32 [10, K]):
rows 0-3 logits_last_base.npy, 4-7 logits_last_prefix.npy, 8 logits_last_long_base.npy,
9 logits_last_long_prefix.npy. Per row, K = 256 + 1024 entries: the row's 256 largest logits
(descending, ties by lower id) then every 256th id (0, 256, ..., 261888), values copied bit for bit.
"""
import sys
import numpy as np

TOP, STRIDE = 256, 256
ref = sys.argv[1]
rows = list(np.load(f"{ref}/logits_last_base.npy")) + list(np.load(f"{ref}/logits_last_prefix.npy")) \
    + [np.load(f"{ref}/logits_last_long_base.npy"), np.load(f"{ref}/logits_last_long_prefix.npy")]
indices, values = [], []
for row in rows:
    assert row.dtype == np.float32 and row.shape == (262144,)
    top = np.lexsort((np.arange(row.size), -row))[:TOP]
    ids = np.concatenate([top, np.arange(0, row.size, STRIDE)]).astype(np.int32)
    indices.append(ids)
    values.append(row[ids])
np.save("logit_samples_indices.npy", np.stack(indices))
np.save("logit_samples_values.npy", np.stack(values).astype(np.float32))
