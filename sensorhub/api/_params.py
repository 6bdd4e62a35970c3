"""Parameter types shared by the routes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

# Stored ids are signed 64-bit integers in SQLite and PostgreSQL alike. A larger number
# names no row, and handed to the driver it fails (OverflowError: a 500) instead.
MAX_ROW_ID = 2**63 - 1

RowId = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_ROW_ID,
        description=(
            "A stored id, 1 … 2⁶³−1. Anything else is a 422 naming the parameter;"
            " an id in range that no row has is a 404."
        ),
    ),
]

# An id inside a JSON body: JSON numbers past 2⁵³ lose precision in most clients (and in the
# OpenAPI document's own bounds), so a body id stays within what every client keeps exact.
MAX_BODY_ID = 2**53 - 1


def _whole(value: Any) -> Any:
    # JSON has one number type: 2001.0 is 2001; "2001", true and 2001.5 are not whole numbers.
    return int(value) if isinstance(value, float) and value.is_integer() else value


# With ``Field(strict=True, …)`` before it: an integer in a JSON body, where 3.0 counts as 3.
WHOLE = BeforeValidator(_whole)
BodyId = Annotated[
    int, Field(strict=True, ge=1, le=MAX_BODY_ID, description="a stored id, 1 … 2⁵³−1"), WHOLE
]
