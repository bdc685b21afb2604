"""llama.cpp's side of scripts/bench-vs-llamacpp.sh, through llama-cpp-python's C API bindings.

Usage: bench-llamacpp.py MODEL THREADS PROMPT_TOKENS DECODE_TOKENS BATCH
Prints one JSON object: prefill tokens/s (the whole prompt in one llama_decode), batch-1 decode
tokens/s and the aggregate tokens/s of BATCH sequences decoded together (one llama_decode of
BATCH tokens, one per sequence, per step; every sequence starts from a copy of the prompt's KV
cells, llama_memory_seq_cp, as prefixpack's `bench model --batch` starts each from its own prefill).
Greedy (argmax) tokens throughout; seeded random prompt ids. One warm-up run, then the median of
three timed runs of each figure.
"""
import json
import random
import sys
import time

import numpy as np
import llama_cpp as L

model_path = sys.argv[1]
threads, prompt_tokens, decode_tokens, batch = (int(a) for a in sys.argv[2:6])


@L.llama_log_callback
def _quiet(level, text, user_data):  # llama.cpp logs every graph input otherwise
    pass


L.llama_log_set(_quiet, None)
L.llama_backend_init()
model = L.llama_model_load_from_file(model_path.encode(), L.llama_model_default_params())
if not model:
    sys.exit(f"llama.cpp could not load {model_path}")
n_vocab = L.llama_vocab_n_tokens(L.llama_model_get_vocab(model))

params = L.llama_context_default_params()
params.n_seq_max = batch
params.n_ctx = batch * max(256, prompt_tokens + decode_tokens + 8)  # each sequence's share
params.n_batch = params.n_ubatch = max(prompt_tokens, batch)         # the prompt in one batch
params.n_threads = params.n_threads_batch = threads
ctx = L.llama_init_from_model(model, params)
memory = L.llama_get_memory(ctx)
tokens_in = L.llama_batch_init(max(prompt_tokens, batch), 0, 1)

rng = random.Random(42)
prompt = [rng.randrange(n_vocab) for _ in range(prompt_tokens)]


def decode(entries):
    """One llama_decode of (token, position, sequence, wants logits) entries."""
    tokens_in.n_tokens = len(entries)
    for i, (token, pos, seq, logits) in enumerate(entries):
        tokens_in.token[i], tokens_in.pos[i], tokens_in.logits[i] = token, pos, logits
        tokens_in.n_seq_id[i], tokens_in.seq_id[i][0] = 1, seq
    status = L.llama_decode(ctx, tokens_in)
    if status != 0:
        sys.exit(f"llama_decode returned {status}")


def argmax(row):
    return int(np.argmax(np.ctypeslib.as_array(L.llama_get_logits_ith(ctx, row), shape=(n_vocab,))))


def run(sequences):
    """(prefill seconds, decode seconds) for `sequences` sequences after one prompt."""
    L.llama_memory_clear(memory, True)
    t0 = time.perf_counter()
    decode([(t, p, 0, p == prompt_tokens - 1) for p, t in enumerate(prompt)])
    first = argmax(prompt_tokens - 1)
    t1 = time.perf_counter()
    for s in range(1, sequences):
        L.llama_memory_seq_cp(memory, 0, s, -1, -1)
    next_tokens = [first] * sequences
    t2 = time.perf_counter()
    for step in range(decode_tokens):
        decode([(next_tokens[s], prompt_tokens + step, s, True) for s in range(sequences)])
        next_tokens = [argmax(s) for s in range(sequences)]
    return t1 - t0, time.perf_counter() - t2


def median_of_three(values):
    return sorted(values)[1]


solo = [run(1) for _ in range(4)][1:]
together = [run(batch) for _ in range(4)][1:]
print(json.dumps({
    "prefill_tokens_per_second": prompt_tokens / median_of_three([p for p, _ in solo]),
    "decode_tokens_per_second": decode_tokens / median_of_three([d for _, d in solo]),
    "batched_decode_tokens_per_second": batch * decode_tokens / median_of_three([d for _, d in together]),
}))
