import json, sys, numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize
path = sys.argv[1]
r = GGUFReader(path)
names = ["blk.0.attn_output.weight", "blk.0.ffn_down.weight", "blk.0.attn_q.weight", "blk.0.attn_v.weight", "blk.17.ffn_down.weight", "blk.0.attn_norm.weight"]
def fnv1a64(b):
    h = 0xcbf29ce484222325
    for x in b:
        h ^= x
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h
counts = {}
for t in r.tensors:
    counts[t.tensor_type.name] = counts.get(t.tensor_type.name, 0) + 1
out = {"type_counts": counts, "tensors": []}
for t in r.tensors:
    if t.name not in names: continue
    x = dequantize(t.data, t.tensor_type).astype(np.float32)
    flat = np.ascontiguousarray(x.reshape(-1))
    out["tensors"].append({
        "name": t.name, "type": t.tensor_type.name, "shape": list(x.shape),
        "fnv1a64_of_float32_le": "%016x" % fnv1a64(flat.astype('<f4').tobytes()),
        "first8": [float(v) for v in flat[:8]],
        "sum_f64": float(flat.astype(np.float64).sum()),
        "max_abs": float(np.abs(flat).max()),
    })
print(json.dumps(out, indent=1))
