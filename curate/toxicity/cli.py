"""``curate toxicity train|eval``: reproduce the shipped model and measure it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from curate.cli_errors import user_errors

app = typer.Typer(help="Korean toxicity model (BEEP!): train and evaluate.", no_args_is_help=True)

DEFAULT_DATA = Path("../shared/data/beep_train.tsv")
DEFAULT_OUT = Path("curate/toxicity/model")
DEFAULT_CLEAN = Path("../shared/data/nanet_book_reviews.csv")
DEFAULT_UNLABELLED = Path("../shared/data/beep_unlabeled_comments_5.txt")
DEFAULT_SENTIMENT = Path("../shared/data/nsmc_reviews.jsonl.gz")


def _progress(message: str) -> None:
    typer.echo(f"{time.strftime('%H:%M:%S')} {message}", err=True)


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="BEEP! train split (TSV).")] = DEFAULT_DATA,
    out: Annotated[Path, typer.Option(help="Directory to write toxicity.npz into.")] = DEFAULT_OUT,
    clean: Annotated[Path | None, typer.Option(
        help="CSV with a 내용 column of formal prose; a seeded sample of its sentences is added as "
             "'none' examples (the shipped model uses NANET book reviews).")] = DEFAULT_CLEAN,
    unlabelled: Annotated[Path | None, typer.Option(
        help="BEEP!'s unlabelled comments, one a line, for self-training the gender-bias model "
             "(the shipped model uses beep_unlabeled_comments_5.txt).")] = DEFAULT_UNLABELLED,
    sentiment: Annotated[Path | None, typer.Option(
        help="NSMC reviews (JSONL.gz with text, rating) for the hate model's negative-sentiment "
             "feature (the shipped model uses nsmc_reviews.jsonl.gz).")] = DEFAULT_SENTIMENT,
) -> None:
    """Train on the seeded 80% training part of BEEP! (the shipped model is exactly this)."""
    from curate.toxicity.train import train as run_training

    with user_errors():
        path = run_training(data, out, clean_path=clean, unlabelled_path=unlabelled,
                            sentiment_path=sentiment, progress=_progress)
    typer.echo(f"wrote {path} ({path.stat().st_size} bytes)")


@app.command("eval")
def evaluate(
    data: Annotated[Path, typer.Option(help="BEEP! train split (TSV); its held-out 20% is scored.")] = DEFAULT_DATA,
    model: Annotated[Path | None, typer.Option(help="Model directory (default: the shipped model).")] = None,
    baseline: Annotated[bool, typer.Option(help="Also train and score the TF-IDF char 1-4 + LR baseline.")] = True,
    curves: Annotated[bool, typer.Option(help="Print precision/recall/share flagged per threshold.")] = False,
    hf_model: Annotated[Path | None, typer.Option(
        help="Score with a locally saved Hugging Face classifier instead (extra 'hf'); columns its "
             "labels do not give come from the n-gram model.")] = None,
    hf_labels: Annotated[str | None, typer.Option(
        help="Its label -> score column, e.g. 'LABEL_0=p_none,LABEL_1=p_offensive,LABEL_2=p_hate' "
             "(default: by label name).")] = None,
) -> None:
    """Macro-F1 (hate 3-class), toxic and bias ROC-AUC on the held-out part, with the baseline."""
    import polars as pl

    from curate.toxicity.evaluate import evaluate as run_evaluation
    from curate.toxicity.evaluate import threshold_curves
    from curate.toxicity.scorer import ToxicityScorer

    scorer = ToxicityScorer.load(model) if model else ToxicityScorer.default()
    if hf_model is not None:
        from curate.toxicity.hf_scorer import HFToxicityScorer

        labels = dict(pair.split("=", 1) for pair in hf_labels.split(",")) if hf_labels else None
        scorer = HFToxicityScorer(hf_model, labels=labels, fallback=scorer)
    with pl.Config(tbl_rows=200, tbl_cols=12, tbl_width_chars=200, tbl_hide_dataframe_shape=True):
        with user_errors():
            table = run_evaluation(data, scorer, baseline=baseline, progress=_progress)
        typer.echo(table)
        if curves:
            typer.echo(threshold_curves(data, scorer))
