"""The jump HUD: the last jump's height and air time large, the best of the set, and the take-off and landing
moments as they happen (live and in the exported video). Reads a `JumpState` by attribute name only."""
from __future__ import annotations

from typing import Any

from posetracker.drawing import ACCENT, DARK, WHITE, Picture, _panel, _scale, _text, _text_width

TAKEOFF_SHOWN_S = 0.25  # "Take-off" stays up this long after the moment (a flight is 0.3-0.9 s)
LANDING_SHOWN_S = 1.5   # the landing and its height stay up this long, long enough to read
GOLD = (241, 196, 15)


class JumpAnnotator:
    def annotate(self, image, state: Any) -> Picture:
        jumps = getattr(state, "jumps", None)
        if jumps is None:
            return image
        s = _scale(image)
        self._panel(image, state, s)
        t = getattr(state, "timestamp", None)
        in_air = getattr(state, "in_air_since", None)
        if t is None:
            return image
        if in_air is not None:
            label = "Take-off" if t - in_air <= TAKEOFF_SHOWN_S else "In the air"
            self._moment(image, f"{label}  {t - in_air:.2f} s", ACCENT, s)
        elif jumps and 0 <= t - jumps[-1].landing_s <= LANDING_SHOWN_S:
            last = jumps[-1]
            self._moment(image, f"Landed  {last.height_cm:.1f} cm  ({last.air_time_s:.2f} s)", GOLD, s)
        return image

    def _panel(self, image, state: Any, s: float) -> None:
        h, w = image.shape[:2]
        last, best = getattr(state, "last_jump", None), getattr(state, "best_jump", None)
        big = f"{last.height_cm:.1f} cm" if last else "-- cm"
        lines = [f"air {last.air_time_s:.2f} s" if last else "jump when ready"]
        if best is not None:
            lines.append(f"best {best.height_cm:.1f} cm, jump {best.number}")
        size, small = 1.3 * s, 0.6 * s
        thick, thin, pad = max(2, round(3 * s)), max(1, round(2 * s)), round(10 * s)
        width = pad * 2 + max([_text_width(big, size, thick)] + [_text_width(x, small, thin) for x in lines])
        height = round(50 * s) + round(26 * s) * len(lines) + pad
        x0 = w - pad - width
        _panel(image, x0, pad, w - pad, pad + height, DARK)
        y = pad + round(46 * s)
        _text(image, big, (x0 + pad, y), size, WHITE, thick)
        for line in lines:
            y += round(26 * s)
            _text(image, line, (x0 + pad, y), small, (210, 210, 210), thin)

    def _moment(self, image, text: str, color, s: float) -> None:
        h, w = image.shape[:2]
        size, thick, pad = 0.9 * s, max(2, round(2 * s)), round(10 * s)
        tw = _text_width(text, size, thick)
        x0, y0 = (w - tw) // 2 - pad, round(h * 0.12)
        _panel(image, x0, y0, x0 + tw + 2 * pad, y0 + round(42 * s), DARK, 0.7)
        _text(image, text, (x0 + pad, y0 + round(31 * s)), size, color, thick)
