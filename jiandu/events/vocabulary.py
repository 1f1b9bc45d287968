"""Closed vocabularies of the event contract. Values are the wire values (snake_case English);
the Chinese term each one stands for is in its comment."""

from __future__ import annotations

from enum import StrEnum


class Domain(StrEnum):
    ECOLOGY = "ecology"  # 生态环境
    PRODUCTION_SAFETY = "production_safety"  # 安全生产


class PartyType(StrEnum):
    ORGANISATION = "organisation"  # 法人或其他组织
    INDIVIDUAL_BUSINESS = "individual_business"  # 个体工商户 (has a USCC)
    INDIVIDUAL = "individual"  # 公民 (identified by a hashed id number)


class OfficerRole(StrEnum):
    OFFICER = "officer"  # 持证执法人员
    AUXILIARY = "auxiliary"  # 辅助人员 / 临时工
    GRID_WORKER = "grid_worker"  # 网格员


class InspectionType(StrEnum):
    ROUTINE = "routine"  # 日常检查
    CASE = "case"  # 个案检查
    SPECIAL = "special"  # 专项检查
    SUPERVISORY = "supervisory"  # 督导检查


class InspectionTrigger(StrEnum):
    PLAN = "plan"  # 年度计划
    RANDOM = "random"  # 双随机
    COMPLAINT = "complaint"  # 投诉举报
    REFERRAL = "referral"  # 移送、交办
    DATA_LEAD = "data_lead"  # 非现场监管线索 / 数据异常
    ENTERPRISE_REQUEST = "enterprise_request"  # 企业申请
    HIGHER_LEVEL_CAMPAIGN = "higher_level_campaign"  # 上级部署专项
    ACCIDENT = "accident"  # 事故调查
    REINSPECTION = "reinspection"  # 复查


class InspectionMode(StrEnum):
    SITE = "site"  # 现场检查 (入企)
    DESK = "desk"  # 书面核查
    REMOTE = "remote"  # 非现场 (智慧监管)


class Stage(StrEnum):
    """The statutory stage an item's penalty belongs to."""

    FIRST_FINDING = "first_finding"  # 首次发现 (责令改正 + 罚款)
    OVERDUE_UNCORRECTED = "overdue_uncorrected"  # 逾期未改正


class Tier(StrEnum):
    """Discretion tiers (裁量阶次), from lightest to heaviest."""

    NO_PENALTY = "no_penalty"  # 不予处罚
    MITIGATED = "mitigated"  # 减轻处罚 (below the statutory minimum)
    LENIENT = "lenient"  # 从轻处罚
    ORDINARY = "ordinary"  # 一般处罚
    AGGRAVATED = "aggravated"  # 从重处罚


class Circumstance(StrEnum):
    """Circumstance flags a decision claims (evidence is kept by the department)."""

    FIRST_VIOLATION = "first_violation"  # 初次违法
    CORRECTED_IN_TIME = "corrected_in_time"  # 及时改正
    NO_HARM = "no_harm"  # 没有造成危害后果
    MINOR_HARM = "minor_harm"  # 危害后果轻微
    ELIMINATED_HARM = "eliminated_harm"  # 主动消除或者减轻危害后果
    COERCED = "coerced"  # 受他人胁迫或者诱骗
    CONFESSED = "confessed"  # 主动供述
    MERITORIOUS = "meritorious"  # 配合查处有立功表现
    NO_FAULT = "no_fault"  # 无主观过错
    REPEAT = "repeat"  # 再次违法
    REFUSED_CORRECTION = "refused_correction"  # 拒不改正
    SERIOUS_CONSEQUENCE = "serious_consequence"  # 严重后果
    HEAVY_POLLUTION_WARNING = "heavy_pollution_warning"  # 重污染天气预警期间
    OBSTRUCTION = "obstruction"  # 阻挠、弄虚作假、威胁执法人员
    SERIOUSLY_DISHONEST = "seriously_dishonest"  # 严重失信主体
    PUBLIC_IMPACT = "public_impact"  # 重大舆情 / 上级督办
    TOXIC_POLLUTANT = "toxic_pollutant"  # 有毒有害污染物
    SENSITIVE_AREA = "sensitive_area"  # 饮用水源地、生态红线等敏感区域


class Outcome(StrEnum):
    PENALTY = "penalty"  # 作出处罚
    NO_PENALTY = "no_penalty"  # 不予处罚
    WITHDRAWN = "withdrawn"  # 撤案


class Sanction(StrEnum):
    """Sanctions other than the fine on the unit."""

    WARNING = "warning"  # 警告
    CORRECTION_ORDER = "correction_order"  # 责令改正
    CONFISCATION = "confiscation"  # 没收违法所得、非法财物
    SUSPEND_PRODUCTION = "suspend_production"  # 责令停产停业 (整顿)
    RESTRICT_PRODUCTION = "restrict_production"  # 限制生产
    CLOSE = "close"  # 责令关闭
    REVOKE_LICENCE = "revoke_licence"  # 吊销许可证件
    LOWER_QUALIFICATION = "lower_qualification"  # 降低资质等级
    RESTRICT_PRACTICE = "restrict_practice"  # 限制从业
    DETENTION_TRANSFER = "detention_transfer"  # 移送公安 (行政拘留)


class Procedure(StrEnum):
    ORDINARY = "ordinary"  # 普通程序
    SIMPLIFIED = "simplified"  # 简易程序 (当场处罚)


class Collection(StrEnum):
    BANK = "bank"  # 缴至指定银行 (罚缴分离)
    ELECTRONIC = "electronic"  # 电子支付
    ON_THE_SPOT = "on_the_spot"  # 当场收缴


class PersonRole(StrEnum):
    PRINCIPAL = "principal"  # 主要负责人
    RESPONSIBLE = "responsible"  # 直接负责的主管人员
    OTHER = "other"  # 其他直接责任人员


class Right(StrEnum):
    STATEMENT = "statement"  # 陈述
    DEFENCE = "defence"  # 申辩
    HEARING = "hearing"  # 听证


class ReviewResult(StrEnum):
    APPROVED = "approved"
    RETURNED = "returned"


class ServiceMethod(StrEnum):
    DIRECT = "direct"  # 直接送达
    LEFT = "left"  # 留置送达
    MAIL = "mail"  # 邮寄送达
    ELECTRONIC = "electronic"  # 电子送达
    ANNOUNCEMENT = "announcement"  # 公告送达


class Change(StrEnum):
    CHANGED = "changed"  # 变更
    REVOKED = "revoked"  # 撤销


class MeasureType(StrEnum):
    SEAL_UP = "seal_up"  # 查封
    SEIZURE = "seizure"  # 扣押
    RESTRICT_PRODUCTION = "restrict_production"  # 限制生产 (环保法 Art. 60)
    SUSPEND_PRODUCTION = "suspend_production"  # 停产整治


class MeasureEnd(StrEnum):
    LIFTED = "lifted"  # 解除
    CONFISCATED = "confiscated"  # 依法没收
    DESTROYED = "destroyed"  # 依法销毁
    CONVERTED = "converted"  # 转为处罚决定执行


class AccidentGrade(StrEnum):
    """Accident grades of 生产安全事故报告和调查处理条例 Art. 3."""

    ORDINARY = "ordinary"  # 一般事故
    LARGE = "large"  # 较大事故
    MAJOR = "major"  # 重大事故
    ESPECIALLY_SERIOUS = "especially_serious"  # 特别重大事故
