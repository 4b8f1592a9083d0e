"""How the dashboard's API speaks: instants in, raw little-endian typed arrays out (shape in
``X-Shape``), input mistakes as 422 problem documents."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import Query
from fastapi.responses import Response

from leonet.errors import InputError
from leonet.physics.timegrid import parse_utc
from leonet.server.problems import Problem

OCTET = "application/octet-stream"
# ISO 8601 instants are short; anything longer is not one.
MAX_TIME_CHARS = 40
Instant = Annotated[str, Query(max_length=MAX_TIME_CHARS, description="ISO 8601 with zone.")]


def ns(text: str, where: str) -> int:
    """``text`` as integer nanoseconds since the epoch, or a 422 naming ``where``."""
    try:
        return int(parse_utc(text, what=where).astype("datetime64[ns]").astype(np.int64))
    except InputError as exc:
        raise Problem(422, f"{where}: {exc.what}") from None


def checked(fn, *args):
    """``fn(*args)``, its `InputError` as a 422 problem."""
    try:
        return fn(*args)
    except InputError as exc:
        raise Problem(422, str(exc)) from None


def binary(arr: np.ndarray, **headers: str) -> Response:
    """``arr`` as raw little-endian bytes with its shape and dtype in headers."""
    arr = np.ascontiguousarray(arr)
    return Response(arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes(),
                    media_type=OCTET, headers={"X-Shape": ",".join(map(str, arr.shape)),
                                               "X-Dtype": arr.dtype.name, **headers})
