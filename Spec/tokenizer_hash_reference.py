# Independent Python implementation of Spec/tokenizer-hash.md, used to cross-check the Swift code.
# Usage: python3 Spec/tokenizer_hash_reference.py FILE.gguf|tokenizer.json ...
import hashlib, json, struct, sys

TAG = b"ptx-tokenizer-hash/v1\n"

def canonical(model_type, tokens, merges, special):
    out = bytearray(TAG)
    def u32(v): out.extend(struct.pack("<I", v))
    def s(x):
        b = x.encode("utf-8"); u32(len(b)); out.extend(b)
    s(model_type)
    u32(len(tokens)); [s(t) for t in tokens]
    u32(len(merges))
    for l, r in merges: s(l); s(r)
    sp = sorted(set(special)); u32(len(sp)); [u32(i) for i in sp]
    return bytes(out)

def h(b): return "sha256:" + hashlib.sha256(b).hexdigest()

SPACE = "\u2581"  # the SentencePiece word separator

def from_tokenizer_json(path):
    t = json.load(open(path, encoding="utf-8"))
    m = t["model"]
    assert m["type"] == "BPE"
    spm = bool(m.get("byte_fallback"))
    by_id = {i: tok for tok, i in m["vocab"].items()}
    special = []
    for a in t.get("added_tokens", []):
        by_id[a["id"]] = a["content"]
        if a.get("special"): special.append(a["id"])
    n = max(by_id) + 1
    assert sorted(by_id) == list(range(n)), "gaps"
    tokens = [by_id[i] for i in range(n)]
    if spm:  # SentencePiece-style BPE: no merges, spaces spelled as U+2581
        return "sentencepiece-bpe", [x.replace(" ", SPACE) for x in tokens], [], special
    merges = [tuple(x) if isinstance(x, list) else tuple(x.split(" ", 1)) for x in m["merges"]]
    return "bpe", tokens, merges, special

def gguf_meta(path):
    f = open(path, "rb")
    assert f.read(4) == b"GGUF"
    ver, = struct.unpack("<I", f.read(4)); nt, nkv = struct.unpack("<QQ", f.read(16))
    def rstr(): n, = struct.unpack("<Q", f.read(8)); return f.read(n).decode("utf-8")
    fmt = {0:"<B",1:"<b",2:"<H",3:"<h",4:"<I",5:"<i",6:"<f",7:"<?",10:"<Q",11:"<q",12:"<d"}
    def rval(t):
        if t == 8: return rstr()
        if t == 9:
            et, = struct.unpack("<I", f.read(4)); n, = struct.unpack("<Q", f.read(8))
            return [rval(et) for _ in range(n)]
        sz = struct.calcsize(fmt[t]); return struct.unpack(fmt[t], f.read(sz))[0]
    meta = {}
    for _ in range(nkv):
        k = rstr(); t, = struct.unpack("<I", f.read(4)); meta[k] = rval(t)
    return meta

def from_gguf(path):
    m = gguf_meta(path)
    model = {"gpt2": "bpe", "llama": "sentencepiece-bpe"}[m["tokenizer.ggml.model"]]
    tokens = m["tokenizer.ggml.tokens"]
    types = m["tokenizer.ggml.token_type"]
    special = [i for i, ty in enumerate(types) if ty == 3]
    if model == "sentencepiece-bpe":
        return model, [x.replace(" ", SPACE) for x in tokens], [], special
    # Drop the trailing "[PAD<id>]" tokens of type UNUSED (5) that llama.cpp's converter appends.
    n = len(tokens)
    while n > 0 and types[n - 1] == 5 and tokens[n - 1] == "[PAD%d]" % (n - 1): n -= 1
    merges = [tuple(x.split(" ", 1)) for x in m["tokenizer.ggml.merges"]]
    return model, tokens[:n], merges, special

if __name__ == "__main__":
    # The unit-test vector of Tests/PrefixBundleTests/TokenizerHashTests.swift
    print("unit", canonical("bpe", ["a","b","ab"], [("a","b")], [2,0,2]).hex())
    for p in sys.argv[1:]:
        src = from_gguf(p) if p.endswith(".gguf") else from_tokenizer_json(p)
        print(p, len(src[1]), len(src[2]), sorted(set(src[3]))[:10], h(canonical(*src)))
