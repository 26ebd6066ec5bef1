"""How likely a sentence is in Japanese or Korean, by a morphological analyser of the language.

Word frequencies cannot tell "飲みました" from "飲みましが" (both "た" and "が" are common
words) or "많습니다" from "만습니다"; an analyser's lattice, which knows which word may follow
which, can.  Japanese is scored by Janome (IPADIC's word and connection costs), Korean by Kiwi
(its own language model); both ship their dictionaries, and are loaded on first use.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import lru_cache

# IPADIC's costs are MeCab's model weights times a cost factor of several hundred: dividing by
# this brings them near natural-log units (repair.py weighs the result against its own model).
_IPADIC_SCALE = 700.0


@lru_cache(maxsize=None)
def sentence_score(kind: str) -> Callable[[str], float] | None:
    """A function scoring a text in the language written with characters of ``kind`` ("kana":
    Japanese, "hangul": Korean), in natural-log units (higher is likelier; only differences
    between texts mean anything), or None for any other kind."""
    if kind == "kana":
        from janome.tokenizer import Tokenizer

        tokenizer = Tokenizer()

        def japanese(text: str) -> float:
            tokens = list(tokenizer.tokenize(text))
            # The last word's cost is that of the best path through the text up to and including
            # it (Janome keeps the end-of-sentence connection out; every candidate is alike there).
            return -tokens[-1].node.min_cost / _IPADIC_SCALE if tokens else 0.0

        return japanese
    if kind == "hangul":
        from kiwipiepy import Kiwi

        with warnings.catch_warnings():
            # One thread (Kiwi warns that 0 meant "all cores" before 0.21): no threads alive when
            # the build forks its workers.  Its dictionaries of proper nouns and of common typos
            # are left out: a typo is what the repair must not find likely, and they cost memory.
            warnings.filterwarnings("ignore", "behavior of `num_workers=0`", DeprecationWarning)
            kiwi = Kiwi(num_workers=0, load_default_dict=False, load_typo_dict=False, load_multi_dict=False)

        def korean(text: str) -> float:
            return kiwi.analyze(text, top_n=1)[0][1] if text.strip() else 0.0

        return korean
    return None
