#!/usr/bin/env python3
# pip requirements: sacrebleu==2.6.0 rouge-score==0.1.2 (rouge-score pulls in nltk 3.x for its Porter stemmer)
"""Reference metric values for FTEval's tests (ftsh).

Builds a corpus of prediction/reference pairs covering the cases metrics get wrong (identical,
empty prediction, empty reference, punctuation only, Korean, numbers, long multi-line texts,
several references, Unicode punctuation and whitespace, casing, HTML entities, stemming), scores
it with the reference packages and writes Tests/FTEvalTests/Golden/:

  pairs.jsonl   one line per pair: inputs, tokenisations and per-line scores
  corpus.jsonl  corpus-level scores over named subsets of the pairs
  porter.jsonl  word -> stem with NLTK's PorterStemmer() (the one rouge-score uses)

The SQuAD v1.1 exact match and F1 come from the official v1.1 evaluation script, which is not a
pip package; its logic (normalize_answer, f1_score, exact_match_score, max over ground truths,
100 x mean) is restated below in a few lines.

    python3 tools/reference/eval_golden.py
"""
import collections, json, os, random, re, string, sys

import nltk
import rouge_score
import sacrebleu
from nltk.stem.porter import PorterStemmer
from rouge_score import rouge_scorer, tokenize as rouge_tokenize
from sacrebleu.metrics import BLEU, CHRF

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "FTEvalTests", "Golden")


# --- SQuAD v1.1 (restated from the official evaluate-v1.1.py) ---------------------------------
def squad_normalize(s):
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def squad_f1(pred, truth):
    p, t = squad_normalize(pred).split(), squad_normalize(truth).split()
    common = collections.Counter(p) & collections.Counter(t)
    same = sum(common.values())
    if same == 0:
        return 0
    precision = 1.0 * same / len(p)
    recall = 1.0 * same / len(t)
    return (2 * precision * recall) / (precision + recall)


def squad_em(pred, truth):
    return squad_normalize(pred) == squad_normalize(truth)


# --- the corpus -------------------------------------------------------------------------------
LONG_A = ("The committee met on Tuesday to review the budget for the coming year.\n"
          "Members argued that spending on public transport should rise by 12.5 percent, "
          "while others wanted the money to go to schools and hospitals.\n"
          "After three hours of debate, the chair proposed a compromise: a 7% increase for transport "
          "and a new fund of $2,000,000 for rural clinics.\n"
          "The proposal passed with 9 votes in favour and 4 against; two members abstained.")
LONG_B = ("On Tuesday the committee reviewed next year's budget.\n"
          "Some members said public transport spending should increase by 12.5 percent, "
          "but others preferred schools and hospitals.\n"
          "Following a three-hour debate, the chair suggested a compromise - a 7% rise for transport "
          "plus a $2,000,000 fund for clinics in rural areas.\n"
          "It passed 9 to 4, with two abstentions.")
LONG_KO = ("위원회는 화요일에 내년 예산을 검토했다.\n일부 위원은 대중교통 예산을 12.5% 늘려야 한다고 주장했다.\n"
           "세 시간의 토론 끝에 위원장은 절충안을 제시했고, 안건은 9 대 4로 통과되었다.")
LONG_KO2 = ("화요일에 위원회가 내년 예산을 검토하였다.\n몇몇 위원은 대중교통 예산을 12.5% 증액해야 한다고 말했다.\n"
            "세 시간 토론 뒤 위원장이 절충안을 냈고 안건은 9 대 4로 통과됐다.")

