"""The guard every journey runs under catches what it is there to catch: without this, a guard
that saw nothing would pass every journey just the same."""

import pytest
from playwright.sync_api import expect


def test_the_guard_reports_a_csp_violation_a_dialog_and_a_javascript_error(
    page, guard, transactional_db
):
    page.goto("/")
    expect(page.get_by_role("heading", name="Behind the scenes")).to_be_visible()
    guard.check()  # a real page: nothing to report

    # An inline script, as an injected story would try: the site's policy refuses it.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
        }"""
    )
    page.evaluate("() => alert('hello')")
    page.evaluate("() => setTimeout(() => { throw new Error('boom'); })")
    page.wait_for_timeout(300)  # the events arrive after the calls that caused them
    assert page.evaluate("() => window.injected") is None

    problems = "\n".join(guard.problems)
    assert "Content-Security-Policy violation on" in problems
    assert "script-src" in problems
    assert "console on" in problems and "Content Security Policy directive" in problems
    assert "a JavaScript alert dialog on" in problems and "'hello'" in problems
    assert "JavaScript error on" in problems and "boom" in problems
    with pytest.raises(AssertionError, match="must never happen"):
        guard.check()
    guard.check()  # reported once: the journey goes on clean
