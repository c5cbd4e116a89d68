"""Form scoring: each rule of the spec costs up to its weight in points; broken rules give their cues."""
from __future__ import annotations

from dataclasses import dataclass

from posetracker.exercises.spec import FormRule

CUE_THRESHOLD = 0.25  # a rule broken by less than this fraction of its span is not worth a cue


@dataclass(frozen=True)
class FormResult:
    score: float
    cues: tuple[str, ...]


def severity(rule: FormRule, value: float) -> float:
    over = (rule.limit - value) if rule.bad == "below" else (value - rule.limit)
    return min(1.0, max(0.0, over / rule.span))


def reduce_metric(rule: FormRule, values: list[float]) -> float | None:
    if not values:
        return None
    return min(values) if rule.reduce == "min" else max(values)


def score_rep(rules: tuple[FormRule, ...], special: dict[str, float], series: dict[str, list[float]]) -> FormResult:
    """`special` holds the rep-level metrics (`depth`, `duration`); `series` the per-frame values of the others."""
    penalty, cues = 0.0, []
    for rule in rules:
        value = special.get(rule.metric)
        if value is None:
            value = reduce_metric(rule, series.get(rule.metric, []))
        if value is None:
            continue  # not measurable in this view: no penalty rather than a guess
        sev = severity(rule, value)
        penalty += rule.weight * sev
        if sev >= CUE_THRESHOLD and rule.cue not in cues:
            cues.append(rule.cue)
    return FormResult(max(0.0, 100.0 - penalty), tuple(cues))
