"""The session's settings, shared by every page: read once from the URL, kept in session state, always gated.

Streamlit side of `posetracker.settings`; pages call `session_settings()` and never read toggles elsewhere.
"""
from __future__ import annotations

import streamlit as st

from posetracker.settings import Settings, enforce, from_query_params, load_tokens, to_query_params

_KEY = "posetracker.settings"
_NOTICES = "posetracker.settings_notices"


def configured_tokens() -> dict[str, str]:
    try:
        secrets = st.secrets.get("tokens", {})
    except Exception:  # no secrets.toml at all is the normal case
        secrets = {}
    return load_tokens(secrets)


def _exercise_ids() -> list[str]:
    from posetracker.exercises import exercise_ids

    return list(exercise_ids())


def session_settings() -> Settings:
    """This session's settings after the plan gate. The first call reads the URL's query parameters."""
    if _KEY not in st.session_state:
        settings, problems, errors = from_query_params(
            dict(st.query_params), Settings.defaults_for("free"), _exercise_ids(), configured_tokens())
        _store(settings, problems)
    # Enforced on every read, so a forged or stale session state cannot get past the plan.
    settings, error = enforce(st.session_state[_KEY])
    if error:
        st.session_state[_NOTICES] = [*st.session_state.get(_NOTICES, []), error["message"]]
        st.session_state[_KEY] = settings
    return settings


def save_settings(settings: Settings) -> Settings:
    """Gate, store and mirror to the URL (token never included); returns what the session really gets."""
    _store(settings, [])
    return session_settings()


def _store(settings: Settings, problems: list[str]) -> None:
    allowed, error = enforce(settings)
    st.session_state[_KEY] = allowed
    st.session_state[_NOTICES] = problems + ([error["message"]] if error else [])
    st.query_params.from_dict(to_query_params(allowed))


def show_notices() -> None:
    """Problems found in the URL or refused by the plan, shown once on the page that meets them."""
    for message in st.session_state.pop(_NOTICES, []):
        st.warning(message, icon="⚠️")
