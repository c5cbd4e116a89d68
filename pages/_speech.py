"""Spoken coaching on the Live page: the browser says counts, the countdown, placement changes and cues aloud.

`posetracker.speech.SpeechCues` decides what to say from each snapshot the panel polls; a small component in
the page speaks it with the Web Speech API (`speechSynthesis`: the system's voices, no audio from the server,
works offline). The browser never queues: it hands `speak()` one utterance at a time, when the previous one
has ended, and drops whatever has waited more than MAX_LAG_S, so speech never trails the set.
"""
from __future__ import annotations

import time
from dataclasses import replace

import streamlit as st

from pages._shared import save_settings
from posetracker.speech import SpeechCues

MAX_LAG_S = 2.0  # the longest an utterance may wait in the browser before it is dropped unsaid
# When speech is turned on (or the page loads), what the server decided to say longer ago than this is history,
# not news. Once listening, everything new is said when it arrives, whatever its age: a busy server may deliver
# a panel update late (measured: 20 s at load 25), and the panel shows those counts at that moment too.
STALE_S = 4.0
_CUES = "live.speech_cues"
_TOGGLE = "live.speak"

_JS = """
export default function (component) {
  const data = component.data || {};
  const synth = window.speechSynthesis;
  if (!synth) return;
  const s = window.__posetrackerSpeech || (window.__posetrackerSpeech = { last: 0, queue: [], busy: false,
                                                                          busyUntil: 0, timer: null,
                                                                          resync: true });
  const maxLagMs = data.max_lag_s * 1000;
  const now = Date.now();
  for (const item of data.items || []) {
    if (item.id <= s.last) continue;
    s.last = item.id;
    // Said while nobody listened (speech just turned on, the page just loaded): history, not news.
    if (!data.enabled || (s.resync && item.age_s > data.stale_s)) continue;
    s.queue.push({ ...item, at: now });
  }
  s.resync = !data.enabled;
  if (!data.enabled) {
    if (s.queue.length || s.busy) { s.queue = []; s.busy = false; synth.cancel(); }
    return;
  }

  const voiceFor = (numeric) => {
    const want = (numeric ? navigator.language : "en-US") || "en-US";
    const base = want.split("-")[0].toLowerCase();
    const voices = synth.getVoices();
    return voices.find(v => v.lang.toLowerCase() === want.toLowerCase())
      || voices.find(v => v.lang.toLowerCase().split(/[-_]/)[0] === base) || null;
  };
  const done = () => { s.busy = false; pump(); };
  function pump() {
    const t = Date.now();
    if (s.busy && t < s.busyUntil) return;
    s.busy = false;
    s.queue = s.queue.filter(u => t - u.at <= maxLagMs);  // late is worse than never
    if (!s.queue.length) return;
    // Counts first: they are what a person mid-set listens for.
    const i = Math.max(0, s.queue.findIndex(u => u.kind === "count"));
    const item = s.queue.splice(i, 1)[0];
    let voice = voiceFor(item.numeric);
    if (!voice && item.numeric) voice = voiceFor(false);  // no voice for the browser's language
    const u = new SpeechSynthesisUtterance(item.text);
    if (voice) { u.voice = voice; u.lang = voice.lang; } else { u.lang = item.numeric ? navigator.language : "en-US"; }
    u.rate = 1.1;
    u.onend = done;
    u.onerror = done;
    s.busy = true;
    // If the end is never reported (no voice installed, a stuck engine), a generous estimate frees the slot.
    s.busyUntil = t + Math.min(4000, 600 + 80 * item.text.length);
    synth.speak(u);
  }
  pump();
  if (!s.timer) s.timer = setInterval(() => { if (s.queue.length || s.busy) pump(); }, 150);
}
"""

_speaker = st.components.v2.component("posetracker_speech", html="<span></span>", js=_JS)


def speech_toggle(settings):
    """The "speak counts and cues" toggle, bound to the session's settings (and so to the URL's `speak`)."""
    st.session_state.setdefault(_TOGGLE, settings.speak)
    on = st.toggle("Speak counts and cues", key=_TOGGLE,
                   help="Your browser says each count, the countdown, where to stand and form cues aloud, with "
                        "its own voices (no sound comes from the server). Turn the volume up.")
    if on != settings.speak:
        settings = save_settings(replace(settings, speak=on))
    return settings


def speak_updates(snapshot, enabled: bool) -> None:
    """Work out what is new to say in this snapshot and hand it to the page's speaker."""
    cues: SpeechCues = st.session_state.setdefault(_CUES, SpeechCues())
    now = time.monotonic()
    cues.update(snapshot.state, now)
    # Mounted when off too, so turning it off silences what is being said at once.
    _speaker(key="live.speaker", data={"enabled": enabled, "max_lag_s": MAX_LAG_S, "stale_s": STALE_S,
                                       "items": [u.to_dict(now) for u in cues.recent] if enabled else []})
