"""The Upload page in Streamlit's AppTest (uploads themselves are driven in the browser test)."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

PAGE = "pages/upload.py"


@pytest.mark.parametrize("plan", ["free", "developer"])
def test_the_page_renders_with_the_plan_and_its_limits(plan):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["plan"] = plan
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value.endswith("Upload a video")
    assert any("Uploads up to" in c.value for c in at.caption)
    assert [s.label for s in at.selectbox] == ["Exercise"]
    assert "Push-up" in at.selectbox[0].options
