#!/usr/bin/env python3
"""Generates the tokenizer golden files under Tests/FTTokenizerTests/Golden/ with tiktoken.

Run once, offline, with `pip install tiktoken` (measured with 0.14.0):
    python3 tools/reference/tokenizer_golden.py [--encodings /work/shared/encodings]

The rank files are read from the local folder (never downloaded) and wrapped in tiktoken.Encoding
objects with the official patterns, so the ids are tiktoken's own encode_ordinary output.
Outputs:
  o200k_base.jsonl, cl100k_base.jsonl   {"text": ..., "ids": [...]} per corpus line
  r50k_pattern.jsonl                    cl100k ranks under the GPT-2 pattern (tests that scanner)
  unicode_classes.json                  \\p{L}, \\p{N}, o200k's two letter classes and \\s as tiktoken's
                                        regex engine sees them, as inclusive code point ranges
"""
import argparse, json, os, random, sys

import tiktoken
from tiktoken.load import load_tiktoken_bpe

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "FTTokenizerTests", "Golden")

PATTERNS = {
    "cl100k_base": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "o200k_base": "|".join([
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]),
}
R50K = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""


def hand_written():
    t = []
    t += ["Hello, world!", "The quick brown fox jumps over the lazy dog.", "  leading spaces", "trailing spaces   ",
          "camelCaseWord XMLHttpRequest HTTPServer getHTTPResponseCode iPhone eBay McDonald's",
          "I'M HERE, YOU'RE THERE, WE'LL SEE, THEY'VE GONE, SHE'D SAY, IT'S OK, DON'T",
          "fine-tuning: data → model → hyperparameters → training → evaluation → use",
          "파인튜닝은 사전 학습된 모델을 특정 작업에 맞게 추가로 학습시키는 과정입니다.",
          "안녕하세요! 저는 ftsh입니다. 오늘 날씨가 좋네요 :) ㅋㅋㅋ ㅎㅎ ㄱㄴㄷ",
          "한국어English혼합mixed텍스트Text", "Ｆｕｌｌｗｉｄｔｈ　ＡＢＣ　１２３", "日本語のテキストです。カタカナとひらがな。",
          "中文文本测试，包括标点符号。“引号”《书名》", "繁體中文與简体中文", "Ελληνικά κείμενα ΚΕΦΑΛΑΙΑ", "Русский ТЕКСТ текст",
          "العربية نص تجريبي ١٢٣٤٥", "עברית טקסט", "हिन्दी पाठ का उदाहरण", "ภาษาไทยไม่มีช่องว่าง", "Tiếng Việt có dấu",
          "e\u0301 cafe\u0301 \u0301alone A\u0301B \u0301A", "ﬁ ligature ǅemal ǈubljana ǋ", "ʰʲʷ modifier ˈstress", "ſ long s, 'ſ and 'ſt",
          "👍 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇰🇷🇺🇸 ❤️ ✍🏿 🧑🏻‍💻 a👍b 1️⃣ #️⃣", "emoji🙂word 🙂🙂🙂 (🙂)",
          "<|endoftext|>", "Hello <|endoftext|> world", "<|fim_prefix|>a<|fim_middle|>b<|fim_suffix|>", "<|endofprompt|>",
          "<|endoftext", "endoftext|>", "<|im_start|>user\nhi<|im_end|>", "<<|endoftext|>>", "<| endoftext |>",
          "123", "1234567890", "3.14159265358979323846", "1,000,000", "-42", "+1 (555) 010-9999", "² ³ ½ Ⅻ ⅷ ٣٤ ໑໒ ①②③",
          "12345678901234567890123456789012345678901234567890", " 123 abc123 123abc", "0x1F600 0b1010 1e-9",
          "\n", "\n\n", "\r\n", "\r\n\r\n", " \n ", "\t", "\t\t\tindented", "a\tb\tc", "x  \n\n y", "  hello", "hello  ",
          "line1\nline2\n\n\nline3", "   \n\t \r\n  x", "\u00a0nbsp\u00a0\u00a0x", "\u3000ideographic space", "a\u2028b\u2029c",
          "\u0085next line", "zero\u200bwidth", "\x0b\x0c vertical", "!!\n/", "!!\n/\n", "!!!\n\n", " (hello", "(hello", "\"quoted\"",
          "don't Don't DON'T don’t", "'s 'S 't 'T 're 'RE 'Re 'rE 've 'VE 'vE 'm 'M 'll 'LL 'lL 'd 'D",
          "it's it'S IT's It'S we're WE'RE we've WE'VE I'm I'M we'll WE'LL he'd HE'D", "'sup 'twas 'em 'tis ''", "a's 1's !'s 's's",
          "path/to/file.txt http://example.com/a/b?c=d&e=f#g", "C:\\Users\\name\\file", "email@example.com",
          "def f(x):\n    return x ** 2  # square\n", "if (a && b || !c) { return a[i] + b->c; }",
          "func encode(_ text: String) -> [Int] {\n\tvar out: [Int] = []\n\treturn out\n}",
          "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "<div class=\"x\">&nbsp;&lt;</div>",
          "SELECT * FROM t WHERE a = 'x' AND b <> 2;", "x += 1; y -= 2; z *= 3; w /= 4; ~a ^ b | c & d",
          "....................", "--------------------", "====", "##### Title", "* bullet\n- item\n1. one",
          "", " ", "a", "A", "'", "\u0301", "😀", "\U000323B0\U00010940 Unicode 17 letters X\U000323B0's", "\u0295's ʕ•ᴥ•ʔ",
          "\u0378\u0379 unassigned", "\ue000 private use \U000F0000", "\ufeffBOM", "\ufffd replacement"]
    return t


