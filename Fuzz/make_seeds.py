#!/usr/bin/env python3
"""Writes the seed corpora Fuzz/corpus/<target>/ for prefixpack-fuzz: small valid inputs copied
from Fixtures/ plus crafted edge cases. Standard library only; run from the repository root:
    python3 Fuzz/make_seeds.py
"""
import gzip, io, json, os, shutil, struct, tarfile, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def copy(target, name, fixture):
    with open(os.path.join(ROOT, "Fixtures", fixture), "rb") as f:
        put(target, name, f.read())


# --- GGUF ---------------------------------------------------------------------------------
def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf(kvs, tensors, data=b"", alignment=32, version=3):
    """kvs: [(key, type, payload bytes)]; tensors: [(name, dims, ggml type, offset)]."""
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs))
    for key, t, payload in kvs:
        out += gguf_string(key) + struct.pack("<I", t) + payload
    for name, dims, t, offset in tensors:
        out += gguf_string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<q", d) for d in dims)
        out += struct.pack("<IQ", t, offset)
    out += b"\0" * ((-len(out)) % alignment)
    return out + data


u32 = lambda v: struct.pack("<I", v)
f32 = lambda v: struct.pack("<f", v)
strv = gguf_string


def str_array(items):
    return struct.pack("<IQ", 8, len(items)) + b"".join(gguf_string(s) for s in items)


copy("gguf", "qwen-vocab.gguf", "tokenizers/qwen-vocab.gguf")
copy("gguf", "tiny-gemma3-vocab.gguf", "tokenizers/tiny-gemma3-vocab.gguf")
copy("gguf", "quants.gguf", "quants/quants.gguf")
put("gguf", "empty-v3.gguf", gguf([], []))
put("gguf", "one-f32-tensor.gguf", gguf([("general.architecture", 8, strv("llama"))], [("t", [4], 0, 0)], f32(1) * 4))
put("gguf", "aligned-64-two-tensors.gguf",
    gguf([("general.alignment", 4, u32(64))], [("a", [2, 2], 1, 0), ("b", [32], 8, 64)], b"\0" * 64 + b"\0" * 34, alignment=64))
# A minimal llama header: configuration keys and a 4-token gpt2 vocabulary, no weights.
llama_kvs = [
    ("general.architecture", 8, strv("llama")), ("llama.block_count", 4, u32(1)),
    ("llama.embedding_length", 4, u32(8)), ("llama.attention.head_count", 4, u32(2)),
    ("llama.feed_forward_length", 4, u32(16)), ("llama.context_length", 4, u32(32)),
    ("llama.attention.layer_norm_rms_epsilon", 6, f32(1e-5)),
    ("tokenizer.ggml.model", 8, strv("gpt2")), ("tokenizer.ggml.pre", 8, strv("smollm")),
    ("tokenizer.ggml.tokens", 9, str_array(["a", "b", "ab", "Ġ"])),
    ("tokenizer.ggml.merges", 9, str_array(["a b"])),
    ("tokenizer.chat_template", 8, strv("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}")),
]
put("gguf", "llama-header-gpt2-vocab.gguf", gguf(llama_kvs, []))
put("gguf", "nested-array.gguf", gguf([("x", 9, struct.pack("<IQ", 9, 1) + struct.pack("<IQ", 4, 2) + u32(1) + u32(2))], []))

# --- safetensors --------------------------------------------------------------------------
def safetensors(header, data):
    h = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(h)) + h + data


copy("safetensors", "tiny-llama-prefix-raw.safetensors", "interop/tiny-llama/prefix_raw/adapter_model.safetensors")
copy("safetensors", "tiny-gpt2-prefix-proj.safetensors", "interop/tiny-gpt2/prefix_proj/adapter_model.safetensors")
put("safetensors", "empty.safetensors", safetensors({}, b""))
put("safetensors", "metadata-only.safetensors", safetensors({"__metadata__": {"format": "pt"}}, b""))
put("safetensors", "mixed-dtypes.safetensors", safetensors({
    "a": {"dtype": "F16", "shape": [2, 2], "data_offsets": [0, 8]},
    "b": {"dtype": "BF16", "shape": [3], "data_offsets": [8, 14]},
    "c": {"dtype": "I64", "shape": [1], "data_offsets": [14, 22]},
    "d": {"dtype": "F32", "shape": [0, 5], "data_offsets": [22, 22]},
    "e": {"dtype": "F4", "shape": [4], "data_offsets": [22, 24]},
}, b"\x00\x3c" * 4 + b"\x80\x3f" * 3 + b"\1" + b"\0" * 7 + b"\x11\x22"))

# --- safetensors index (shards: see Sources/PrefixPackFuzz/SafetensorsIndexFuzzer.swift) ---
s1, s2 = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
put("safetensors-index", "two-shards.json", json.dumps({
    "metadata": {"total_size": 72},
    "weight_map": {"model.embed_tokens.weight": s1, "model.norm.weight": s1, "lm_head.weight": s2}}, indent=2))