FIXED = [
    # (category, prediction, [references])
    ("identical", "The cat sat on the mat.", ["The cat sat on the mat."]),
    ("identical", "Paris", ["Paris"]),
    ("identical", "고양이가 매트 위에 앉았다.", ["고양이가 매트 위에 앉았다."]),
    ("identical", LONG_A, [LONG_A]),
    ("empty-prediction", "", ["The cat sat on the mat."]),
    ("empty-prediction", "", ["42"]),
    ("empty-reference", "The cat sat on the mat.", [""]),
    ("empty-both", "", [""]),
    ("whitespace-only", "   \t ", ["a cat"]),
    ("punctuation", "!!!", ["..."]),
    ("punctuation", "?!", ["?!"]),
    ("punctuation", "...", ["."]),
    ("punctuation", "— … 。", ["— … 。"]),
    ("punctuation", "(hi)", ["hi"]),
    ("punctuation", "\"quoted,\" she said.", ["She said: 'quoted'."]),
    ("korean", "고양이가 매트 위에 앉았다.", ["고양이는 매트 위에 앉아 있었다."]),
    ("korean", "서울은 한국의 수도이다", ["한국의 수도는 서울이다"]),
    ("korean", "네", ["예"]),
    ("korean", LONG_KO, [LONG_KO2]),
    ("korean", "the답 a답", ["the 답"]),
    ("numbers", "3.14", ["3.14159"]),
    ("numbers", "1,000,000 people", ["1000000 people"]),
    ("numbers", "It costs $12.50.", ["The price is $12.50."]),
    ("numbers", "2024-01-05", ["2024 - 01 - 05"]),
    ("numbers", "pages 12-15, 20.", ["pages 12-15 and 20."]),
    ("numbers", "42", ["forty-two"]),
    ("numbers", "1990s", ["the 1990s"]),
    ("long", LONG_A, [LONG_B]),
    ("long", LONG_B, [LONG_A]),
    ("long", LONG_A.replace("\n", " "), [LONG_B]),
    ("long", LONG_A + "\n\n" + LONG_B, [LONG_A]),
    ("unicode-punctuation", "It’s “great” — isn’t it?", ["It's \"great\" - isn't it?"]),
    ("unicode-punctuation", "«Bonjour», dit-il…", ["\"Bonjour\", dit-il..."]),
    ("unicode-punctuation", "東京、大阪。", ["東京 大阪"]),
    ("unicode-whitespace", "a\u00a0cat\u3000sat", ["a cat sat"]),
    ("unicode-whitespace", "a\u200bcat", ["a cat"]),
    ("unicode-whitespace", "one\x1ctwo\u2028three\u0085four", ["one two three four"]),
    ("unicode-whitespace", "tab\tsep\r\nline", ["tab sep line"]),
    ("casing", "The Cat", ["the cat"]),
    ("casing", "HELLO WORLD", ["hello world"]),
    ("casing", "İstanbul", ["istanbul"]),
    ("casing", "ΟΔΟΣ ΣΟΦΙΑΣ", ["οδος σοφιας"]),
    ("casing", "STRASSE", ["straße"]),
    ("casing", "café", ["cafe\u0301"]),
    ("casing", "\u212a is kelvin", ["k is kelvin"]),
    ("articles", "a an the", [""]),
    ("articles", "the answer is an apple", ["answer: apple"]),
    ("articles", "theatre and anthem", ["the atre and an them"]),
    ("entities", "Tom &amp; Jerry &quot;live&quot;", ["Tom & Jerry \"live\""]),
    ("entities", "x &lt; y &gt; z", ["x < y > z"]),
    ("entities", "<skipped> well-\nknown fact", ["well-known fact"]),
    ("stemming", "The runners were running quickly", ["The runner runs quick"]),
    ("stemming", "studies studying studied", ["study studies studied"]),
    ("stemming", "generalizations are relational", ["generalization is relate"]),
    ("stemming", "skies were dying", ["sky was die"]),
    ("emoji", "great job 👍🏽", ["great job 👍"]),
    ("multi-reference", "The cat is on the mat.", ["There is a cat on the mat.", "The cat sat on the mat."]),
    ("multi-reference", "It is raining heavily", ["Heavy rain falls", "It rains a lot", "It is raining hard"]),
    ("multi-reference", "", ["something", ""]),
    ("multi-reference", "서울", ["Seoul", "서울"]),
    ("multi-reference", LONG_A, [LONG_B, LONG_A.replace("Tuesday", "Monday")]),
    ("json", "{\"answer\": 42}", ["{\"answer\": 42}"]),
    ("json", "{'answer': 42}", ["{\"answer\": 42}"]),
]

VOCAB_EN = ("the a cat dog sat on mat rug quickly slowly ran jumped over lazy fox brown big small house "
            "tree river city people said that this with from into under above model data train loss "
            "accuracy value running runs studies generalization relational happy happily").split()
VOCAB_KO = "고양이 강아지 집 나무 강 도시 사람 모델 데이터 학습 손실 정확도 빠르게 천천히 위에 아래".split()
NUMBERS = ["1", "2", "10", "3.5", "1,000", "2024", "12-15", "7%", "$3"]
PUNCT = [".", ",", "!", "?", ";", ":", "'", "\"", "(", ")", "-", "…", "。", "’"]


