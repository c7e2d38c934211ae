"""User mistakes on the command line (a missing input, a bad recipe) as one `error:` line and
exit status 2, not a traceback: shared by the sub-commands that live with their capability."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer


class UserError(Exception):
    """A mistake in the command line or its inputs, said in the message."""


@contextmanager
def user_errors() -> Iterator[None]:
    from curate.config import RecipeError
    from curate.io.errors import InputError

    try:
        yield
    except (UserError, InputError, RecipeError, FileNotFoundError, IsADirectoryError) as exc:
        where = getattr(exc, "filename", None)
        typer.echo(f"error: {where}: {exc.strerror}" if isinstance(exc, OSError) and where else f"error: {exc}",
                   err=True)
        raise typer.Exit(2) from None
