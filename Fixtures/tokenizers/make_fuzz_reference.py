"""Random strings over tricky character pools, tokenized by Hugging Face `tokenizers` with the
SmolLM2 and tiny tokenizer.json files (ids and decode). Usage: python3 make_fuzz_reference.py N"""
import json, random, sys
from tokenizers import Tokenizer
random.seed(7)
def fuzz(n):
    pools = [
        [chr(c) for c in range(0x20, 0x7f)],
        [' ', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u2028', '\u200b', '\ufeff', '\x0b', '\x0c', '\x85', '\x1c', '\x1f'],
        list("0123456789") + ['٣', '²', '½', 'Ⅻ', '０', '𝟘', '〇', '१'],
        list("'sStTmMdDrReEvVlL"),
        ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", " 's", "'S"],
        ['é', 'e\u0301', 'ß', 'ǅ', 'ʰ', 'ー', '中', '한', 'Ω', 'ж', 'ع', 'ह', '\u0301', '\u064b', '🙂', '👨\u200d👩', '🇫🇷', '\U00010400', '\U0001d518', '\U000e0041', '\ue000', '\U000f0000'],
        ['<|im_start|>', '<|im_end|>', '<|endoftext|>', '<|im_', '<repo_name>', '<|im_start|', '|>'],
        [chr(random.randrange(0x80, 0x3000)) for _ in range(200)],
        [chr(random.randrange(0x10000, 0x2FFFF)) for _ in range(50)],
        ['\x00', '\x04', '\x07', '\x1b', '\x7f'],
    ]
    out = []
    for _ in range(n):
        k = random.randrange(1, 40)
        s = ''.join(random.choice(random.choice(pools)) for _ in range(k))
        s = ''.join(ch for ch in s if not (0xD800 <= ord(ch) <= 0xDFFF))
        out.append(s)
    return out
texts = fuzz(int(sys.argv[1]))
res = {}
for name, path in [('smollm2', '/work/shared/reference/smollm2/tokenizer.json'), ('tiny', '/work/shared/reference/tokenizer/tokenizer.json')]:
    tok = Tokenizer.from_file(path)
    encs = tok.encode_batch(texts, add_special_tokens=False)
    ids = [e.ids for e in encs]
    dec = [tok.decode(i, skip_special_tokens=False) for i in ids]
    res[name] = {'ids': ids, 'decoded': dec}
json.dump({'generator': 'make_fuzz_reference.py ' + sys.argv[1] + ' (random.seed(7), tokenizers ' + __import__('tokenizers').__version__ + ')', 'texts': texts, **res}, open('fuzz-reference.json', 'w'), ensure_ascii=True, indent=0)
print(len(texts))
