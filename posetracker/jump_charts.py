"""The Upload page's jump table and chart, from the `jump_summary` event (pure: no streamlit)."""
from __future__ import annotations

import plotly.graph_objects as go

from posetracker.jumps import is_jump


def jump_summary_of(events: list[dict]) -> dict | None:
    return next((e for e in reversed(events) if e.get("type") == "jump_summary"), None)


def jump_rows(summary: dict) -> list[dict]:
    """One row a jump: number, take-off and landing times, air time, height."""
    return [{"jump": j["jumpNumber"], "take-off (s)": round(j["takeoffMs"] / 1000, 3) if "takeoffMs" in j else None,
             "landing (s)": round(j["landingMs"] / 1000, 3) if "landingMs" in j else None,
             "air time (s)": round(j["airTimeMs"] / 1000, 3), "height (cm)": j["jumpHeightCm"]}
            for j in summary["jumps"]]


def jump_figure(summary: dict) -> go.Figure:
    """Height per jump, the best one highlighted, the set's average as a line."""
    jumps = summary["jumps"]
    best = summary["maxJumpHeight"]
    fig = go.Figure(go.Bar(
        x=[j["jumpNumber"] for j in jumps], y=[j["jumpHeightCm"] for j in jumps],
        marker_color=["#f1c40f" if j["jumpHeightCm"] == best else "#ff4b4b" for j in jumps],
        text=[f"{j['jumpHeightCm']:.1f}" for j in jumps], textposition="outside",
        hovertemplate="jump %{x}: %{y:.1f} cm<br>air %{customdata:.3f} s<extra></extra>",
        customdata=[j["airTimeMs"] / 1000 for j in jumps]))
    if summary["avgJumpHeight"] is not None:
        fig.add_hline(y=summary["avgJumpHeight"], line_dash="dot", annotation_text="average")
    fig.update_layout(title="Height per jump", xaxis_title="jump", yaxis_title="height (cm)", height=320,
                      margin=dict(l=40, r=20, t=50, b=40), xaxis=dict(dtick=1))
    return fig


def result_summary(result) -> dict | None:
    """The jump summary of an analysed video (None when its exercise is not a jump)."""
    if not is_jump(result.exercise):
        return None
    from posetracker import events as ev

    return jump_summary_of(result.events) or ev.jump_summary([])
