"""In a real browser: a link's query parameters configure the session on every page; tokens unlock plans without
ever showing up in the page, the address bar or the server log."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from browser_support import PROJECT, WAIT_MS, AppServer, open_app, wait_until_idle

pytestmark = pytest.mark.browser

TOKEN = "dev-0123456789abcdef"  # configured below through the environment, as a deployment would
TOKEN_ENV = {"POSETRACKER_TOKENS": f"{TOKEN}=developer"}


@pytest.fixture(scope="module")
def server(artifacts_dir):
    with AppServer(artifacts_dir / "server-settings.log", env=TOKEN_ENV, project=PROJECT) as app:
        yield app
        app.stop()
        assert app.returncode == 0, f"the app did not shut down cleanly:\n{app.log_text()[-3000:]}"
        app.assert_log_clean()
        assert TOKEN not in app.log_text()


def address_bar(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def go_to(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(rf"/{title.lower()}\b"))
    wait_until_idle(page)


def exercise_shown(page) -> str:
    """The Exercise picker's value, once there is exactly one (while a rerun renders, Streamlit can show the
    previous run's picker beside the new one)."""
    picker = page.get_by_test_id("stMain").get_by_role("combobox", name="Exercise")
    expect(picker).to_have_count(1, timeout=WAIT_MS)
    return picker.input_value()


def alerts(page, *expected: str) -> list[str]:
    """The page's alerts once each expected text is among them (they render after the heading)."""
    for text in expected:
        expect(page.get_by_test_id("stAlert").filter(has_text=text).first).to_be_visible(timeout=WAIT_MS)
    return page.get_by_test_id("stAlert").all_inner_texts()


def test_a_link_configures_the_live_settings_and_upload_pages(server, launch_browser, artifacts_dir):
    page = open_app(launch_browser(), server.page_url("live", exercise="push_up", difficulty="hard", countdown="5"))

    # Live: the link's exercise is picked, and the address bar keeps the whole configuration.
    page.get_by_role("heading", name=re.compile("Live tracking")).wait_for()
    assert exercise_shown(page) == "Push-up"
    page.get_by_text("Push-up · hard · countdown 5 s · Free plan", exact=True).wait_for()
    assert {"exercise": "push_up", "difficulty": "hard", "countdown": "5", "plan": "free"}.items() <= \
        address_bar(page).items()
    assert "Free plan" in page.get_by_test_id("stSidebar").inner_text()

    # Settings, same session: every widget shows what the link asked for; Developer features are locked.
    go_to(page, "Settings")
    assert exercise_shown(page) == "Push-up"
    assert page.get_by_role("radio", name="Hard").is_checked()
    assert page.get_by_role("slider", name="Countdown (seconds, live only)").input_value() == "5"
    assert page.get_by_role("switch", name="Skeleton overlay").is_checked()
    for label in ("Raw keypoints", "Joint angles", "Form score and grade", "Progression", "Recommendations"):
        switch = page.get_by_role("switch", name=f"{label} · Developer plan")
        assert switch.is_disabled() and not switch.is_checked(), label
    assert address_bar(page)["difficulty"] == "hard"
    page.screenshot(path=str(artifacts_dir / "settings-page.png"), full_page=True)

    # A change on the Settings page reaches the address bar and the other pages.
    page.get_by_test_id("stRadio").filter(has_text="Difficulty").get_by_text("Easy", exact=True).click()
    page.wait_for_function("() => location.search.includes('difficulty=easy')")
    wait_until_idle(page)

    # Upload, same session: the same exercise and plan.
    go_to(page, "Upload")
    assert exercise_shown(page) == "Push-up"
    # The page renders element by element: wait for the plan's caption under the uploader, do not race it.
    page.get_by_test_id("stMain").get_by_text("Free plan", exact=False).first.wait_for(timeout=WAIT_MS)
    assert {"exercise": "push_up", "difficulty": "easy", "countdown": "5"}.items() <= address_bar(page).items()
    page.context.close()


def test_invalid_values_in_a_link_are_reported_on_the_page_and_replaced(server, launch_browser):
    page = open_app(launch_browser(), server.page_url("live", exercise="moonwalk", countdown="99", keypoints="yes"))
    page.get_by_role("heading", name=re.compile("Live tracking")).wait_for(timeout=WAIT_MS)
    notices = alerts(page, "moonwalk", "countdown", "does not include: Raw keypoints")
    assert any("moonwalk" in n for n in notices) and any("countdown" in n for n in notices)
    wait_until_idle(page)
    assert exercise_shown(page) == "Squat"
    page.wait_for_timeout(2_000)  # the camera component's first rerun has come and gone: they are still there
    wait_until_idle(page)
    assert len(alerts(page, "moonwalk", "countdown", "does not include: Raw keypoints")) == len(notices)
    assert {"exercise": "squat", "countdown": "3", "keypoints": "false"}.items() <= address_bar(page).items()
    page.context.close()


def test_a_token_unlocks_its_plan_and_is_never_shown(start_app, launch_browser):
    # A fresh server and a deep link to the Settings page as its very first visit.
    fresh = start_app(env=TOKEN_ENV)
    page = open_app(launch_browser(), fresh.page_url("settings", token=TOKEN, keypoints="true"))
    page.get_by_role("heading", name=re.compile("Settings")).wait_for()
    # The address bar follows the session's settings once the first run's reach the browser (not at once).
    page.wait_for_function("() => new URLSearchParams(location.search).get('plan') === 'developer'", timeout=60_000)
    assert "Developer plan (token dev-…)" in page.get_by_test_id("stSidebar").inner_text()
    keypoints = page.get_by_role("switch", name="Raw keypoints")
    assert keypoints.is_enabled() and keypoints.is_checked()
    assert "token" not in address_bar(page) and address_bar(page)["plan"] == "developer"
    assert TOKEN not in page.content()

    # A wrong token pasted on the page: an error, and the session is back on Free.
    field = page.get_by_role("textbox", name="Token")
    field.fill("forged-token-value-999")
    field.press("Enter")
    page.get_by_text("is not valid, so the session stays on the Free plan").wait_for()
    wait_until_idle(page)
    assert page.get_by_role("switch", name="Raw keypoints · Developer plan").is_disabled()
    assert address_bar(page)["plan"] == "free" and field.input_value() == ""
    assert "forged-token-value-999" not in page.content()
    page.context.close()
    fresh.stop()
    assert TOKEN not in fresh.log_text() and "forged-token-value-999" not in fresh.log_text()
    fresh.assert_log_clean()
