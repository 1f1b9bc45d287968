"""docs/checks.md, generated: every deviation check C01–C27 with a worked example.

The examples are real engine output: the first deviation of each check that the offline runner
raises over ``simulate(3000, seed=2025)`` (one the simulation planted, where there is one), with
the events it names. ``python -m jiandu_cli.checkdocs [--check]`` writes the file, or with
``--check`` fails when it is stale; ``tests/rules/test_checkdocs.py`` keeps it fresh.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jiandu.deviations import Channel, Deviation, Severity
from jiandu.events import EnforcementEvent, PenaltyDecidedEvent, event_to_json, parse_event
from jiandu.events.vocabulary import Circumstance, Outcome, Tier
from jiandu.simulation import Simulation, simulate
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.checks import REGISTRY, Check, all_checks
from services.supervision_rules.engine.runner import evaluate_events

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "checks.md"
EXAMPLE_N, EXAMPLE_SEED = 3000, 2025
CHECK_IDS = tuple(f"C{i:02d}" for i in range(1, 28))


@dataclass(frozen=True)
class Pending:
    """A check of REFERENCE section 6 with no implementation yet, as REFERENCE defines it."""

    title_zh: str
    title_en: str
    severity: Severity
    alert_to: str
    data: str
    rule: str
    issue: int = 3


PENDING: dict[str, Pending] = {
    "C06": Pending(
        "屡次违法未从重处罚", "Repeat offender not escalated", Severity.HIGH,
        "V-SF, V-ZG, V-XZ. H-FZ",
        "party's history across departments (USCC), violation codes, dates",
        "Ecology: ≥3 penalties for the same kind in 2 years but current tier ≠ 从重. "
        "Safety: 重大事故隐患 penalised ≥3 in 180 days or ≥4 in 1 year and no closure request "
        "(SPL Art. 113)",
    ),
    "C07": Pending(
        "按日连续处罚缺失或计算错误", "Daily continuous penalty missing or mis-computed",
        Severity.MEDIUM, "V-SF, V-ZG",
        "original penalty, correction-order service date, re-inspection events and findings",
        "Re-inspection finds the same discharge continuing but no daily-penalty decision within "
        "N days (cfg). Or amount ≠ original fine × days from service+1 to the re-inspection date",
    ),
    "C12": Pending(
        "企业受检负担过重", "High total inspection burden on one enterprise", Severity.MEDIUM,
        "V-SF, V-XZ. H-FZ", "all inspections across agencies",
        "Total site inspections of one enterprise in 12 months > cfg (e.g. 12), or persons-visits "
        "> cfg",
    ),
    "C13": Pending(
        "企业安静期内入企检查", 'Inspection in the "enterprise quiet period"', Severity.LOW,
        "V-SF, V-XZ", "quiet-period calendar per enterprise, inspection date, exemption reason",
        "Site entry on a quiet day with no exemption code (Shanxi pilot, if adopted in Jinzhong)",
    ),
    "C21": Pending(
        "执法人员裁量畸高或畸低",
        "Officer-level outlier: always at the top (or bottom) of the band", Severity.MEDIUM,
        "V-SF, V-ZG. H-JJ",
        "per officer (lead handler): fines normalised to the band position "
        "p = (fine − min)/(max − min) for comparable items",
        "Officer mean p ≥ 0.8 or share of 顶格 (p = 1) ≥ cfg 30% over ≥ cfg 10 cases, with a "
        "z-score vs. department ≥ 2. Mirror rule for always ≤0.1",
    ),
    "C22": Pending(
        "部门执法异常", "Department-level anomaly", Severity.MEDIUM,
        "V-SF. H-FZ. H-JJ for extreme values",
        "per department per month: cases, total fines, 顶格 share, no-penalty and withdrawal "
        "share, fines YoY",
        "Fine revenue YoY ↑ > cfg 50% (cf. 国发〔2024〕5号). 顶格 share above the peer median "
        "+ 2σ. Share of cases closed with no penalty or withdrawn (撤案/不予处罚) above the peer "
        "median + 2σ",
    ),
    "C23": Pending(
        "同案不同罚", "Same case, different penalty", Severity.LOW, "V-SF, V-ZG",
        "violation code, quantifier bucket, tier, fine, department, county",
        "Within the same item and quantifier bucket, the fine dispersion across departments or "
        "counties (e.g. max/min > cfg 3× or CV > cfg)",
    ),
    "C27": Pending(
        "事故调查后未跟进处罚", "Accident without follow-up penalty", Severity.HIGH,
        "V-SF, V-ZG. H-JJ",
        "accident events (grade, date, investigation report approval), penalty events",
        "Accident investigation report approved but no unit fine (SPL Art. 114) or "
        "principal-person fine (Art. 95) within cfg 90 days, or fine below the grade minimum",
    ),
}  # fmt: skip

SEVERITIES = {
    Severity.CRITICAL: "likely invalid or unlawful act",
    Severity.HIGH: "procedural illegality or clear benchmark breach",
    Severity.MEDIUM: "a deviation that needs an explanation",
    Severity.LOW: "a data-quality or timeliness warning",
}
CHANNELS = {
    Channel.V_SF: "vertical (纵向): 司法行政, the bureau's enforcement-supervision office",
    Channel.V_ZG: "vertical: 主管部门, the competent / upper-level department",
    Channel.V_XZ: "vertical: 乡镇(街道), the township or street where it happened",
    Channel.H_FZ: "horizontal (横向): 法治督察, rule-of-law inspection",
    Channel.H_JJ: "horizontal: 纪检监察, discipline inspection",
    Channel.H_FY: "horizontal: 行政复议, administrative reconsideration (informative)",
}

INTRO = """# Deviation checks C01–C27