put("safetensors-index", "one-shard.json", json.dumps({"weight_map": {"lm_head.weight": s2}}))
put("safetensors-index", "missing-tensor.json", json.dumps({"weight_map": {"nope": s1}}))
put("safetensors-index", "traversal.json", json.dumps({"weight_map": {"lm_head.weight": "../" + s2}}))
put("safetensors-index", "empty-map.json", json.dumps({"weight_map": {}}))

# --- tokenizer.json / tokenizer_config.json -----------------------------------------------
copy("tokenizer", "tiny-tokenizer.json", "tokenizers/tiny-tokenizer.json")
copy("tokenizer", "qwen-tokenizer.json", "tokenizers/qwen-tokenizer.json")
copy("tokenizer", "smollm2-tokenizer_config.json", "tokenizers/smollm2-tokenizer_config.json")
byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
put("tokenizer", "minimal-byte-level.json", json.dumps({
    "version": "1.0", "added_tokens": [{"id": 5, "content": "<|im_end|>", "special": True}],
    "normalizer": None, "pre_tokenizer": byte_level, "decoder": byte_level,
    "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3, "Ġa": 4}, "merges": ["a b", ["Ġ", "a"]]}}))
put("tokenizer", "minimal-sentencepiece.json", json.dumps({
    "version": "1.0", "added_tokens": [{"id": 0, "content": "<unk>", "special": True}],
    "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": "▁"},
    "pre_tokenizer": None,
    "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
                                                 {"type": "ByteFallback"}, {"type": "Fuse"}]},
    "model": {"type": "BPE", "byte_fallback": True, "unk_token": "<unk>",
              "vocab": {"<unk>": 0, "<0x41>": 1, "▁": 2, "a": 3, "▁a": 4}, "merges": ["▁ a"]}}))
put("tokenizer", "chat-template-list.json", json.dumps({
    "bos_token": {"content": "<s>"}, "eos_token": "</s>", "add_bos_token": True,
    "chat_template": [{"name": "default", "template": "{{ bos_token }}{% for message in messages %}<start_of_turn>{{ message['role'] }}\n{{ message['content'] }}<end_of_turn>\n{% endfor %}"}]}))

# --- config.json --------------------------------------------------------------------------
for arch in ["tiny-qwen2", "tiny-gemma3", "tiny-qwen3"]:
    copy("config", arch + ".json", "arch/%s/hf/config.json" % arch)
for model in ["tiny-gpt2", "tiny-llama", "tiny-llama-untied"]:
    copy("config", model + ".json", "models/%s/hf/config.json" % model)
put("config", "rope-scaling.json", json.dumps({
    "architectures": ["LlamaForCausalLM"], "hidden_size": 8, "num_attention_heads": 2, "num_key_value_heads": [1],
    "intermediate_size": 16, "num_hidden_layers": 1, "vocab_size": 10, "max_position_embeddings": 16,
    "rope_scaling": {"rope_type": "default", "rope_theta": 1e400}, "rms_norm_eps": 1e-6}))

# --- data rows ----------------------------------------------------------------------------
copy("data-rows", "examples.jsonl", "data/examples.jsonl")
copy("data-rows", "quoted.csv", "data/quoted.csv")
copy("data-rows", "quoted.csv.gz", "data/quoted.csv.gz")
with open(os.path.join(ROOT, "Fixtures/trainingrun/e2e-dev-24.csv"), "rb") as f:
    put("data-rows", "e2e-dev-8.csv", b"".join(f.read().splitlines(keepends=True)[:9]))
put("data-rows", "prompt-target.tsv", "prompt\ttarget\nhello\tworld\n\"quoted\ttab\"\tx\r\nbad row\n")
put("data-rows", "token-ids.jsonl", '{"prompt_ids":[1,2,3],"target_ids":[4]}\n{"prompt_ids":[],"target_ids":[-1]}\n\n{"prompt_ids":[1e400],"target_ids":"x"}\n')
put("data-rows", "bom-crlf.csv", b"\xef\xbb\xbfinput,output\r\n\"a,b\",\"c\"\"d\"\r\n\"open\r\n")
put("data-rows", "rows.jsonl.gz", gzip.compress(b'{"input":"a","output":"b"}\n', mtime=0))

# --- archives -----------------------------------------------------------------------------
copy("archive", "hostile-absolute.tar.gz", "data/hostile-absolute.tar.gz")
copy("archive", "hostile-dotdot.tar.gz", "data/hostile-dotdot.tar.gz")


def zip_bytes(members, compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = compression
            z.writestr(info, data)
    return buf.getvalue()


def tar_bytes(members, mode="w"):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.USTAR_FORMAT) as t:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = data
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


