"""Where to put the camera for an exercise, derived from its spec: the view it is counted from and the body
parts that must stay in frame. Advice in words and a small top-down diagram (SVG text, no drawing library).

    advice = camera_advice(get_spec("squat"))   # CameraAdvice(view=View.PROFILE, distance_m=(2.5, 3.0), ...)
    svg = diagram_svg(advice)
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from posetracker.exercises import ExerciseSpec, View
from posetracker.pose import KP

FEET = {KP.LEFT_ANKLE, KP.RIGHT_ANKLE}
HIPS = {KP.LEFT_HIP, KP.RIGHT_HIP, KP.LEFT_KNEE, KP.RIGHT_KNEE}

_SIDE_WORDS = {View.FACE: "in front of you, facing you", View.PROFILE: "beside you, side-on (you are seen in profile)",
               View.ANY: "in front of you or beside you"}


@dataclass(frozen=True)
class CameraAdvice:
    exercise: str
    view: View
    distance_m: tuple[float, float]
    framing: str  # what must stay in the picture

    @property
    def summary(self) -> str:
        low, high = self.distance_m
        return (f"For a {self.exercise.lower()}, put the camera {_SIDE_WORDS[self.view]}, about {low:g}–{high:g} m "
                f"away at hip height, so that {self.framing} stays in the picture.")


def camera_advice(spec: ExerciseSpec) -> CameraAdvice:
    """The farther the lowest body part that must be seen, the farther the camera: feet need the whole body."""
    required = set(spec.required)
    if required & FEET:
        distance, framing = (2.5, 3.0), "your whole body, head to feet,"
    elif required & HIPS:
        distance, framing = (2.0, 2.5), "everything from your head to your knees"
    else:
        distance, framing = (1.5, 2.0), "your head, arms and hips"
    return CameraAdvice(spec.name, spec.view, distance, framing)


def diagram_svg(advice: CameraAdvice, width: int = 320, height: int = 190) -> str:
    """A top-down sketch: the person (facing down the page), the camera where it goes, and the distance."""
    px, py = width * 0.62, height * (0.55 if advice.view is View.PROFILE else 0.40)  # the person
    if advice.view is View.PROFILE:
        cx, cy, angle = width * 0.12, py, 0        # to the person's side, lens pointing right
    else:
        cx, cy, angle = px, height * 0.86, -90     # in front, lens pointing up at the person
    low, high = advice.distance_m
    label = f"{low:g}–{high:g} m"
    mx, my = (px + cx) / 2, (py + cy) / 2
    text_x, text_y = (mx, my - 10) if advice.view is View.PROFILE else (mx + 12, my + 4)
    anchor = "middle" if advice.view is View.PROFILE else "start"
    view_name = {View.FACE: "front view", View.PROFILE: "side view", View.ANY: "front or side view"}[advice.view]
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"
 role="img" aria-label="Camera placement for {escape(advice.exercise)}: {view_name}, {label} away"
 font-family="sans-serif" font-size="13">
  <rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="8" fill="#f6f7f9" stroke="#d0d4da"/>
  <text x="10" y="18" fill="#555">Seen from above · {view_name}</text>
  <line x1="{cx:.0f}" y1="{cy:.0f}" x2="{px:.0f}" y2="{py:.0f}" stroke="#888" stroke-dasharray="5 4"/>
  <text x="{text_x:.0f}" y="{text_y:.0f}" text-anchor="{anchor}" fill="#222" font-weight="bold">{label}</text>
  <g transform="translate({px:.0f} {py:.0f})">
    <ellipse rx="26" ry="11" fill="#4a7bd0"/>
    <circle r="10" fill="#f2c6a0" stroke="#4a7bd0" stroke-width="2"/>
    <path d="M -5 9 L 0 17 L 5 9 Z" fill="#4a7bd0"/>
    <text y="-18" text-anchor="middle" fill="#333">you</text>
  </g>
  <g transform="translate({cx:.0f} {cy:.0f}) rotate({angle})">
    <path d="M 14 0 L 60 -22 L 60 22 Z" fill="#e0a020" opacity="0.25"/>
    <rect x="-14" y="-9" width="24" height="18" rx="3" fill="#333"/>
    <rect x="10" y="-5" width="6" height="10" fill="#333"/>
  </g>
  <text x="{cx:.0f}" y="{cy + (24 if advice.view is View.PROFILE else 0):.0f}"
   dx="{0 if advice.view is View.PROFILE else -22}" text-anchor="{'middle' if advice.view is View.PROFILE else 'end'}"
   fill="#333">camera</text>
</svg>"""
