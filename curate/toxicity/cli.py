"""``curate toxicity train|eval``: reproduce the shipped model and measure it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from curate.cli_errors import user_errors

app = typer.Typer(help="Korean toxicity model (BEEP!, K-MHaS): train and evaluate.", no_args_is_help=True)

DEFAULT_DATA = Path("../shared/data/beep_train.tsv")
DEFAULT_KMHAS = Path("../shared/data/kmhas_valid.tsv")
DEFAULT_OUT = Path("curate/toxicity/model")
DEFAULT_CLEAN = Path("../shared/data/nanet_book_reviews.csv")
DEFAULT_UNLABELLED = Path("../shared/data/beep_unlabeled_comments_5.txt")
DEFAULT_SENTIMENT = Path("../shared/data/nsmc_reviews.jsonl.gz")
DEFAULT_OUT_MODEL = Path(__file__).resolve().parent / "model"


def _progress(message: str) -> None:
    typer.echo(f"{time.strftime('%H:%M:%S')} {message}", err=True)


def _corpora(data: Path | None, kmhas: Path | None) -> dict[str, Path]:
    return {name: path for name, path in (("beep", data), ("kmhas", kmhas)) if path is not None}


@app.command()
def train(
    data: Annotated[Path | None, typer.Option(help="BEEP! train split (TSV).")] = DEFAULT_DATA,
    kmhas: Annotated[Path | None, typer.Option(help="K-MHaS validation split (TSV).")] = DEFAULT_KMHAS,
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
    """Train on the seeded 80% training part of each corpus (the shipped model is exactly this)."""
    from curate.toxicity.train import train as run_training

    with user_errors():
        path = run_training(_corpora(data, kmhas), out, clean_path=clean, unlabelled_path=unlabelled,
                            sentiment_path=sentiment, progress=_progress)
    typer.echo(f"wrote {path} ({path.stat().st_size} bytes)")


@app.command("eval")
def evaluate(
    data: Annotated[Path | None, typer.Option(help="BEEP! train split (TSV); its held-out 20% is scored.")
                    ] = DEFAULT_DATA,
    kmhas: Annotated[Path | None, typer.Option(help="K-MHaS validation split (TSV); its held-out 20% is scored.")
                     ] = DEFAULT_KMHAS,
    model: Annotated[Path | None, typer.Option(help="Model directory (default: the shipped model).")] = None,
    compare: Annotated[Path | None, typer.Option(
        help="A second model directory measured in the same run (e.g. benchmarks/toxicity_baseline, "
             "the BEEP!-only model before issue 18).")] = None,
    baseline: Annotated[bool, typer.Option(help="Also train and score the TF-IDF char 1-4 + LR baseline.")] = True,
    cross: Annotated[bool, typer.Option(
        help="Also train on each corpus alone and score every held-out part (cross-domain table).")] = False,
    curves: Annotated[bool, typer.Option(help="Print precision/recall/share flagged per threshold.")] = False,
    html: Annotated[Path | None, typer.Option(
        help="Write an HTML report (tables and reliability curves of p_toxic per held-out part).")] = None,
    hf_model: Annotated[Path | None, typer.Option(
        help="Score with a locally saved Hugging Face classifier instead (extra 'hf'); columns its "
             "labels do not give come from the n-gram model.")] = None,
    hf_labels: Annotated[str | None, typer.Option(
        help="Its label -> score column, e.g. 'LABEL_0=p_none,LABEL_1=p_offensive,LABEL_2=p_hate' "
             "(default: by label name).")] = None,
) -> None:
    """Per held-out part (BEEP!, K-MHaS): macro-F1 (3-class and binary), toxic / gender / other-bias
    ROC-AUC and calibration of each labelling scheme of the model, with the baseline."""
    import polars as pl

    from curate.toxicity.evaluate import cross_domain, held_out_parts, threshold_curves
    from curate.toxicity.evaluate import evaluate as run_evaluation
    from curate.toxicity.scorer import ToxicityScorer

    corpora = _corpora(data, kmhas)
    with user_errors():
        scorers = _scorers(model, compare, hf_model, hf_labels)
        with pl.Config(tbl_rows=200, tbl_cols=12, tbl_width_chars=250, tbl_hide_dataframe_shape=True):
            table = run_evaluation(corpora, scorers, baseline=baseline, progress=_progress)
            typer.echo(table)
            cross_table = cross_domain(corpora, progress=_progress) if cross else None
            if cross_table is not None:
                typer.echo(cross_table)
            if curves:
                for name, (_, held_out) in held_out_parts(corpora).items():
                    scorer = ToxicityScorer.load(model or DEFAULT_OUT_MODEL, scheme=name) if hf_model is None \
                        else next(iter(scorers.values()))
                    typer.echo(f"{name} held-out, {name} scheme:")
                    typer.echo(threshold_curves(held_out, scorer))
        if html is not None:
            from curate.toxicity.report import write_report

            write_report(html, table, cross_table, corpora, scorers)
            typer.echo(f"wrote {html}")


def _scorers(model: Path | None, compare: Path | None, hf_model: Path | None, hf_labels: str | None) -> dict:
    """Name -> scorer: every labelling scheme of the model (and of ``compare``), or the HF model."""
    from curate.toxicity.model_file import MODEL_FILE, read_arrays
    from curate.toxicity.scorer import DEFAULT_MODEL_DIR, ToxicityScorer

    if hf_model is not None:
        from curate.toxicity.hf_scorer import HFToxicityScorer

        labels = dict(pair.split("=", 1) for pair in hf_labels.split(",")) if hf_labels else None
        fallback = ToxicityScorer.load(model) if model else ToxicityScorer.default()
        return {"HFToxicityScorer": HFToxicityScorer(hf_model, labels=labels, fallback=fallback)}
    scorers = {}
    for label, directory in (("curate", model or DEFAULT_MODEL_DIR), ("compare", compare)):
        if directory is None:
            continue
        _, meta = read_arrays(Path(directory) / MODEL_FILE)
        for scheme in meta.get("schemes", ["beep"]):
            scorers[f"{label} ({Path(directory).name}), {scheme} scheme"] = ToxicityScorer.load(directory, scheme)
    return scorers
