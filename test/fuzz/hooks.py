"""Schemathesis hooks for jiuzhu's OpenAPI (loaded through SCHEMATHESIS_HOOKS by test/fuzz/schemathesis.test.ts).

A few rules of the API cannot be written as a JSON-Schema pattern; the OpenAPI names each with a string
`format` (api/contract.ts FORMATS), and here each format gets a generator of values that keep the rule, so
that a schema-valid request is one the API accepts:

- `cn-resident-id`: a resident ID number per GB 11643-1999 (birth date a real day between 1900 and 2000,
  ISO 7064 MOD 11-2 check character; domain/id-number.ts).
- `keyset-cursor`: a list's opaque cursor as the API writes it (base64url of `{"dueAt", "id"}`, which every
  keyset order reads; api/pagination.ts).
"""

import base64
import json
from datetime import date, datetime, timezone

import schemathesis
from hypothesis import strategies as st

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def resident_id(region: int, birth: date, sequence: int) -> str:
    body = f"{region:06d}{birth:%Y%m%d}{sequence:03d}"
    total = sum(int(c) * w for c, w in zip(body, WEIGHTS))
    return body + CHECK_CHARS[total % 11]


schemathesis.openapi.format(
    "cn-resident-id",
    st.builds(
        resident_id,
        st.integers(min_value=110000, max_value=659999),
        st.dates(min_value=date(1900, 1, 1), max_value=date(2000, 12, 31)),
        st.integers(min_value=0, max_value=999),
    ),
)


def cursor(due_at: datetime, row_id: str) -> str:
    text = json.dumps({"dueAt": due_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"), "id": row_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


schemathesis.openapi.format(
    "keyset-cursor",
    st.builds(
        cursor,
        st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(timezone.utc)),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-:", min_size=1, max_size=40),
    ),
)
