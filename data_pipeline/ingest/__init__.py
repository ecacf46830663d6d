"""Ministry returns -> typed, validated, pseudonymised tables, or a precise list of what is wrong.

    from data_pipeline.ingest import validate_returns
    report, staged = validate_returns(paths, hash_key=key, progress=None)

Modules, in the order data flows: ``readers`` (file -> raw text grid), ``header`` (header row, contract, column map),
``normalise`` (each column kind as SQL), ``table`` (one table: type, hash ids, check), ``validate`` (all files together).
"""

from .header import HeaderMatch, detect_header, stated_periods
from .readers import RawTable, ReadError, read_return_tables
from .validate import validate_returns

__all__ = [
    "HeaderMatch",
    "RawTable",
    "ReadError",
    "detect_header",
    "read_return_tables",
    "stated_periods",
    "validate_returns",
]
