"""The routing table of the checks: severity, default channels, titles and legal basis.

One place for the data REFERENCE section 6 gives per check. Conditional channels ("H-FY if under
review", "H-JJ if repeated") are added by the check when its facts say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiandu.deviations import Channel, Severity

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
SF, ZG, XZ = Channel.V_SF, Channel.V_ZG, Channel.V_XZ
FZ, JJ, FY = Channel.H_FZ, Channel.H_JJ, Channel.H_FY


@dataclass(frozen=True)
class CheckSpec:
    """What REFERENCE 6 says about one check."""

    id: str
    severity: Severity
    channels: tuple[Channel, ...]
    title_zh: str
    title_en: str
    legal_basis: str


def _spec(
    id: str, sev: Severity, ch: tuple[Channel, ...], zh: str, en: str, basis: str
) -> CheckSpec:
    return CheckSpec(id, sev, ch, zh, en, basis)


REGISTRY: dict[str, CheckSpec] = {
    s.id: s
    for s in (
        _spec("C01", C, (SF, ZG, FZ), "罚款超出法定幅度", "Fine outside the statutory range",
              "《行政处罚法》第32条、第5条; 处罚依据条款"),
        _spec("C02", H, (SF, ZG), "罚款超出裁量基准阶次", "Fine outside the benchmark band",
              "裁量基准; 国办发〔2022〕27号"),
        _spec("C03", H, (SF, ZG, FZ), "裁量阶次缺乏情节支撑", "Tier not supported by circumstances",
              "《行政处罚法》第32条; 裁量基准"),
        _spec("C04", M, (SF, ZG, FY), "符合免罚清单仍予处罚", "Penalty on a no-penalty-list case",
              "《行政处罚法》第33条; 免罚清单"),
        _spec("C05", H, (SF, ZG, JJ), "不予处罚适用不当", "No-penalty/免罚 misused",
              "《行政处罚法》第33条; 免罚清单"),
        _spec("C08", H, (SF, ZG), "执法人员不足或不适格", "Unqualified or insufficient officers",
              "《行政处罚法》第42条"),
        _spec("C09", M, (SF, ZG), "检查未审批/未扫码", "Inspection without approval or code scan",
              "国办发〔2024〕54号"),
        _spec("C10", H, (SF, ZG), "超出年度检查频次上限", "Annual inspection cap exceeded",
              "国办发〔2024〕54号; 地方频次上限"),
        _spec("C11", M, (SF, XZ, ZG), "应综合查一次而多头检查", "Should have been 综合查一次",
              "国办发〔2024〕54号"),
        _spec("C14", H, (SF, ZG), "案件办理超期", "Case decision deadline",
              "《行政处罚法》第60条"),
        _spec("C15", H, (SF, ZG, FY), "未告知听证权利", "Missing hearing notice",
              "《行政处罚法》第63条"),
        _spec("C16", H, (SF, FY), "听证或陈述申辩程序违法", "Hearing or defence timing",
              "《行政处罚法》第45条、第64条"),
        _spec("C17", H, (SF, ZG, FZ), "缺少法制审核", "Missing legal review",
              "《行政处罚法》第58条"),
        _spec("C18", H, (SF, ZG, FZ), "缺少集体讨论", "Missing collective discussion",
              "《行政处罚法》第57条第2款"),
        _spec("C19", M, (SF, ZG), "决定公示超期或未撤回", "Publication overdue or not withdrawn",
              "《行政处罚法》第48条; 《安全生产法》第78条第2款"),
        _spec("C20", C, (SF, ZG, FY), "超过追责时效", "Statute of limitations",
              "《行政处罚法》第36条"),
        _spec("C24", H, (SF, ZG, FY), "行政强制措施超限", "Coercive-measure limits",
              "《行政强制法》第18条、第19条、第25条"),
        _spec("C25", M, (SF,), "简易程序或当场收缴违规", "Simplified procedure misuse",
              "《行政处罚法》第51条、第68条"),
        _spec("C26", M, (SF, ZG), "法定并处措施缺失", "Mandatory co-sanctions missing",
              "处罚依据条款 (双罚制、责令改正)"),
    )
}  # fmt: skip
