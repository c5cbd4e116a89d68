"""PoseTracker's exercise catalogue (plus sit_up and crunch) as data. Signal units: see `posetracker.signals`."""
from __future__ import annotations

from posetracker.exercises.spec import Depth, ExerciseSpec, FormRule, HoldRule, Hysteresis, Kind, View
from posetracker.filters import OneEuroParams
from posetracker.pose import KP

ARMS = (KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER, KP.LEFT_ELBOW, KP.RIGHT_ELBOW, KP.LEFT_WRIST, KP.RIGHT_WRIST)
LEGS = (KP.LEFT_HIP, KP.RIGHT_HIP, KP.LEFT_KNEE, KP.RIGHT_KNEE, KP.LEFT_ANKLE, KP.RIGHT_ANKLE)
TRUNK = (KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER, KP.LEFT_HIP, KP.RIGHT_HIP)
BODY = ARMS[:2] + LEGS

# Curls are slow and controlled (a rep takes 1.5-3 s), so they can be smoothed harder than the default:
# an occluded far arm's jitter then no longer splits one curl into two.
CONTROLLED = OneEuroParams(min_cutoff=0.6, beta=0.3)
FAST_LIFT_S = 0.08  # the shortest knee lift that counts
# A rep is timed from leaving rest to half-way back, about two-thirds of its period: jumping jacks done as fast
# as people do them (three a second) last about 0.2 s by that measure. Jitter is kept out by the depth (most of
# an arm's swing, both wrists score-weighted) and the smoothing, not by this.
FAST_JACK_S = 0.15

GO_LOWER = FormRule("depth", "Go lower", "depth", 0.8, span=0.5, weight=30)
FULL_RANGE = FormRule("depth", "Use the full range of motion", "depth", 0.8, span=0.5, weight=30)
SLOW_DOWN = FormRule("tempo", "Slow down, control the movement", "duration", 0.8, span=0.5, weight=15)
STRAIGHT_BODY = FormRule("body_line", "Keep your body in a straight line", "body_line", 155, span=30, weight=25)
STRAIGHT_BACK = FormRule("back", "Keep your back straight", "hip_angle", 60, span=30, weight=15)

