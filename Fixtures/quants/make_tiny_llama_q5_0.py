# Writes tiny-llama-q5_0.gguf (2-D weights quantized to Q5_0 by gguf-py, norms F32) and
# tiny-llama-q5_0-dequantized-f32.gguf (the same Q5_0 weights dequantized back to float32).
import sys, numpy as np
from gguf import GGUFReader, GGUFWriter, GGMLQuantizationType as T, GGUFValueType as V
from gguf.quants import quantize, dequantize
src, out_dir = sys.argv[1], sys.argv[2]
r = GGUFReader(src)
def write(path, quantized):
    w = GGUFWriter(path, arch=r.fields['general.architecture'].contents())
    for key, f in r.fields.items():
        if key.startswith('GGUF.') or key == 'general.architecture': continue
        vtype = f.types[0]
        sub = f.types[1] if vtype == V.ARRAY else None
        w.add_key_value(key, f.contents(), vtype, sub_type=sub)
    for t in r.tensors:
        x = np.array(t.data, dtype=np.float32).reshape([int(d) for d in reversed(t.shape)])
        if x.ndim == 2:
            q = quantize(x, T.Q5_0)
            if quantized:
                w.add_tensor(t.name, q, raw_shape=q.shape, raw_dtype=T.Q5_0)
                continue
            x = dequantize(q, T.Q5_0).astype(np.float32)
        w.add_tensor(t.name, x)
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
write(f'{out_dir}/tiny-llama-q5_0.gguf', True)
write(f'{out_dir}/tiny-llama-q5_0-dequantized-f32.gguf', False)
