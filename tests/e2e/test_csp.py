"""Every browser test fails on a Content-Security-Policy violation: this one shows the check sees one."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.mark.csp_violations_expected
def test_an_inline_style_is_refused_and_reported_in_the_console(
    page, live_server, signed_in, transactional_db
):
    provider = factories.make_provider(number=92750, email="dupont.marie@test.com")
    signed_in("dupont.marie@test.com")
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"{live_server.url}/planning/")
    page.evaluate(
        """() => { const div = document.createElement('div');
                   div.innerHTML = '<p style="color: red">x</p><script>window.ran = 1</script>';
                   document.body.appendChild(div);
                   const s = document.createElement('script'); s.textContent = 'window.ran = 2';
                   document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None  # the inline script did not run
    assert any("Content Security Policy" in text for text in messages), messages
    assert provider.pk