def synthetic(rng, n):
    """Reference sentences and perturbed predictions (drops, swaps, substitutions, case)."""
    pairs = []
    for k in range(n):
        words = []
        for _ in range(rng.randint(1, 25)):
            r = rng.random()
            pool = VOCAB_EN if r < 0.6 else VOCAB_KO if r < 0.8 else NUMBERS if r < 0.9 else PUNCT
            words.append(rng.choice(pool))
        ref = " ".join(words)
        if rng.random() < 0.3:
            ref = ref[:1].upper() + ref[1:] + rng.choice([".", "!", "?", ""])
        pred = list(words)
        for _ in range(rng.randint(0, 6)):
            op = rng.random()
            if op < 0.3 and pred:
                pred.pop(rng.randrange(len(pred)))
            elif op < 0.5 and len(pred) > 1:
                i = rng.randrange(len(pred) - 1)
                pred[i], pred[i + 1] = pred[i + 1], pred[i]
            elif op < 0.8:
                pred.insert(rng.randrange(len(pred) + 1), rng.choice(VOCAB_EN + VOCAB_KO))
            elif pred:
                i = rng.randrange(len(pred))
                pred[i] = pred[i].upper()
        sep = "\n" if rng.random() < 0.15 else " "
        refs = [ref]
        if rng.random() < 0.15:
            extra = list(words)
            rng.shuffle(extra)
            refs.append(" ".join(extra))
        pairs.append(("synthetic", sep.join(pred), refs))
    return pairs


