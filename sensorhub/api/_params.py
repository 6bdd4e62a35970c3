"""Parameter types shared by the routes."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

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
