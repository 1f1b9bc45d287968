from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STATUS_UNSPECIFIED: _ClassVar[Status]
    STATUS_ACCEPTED: _ClassVar[Status]
    STATUS_DUPLICATE: _ClassVar[Status]
    STATUS_REJECTED: _ClassVar[Status]
STATUS_UNSPECIFIED: Status
STATUS_ACCEPTED: Status
STATUS_DUPLICATE: Status
STATUS_REJECTED: Status

class PublishRequest(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, events: _Optional[_Iterable[bytes]] = ...) -> None: ...

class PublishResponse(_message.Message):
    __slots__ = ("outcomes", "accepted", "duplicate", "rejected")
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[EventOutcome]
    accepted: int
    duplicate: int
    rejected: int
    def __init__(self, outcomes: _Optional[_Iterable[_Union[EventOutcome, _Mapping]]] = ..., accepted: _Optional[int] = ..., duplicate: _Optional[int] = ..., rejected: _Optional[int] = ...) -> None: ...

class EventOutcome(_message.Message):
    __slots__ = ("index", "event_id", "status", "errors", "partition", "offset")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    index: int
    event_id: str
    status: Status
    errors: _containers.RepeatedCompositeFieldContainer[FieldError]
    partition: int
    offset: int
    def __init__(self, index: _Optional[int] = ..., event_id: _Optional[str] = ..., status: _Optional[_Union[Status, str]] = ..., errors: _Optional[_Iterable[_Union[FieldError, _Mapping]]] = ..., partition: _Optional[int] = ..., offset: _Optional[int] = ...) -> None: ...

class FieldError(_message.Message):
    __slots__ = ("field", "reason", "code")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    field: str
    reason: str
    code: str
    def __init__(self, field: _Optional[str] = ..., reason: _Optional[str] = ..., code: _Optional[str] = ...) -> None: ...
