"""A Gemma 3 tokenizer.json and reference tokenizations, made offline from the real GGUF.

No Gemma tokenizer.json is in the shared reference data. This builds one the way transformers
5.24.0 does when it loads `gemma-3-270m-q4_k_m.gguf` (the same builder made
shared/reference/arch/gemma3-270m/tokenization.json): `convert_gguf_tokenizer("gemma3", ...)` from
transformers.integrations.gguf.gguf_tokenizer_mapping, fed the file's tokenizer.ggml.* metadata
(read with Spec/tokenizer_hash_reference.py's GGUF reader, so torch is not needed), then
`save_pretrained`. It also tokenizes N random strings (seed 13) with that tokenizer.
Usage: python3 make_gemma_reference.py GGUF OUTDIR N   (needs transformers 5.24.0, tokenizers 0.23.3)"""
import json, random, sys, os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../Spec"))
from tokenizer_hash_reference import gguf_meta
from transformers.integrations.gguf.gguf_tokenizer_mapping import GGUF_TOKENIZER_MAPPING, convert_gguf_tokenizer
from transformers import PreTrainedTokenizerFast, __version__
gguf, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
meta = gguf_meta(gguf)
tdict = {name: meta["tokenizer." + key] for key, name in GGUF_TOKENIZER_MAPPING["tokenizer"].items() if "tokenizer." + key in meta}
backend, _ = convert_gguf_tokenizer(meta["general.architecture"], tdict)
backend.save(os.path.join(out, "gemma3-tokenizer.json"))
random.seed(13)
pools = [
    [chr(c) for c in range(0x20, 0x7f)],
    [' ', ' ', '  ', '   ', '\t', '\t\t', '\n', '\n\n', '\r\n', '\u00a0', '\u3000', '\u200b', '\ufeff'],
    list("0123456789") + ['\u0663', '\u00b2', '\u00bd'],
    ['\u00e9', 'e\u0301', '\u00df', '\u4e2d\u6587', '\ud55c\uad6d', '\u03a9', '\u0436', '\u0639', '\u0939\u093f',
     '\U0001F642', '\U0001F468\u200d\U0001F469', '\U0001F1EB\U0001F1F7', '\U00010400', '\ue000', '\U000f0000'],
    ['<start_of_turn>', '<end_of_turn>', '<bos>', '<eos>', '<start_of', '<b>', '</td>', '<unused7>', '<0x41>'],
    [chr(random.randrange(0x80, 0x3000)) for _ in range(200)],
    [chr(random.randrange(0x10000, 0x2FFFF)) for _ in range(50)],
    [' the', ' and', 'ing', ' restaurant', 'name[', '], ', 'food', ' is', ' a', 'The'],
    ['\x00', '\x04', '\x1b', '\x7f', '\r'],
]
def fuzz():
    s = "".join(random.choice(random.choice(pools)) for _ in range(random.randrange(1, 40)))
    return "".join(ch for ch in s if not 0xD800 <= ord(ch) <= 0xDFFF)
texts = [fuzz() for _ in range(n)]
ids = [e.ids for e in backend.encode_batch(texts, add_special_tokens=False)]
cases = [{"text": s, "ids": i, "decoded": backend.decode(i, skip_special_tokens=False)} for s, i in zip(texts, ids)]
json.dump({"generator": f"make_gemma_reference.py GGUF OUT {n} (random.seed(13), transformers {__version__})", "cases": cases},
          open(os.path.join(out, "gemma3-fuzz-reference.json"), "w"), ensure_ascii=True, indent=0)
print(len(cases))
