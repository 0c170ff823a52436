"""Environment variables set for the length of a `with` block, then put back as they were."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def overridden(values: Mapping[str, str]) -> Iterator[None]:
    """os.environ with `values` set inside the block; unset ones are unset again after it. The
    environment is the process's: callers running threads hold their own lock around it."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
