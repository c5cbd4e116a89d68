"""The session's settings, shared by every page: read once from the URL, kept in session state, always gated.

Streamlit side of `posetracker.settings`. Pages call `session_settings()` for what this session gets, and
`save_settings()` (or `exercise_picker()`) to change it; they never keep toggles of their own.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import streamlit as st

from posetracker.errors import PoseTrackerError
from posetracker.settings import (
    Settings, enforce, from_query_params, load_tokens, mask_token, plan_for_token, to_query_params,
)
from posetracker.upload_session import SessionRegistry

_KEY = "posetracker.settings"
_NOTICES = "posetracker.settings_notices"  # error events not yet shown to the user


def run_through_app() -> None:
    """Call first in every page. Streamlit 1.60 runs a fresh server's very first script in its old multipage
    mode when a `pages/` folder exists, so a first visitor's deep link (/settings?...) would get the page alone,
    without app.py's navigation and sidebar. Leave that mode and run app.py instead."""
    # No public way out exists: Streamlit sets this flag from the folder's mere existence beside app.py, before
    # app.py runs, and only st.navigation clears it (after that first run); `pages/` is part of the fixed layout.
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


@st.cache_resource
def session_registry() -> SessionRegistry:
    """One per server: what every browser session holds (its uploads, its camera connection), released when that
    session has ended. The registry shuts a disconnected session down a little before Streamlit's own TTL would
    silently drop it (see `SessionRegistry`), so streamlit-webrtc closes its peer connection."""
    from streamlit import runtime

    if not runtime.exists():  # AppTest: no server, no sessions to end
        return SessionRegistry(lambda _id: True)
    server = runtime.get_instance()
    ttl = float(st.get_option("server.disconnectedSessionTTL"))
    interval = min(5.0, max(0.5, ttl / 4))
    return SessionRegistry(server.is_active_session, grace_s=max(ttl - 2 * interval, 0.0), interval_s=interval,
                           end_session=_session_closer(server))


def _session_closer(server):
    """`Runtime.close_session` must run on the server's event loop; Streamlit keeps that loop internal."""
    try:
        loop = server._get_async_objs().eventloop
    except Exception:  # another Streamlit: sessions then end by Streamlit's TTL alone
        return None

    def end_session(session_id: str) -> None:
        # While the server shuts down its loop closes under the sweeper: its sessions end with it, nothing to do.
        if loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(server.close_session, session_id)
        except RuntimeError:
            if not loop.is_closed():
                raise

    return end_session


def watch_session() -> None:
    """Let the registry notice when this browser session ends, so what it held is released promptly."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None:
        session_registry().watch(ctx.session_id)


def configured_tokens() -> dict[str, str]:
    """token -> plan from `[tokens]` in secrets.toml and $POSETRACKER_TOKENS. Never shown, never logged."""
    secrets: dict = {}
    try:
        secrets = {str(k): str(v) for k, v in dict(st.secrets.get("tokens", {})).items()}
    except FileNotFoundError:  # no secrets.toml is the normal case; one that does not parse is not
        if any(Path(path).is_file() for path in st.get_option("secrets.files")):
            _notify(_BAD_SECRETS)
    except (TypeError, ValueError):  # `tokens` is there but not a table
        _notify(_BAD_SECRETS)
    try:
        return load_tokens(secrets)
    except PoseTrackerError as exc:  # a malformed environment variable: say so, keep the secrets.toml tokens
        _notify(exc.to_event())
        return load_tokens(secrets, environ={})


_BAD_SECRETS = PoseTrackerError("invalid_token_config", "The tokens in .streamlit/secrets.toml could not be read, "
                                "so they are ignored. Check the file's [tokens] table against "
                                "secrets.toml.example.").to_event()


def exercise_ids() -> list[str]:
    from posetracker.exercises import exercise_ids as ids

    return list(ids())


def exercise_label(exercise_id: str) -> str:
    from posetracker.exercises import human_name

    return human_name(exercise_id)


def session_settings() -> Settings:
    """This session's settings after the plan gate. The first call reads the URL's query parameters."""
    if _KEY not in st.session_state:
        settings, errors = from_query_params(dict(st.query_params), exercise_ids(), configured_tokens())
        for error in errors:
            _notify(error)
        st.session_state[_KEY] = settings
    current = st.session_state[_KEY]
    if not isinstance(current, Settings):  # anything else in the slot is not to be trusted, nor to crash on
        _notify(PoseTrackerError("invalid_settings", "The session's settings were unreadable and have been "
                                 "reset to the Free plan's defaults.").to_event())
        current = Settings()
    if current.exercise not in exercise_ids():
        _notify(PoseTrackerError("invalid_exercise", f"Unknown exercise {current.exercise!r}; using "
                                 f"{exercise_label(Settings.exercise)}.", {"valid": exercise_ids()}).to_event())
        current = replace(current, exercise=Settings.exercise)
    # Gated on every read, so a forged or stale session state cannot get past the plan.
    allowed, error = enforce(current)
    if error:
        _notify(error)
    st.session_state[_KEY] = allowed
    _mirror_to_url(allowed)
    return allowed


def save_settings(settings: Settings) -> Settings:
    """Store new settings (gated, mirrored to the URL without any token); returns what the session really gets."""
    st.session_state[_KEY] = settings
    return session_settings()


def apply_token(token: str) -> Settings:
    """Switch to the plan a token gives; an unknown token leaves the session on Free with an `invalid_token` notice."""
    plan_id, error = plan_for_token(token.strip(), configured_tokens())
    if error:
        _notify(error)
    hint = mask_token(token.strip()) if not error else None
    return save_settings(session_settings().with_plan(plan_id, token_hint=hint))


def exercise_picker(label: str = "Exercise", key: str | None = None, **kwargs) -> Settings:
    """A selectbox of the catalogue (human names) bound to the session's exercise, for the Live and Upload pages."""
    settings = session_settings()
    ids = exercise_ids()
    chosen = st.selectbox(label, ids, index=ids.index(settings.exercise) if settings.exercise in ids else 0,
                          format_func=exercise_label, key=key, **kwargs)
    if chosen != settings.exercise:
        settings = save_settings(replace(settings, exercise=chosen))
    return settings