# --- scoring ----------------------------------------------------------------------------------
def main():
    rng = random.Random(20240607)
    pairs = FIXED + synthetic(rng, 160)
    bleu_sent = BLEU(effective_order=True)
    chrf, chrfpp = CHRF(), CHRF(word_order=2)
    rouge_types = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
    scorer, scorer_stem = rouge_scorer.RougeScorer(rouge_types), rouge_scorer.RougeScorer(rouge_types, use_stemmer=True)
    tok13a = BLEU().tokenizer
    stemmer = PorterStemmer()

    os.makedirs(OUT, exist_ok=True)
    lines = []
    for i, (category, pred, refs) in enumerate(pairs):
        b = bleu_sent.sentence_score(pred, refs)
        row = {
            "id": i, "category": category, "prediction": pred, "references": refs,
            "exact_match": any(pred == r for r in refs),
            "squad_normalized": squad_normalize(pred),
            "squad_em": max(float(squad_em(pred, r)) for r in refs),
            "squad_f1": max(squad_f1(pred, r) for r in refs),
            "tokens_13a": tok13a(pred.rstrip()).split(),
            "bleu": {"score": b.score, "precisions": b.precisions, "bp": b.bp, "counts": b.counts,
                     "totals": b.totals, "sys_len": b.sys_len, "ref_len": b.ref_len},
            "chrf": chrf.sentence_score(pred, refs).score,
            "chrf++": chrfpp.sentence_score(pred, refs).score,
            "rouge_tokens": rouge_tokenize.tokenize(pred, None),
            "rouge_tokens_stemmed": rouge_tokenize.tokenize(pred, stemmer),
        }
        for name, sc in (("rouge", scorer), ("rouge_stem", scorer_stem)):
            s = sc.score_multi(refs, pred) if len(refs) > 1 else sc.score(refs[0], pred)
            row[name] = {t: [s[t].precision, s[t].recall, s[t].fmeasure] for t in rouge_types}
        lines.append(row)

    with open(os.path.join(OUT, "pairs.jsonl"), "w", encoding="utf-8") as f:
        for row in lines:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

    # Corpus scores over named subsets. sacrebleu takes reference *streams*; a segment with
    # fewer references is padded with None, which sacrebleu skips.
    subsets = {
        "all": list(range(len(pairs))),
        "single-reference": [i for i, p in enumerate(pairs) if len(p[2]) == 1],
        "synthetic": [i for i, p in enumerate(pairs) if p[0] == "synthetic"],
        "korean": [i for i, p in enumerate(pairs) if p[0] == "korean"],
        "long": [i for i, p in enumerate(pairs) if p[0] == "long"],
        "multi-reference": [i for i, p in enumerate(pairs) if p[0] == "multi-reference"],
        "empty-prediction": [i for i, p in enumerate(pairs) if p[0] == "empty-prediction"],
    }
    with open(os.path.join(OUT, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for name, idx in subsets.items():
            hyps = [pairs[i][1] for i in idx]
            nref = max(len(pairs[i][2]) for i in idx)
            streams = [[pairs[i][2][k] if k < len(pairs[i][2]) else None for i in idx] for k in range(nref)]
            cb = sacrebleu.corpus_bleu(hyps, streams)
            row = {
                "subset": name, "ids": idx,
                "bleu": {"score": cb.score, "precisions": cb.precisions, "bp": cb.bp, "counts": cb.counts,
                         "totals": cb.totals, "sys_len": cb.sys_len, "ref_len": cb.ref_len},
                "chrf": sacrebleu.corpus_chrf(hyps, streams).score,
                "chrf++": sacrebleu.corpus_chrf(hyps, streams, word_order=2).score,
                "squad_em": 100.0 * sum(lines[i]["squad_em"] for i in idx) / len(idx),
                "squad_f1": 100.0 * sum(lines[i]["squad_f1"] for i in idx) / len(idx),
            }
            for key in ("rouge", "rouge_stem"):
                row[key] = {t: sum(lines[i][key][t][2] for i in idx) / len(idx) for t in rouge_types}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

    # Porter stems: words from the corpus plus every suffix rule on a spread of stems.
    words = set()
    for row in lines:
        words.update(rouge_tokenize.tokenize(row["prediction"], None))
        for r in row["references"]:
            words.update(rouge_tokenize.tokenize(r, None))
    bases = ["relat", "condit", "valen", "hesit", "digit", "conform", "radic", "differ", "vil", "analog",
             "vietnam", "predic", "oper", "feud", "decis", "hope", "call", "form", "sensi", "electr", "good",
             "reviv", "allow", "infer", "airlin", "gyroscop", "adjust", "defens", "irrit", "replac", "depend",
             "adopt", "homolog", "commun", "activ", "angular", "effect", "bowdler", "prob", "rat", "ceas",
             "control", "rol", "hop", "tann", "fall", "hiss", "fizz", "fail", "fil", "agre", "fe", "bl", "s",
             "happ", "sk", "enjo", "tr", "sp", "fl", "d", "l", "t", "geo", "theo", "archaeo", "philo", "spie",
             "toy", "syzyg", "yyy", "y", "by", "cry", "conflat", "troubl", "siz", "mot", "sing", "plaster",
             "caress", "pon", "ti", "cat", "2", "1990", "x9", "ab", "ow", "ox", "ay", "news", "howe"]
    suffixes = ["", "s", "es", "ies", "sses", "ss", "ed", "ied", "eed", "ing", "y", "ly", "ational", "tional",
                "enci", "anci", "izer", "bli", "abli", "alli", "entli", "eli", "ousli", "ization", "ation",
                "ator", "alism", "iveness", "fulness", "ousness", "aliti", "iviti", "biliti", "fulli", "logi",
                "icate", "ative", "alize", "iciti", "ical", "ful", "ness", "al", "ance", "ence", "er", "ic",
                "able", "ible", "ant", "ement", "ment", "ent", "ion", "sion", "tion", "ou", "ism", "ate",
                "iti", "ous", "ive", "ize", "e", "ll", "at", "bl", "iz", "ying", "yed", "ly", "ally", "ness"]
    for b in bases:
        for s in suffixes:
            words.add(b + s)
    words.update(["sky", "skies", "dying", "lying", "tying", "news", "innings", "inning", "outings",
                  "outing", "cannings", "canning", "howe", "proceed", "exceed", "succeed", "dies", "flies",
                  "died", "spied", "feed", "agreed", "bled", "generously", "yyyyyyyy", "yay", "aye"])
    with open(os.path.join(OUT, "porter.jsonl"), "w", encoding="utf-8") as f:
        for w in sorted(words):
            f.write(json.dumps({"word": w, "stem": stemmer.stem(w)}) + "\n")

    print(f"{len(lines)} pairs, {len(subsets)} subsets, {len(words)} stems -> {OUT}", file=sys.stderr)
    print(f"sacrebleu {sacrebleu.__version__}, rouge-score {getattr(rouge_score, '__version__', '0.1.2')}, "
          f"nltk {nltk.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
