"""Plotly figures of an analysed video (no streamlit here: the Upload page only shows them).

    signal_figure(result)   # the counting signal over time, thresholds, each rep's span shaded and numbered
    score_figure(result)    # per-rep form score as bars coloured by grade
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

if TYPE_CHECKING:
    from posetracker.engine import RepRecord

GRADE_HEX = {"A": "#2ecc71", "B": "#8cd246", "C": "#f1c40f", "D": "#e67e22", "F": "#e74c3c"}
SIDE_HEX = {"left": "#ff4b4b", "right": "#1f77b4"}
COUNTED_FILL = "rgba(46, 204, 113, 0.18)"
REJECTED_FILL = "rgba(150, 150, 150, 0.18)"
REASONS = {"too_shallow": "not deep enough", "too_fast": "too fast", "too_long": "too long (a change of position)",
           "person_lost": "person lost mid-rep", "view_changed": "the camera zoomed or cut mid-rep",
           "not_from_rest": "not from the start position", "walking": "walking in, out, nearer or farther",
           "set_end": "the end of the set (standing up, getting off), unlike its reps",
           "min_grade": "below the minimum grade"}


def _layout(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    fig.update_layout(title=title, xaxis_title=x, yaxis_title=y, hovermode="x unified", height=360,
                      margin=dict(l=10, r=10, t=50, b=10), legend=dict(orientation="h", y=1.02, x=1, xanchor="right",
                                                                         yanchor="bottom"))
    return fig


def signal_figure(result: Any) -> go.Figure:
    """Counting signal against time, with the phase thresholds and every rep (counted or rejected) shaded.

    For duration exercises, which have no counting signal, the seconds held over time instead.
    """
    if result.hold_seconds is not None:
        return _hold_figure(result)
    t = [p.t for p in result.trace]
    sides = sorted({side for p in result.trace for side in (getattr(p, "sides", None) or {})})
    fig = go.Figure()
    # An alternating exercise counts each side on its own signal: both are drawn, the combined one faintly.
    fig.add_trace(go.Scatter(x=t, y=[p.signal for p in result.trace], name="signal", mode="lines",
                             line=dict(color="#ff4b4b", width=1 if sides else 2), connectgaps=False,
                             opacity=0.35 if sides else 1.0, visible="legendonly" if sides else True,
                             hovertemplate="%{x:.2f} s: %{y:.3f}<extra>signal</extra>"))
    for i, (name, dash) in enumerate((("enter threshold", "dot"), ("rep threshold", "dash"))):
        fig.add_trace(go.Scatter(
            x=t, y=[None if p.thresholds is None else p.thresholds[i] for p in result.trace], name=name,
            mode="lines", line=dict(color="#7f8c8d", width=1, dash=dash),
            hovertemplate=f"%{{x:.2f}} s: %{{y:.3f}}<extra>{name}</extra>"))
    for side in sides:
        fig.add_trace(go.Scatter(
            x=t, y=[(p.sides or {}).get(side) for p in result.trace], name=f"{side} side", mode="lines",
            line=dict(color=SIDE_HEX.get(side, "#ff4b4b"), width=2), connectgaps=False,
            hovertemplate=f"%{{x:.2f}} s: %{{y:.3f}}<extra>{side} side</extra>"))
    for n, rep in enumerate(result.reps_detail, start=1):
        counted = rep.counted
        label = f"{n}" if counted else f"{n}✗"
        fig.add_vrect(x0=rep.start_s, x1=rep.end_s, fillcolor=COUNTED_FILL if counted else REJECTED_FILL,
                      line_width=0, layer="below", annotation_text=label, annotation_position="top left")
    # An invisible trace so hovering a rep's span tells its times (vrects have no hover of their own).
    if result.reps_detail:
        mids = [(r.start_s + r.end_s) / 2 for r in result.reps_detail]
        text = [_rep_hover(n, r) for n, r in enumerate(result.reps_detail, start=1)]
        ys = [p.signal for p in result.trace if p.signal is not None]
        fig.add_trace(go.Scatter(x=mids, y=[max(ys) if ys else 0] * len(mids), mode="markers", name="reps",
                                 marker=dict(size=8, color="rgba(0,0,0,0)"), text=text, showlegend=False,
                                 hovertemplate="%{text}<extra></extra>"))
    return _layout(fig, "Counting signal and reps", "time (s)", "signal")


def _rep_hover(n: int, rep: RepRecord) -> str:
    status = "counted" if rep.counted else f"rejected ({REASONS.get(rep.reason, rep.reason)})"
    score = "" if rep.score is None else f", score {rep.score:.0f} ({rep.grade})"
    side = f" ({rep.side} side)" if rep.side else ""
    return f"rep {n}{side}: {rep.start_s:.2f}–{rep.end_s:.2f} s, {status}{score}"


def _hold_figure(result: Any) -> go.Figure:
    points = [(e["timestampMs"] / 1000.0, e["current_count"]) for e in result.events
              if e.get("type") == "counter" and "timestampMs" in e]
    fig = go.Figure(go.Scatter(x=[0.0] + [p[0] for p in points], y=[0] + [p[1] for p in points], mode="lines",
                               line=dict(color="#ff4b4b", width=2, shape="hv"), name="seconds held",
                               hovertemplate="%{x:.2f} s: %{y} s held<extra></extra>"))
    return _layout(fig, "Time held in position", "time (s)", "seconds held")


def score_figure(result: Any) -> go.Figure | None:
    """Form score per scored rep, coloured by grade; None when no rep has a score."""
    reps = [(n, r) for n, r in enumerate(result.reps_detail, start=1) if r.score is not None]
    if not reps:
        return None
    fig = go.Figure(go.Bar(
        x=[f"rep {n}" for n, _ in reps], y=[r.score for _, r in reps],
        marker_color=[GRADE_HEX.get(r.grade, "#999999") for _, r in reps],
        text=[r.grade for _, r in reps], textposition="outside",
        customdata=[[r.start_s, r.end_s, "counted" if r.counted else "rejected"] for _, r in reps],
        hovertemplate="%{x}: score %{y:.0f} (%{text})<br>%{customdata[0]:.2f}–%{customdata[1]:.2f} s, "
                      "%{customdata[2]}<extra></extra>"))
    fig.update_yaxes(range=[0, 105])
    return _layout(fig, "Form score per rep", "", "score")