def long_pieces(rng):
    hangul = [chr(c) for c in range(0xAC00, 0xD7A4)]
    cjk = [chr(c) for c in range(0x4E00, 0x9FFF)]
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = ["a" * 5000, "A" * 3000, " " * 3000, "\n" * 2000, "\t" * 500 + "x", "." * 3000, "9" * 3001,
           "ab" * 2000, "".join(rng.choice(letters) for _ in range(6000)),
           "".join(rng.choice(letters + letters.upper()) for _ in range(3000)),
           "".join(rng.choice(hangul) for _ in range(2000)), "".join(rng.choice(cjk) for _ in range(1500)),
           "😀" * 700, "".join(rng.choice("!@#$%^&*()_+-=[]{};:,.<>?/|~`") for _ in range(4000)),
           " " + "x" * 99, " " + "y" * 100, "z" * 97, "q" * 96, "w" * 95, "é" * 200, "a\u0301" * 300]
    return out


def alphabet():
    pool = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    pool += list(" " * 12 + "\t\n\r" * 2 + "'" * 8 + "sStTdDmMlLvVrReE" + ".,;:!?-_/\\()[]{}<>|\"#$%&*+=@^`~")
    pool += list("가나다라마바사아자차카타파하한국어글ㄱㅏㅋ") + list("中文字日本語漢") + list("あいうカタナー")
    pool += ["😀", "👍", "🏽", "\u200d", "\ufe0f", "🇰", "🇷", "❤", "\u0301", "\u0308", "\u094d", "ि", "ʰ", "ǅ", "ß", "ſ",
             "\u00a0", "\u3000", "\u2028", "\u0085", "\u200b", "²", "½", "Ⅻ", "٣", "α", "Ω", "ж", "Ж", "ع", "ש", "क", "ก",
             "’", "“", "”", "…", "—", "€", "\u0378", "\U000323B0", "\u0295", "ǈ", "ᴥ"]
    return pool


def random_strings(rng, count):
    pool = alphabet()
    out = []
    for _ in range(count):
        n = rng.choice([1, 2, 3, 5, 8, 13, 21, 40, 80])
        s = "".join(rng.choice(pool) if rng.random() > 0.02 else chr(rng.randrange(0x20, 0x30000)) for _ in range(n))
        s = "".join(ch for ch in s if not 0xD800 <= ord(ch) < 0xE000)
        out.append(s)
    return out


def chat_lines(rng, count):
    words_en = "the model learns from examples data training loss epoch batch token fine tuning evaluate prompt answer".split()
    words_ko = "모델 데이터 학습 평가 손실 에폭 배치 토큰 미세 조정 질문 답변 예시 결과".split()
    out = []
    for i in range(count):
        user = " ".join(rng.choice(words_en + words_ko) for _ in range(rng.randrange(3, 20)))
        bot = " ".join(rng.choice(words_en + words_ko) for _ in range(rng.randrange(3, 30))) + rng.choice(["!", "?", ".", "\n\n", " 😊"])
        msg = {"messages": [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": user},
                            {"role": "assistant", "content": bot}]}
        out.append(json.dumps(msg, ensure_ascii=bool(i % 2)))
    return out


def corpus():
    rng = random.Random(20260501)
    return hand_written() + long_pieces(rng) + random_strings(rng, 2500) + chat_lines(rng, 60)


def class_ranges():
    byte_ranks = {bytes([i]): i for i in range(256)}
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    classes = {"L": r"\p{L}", "N": r"\p{N}", "upperish": r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]",
               "lowerish": r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]", "space": r"\s"}
    out = {}
    for key, pat in classes.items():
        probe = tiktoken.Encoding("probe_" + key, pat_str=pat, mergeable_ranks=byte_ranks, special_tokens={})
        # find_iter skips text the pattern does not match, so the output is exactly the members.
        members = sorted(ord(c) for c in bytes(probe.encode_ordinary(everything)).decode("utf-8"))
        ranges = []
        for c in members:
            if ranges and ranges[-1][1] == c - 1:
                ranges[-1][1] = c
            else:
                ranges.append([c, c])
        out[key] = ranges
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--encodings", default=os.environ.get("FTSH_ENCODINGS_DIR", "/work/shared/encodings"))
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    texts = corpus()
    specials = {"cl100k_base": {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
                                "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276},
                "o200k_base": {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}}
    ranks = {}
    for name, pat in PATTERNS.items():
        ranks[name] = load_tiktoken_bpe(os.path.join(args.encodings, name + ".tiktoken"))
        enc = tiktoken.Encoding(name, pat_str=pat, mergeable_ranks=ranks[name], special_tokens=specials[name])
        write(name + ".jsonl", texts, enc)
    r50k = tiktoken.Encoding("r50k_pattern", pat_str=R50K, mergeable_ranks=ranks["cl100k_base"], special_tokens={})
    write("r50k_pattern.jsonl", texts, r50k)
    with open(os.path.join(OUT, "unicode_classes.json"), "w") as f:
        json.dump({"tiktoken": tiktoken.__version__, "classes": class_ranges()}, f, separators=(",", ":"))
        f.write("\n")


def write(filename, texts, enc):
    path = os.path.join(OUT, filename)
    with open(path, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t, "ids": enc.encode_ordinary(t)}, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{path}: {len(texts)} lines, {os.path.getsize(path)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
