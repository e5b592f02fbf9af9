"""The input contract: agency records parsed, checked and located when they are wrong."""

from shinealight.core.records.flatten import (
    FlatRecord,
    canonical_json,
    content_hash,
    flatten,
    mention_id,
)
from shinealight.core.records.model import (
    AgencyRecord,
    Grading,
    LinkIn,
    LocationIn,
    OnlineIn,
    PersonIn,
    PhoneIn,
    VehicleIn,
)
from shinealight.core.records.prepare import (
    Faulty,
    Prepared,
    prepare_rows,
    prepared_from,
)
from shinealight.core.records.validate import (
    FieldError,
    LineError,
    RecordInvalid,
    decode_line,
    iter_lines,
    iter_records,
    open_records_file,
    parse_line,
    parse_record,
)

__all__ = [
    "AgencyRecord",
    "Faulty",
    "FieldError",
    "FlatRecord",
    "Grading",
    "LineError",
    "LinkIn",
    "LocationIn",
    "OnlineIn",
    "PersonIn",
    "PhoneIn",
    "Prepared",
    "RecordInvalid",
    "VehicleIn",
    "canonical_json",
    "decode_line",
    "content_hash",
    "flatten",
    "iter_lines",
    "iter_records",
    "mention_id",
    "open_records_file",
    "parse_line",
    "prepare_rows",
    "prepared_from",
    "parse_record",
]
