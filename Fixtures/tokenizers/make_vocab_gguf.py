"""Tokenizer-only GGUF files (no tensors) written with llama.cpp's `gguf` Python package 0.19.0.
  tiny-gemma3-vocab.gguf: every tokenizer.* key of shared/reference/arch/models/tiny-gemma3/gguf/tiny-gemma3-f32.gguf, copied.
  qwen-vocab.gguf: the tokenizer.* keys of tiny-qwen2's f32 GGUF with tokenizer.ggml.pre = "qwen2" (the
    pre-tokenizer of qwen-tokenizer.json) and 8 trailing "[PAD<id>]" tokens of type UNUSED, as llama.cpp's
    converter pads Qwen vocabularies to the embedding size.
Usage: python3 make_vocab_gguf.py SHARED_DIR"""
import sys
import gguf
shared = sys.argv[1]
def copy(src, dst, arch, patch=None):
    r = gguf.GGUFReader(src)
    w = gguf.GGUFWriter(dst, arch)
    values = {}
    for name, field in r.fields.items():
        if name.startswith("tokenizer."):
            values[name] = (field.contents(), field.types)
    if patch: patch(values)
    for name, (value, types) in values.items():
        if types[0] == gguf.GGUFValueType.ARRAY:
            w.add_array(name, value)
        elif types[0] == gguf.GGUFValueType.STRING:
            w.add_string(name, value)
        elif types[0] == gguf.GGUFValueType.BOOL:
            w.add_bool(name, value)
        else:
            w.add_uint32(name, value)
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
copy(shared + "/reference/arch/models/tiny-gemma3/gguf/tiny-gemma3-f32.gguf", "tiny-gemma3-vocab.gguf", "gemma3")
def qwen(values):
    values["tokenizer.ggml.pre"] = ("qwen2", [gguf.GGUFValueType.STRING])
    tokens, tt = values["tokenizer.ggml.tokens"][0], values["tokenizer.ggml.token_type"][0]
    n = len(tokens)
    values["tokenizer.ggml.tokens"] = (tokens + [f"[PAD{i}]" for i in range(n, n + 8)], values["tokenizer.ggml.tokens"][1])
    values["tokenizer.ggml.token_type"] = (tt + [5] * 8, values["tokenizer.ggml.token_type"][1])
copy(shared + "/reference/arch/models/tiny-qwen2/gguf/tiny-qwen2-f32.gguf", "qwen-vocab.gguf", "qwen2", qwen)
