"""The browser tests' server-log check: which tracebacks fail a test (no browser needed)."""
from __future__ import annotations

from browser_support import app_tracebacks

SITE = "/venv/lib/python3.11/site-packages"
# Streamlit 1.60 on starlette 1.7 when a browser goes away mid-send (as logged, paths shortened).
CLOSE_RACE = f'''Exception in ASGI application
Traceback (most recent call last):
  File "{SITE}/streamlit/web/server/starlette/starlette_websocket.py", line 468, in _websocket_endpoint
    data = await websocket.receive_bytes()
  File "{SITE}/starlette/websockets.py", line 131, in receive_bytes
    raise WebSocketDisconnected('WebSocket is not connected. Need to call "accept" first.')
starlette.websockets.WebSocketDisconnected: WebSocket is not connected. Need to call "accept" first.

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "{SITE}/uvicorn/protocols/websockets/websockets_sansio_impl.py", line 409, in run_asgi
    result = await self.app(self.scope, self.receive, self.send)
  File "{SITE}/streamlit/web/server/starlette/starlette_websocket.py", line 476, in _websocket_endpoint
    await websocket.close()
  File "{SITE}/starlette/websockets.py", line 104, in send
    raise WebSocketDisconnected('Cannot call "send" once a close message has been sent.')
starlette.websockets.WebSocketDisconnected: Cannot call "send" once a close message has been sent.
'''
OURS = '''ending session ec8203e9 failed
Traceback (most recent call last):
  File "/srv/app/posetracker/upload_session.py", line 249, in sweep
    self._end_session(session_id)
  File "/usr/lib/python3.11/asyncio/base_events.py", line 519, in _check_closed
    raise RuntimeError('Event loop is closed')
RuntimeError: Event loop is closed
'''
OTHER = f'''Traceback (most recent call last):
  File "{SITE}/streamlit/runtime/scriptrunner/script_runner.py", line 600, in _run_script
    exec(code, module.__dict__)
KeyError: 'x'
'''
HEAD = "2026-01-01 10:00:00.000 INFO streamlit: Uvicorn server started\n\n  URL: http://127.0.0.1:8501\n\n"


def test_a_clean_log_and_streamlits_websocket_close_race_pass():
    assert app_tracebacks(HEAD) == []
    assert app_tracebacks(HEAD + CLOSE_RACE + CLOSE_RACE + "  Stopping...\n") == []


def test_any_other_traceback_fails_and_is_reported_alone():
    found = app_tracebacks(HEAD + CLOSE_RACE + OURS + CLOSE_RACE)
    assert len(found) == 1 and "Event loop is closed" in found[0] and "WebSocketDisconnected" not in found[0]
    found = app_tracebacks(HEAD + OTHER)
    assert len(found) == 1 and "KeyError" in found[0]


def test_the_close_race_through_the_projects_code_is_not_excused():
    ours = CLOSE_RACE.replace('  File "{0}/uvicorn'.format(SITE), '  File "/srv/app/pages/live.py", line 1, in x\n'
                              '  File "{0}/uvicorn'.format(SITE))
    assert "/pages/" in ours and len(app_tracebacks(ours)) == 1
