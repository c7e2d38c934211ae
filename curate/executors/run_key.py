"""The run's secret key: read once by the driver for every step that declares it needs one.

Where from, first found: the recipe's ``key.file``, a step's own key file, the recipe's
``key.env`` variable, a step's own variable; else a random key for this run (with a
warning). The key is never written; a keyed digest of it is, so that a resumed run can
refuse another key instead of mixing fakes made with two.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from curate.config import LoadedRecipe, RecipeError

MIN_KEY_BYTES = 16  # an HMAC key shorter than this is guessable; the pseudonymizer refuses it too
_DIGEST_LABEL = b"curate run key check v1"  # a fixed message: the digest identifies a key, reveals nothing


@dataclass(frozen=True)
class RunKey:
    key: bytes | None
    source: str | None  # "file", "env" or "random"; None when no step needs a key
    warning: str | None = None

    @property
    def digest(self) -> str | None:
        return None if self.key is None else hmac.new(self.key, _DIGEST_LABEL, hashlib.sha256).hexdigest()

    def record(self) -> dict[str, str | None]:
        return {"digest": self.digest, "source": self.source}


def read_run_key(loaded: LoadedRecipe) -> RunKey:
    sources = [s for step in loaded.steps if (s := step.key_sources()) is not None]
    if not sources:
        return RunKey(None, None)
    cfg = loaded.recipe.key
    files = {Path(f).expanduser().resolve() for f, _ in sources if f}
    if cfg.file is None and len(files) > 1:
        raise RecipeError(f"{loaded.source}: steps name different key files; one run has one key "
                          "(set key.file in the recipe)")
    file = cfg.file or (next(iter(files)) if files else None)
    if file is not None:
        try:
            key = Path(file).read_bytes().strip()
        except OSError as exc:
            raise RecipeError(f"{loaded.source}: key file {file}: {exc.strerror}") from None
        return RunKey(_checked(key, f"key file {file}", loaded.source), "file")
    for env in dict.fromkeys([cfg.env, *(e for _, e in sources if e)]):
        if os.environ.get(env):
            return RunKey(_checked(os.environ[env].encode("utf-8"), f"${env}", loaded.source), "env")
    return RunKey(secrets.token_bytes(32), "random",
                  f"no pseudonymization key (${cfg.env} or key.file): using a random key; fakes differ "
                  "between runs, and this run cannot be resumed")


def _checked(key: bytes, where: str, source: str) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        raise RecipeError(f"{source}: the key in {where} is {len(key)} bytes; a key needs at least "
                          f"{MIN_KEY_BYTES} (e.g. python -c 'import secrets; print(secrets.token_hex(32))')")
    return key


def check_resumed_key(recorded: dict[str, str | None] | None, current: RunKey, root: str | Path) -> None:
    """Refuse to resume with another key (or with a fresh random one): fakes would mix."""
    if current.key is None or recorded is None or recorded.get("digest") is None:
        return
    if recorded["digest"] == current.digest:
        return
    if recorded.get("source") == "random" or current.source == "random":
        raise RecipeError(f"{root} was started with a random key (no key was set) or is resumed without its "
                          "key: a resume would mix fakes from two keys; set the key it was started with, or "
                          "pass --overwrite to start over")
    raise RecipeError(f"{root} was written with key {recorded['digest'][:8]}…, this run's key is "
                      f"{current.digest[:8]}… (keyed digests, not keys): resume with the same key, or pass "
                      "--overwrite to start over")