def plan_caption(settings: Settings) -> str:
    """"Developer plan (token dev-…)" for a sidebar; the token only ever appears masked."""
    text = f"{settings.plan_info.name} plan"
    return text + (f" (token {settings.token_hint})" if settings.token_hint else "")


def settings_caption(settings: Settings) -> str:
    """One line of what this session runs with, for the Live and Upload pages: "Push-up · hard · countdown 5 s"."""
    parts = [exercise_label(settings.exercise), settings.difficulty.value]
    if settings.min_grade:
        parts.append(f"min grade {settings.min_grade}")
    parts.append(f"countdown {settings.countdown_s} s" if settings.countdown_s else "no countdown")
    return " · ".join(parts + [plan_caption(settings)])


def take_notices() -> list[dict]:
    """The error events this session has not seen yet (URL problems, refused features, invalid tokens)."""
    return st.session_state.pop(_NOTICES, [])


_SHOWN = "posetracker.notices_shown"  # (settings, events) on screen, kept through reruns until the settings change


def show_notices() -> None:
    """Show the pending error events on whichever page meets them, and keep them there until the settings change.

    They stay through the reruns that follow by themselves (the camera component's first one comes within a
    second): shown once, they flashed away before anyone could read them. And they sit in one container, so
    their coming and going never moves the widgets below: a rerun that shifted them left the old Exercise
    picker on screen beside the new one until the run finished."""
    current = st.session_state.get(_KEY)
    fresh, shown = take_notices(), st.session_state.get(_SHOWN)
    if fresh:
        shown = st.session_state[_SHOWN] = (current, fresh)
    elif shown is not None and shown[0] != current:
        shown = st.session_state[_SHOWN] = None
    with st.container():
        for event in shown[1] if shown else ():
            if event["code"] in ("invalid_token", "invalid_token_config", "invalid_settings"):
                st.error(event["message"], icon="🔑")
            else:
                st.warning(event["message"], icon="⚠️")


def _notify(event: dict) -> None:
    pending = st.session_state.setdefault(_NOTICES, [])
    if event not in pending:
        pending.append(event)


def _mirror_to_url(settings: Settings) -> None:
    # Page navigation clears the query string; writing it back keeps the address bar a shareable link.
    # Parameters other pages own are left as they are; a token is dropped once read.
    wanted = to_query_params(settings)
    current = st.query_params.to_dict()
    stale = [k for k in ("exercise", "reference") if k in current and k not in wanted]  # one or the other
    if "token" in current or stale or any(current.get(k) != v for k, v in wanted.items()):
        others = {k: v for k, v in current.items() if k not in wanted and k not in ("token", *stale)}
        st.query_params.from_dict({**others, **wanted})
