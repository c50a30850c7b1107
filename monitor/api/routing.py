"""The route class of every router: an operation's summary is its docstring's first line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute


class DocRoute(APIRoute):
    # FastAPI would title operations from function names; the docstring says more.
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if self.summary is None and self.description:
            summary, _, rest = self.description.partition("\n")
            self.summary, self.description = summary, rest.strip()
