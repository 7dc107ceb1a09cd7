"""At the bureau's screen widths (1366 and 1024 px) the history's 操作人 column keeps a name on
one line, and the matter table does not break 编辑 or "20个工作日" over two lines."""

import pytest
from playwright.sync_api import expect

from reports.models import MatterType
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# How many lines a cell's text takes: the distinct tops of its text's boxes.
LINES = """cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const boxes = [...range.getClientRects()].filter(box => box.width > 0);
  return new Set(boxes.map(box => Math.round(box.top))).size;
}"""


def lines(cell):
    return cell.evaluate(LINES)


@pytest.mark.parametrize("width", [1366, 1024])
def test_columns_keep_their_words_whole(world, live_server, new_context, width):
    page = new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 800}
    ).new_page()
    page.goto("/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")

    page.goto("/filings/matters/")
    cells = page.locator("tbody td.text-nowrap").all()
    assert cells
    for cell in cells[:20]:
        assert lines(cell) == 1, cell.inner_text()

    matter = MatterType.objects.get(code="major_matter")
    page.goto(f"/filings/matters/{matter.pk}/edit/")
    who = page.locator(".history-table td.history-who").first
    expect(who).to_contain_text("管理员")
    assert lines(who) == 1