adapter = [("adapter/adapter_config.json", b'{"peft_type":"PREFIX_TUNING","num_virtual_tokens":2}'),
           ("adapter/tokenizer.json", b'{"model":{}}')]
put("archive", "adapter.zip", zip_bytes(adapter))
put("archive", "stored.zip", zip_bytes([("data.csv", b"input,output\na,b\n")], zipfile.ZIP_STORED))
put("archive", "data.tar", tar_bytes([("d", b"", "dir"), ("d/./rows.jsonl", b'{"input":"a","output":"b"}\n', "file")]))
put("archive", "symlink.tar.gz", gzip.compress(tar_bytes([("link", "/etc/passwd", "symlink")]), mtime=0))
put("archive", "duplicate.tar", tar_bytes([("a.csv", b"x", "file"), ("./a.csv", b"y", "file")]))
# --- server request bodies ----------------------------------------------------------------
# What the official `openai` Python client sends (json.dumps of the keyword arguments, in the
# caller's order) to /v1/completions and /v1/chat/completions, then wrong types and edge values.
def request(name, body):
    put("server-request", name, body if isinstance(body, (bytes, str)) else json.dumps(body))


request("completion.json", {"model": "smollm2", "prompt": "Once upon a time", "max_tokens": 16, "temperature": 0})
request("completion-stream.json", {"model": "smollm2", "prompt": ["The capital of France is"], "max_tokens": 8,
                                   "stream": True, "stream_options": {"include_usage": True}, "seed": 42,
                                   "top_p": 0.9, "n": 1, "user": "u1", "logit_bias": {"50256": -100}})
request("completion-stop.json", {"model": "smollm2", "prompt": "1, 2, 3,", "stop": ["\n", "10", "ten", "."],
                                 "max_tokens": None, "temperature": None, "seed": -1})
request("chat.json", {"messages": [{"role": "system", "content": "You are terse."},
                                   {"role": "user", "content": "Say hi"}], "model": "smollm2",
                      "max_completion_tokens": 32, "temperature": 0.7, "stop": "\n\n"})
request("chat-stream-parts.json", {"messages": [{"role": "user", "content": [{"type": "text", "text": "Hello "},
                                                                             {"type": "text", "text": "there \u00e9\u2028\U0001F600"}]}],
                                   "model": "smollm2:prefix", "stream": True, "stream_options": {"include_usage": False},
                                   "max_tokens": 5, "max_completion_tokens": 7})
request("chat-image-part.json", {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}], "model": "m"})
request("chat-empty.json", {"messages": [], "model": "m"})
request("chat-no-role.json", {"messages": [{"content": "hi"}], "model": "m"})
request("bad-types.json", {"model": 7, "prompt": {"text": "x"}, "max_tokens": "16", "temperature": "0.5", "stream": "yes"})
request("bad-values.json", {"model": "m", "prompt": "x", "max_tokens": -1, "temperature": 2.5, "top_p": 0, "n": 2})
request("choices-penalties.json", {"model": "m", "prompt": "x", "n": 3, "presence_penalty": -2, "frequency_penalty": 1.5,
                                   "logit_bias": {"0": -100, "511": 100, "7": 0.5}})
request("logit-bias-bad.json", '{"model":"m","prompt":"x","n":9,"frequency_penalty":2.5,"logit_bias":{"05":1,"5":2,"-1":3,"abc":4,"9":101}}')
request("stop-five.json", {"model": "m", "prompt": "x", "stop": ["a", "b", "c", "d", "e"]})
request("token-ids.json", {"model": "m", "prompt": [1, 2, 3]})
request("tiny-top-p.json", '{"model":"m","prompt":"x","top_p":1e-50,"temperature":1e-50}')
request("huge-numbers.json", '{"model":"m","prompt":"x","seed":18446744073709551616,"max_tokens":1e400,"temperature":-0.0}')
request("fractions.json", '{"model":"m","prompt":"x","seed":2.0,"max_tokens":1e2,"n":1.0}')
request("duplicate.json", '{"model":"m","prompt":"x","model":"n"}')
request("duplicate-long-name.json", '{"%s":1,"%s":2,"model":"m","prompt":"x"}' % ("k" * 17000, "k" * 17000))
request("deep.json", '{"model":"m","prompt":"x","user":' + "[" * 40 + "]" * 40 + "}")
request("escapes.json", '{"model":"m\\u0000\\ud83d\\ude00","prompt":"\\u001b[2J\\r\\n"}')
request("array.json", '[{"model":"m","prompt":"x"}]')
request("truncated.json", '{"model":"m","prompt":"x"')
request("ignore-eos.json", {"model": "smollm2:prefix", "prompt": "x", "max_tokens": 4, "ignore_eos": True})
request("ignore-eos-wrong.json", '{"model":"m","prompt":"x","ignore_eos":"yes"}')
request("stream-options-wrong.json", '{"model":"m","prompt":"x","stream_options":[true]}')
print("seeds written to", OUT)
