"""A locally stored Hugging Face sequence classifier as a toxicity scorer (optional extra ``hf``).

For users who have a stronger model on disk (say a KcELECTRA fine-tuned on BEEP!): it is
loaded from a directory with ``local_files_only=True``, so nothing is ever downloaded, and
run in batches under ``torch.inference_mode``, on a GPU when there is one.

The model's labels (``config.id2label``) are mapped to score columns by name (``hate``,
``offensive``, ``none``, ``gender``/``gender_bias``, ``others``/``other_bias``) or by an
explicit ``labels`` mapping. Columns the model does not give come from the built-in
n-gram scorer, so the result always has the five columns of ``SCORE_COLUMNS``.
Single-label models are read with a softmax over their labels, multi-label models
(``problem_type == "multi_label_classification"``) with a sigmoid per label.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from curate.toxicity.scorer import SCORE_COLUMNS, ToxicityScorer

# Label names (lower case) a BEEP!-style model uses -> the score column they fill.
DEFAULT_LABELS = {
    "hate": "p_hate", "offensive": "p_offensive", "none": "p_none",
    "gender": "p_gender_bias", "gender_bias": "p_gender_bias",
    "others": "p_other_bias", "other_bias": "p_other_bias",
}


class HFToxicityScorer:
    """``HFToxicityScorer(path).score(texts)`` -> the same columns as ``ToxicityScorer.score``."""

    def __init__(self, path: str | Path, labels: dict[str, str] | None = None, batch_size: int = 32,
                 max_length: int = 128, device: str = "auto", fallback: ToxicityScorer | None = None) -> None:
        directory = Path(path)
        if not (directory / "config.json").is_file():
            raise FileNotFoundError(f"{directory}: not a local Hugging Face model directory (no config.json); "
                                    "models are never downloaded, give the path of one saved with save_pretrained")
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as error:
            raise ImportError("the Hugging Face scorer needs torch and transformers: "
                              "pip install 'curate[hf]'") from error
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # its loading bars would cut through curate's own
        self._torch = torch
        self.device = ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
        self.tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(directory, local_files_only=True)
        self.model.to(self.device).eval()
        self.batch_size, self.max_length = batch_size, max_length
        self.multi_label = self.model.config.problem_type == "multi_label_classification"
        self.columns = _map_labels(self.model.config.id2label, labels, directory)
        self.fallback = fallback or ToxicityScorer.default()

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Per text, the probability of each of the model's labels (in id order)."""
        torch = self._torch
        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                batch = self.tokenizer(texts[start: start + self.batch_size], padding=True, truncation=True,
                                       max_length=self.max_length, return_tensors="pt").to(self.device)
                logits = self.model(**batch).logits.float()
                probability = torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=-1)
                out.append(probability.cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, self.model.config.num_labels), dtype=np.float32)

    def score(self, texts: pl.Series | list[str]) -> pl.DataFrame:
        series = texts if isinstance(texts, pl.Series) else pl.Series("text", texts, dtype=pl.Utf8)
        probability = self.probabilities(series.fill_null("").to_list())
        given = {column: pl.Series(column, probability[:, label_id], dtype=pl.Float32)
                 for label_id, column in self.columns.items()}
        if len(given) == len(SCORE_COLUMNS):  # the model gives every column: no n-gram scoring
            return pl.DataFrame([given[column] for column in SCORE_COLUMNS])
        return self.fallback.score(series).with_columns(given.values())


def _map_labels(id2label: dict[int, str], labels: dict[str, str] | None, directory: Path) -> dict[int, str]:
    """Model label id -> score column; an error names the model's labels when none can be used."""
    if labels is not None and (unknown := set(labels.values()) - set(SCORE_COLUMNS)):
        raise ValueError(f"labels map to unknown columns {sorted(unknown)}; columns: {list(SCORE_COLUMNS)}")
    mapping = labels if labels is not None else DEFAULT_LABELS
    lookup = {name if labels is not None else name.lower(): column for name, column in mapping.items()}
    columns = {}
    for label_id, name in sorted(id2label.items()):
        column = lookup.get(name if labels is not None else name.lower())
        if column is not None:
            columns[int(label_id)] = column
    if not columns:
        raise ValueError(f"{directory}: none of the model's labels {sorted(id2label.values())} maps to a score "
                         f"column; pass labels={{model label: one of {list(SCORE_COLUMNS)}}}")
    if len(set(columns.values())) < len(columns):
        raise ValueError(f"{directory}: two of the model's labels map to the same score column: {columns}")
    return columns
