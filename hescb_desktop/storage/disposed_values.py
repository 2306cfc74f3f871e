"""The logged value of a field whose text was disposed of (issue 16, point 5; sync.disposal).

A JSON string naming the certificate, the same on every PC: `"\\u0000hescb-disposed:v1:<id>"`.
A NUL cannot be typed, so typed text is never taken for one. Shown as `SHOWN`."""

from __future__ import annotations

import orjson

MARKER_PREFIX = "\x00hescb-disposed:v1:"
MARKER_JSON_PREFIX = orjson.dumps(MARKER_PREFIX).decode()[:-1]  # how a marker's JSON text starts
SHOWN = "(disposed of)"
SHOWN_JSON = orjson.dumps(SHOWN).decode()


def marker(disposal_id: str) -> str:
    """The logged value (JSON text) of a field disposed of under `disposal_id`."""
    return orjson.dumps(MARKER_PREFIX + disposal_id).decode()


def is_disposed(json_text: str | None) -> bool:
    return json_text is not None and json_text.startswith(MARKER_JSON_PREFIX)
