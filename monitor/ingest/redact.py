"""Keep credentials in source URLs out of status reasons and logs."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.DOTALL)
# A URL with userinfo inside free text (an exception message). The password part runs to
# the last `@` of the word, so one holding an `@` is masked whole.
_USERINFO_IN_TEXT = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^\s/?#@]*(?::\S*)?@")
# Query parameters that conventionally carry secrets (camera vendors and signed URLs).
_SECRET_PARAMS = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "auth",
        "key",
        "pass",
        "passwd",
        "password",
        "pwd",
        "secret",
        "sig",
        "signature",
        "token",
        "user",
        "username",
    }
)
MASK = "***"


def redact_source(source: str) -> str:
    """`source` with any userinfo and secret-looking query values replaced by ``***``.

    Non-URL sources (paths, device indexes) are returned unchanged. The userinfo is taken
    up to the *last* ``@`` before the query, so a password holding an unencoded ``@`` or
    ``/`` is still masked; when that swallows part of the path the result over-redacts,
    which is the safe direction.
    """
    match = _SCHEME.match(source)
    if match is None:
        return source
    scheme, rest = match["scheme"], match["rest"]
    rest, hash_mark, fragment = rest.partition("#")
    rest, question, query = rest.partition("?")
    if "@" in rest:
        rest = f"{MASK}@{rest.rpartition('@')[2]}"
    if query:
        query = _redact_query(query)
    return f"{scheme}://{rest}{question}{query}{hash_mark}{fragment}"


def redact_text(text: str, *sources: str) -> str:
    """Free text (an OpenCV or OS error message) with the given sources and any embedded
    URL userinfo masked."""
    for source in sources:
        if source and source != (safe := redact_source(source)):
            text = text.replace(source, safe)
    return _USERINFO_IN_TEXT.sub(rf"\g<scheme>{MASK}@", text)


def _redact_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(name.lower() in _SECRET_PARAMS for name, _ in pairs):
        return query  # leave untouched queries byte-for-byte as given
    return urlencode(
        [(name, MASK if name.lower() in _SECRET_PARAMS else value) for name, value in pairs],
        safe="*",
    )
