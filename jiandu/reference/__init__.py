"""Reference data: officers' certificates, enterprises and published inspection items.

Loaded from CSV or JSON Lines files (``jiandu reference load``) onto the compacted topic
``supervision.reference.v1``; the rules service folds the topic into a :class:`ReferenceData`
that C08 (certificates), C09 (清单之外) and C10 (cap category and rating) read.
"""

from jiandu.reference.data import ReferenceData, ReferenceRecordError, TopicRecord
from jiandu.reference.files import ReferenceFileError, load_file, load_text, to_csv
from jiandu.reference.models import (
    MODELS,
    CreditStatus,
    Enterprise,
    InspectionItem,
    Kind,
    Officer,
    Record,
    kind_of,
    record_key,
)

__all__ = [
    "MODELS",
    "CreditStatus",
    "Enterprise",
    "InspectionItem",
    "Kind",
    "Officer",
    "Record",
    "ReferenceData",
    "ReferenceFileError",
    "ReferenceRecordError",
    "TopicRecord",
    "kind_of",
    "load_file",
    "load_text",
    "record_key",
    "to_csv",
]