<!-- generated by `python -m jiandu_cli.checkdocs` from the checks, their registry and the
simulation; edit services/supervision_rules/checks/ or jiandu_cli/checkdocs.py, not this -->

A **deviation** (`jiandu.deviations.Deviation`) is one finding of one check about one subject — an
event, a penalty case, a coercive measure — where an enforcement action departs from the statute,
the discretion benchmark (裁量基准), a no-penalty list (免罚清单), the inspection rules or the
procedure of the Administrative Penalty Law. The rules engine keeps one state per party (the Kafka
key); when an event arrives, each check whose kinds include the event's kind judges it
(`evaluate`); deadline checks also run on a clock tick (`due`) and find what never came. A
deviation carries its explanation as data: the catalog item and version, the band or range, the
fine and the gap, the facts used and the legal basis, in Chinese and English.
"""

IDS = """## Deviation ids

`id` = the first 32 hex characters of `sha256(check id, department, subject…)`, parts joined by
U+001F (`jiandu.deviations.deviation_id`). The subject is what makes a finding unique within its
check: the event id, or the case id and a tag (`overdue`, `publication`, …), or the measure id.
Event and case ids are unique per department only, so the department is part of every id. A replay
of the same events raises the same ids; the engine does not raise an id twice for a party, and the
alert service and subscribers drop repeats.
"""


@dataclass(frozen=True)
class Example:
    """A deviation the engine raised, the events it names, and where the events came from."""

    deviation: Deviation
    events: tuple[EnforcementEvent, ...]
    origin: str


def checks_markdown() -> str:
    """The whole of docs/checks.md (deterministic: same catalog and code, same text)."""
    checks = {c.id: c for c in all_checks()}
    examples = find_examples(simulate(EXAMPLE_N, EXAMPLE_SEED), Catalog.load(), checks)
    lines = [INTRO, *_legend(), IDS, *_index(checks)]
    for check_id in CHECK_IDS:
        check = checks.get(check_id)
        if check is not None:
            lines += _implemented(check, examples.get(check_id))
        else:
            lines += _pending(check_id, PENDING[check_id])
    return "\n".join(lines)


def _legend() -> list[str]:
    lines = ["## Severities", "", "| severity | meaning |", "|---|---|"]
    lines += [f"| `{s.value}` | {text} |" for s, text in SEVERITIES.items()]
    lines += ["", "## Channels", "", "| code | who is alerted |", "|---|---|"]
    lines += [f"| `{c.value}` | {CHANNELS[c]} |" for c in Channel]
    lines += [
        "",
        "Each check has default channels; some add one when its facts say so (H-FY when the "
        "decision is under review, for example).",
        "",
    ]
    return lines


def _index(checks: Mapping[str, Check]) -> list[str]:
    lines = ["## Index", "", "| check | title | severity | channels |", "|---|---|---|---|"]
    for check_id in CHECK_IDS:
        if check_id in checks:
            spec = REGISTRY[check_id]
            sev, channels = spec.severity.value, ", ".join(c.value for c in spec.channels)
            title = f"{spec.title_zh} · {spec.title_en}"
        else:
            p = PENDING[check_id]
            sev, channels = p.severity.value, f"{p.alert_to} (not yet implemented)"
            title = f"{p.title_zh} · {p.title_en}"
        lines.append(f"| [{check_id}](#{check_id.lower()}) | {title} | {sev} | {channels} |")
    return [*lines, ""]


def _implemented(check: Check, example: Example | None) -> list[str]:
    spec, cls = check.spec, type(check)
    has_due = cls.due is not Check.due
    lines = [
        f'<a id="{check.id.lower()}"></a>',
        f"## {check.id} {spec.title_zh} · {spec.title_en}",
        "",
        "| | |",
        "|---|---|",
        f"| severity | `{spec.severity.value}` |",
        f"| default channels | {', '.join(f'`{c.value}`' for c in spec.channels)} |",
        f"| legal basis | {spec.legal_basis} |",
        f"| listens to | {', '.join(f'`{k}`' for k in sorted(cls.kinds))} |",
        "| deadline part | "
        + ("yes: `due` also finds it on a clock tick when the awaited event has not come" if has_due
           else "no: judged when an event arrives")
        + " |",
        f"| code | `{cls.__module__}.{cls.__qualname__}` |",
        "",
        f"**What it catches.** {_doc(cls)}",
        "",
    ]  # fmt: skip
    if example is None:
        return [*lines, "**Example.** None in the simulated stream.", ""]
    lines += [f"**Example.** {example.origin}", ""]
    for event in example.events:
        lines += [f"Event `{event.event_id}` (`{event.kind}`):", "", *_json(_event_json(event))]
    lines += ["The deviation it gives:", "", *_json(example.deviation.model_dump(mode="json"))]
    return lines


def _pending(check_id: str, p: Pending) -> list[str]:
    return [
        f'<a id="{check_id.lower()}"></a>',
        f"## {check_id} {p.title_zh} · {p.title_en}",
        "",
        f"**Not yet implemented (issue {p.issue}).** The definition of REFERENCE section 6:",
        "",
        "| | |",
        "|---|---|",
        f"| severity | `{p.severity.value}` |",
        f"| alert to | {p.alert_to} |",
        f"| data needed | {p.data} |",
        f"| rule | {p.rule} |",
        "",
    ]


def _doc(cls: type[Check]) -> str:
    """The class docstring as one paragraph, without its leading ``Cnn:``, capitalised."""
    text = " ".join((inspect.getdoc(cls) or "").split())
    text = text.split(": ", 1)[1] if text.startswith(f"{cls.id}:") else text
    return text[:1].upper() + text[1:]


def _event_json(event: EnforcementEvent) -> Any:
    return json.loads(event_to_json(event))


def _json(value: Any) -> list[str]:
    return ["```json", json.dumps(value, ensure_ascii=False, indent=2), "```", ""]


def find_examples(
    sim: Simulation, catalog: Catalog, checks: Mapping[str, Check]
) -> dict[str, Example]:
    """Per check id, the first deviation the engine raises over the simulated stream, preferring
    one the simulation planted for that check; derived examples for the no-penalty list checks,
    which the simulation never plants."""
    events = sim.events
    found = evaluate_events(events, catalog, events[-1].occurred_at.date())
    planted: dict[str, set[tuple[str, str]]] = {}
    for p in sim.deviations:
        for check_id in p.checks:
            planted.setdefault(check_id, set()).update((p.party_id, e) for e in p.event_ids)
    chosen: dict[str, tuple[Deviation, bool]] = {}
    for d in found:
        hit = any((d.party_id, e) in planted.get(d.check_id, ()) for e in d.event_ids)
        if d.check_id not in chosen or (hit and not chosen[d.check_id][1]):
            chosen[d.check_id] = (d, hit)
    source = f"`simulate(n={EXAMPLE_N}, seed={EXAMPLE_SEED})`"
    examples = {
        check_id: Example(
            d,
            _named(events, d),
            f"The first {check_id} deviation the engine raises over {source}"
            + (" among those the simulation planted." if hit else "."),
        )
        for check_id, (d, hit) in chosen.items()
    }
    for check_id, change, what in _DERIVED:
        if check_id in checks and check_id not in examples:
            derived = _derive(events, catalog, check_id, change)
            if derived is not None:
                examples[check_id] = Example(
                    derived[0],
                    derived[1],
                    f"The simulation plants no {check_id} deviation, so this is the first 首违不罚 "
                    f"case of {source} that gives one with its decision changed: {what}.",
                )
    return examples


def _named(events: Sequence[EnforcementEvent], d: Deviation) -> tuple[EnforcementEvent, ...]:
    """The events a deviation names, in its order (event ids are unique per department only: the
    party narrows them down, the deviation's department breaks a tie)."""
    mine = [e for e in events if e.party.id == d.party_id]
    named = []
    for event_id in dict.fromkeys(d.event_ids):
        same = [e for e in mine if e.event_id == event_id]
        named += sorted(same, key=lambda e: e.source != d.department)[:1]
    return tuple(named)


Change = Callable[[dict[str, Any]], dict[str, Any]]


def _fined(payload: dict[str, Any]) -> dict[str, Any]:
    """C04: a fine instead of 不予处罚, with no reason recorded."""
    return payload | {
        "outcome": Outcome.PENALTY.value,
        "claimed_tier": Tier.LENIENT.value,
        "fine_yuan": 10_000,
        "no_penalty_list_item": None,
        "no_penalty_reason": None,
    }


def _repeat(payload: dict[str, Any]) -> dict[str, Any]:
    """C05: the party recorded as a repeat offender, still 不予处罚."""
    return payload | {"circumstances": [*payload["circumstances"], Circumstance.REPEAT.value]}


_DERIVED: tuple[tuple[str, Change, str], ...] = (
    ("C04", _fined, "a 10,000-yuan fine instead of 不予处罚, and no reason recorded"),
    ("C05", _repeat, "the party recorded as a repeat offender (再次违法), still 不予处罚"),
)
"""(check, change to the decision payload, what changed) for the checks the simulation never
plants."""


def _derive(
    events: Sequence[EnforcementEvent], catalog: Catalog, check_id: str, change: Change
) -> tuple[Deviation, tuple[EnforcementEvent, ...]] | None:
    """The first no-penalty decision that, changed, raises ``check_id``: the party's events up to
    it, then the changed decision, through the engine."""
    for index, decision in enumerate(events):
        if not isinstance(decision, PenaltyDecidedEvent):
            continue
        if decision.payload.outcome is not Outcome.NO_PENALTY:
            continue
        raw = _event_json(decision)
        raw["payload"] = {k: v for k, v in change(raw["payload"]).items() if v is not None}
        changed = parse_event(json.dumps(raw, ensure_ascii=False))
        party = [e for e in events[:index] if e.party.id == decision.party.id] + [changed]
        found = [d for d in evaluate_events(party, catalog) if d.check_id == check_id]
        if found:
            return found[0], _named(party, found[0])
    return None


def main(argv: list[str]) -> int:
    """Write docs/checks.md, or with --check report it stale; 1 when stale."""
    text = checks_markdown()
    current = DOC.read_text("utf-8") if DOC.exists() else None
    if "--check" in argv:
        if current != text:
            print("stale generated doc: docs/checks.md (run `python -m jiandu_cli.checkdocs`)")
            return 1
        return 0
    if current != text:
        DOC.write_text(text, "utf-8")
        print("wrote docs/checks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
