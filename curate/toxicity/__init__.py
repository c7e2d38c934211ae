"""Korean toxicity filter: hate / offensive / none and gender / other bias, trained on BEEP!.

``ToxicityScorer.default().score(texts)`` returns p_hate, p_offensive, p_none,
p_gender_bias, p_other_bias, one row per text. The ``toxicity`` step uses it.
"""

from curate.toxicity.scorer import SCORE_COLUMNS, ToxicityScorer

__all__ = ["SCORE_COLUMNS", "ToxicityScorer"]
