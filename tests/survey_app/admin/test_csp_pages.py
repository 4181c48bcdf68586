"""Finding 10.11: the staff pages work under the Content-Security-Policy (no inline code or styles)."""
import pytest
from bs4 import BeautifulSoup

from tests.survey_app.admin.test_access import PAGES, objects  # noqa: F401 (fixture)


@pytest.mark.parametrize("url", PAGES)
def test_staff_pages_use_no_inline_script_style_or_handler(as_role, objects, url):  # noqa: F811
    response = as_role("admin").get(url.format(**objects))
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    if response.mimetype != "text/html":
        return
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    for node in page.find_all("script"):
        assert node.get("src") or node.get("type") == "application/json", str(node)[:200]
    if page.find_all("style"):  # only the self-contained codebook document may style itself inline
        assert url.endswith("/codebook") and "style-src 'self' 'unsafe-inline'" in \
            response.headers["Content-Security-Policy"], url
    assert not page.find_all(style=True), [str(n)[:120] for n in page.find_all(style=True)]
    for node in page.find_all(True):
        assert not [a for a in node.attrs if a.startswith("on")], str(node)[:200]
        assert not str(node.get("href", "")).startswith("javascript:")
