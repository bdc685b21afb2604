"""A Qwen2-style tokenizer and its reference tokenizations, made with Hugging Face `tokenizers`.

No real Qwen tokenizer is in the shared reference data, so this takes the tiny byte-level BPE of
tiny-qwen2 (shared/reference/arch/models/tiny-qwen2/hf/tokenizer.json: 512 tokens, 253 merges,
specials <|endoftext|> <|im_start|> <|im_end|>) and gives it Qwen2's exact text pipeline, as
written in every Qwen2/Qwen2.5/Qwen3 tokenizer.json: normalizer NFC, pre-tokenizer
Sequence[Split(Qwen2 regex, Isolated), ByteLevel(use_regex false)], decoder ByteLevel.
Then it tokenizes crafted strings plus N random strings (seed 11) with `tokenizers`.
Usage: python3 make_qwen_reference.py SHARED_DIR N   (writes qwen-tokenizer.json, qwen-reference.json)"""
import json, random, sys
from tokenizers import Tokenizer, __version__
shared, n = sys.argv[1], int(sys.argv[2])
QWEN2_REGEX = ("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
               "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")
t = json.load(open(shared + "/reference/arch/models/tiny-qwen2/hf/tokenizer.json", encoding="utf-8"))
t["normalizer"] = {"type": "NFC"}
t["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
    {"type": "Split", "pattern": {"Regex": QWEN2_REGEX}, "behavior": "Isolated", "invert": False},
    {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]}
t["decoder"] = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
json.dump(t, open("qwen-tokenizer.json", "w", encoding="utf-8"), ensure_ascii=False, separators=(",", ":"))
crafted = [
    "", " ", "Hello, world!", "name[The Vaults], eatType[pub], priceRange[more than £30]",
    "I'm here, you're there, it's 'quoted' and he'LL say I'D", "DON'T WON'T 'S 'Re 'vE ſ 'ſ",
    "12345 and 3.14159, ٣²½Ⅻ０𝟘", "line one\nline two\r\n\r\nthree\n\n\n", "tabs\tand\t\tmore   spaces  \n  x",
    "  leading and trailing  ", "(maybe) [ok] {fine} <tag> --x ...y !!!", "e\u0301 vs \u00e9, A\u030a vs \u00c5, \ud55c vs \u1112\u1161\u11ab",
    "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", "Caf\u00e9 na\u00efve \u65e5\u672c\u8a9e \ud55c\uad6d\uc5b4 \U0001F600\U0001F44D\U0001F3FD",
    "a\u00a0b\u3000c\u2028d\u200be\ufefff", " \n x", "\n", "\r", "x\r\n\r\n", "'", "''s", " 's",
]
random.seed(11)
pools = [
    [chr(c) for c in range(0x20, 0x7f)],
    [' ', ' ', '  ', '\t', '\n', '\r\n', '\r', '\u00a0', '\u3000', '\u2028', '\u200b', '\ufeff', '\x0b', '\x0c', '\x85'],
    list("0123456789") + ['\u0663', '\u00b2', '\u00bd', '\u216b', '\uff10', '\U0001d7d8', '\u3007'],
    ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'M", "'LL", "'D", "\u017f"],
    ['\u00e9', 'e\u0301', 'A\u030a', '\u1112\u1161\u11ab', '\u00df', '\u01c5', '\u02b0', '\u4e2d', '\ud55c', '\u03a9', '\u0436', '\u0639',
     '\u0939\u093f', '\u0301', '\u064b', '\U0001F642', '\U0001F468\u200d\U0001F469', '\U0001F1EB\U0001F1F7', '\U00010400', '\ue000'],
    ['<|im_start|>', '<|im_end|>', '<|endoftext|>', '<|im_', '|>'],
    [chr(random.randrange(0x80, 0x3000)) for _ in range(200)],
    ['\x00', '\x04', '\x1b', '\x7f'],
]
def fuzz():
    s = "".join(random.choice(random.choice(pools)) for _ in range(random.randrange(1, 40)))
    return "".join(ch for ch in s if not 0xD800 <= ord(ch) <= 0xDFFF)
texts = crafted + [fuzz() for _ in range(n)]
tok = Tokenizer.from_str(json.dumps(t))
ids = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
out = [{"text": s, "ids": i, "decoded": tok.decode(i, skip_special_tokens=False)} for s, i in zip(texts, ids)]
json.dump({"generator": f"make_qwen_reference.py SHARED {n} (random.seed(11), tokenizers {__version__})", "cases": out},
          open("qwen-reference.json", "w"), ensure_ascii=True, indent=0)
print(len(out), "cases")