SPECS = (
    ExerciseSpec("squat", "Squat", Kind.REPS, View.PROFILE, BODY, "hip_drop",
                 depth=Depth(0.12, 0.2, 0.32), target=0.45,
                 rules=(GO_LOWER, STRAIGHT_BACK, SLOW_DOWN)),
    ExerciseSpec("push_up", "Push-up", Kind.REPS, View.PROFILE, ARMS + TRUNK, "wrist_rise",
                 depth=Depth(0.12, 0.18, 0.3), target=0.5,
                 rules=(GO_LOWER, STRAIGHT_BODY, SLOW_DOWN)),
    # A lunge drops the hips a third of a leg or more; a quarter keeps out the dip of un-racking a bar.
    ExerciseSpec("lunge", "Lunge", Kind.REPS, View.PROFILE, LEGS, "hip_drop",
                 depth=Depth(0.15, 0.25, 0.32), target=0.35,
                 rules=(GO_LOWER, SLOW_DOWN)),
    ExerciseSpec("side_lunge", "Side lunge", Kind.REPS, View.FACE, LEGS, "hip_drop",
                 depth=Depth(0.1, 0.15, 0.25), target=0.35,
                 rules=(GO_LOWER, SLOW_DOWN)),
    ExerciseSpec("deadlift", "Deadlift", Kind.REPS, View.PROFILE, TRUNK + LEGS[2:], "torso_lean",
                 depth=Depth(0.25, 0.35, 0.5), target=0.7,
                 rules=(FULL_RANGE, SLOW_DOWN)),
    ExerciseSpec("bicep_curl", "Bicep curl", Kind.REPS, View.ANY, ARMS, "arm_flex", sides="alternate",
                 depth=Depth(0.25, 0.35, 0.5), target=0.65, smoothing=CONTROLLED,
                 rules=(FormRule("depth", "Curl all the way up", "depth", 0.8, span=0.5, weight=30), SLOW_DOWN)),
    ExerciseSpec("hammer_curl", "Hammer curl", Kind.REPS, View.ANY, ARMS, "arm_flex", sides="alternate",
                 depth=Depth(0.25, 0.35, 0.5), target=0.65, smoothing=CONTROLLED,
                 rules=(FormRule("depth", "Curl all the way up", "depth", 0.8, span=0.5, weight=30), SLOW_DOWN)),
    # A dip starts from the arms (nearly) locked out: the wrists at least 0.7 arm lengths below the shoulders
    # (elbows opened past about 110 degrees). Standing at the bars with the hands at chest height is not a rest.
    ExerciseSpec("tricep_dip", "Tricep dip", Kind.REPS, View.PROFILE, ARMS + TRUNK[2:], "wrist_rise",
                 depth=Depth(0.12, 0.18, 0.3), target=0.45, rest_range=(-2.0, -0.7),
                 rules=(GO_LOWER, SLOW_DOWN)),
    ExerciseSpec("shoulder_press", "Shoulder press", Kind.REPS, View.FACE, ARMS, "wrist_rise",
                 depth=Depth(0.3, 0.45, 0.65), target=0.8,
                 rules=(FormRule("depth", "Press all the way up", "depth", 0.8, span=0.5, weight=30), SLOW_DOWN)),
    ExerciseSpec("lateral_raise", "Lateral raise", Kind.REPS, View.FACE, ARMS, "wrist_rise",
                 depth=Depth(0.4, 0.6, 0.8), target=0.9,
                 rules=(FormRule("depth", "Raise your arms to shoulder height", "depth", 0.8, span=0.5, weight=30),
                        SLOW_DOWN)),
    ExerciseSpec("glute_bridge", "Glute bridge", Kind.REPS, View.PROFILE, TRUNK + LEGS[2:], "hip_lift",
                 depth=Depth(0.08, 0.12, 0.18), target=0.25,
                 rules=(FormRule("depth", "Push your hips higher", "depth", 0.8, span=0.5, weight=30), SLOW_DOWN)),
    ExerciseSpec("calf_raise", "Calf raise", Kind.REPS, View.PROFILE, LEGS, "body_rise",
                 depth=Depth(0.03, 0.05, 0.08), target=0.1,
                 hysteresis=Hysteresis(noise=0.015),
                 rules=(FormRule("depth", "Rise higher on your toes", "depth", 0.8, span=0.5, weight=30), SLOW_DOWN)),
    # Fast alternating exercises: one track per side, up to 4 lifts a second per side (a lift then lasts an
    # eighth of a second, hence the short `min_rep_s`; jitter is kept out by depth and the other side's overlap).
    # One-Euro's beta is per signal unit: the knee drive spans less than half the knee rise, so it needs a larger
    # beta for the filter to open up as quickly at speed.
    ExerciseSpec("mountain_climber", "Mountain climber", Kind.REPS, View.PROFILE, TRUNK + LEGS[2:4], "knee_drive",
                 sides="alternate", depth=Depth(0.12, 0.18, 0.28), target=0.35, min_rep_s=FAST_LIFT_S,
                 smoothing=OneEuroParams(min_cutoff=4.0, beta=1.2),
                 rules=(FormRule("depth", "Drive your knee to your chest", "depth", 0.8, span=0.5, weight=30),
                        STRAIGHT_BODY)),
    ExerciseSpec("high_knees", "High knees", Kind.REPS, View.FACE, LEGS, "knee_rise", sides="alternate",
                 depth=Depth(0.25, 0.4, 0.6), target=0.8, min_rep_s=FAST_LIFT_S,
                 smoothing=OneEuroParams(min_cutoff=2.0, beta=0.5),
                 rules=(FormRule("depth", "Bring your knees higher", "depth", 0.8, span=0.5, weight=30),)),
    ExerciseSpec("jumping_jack", "Jumping jack", Kind.REPS, View.FACE, ARMS + LEGS, "wrist_rise",
                 depth=Depth(0.6, 0.9, 1.3), target=1.7, min_rep_s=FAST_JACK_S,
                 smoothing=OneEuroParams(min_cutoff=2.0, beta=0.5),
                 rules=(FormRule("depth", "Raise your arms all the way up", "depth", 0.8, span=0.5, weight=30),)),
    ExerciseSpec("low_impact_jack", "Low-impact jack", Kind.REPS, View.FACE, ARMS + LEGS, "wrist_rise",
                 depth=Depth(0.6, 0.9, 1.3), target=1.7, min_rep_s=FAST_JACK_S,
                 rules=(FormRule("depth", "Raise your arms all the way up", "depth", 0.8, span=0.5, weight=30),)),
    ExerciseSpec("leg_raise", "Leg raise", Kind.REPS, View.PROFILE, TRUNK[2:] + LEGS[2:], "leg_rise",
                 depth=Depth(0.3, 0.45, 0.65), target=0.8,
                 rules=(FormRule("depth", "Raise your legs higher", "depth", 0.8, span=0.5, weight=30), SLOW_DOWN)),
    ExerciseSpec("sit_up", "Sit-up", Kind.REPS, View.PROFILE, TRUNK + LEGS[2:4], "trunk_rise",
                 depth=Depth(0.25, 0.35, 0.5), target=0.6,
                 rules=(FormRule("depth", "Sit all the way up", "depth", 0.8, span=0.5, weight=30), SLOW_DOWN)),
    ExerciseSpec("crunch", "Crunch", Kind.REPS, View.PROFILE, TRUNK + LEGS[2:4], "trunk_rise",
                 depth=Depth(0.08, 0.12, 0.18), target=0.25, hysteresis=Hysteresis(noise=0.03),
                 rules=(FormRule("depth", "Curl your shoulders higher", "depth", 0.8, span=0.5, weight=30),
                        SLOW_DOWN)),
    ExerciseSpec("plank", "Plank", Kind.DURATION, View.PROFILE, TRUNK + LEGS[4:],
                 # Arms hold the shoulders up (lying flat has the wrists level with the shoulders); the body is
                 # straight and horizontal: seen from the side the hips are lifted off the floor, seen end-on
                 # the legs point at the camera so the feet show level with or above the hips.
                 hold=HoldRule((("wrist_rise", -2.0, -0.3),),
                               any_of=((("body_tilt", -1, 35), ("hip_lift", 0.12, 0.6), ("body_line", 145, 181)),
                                       (("body_tilt", 45, 91), ("hip_lift", -0.6, 0.1))),
                               # End-on with the legs hidden: the hips show level with or above the shoulders,
                               # which a standing or kneeling-upright person never does.
                               occluded=(("trunk_rise", -2.0, 0.15),)),
                 rules=(STRAIGHT_BODY,)),
    ExerciseSpec("wall_sit", "Wall sit", Kind.DURATION, View.PROFILE, LEGS,
                 hold=HoldRule((("hip_drop", 0.3, 2.0),)),
                 rules=(FormRule("depth", "Lower your hips to knee height", "hip_drop", 0.4, span=0.2),)),
    ExerciseSpec("balance_leg", "Balance on one leg", Kind.DURATION, View.FACE, LEGS,
                 hold=HoldRule((("foot_lift", 0.12, 5.0),), side="max")),
    ExerciseSpec("balance_leg_left", "Balance on the left leg", Kind.DURATION, View.FACE, LEGS,
                 hold=HoldRule((("foot_lift", 0.12, 5.0),), side="right",
                               wrong_side_cue="That's your right leg: stand on your left leg, lift your right foot")),
    ExerciseSpec("balance_leg_right", "Balance on the right leg", Kind.DURATION, View.FACE, LEGS,
                 hold=HoldRule((("foot_lift", 0.12, 5.0),), side="left",
                               wrong_side_cue="That's your left leg: stand on your right leg, lift your left foot")),
    # Jumps are measured by their own engine (posetracker.jumps); the spec gives placement its keypoints.
    ExerciseSpec("air_time_jump", "Air-time jump", Kind.JUMP, View.ANY, BODY),
    ExerciseSpec("jump_analysis", "Jump analysis", Kind.JUMP, View.ANY, BODY),
)
