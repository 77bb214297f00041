"""A rough tone of a post for the monitors: positive, neutral or negative.

Chinese: pysenti's word list (with negations and degree words) and its small Bayes model, both
shipped in the package, read together: negative if the words say so or the model is sure, positive
only if both agree. English: VADER's word list. Either is a machine's guess from words: it misses
sarcasm and context, which the monitor page says. Loaded once per worker process, on first use.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from tidings.core.text import fold, tokenize
from tidings.search import terms as cut

NEGATIVE, NEUTRAL, POSITIVE = -1, 0, 1


@functools.cache
def _chinese() -> tuple[Any, Any]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    from pysenti import ModelClassifier, RuleClassifier

    rules, model = RuleClassifier(), ModelClassifier()
    rules.classify("好")  # loads the word lists now
    model.classify("好")
    return rules, model


@functools.cache
def _english() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _is_chinese(text: str) -> bool:
    found = cut.pieces(fold(text))
    cjk = sum(len(run) for kind, run in found if kind == "cjk")
    latin = sum(len(run) for kind, run in found if kind == "latin")
    return cjk * 2 >= latin  # a CJK character says about as much as two letters


def _words_only(text: str) -> str:
    """The post without links, @handles and the marks of #topics#, which only confuse a word list."""
    return " ".join(t.value for t in tokenize(text) if t.kind in ("text", "topic"))


def classify(text: str) -> int:
    text = _words_only(text)
    if not text.strip():
        return NEUTRAL
    if _is_chinese(text):
        rules, model = _chinese()
        simplified = fold(text)
        score = rules.classify(simplified)["score"]
        probability = model.classify(simplified)
        # The word list is steadier; the model only tips a case the words leave open.
        if score < 0 or (probability["negative_prob"] > 0.9 and score < 2):
            return NEGATIVE
        if score > 0 and (probability["positive_prob"] > 0.75 or score >= 9):
            return POSITIVE
        return NEUTRAL
    compound = _english().polarity_scores(text)["compound"]
    return NEGATIVE if compound <= -0.05 else POSITIVE if compound >= 0.05 else NEUTRAL
