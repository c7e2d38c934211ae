"""The error every input problem is reported as (kept apart so that any io module can raise it)."""


class InputError(ValueError):
    """A problem with the input paths themselves (nothing matched, unknown format, unreachable store)."""
