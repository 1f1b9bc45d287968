import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    SEVERITY_LOW: _ClassVar[Severity]
    SEVERITY_MEDIUM: _ClassVar[Severity]
    SEVERITY_HIGH: _ClassVar[Severity]
    SEVERITY_CRITICAL: _ClassVar[Severity]

class AlertState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_STATE_UNSPECIFIED: _ClassVar[AlertState]
    ALERT_STATE_NEW: _ClassVar[AlertState]
    ALERT_STATE_ACKNOWLEDGED: _ClassVar[AlertState]
    ALERT_STATE_SILENCED: _ClassVar[AlertState]
    ALERT_STATE_ESCALATED: _ClassVar[AlertState]
    ALERT_STATE_RESOLVED: _ClassVar[AlertState]

class Disposition(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DISPOSITION_UNSPECIFIED: _ClassVar[Disposition]
    DISPOSITION_CONFIRMED: _ClassVar[Disposition]
    DISPOSITION_JUSTIFIED: _ClassVar[Disposition]
    DISPOSITION_DATA_ERROR: _ClassVar[Disposition]
    DISPOSITION_REFERRED: _ClassVar[Disposition]
SEVERITY_UNSPECIFIED: Severity
SEVERITY_LOW: Severity
SEVERITY_MEDIUM: Severity
SEVERITY_HIGH: Severity
SEVERITY_CRITICAL: Severity
ALERT_STATE_UNSPECIFIED: AlertState
ALERT_STATE_NEW: AlertState
ALERT_STATE_ACKNOWLEDGED: AlertState
ALERT_STATE_SILENCED: AlertState
ALERT_STATE_ESCALATED: AlertState
ALERT_STATE_RESOLVED: AlertState
DISPOSITION_UNSPECIFIED: Disposition
DISPOSITION_CONFIRMED: Disposition
DISPOSITION_JUSTIFIED: Disposition
DISPOSITION_DATA_ERROR: Disposition
DISPOSITION_REFERRED: Disposition

class Alert(_message.Message):
    __slots__ = ("alert_id", "deviation_id", "check_id", "severity", "domain", "region", "department", "party_id", "channels", "state", "summary_zh", "summary_en", "explanation_json", "detected_at", "count")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    DEVIATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    PARTY_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_ZH_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_EN_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_JSON_FIELD_NUMBER: _ClassVar[int]
    DETECTED_AT_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    deviation_id: str
    check_id: str
    severity: Severity
    domain: str
    region: str
    department: str
    party_id: str
    channels: _containers.RepeatedScalarFieldContainer[str]
    state: AlertState
    summary_zh: str
    summary_en: str
    explanation_json: bytes
    detected_at: _timestamp_pb2.Timestamp
    count: int
    def __init__(self, alert_id: _Optional[str] = ..., deviation_id: _Optional[str] = ..., check_id: _Optional[str] = ..., severity: _Optional[_Union[Severity, str]] = ..., domain: _Optional[str] = ..., region: _Optional[str] = ..., department: _Optional[str] = ..., party_id: _Optional[str] = ..., channels: _Optional[_Iterable[str]] = ..., state: _Optional[_Union[AlertState, str]] = ..., summary_zh: _Optional[str] = ..., summary_en: _Optional[str] = ..., explanation_json: _Optional[bytes] = ..., detected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., count: _Optional[int] = ...) -> None: ...

class SubscribeRequest(_message.Message):
    __slots__ = ("cursor",)
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    def __init__(self, cursor: _Optional[str] = ...) -> None: ...

class SubscribeResponse(_message.Message):
    __slots__ = ("alert", "live", "heartbeat", "cursor")
    ALERT_FIELD_NUMBER: _ClassVar[int]
    LIVE_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    alert: Alert
    live: LiveMarker
    heartbeat: Heartbeat
    cursor: str
    def __init__(self, alert: _Optional[_Union[Alert, _Mapping]] = ..., live: _Optional[_Union[LiveMarker, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., cursor: _Optional[str] = ...) -> None: ...

class LiveMarker(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("at",)
    AT_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AckRequest(_message.Message):
    __slots__ = ("alert_id", "disposition", "note")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    DISPOSITION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    disposition: Disposition
    note: str
    def __init__(self, alert_id: _Optional[str] = ..., disposition: _Optional[_Union[Disposition, str]] = ..., note: _Optional[str] = ...) -> None: ...

class AckResponse(_message.Message):
    __slots__ = ("alert",)
    ALERT_FIELD_NUMBER: _ClassVar[int]
    alert: Alert
    def __init__(self, alert: _Optional[_Union[Alert, _Mapping]] = ...) -> None: ...

class ListAlertsRequest(_message.Message):
    __slots__ = ("states", "check_ids", "severities", "region_prefix", "since", "until", "page_size", "page_token")
    STATES_FIELD_NUMBER: _ClassVar[int]
    CHECK_IDS_FIELD_NUMBER: _ClassVar[int]
    SEVERITIES_FIELD_NUMBER: _ClassVar[int]
    REGION_PREFIX_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedScalarFieldContainer[AlertState]
    check_ids: _containers.RepeatedScalarFieldContainer[str]
    severities: _containers.RepeatedScalarFieldContainer[Severity]
    region_prefix: str
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, states: _Optional[_Iterable[_Union[AlertState, str]]] = ..., check_ids: _Optional[_Iterable[str]] = ..., severities: _Optional[_Iterable[_Union[Severity, str]]] = ..., region_prefix: _Optional[str] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAlertsResponse(_message.Message):
    __slots__ = ("alerts", "next_page_token")
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    next_page_token: str
    def __init__(self, alerts: _Optional[_Iterable[_Union[Alert, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetAlertRequest(_message.Message):
    __slots__ = ("alert_id",)
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    def __init__(self, alert_id: _Optional[str] = ...) -> None: ...
