"""Normalisation of the identifiers agencies write down, so that records can be compared.

The commonest functions are memoised: a feed repeats the same names, dates, postcodes
and numbers many times, and an import of a million records calls each millions of times.

Everything here is plain Python with no Django: the importer, entity resolution and
the simulator all call these functions, and each must give the same answer for the
same text.
"""

from shinealight.core.normalise.dates import (
    PartialDate,
    parse_datetime_with_offset,
    parse_partial_date,
)
from shinealight.core.normalise.handles import normalise_handle
from shinealight.core.normalise.names import name_tokens, normalise_name
from shinealight.core.normalise.nhs import normalise_nhs_number
from shinealight.core.normalise.phones import normalise_phone
from shinealight.core.normalise.postcodes import (
    normalise_postcode,
    postcode_district,
    postcode_sector,
)
from shinealight.core.normalise.vrm import normalise_vrm, vrm_could_match, vrm_is_partial

__all__ = [
    "PartialDate",
    "name_tokens",
    "normalise_handle",
    "normalise_name",
    "normalise_nhs_number",
    "normalise_phone",
    "normalise_postcode",
    "normalise_vrm",
    "parse_datetime_with_offset",
    "parse_partial_date",
    "postcode_district",
    "postcode_sector",
    "vrm_could_match",
    "vrm_is_partial",
]
