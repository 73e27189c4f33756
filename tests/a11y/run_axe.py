"""Run axe-core over Backlot's pages in headless Chromium, in light and dark mode, phone and
desktop widths, and fail on any serious or critical violation.

Why a script and not a test: the suite must run on a bare machine (``make test``), and this needs
a browser, Playwright and axe-core, which are not the project's dependencies. It reads a running
site, so it checks what a reader gets: the real templates, the real stylesheet, both schemes.

Setup, outside the repository (never ``playwright install``: it uses the system Chromium)::

    mkdir -p /tmp/axe && cd /tmp/axe && npm init -y && npm install axe-core
    python3.11 -m venv /tmp/pw && /tmp/pw/bin/pip install playwright

Serve a site with the demo content, then run it::

    SQLITE_PATH=/tmp/a11y.sqlite3 .venv/bin/python manage.py migrate
    SQLITE_PATH=/tmp/a11y.sqlite3 .venv/bin/python manage.py load_demo
    SQLITE_PATH=/tmp/a11y.sqlite3 .venv/bin/python manage.py runserver 127.0.0.1:8110 --noreload
    /tmp/pw/bin/python tests/a11y/run_axe.py http://127.0.0.1:8110 / /titles/ /search/?q=ledger \\
        --login contributor:backlot-contributor --signed-in /submit/ /accounts/submissions/ \\
        --screenshots /tmp/shots

Paths are read signed out; ``--signed-in`` paths after signing in through the sign-in form with
``--login``. Every page is loaded at each of ``--widths`` in each of ``--schemes``
(prefers-color-scheme emulated) and axe runs its WCAG 2.x A/AA and best-practice rules twice:
on the whole page with the <details> of <main> opened (spoilers, extra form sections), then on
the site header with its account menu opened.

It prints the violations by impact, then what axe could not decide ("needs review": a symbol
with no text to measure, text under an open menu) to be checked on the screenshots, then notes:
a page wider than the window (sideways scrolling on a phone), layout shift after load, an HTTP
error other than 404. Only violations count: the exit code is 1 when a serious or critical one
was found, else 0.
"""

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import sync_playwright

IMPACTS = ["critical", "serious", "moderate", "minor"]
FAILING = {"critical", "serious"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Collected from the first paint on: the page's cumulative layout shift, as browsers count it.
CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__cls += entry.value;
  }
}).observe({type: "layout-shift", buffered: true});
"""

PAGE_FACTS = """() => ({
  cls: window.__cls || 0,
  overflow: document.documentElement.scrollWidth - window.innerWidth,
})"""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the running site, e.g. http://127.0.0.1:8110")
    parser.add_argument("paths", nargs="*", help="paths read signed out, e.g. / /titles/")
    parser.add_argument(
        "--signed-in",
        nargs="*",
        default=[],
        metavar="PATH",
        help="paths read after signing in with --login",
    )
    parser.add_argument(
        "--login",
        metavar="USER:PASSWORD",
        help="an account to sign in with, through /accounts/login/",
    )
    parser.add_argument(
        "--widths",
        default="360,1280",
        help="window widths in CSS pixels, comma-separated (default 360,1280)",
    )
    parser.add_argument(
        "--schemes", default="light,dark", help="prefers-color-scheme values (default light,dark)"
    )
    parser.add_argument(
        "--axe",
        default=os.environ.get("AXE_JS", "/tmp/axe/node_modules/axe-core/axe.min.js"),
        help="axe.min.js to inject",
    )
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument(
        "--screenshots",
        metavar="DIR",
        help="save a full-page PNG of every page, width and scheme here",
    )
    parser.add_argument("--json", metavar="FILE", help="write every violation found as JSON")
    args = parser.parse_args(argv)
    if args.signed_in and not args.login:
        parser.error("--signed-in needs --login USER:PASSWORD")
    if not args.paths and not args.signed_in:
        parser.error("give at least one path")
    return args


def sign_in(browser, base_url, login):
    """Sign in through the site's own form, as a reader would; returns the session's state."""
    username, _, password = login.partition(":")
    context = browser.new_context()
    page = context.new_page()
    page.goto(urljoin(base_url, "/accounts/login/"))
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    if urlsplit(page.url).path.startswith("/accounts/login/"):
        sys.exit(f"Could not sign in as {username!r}: check --login.")
    state = context.storage_state()
    context.close()
    return state


def shot_name(path, width, scheme, signed_in):
    slug = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "home"
    return f"{slug}{'_signed-in' if signed_in else ''}_{width}_{scheme}.png"


def merge(*results):
    """axe's violations and incomplete checks of several runs on one page, each element once."""
    merged = {"violations": {}, "incomplete": {}}
    for result in results:
        for kind, rules in merged.items():
            for rule in result[kind]:
                kept = rules.setdefault(rule["id"], {**rule, "nodes": []})
                targets = {tuple(node["target"]) for node in kept["nodes"]}
                kept["nodes"] += [n for n in rule["nodes"] if tuple(n["target"]) not in targets]
    return list(merged["violations"].values()), list(merged["incomplete"].values())


def check_page(context, url, axe_source, screenshot):
    """Load one page, screenshot it as it first appears, then run axe on the whole page with
    the <details> of <main> open (spoilers, extra form sections), and again on the site header
    with its account menu open (apart, as the open menu covers the page below it)."""
    page = context.new_page()
    page.add_init_script(CLS_OBSERVER)
    response = page.goto(url, wait_until="load")
    page.wait_for_timeout(300)  # let late layout shifts be counted
    facts = page.evaluate(PAGE_FACTS)
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    page.evaluate(axe_source)
    run = (
        "([context, tags]) => axe.run(context || document, {runOnly: {type: 'tag', values: tags}})"
    )
    page.evaluate("document.querySelectorAll('main details').forEach((d) => { d.open = true; })")
    results = [page.evaluate(run, [None, AXE_TAGS])]
    if page.locator("body > header details").count():
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        results.append(page.evaluate(run, [{"include": [["body > header"]]}, AXE_TAGS]))
    page.close()
    violations, incomplete = merge(*results)
    return (response.status if response else 0), facts, violations, incomplete


class Findings:
    """What the runs found, kept by impact and rule so the summary names each problem once."""

    def __init__(self):
        self.by_impact = Counter()  # impact -> elements
        self.by_rule = defaultdict(set)  # (impact, rule id, help) -> runs where it was found
        self.review = defaultdict(set)  # (rule id, axe's reason) -> elements to look at
        self.notes = []
        self.violations = []  # everything, for --json
        self.runs = 0

    def add(self, where, status, facts, violations, incomplete):
        self.runs += 1
        if status >= 400 and status != 404:
            self.notes.append(f"HTTP {status}: {where}")
        if facts["overflow"] > 0:
            self.notes.append(f"{facts['overflow']} px wider than the window: {where}")
        if facts["cls"] > 0.01:
            self.notes.append(f"layout shift {facts['cls']:.3f}: {where}")
        for violation in violations:
            impact = violation["impact"] or "minor"
            self.by_impact[impact] += len(violation["nodes"])
            self.by_rule[(impact, violation["id"], violation["help"])].add(where)
            self.violations.append({"where": where, **violation})
        for check in incomplete:
            for node in check["nodes"]:
                reason = next(
                    (c["message"] for kind in ("any", "all", "none") for c in node[kind]),
                    check["help"],
                )
                self.review[(check["id"], reason)].add(f"{node['target'][-1]} on {where}")

    def print_summary(self, pages, widths, schemes):
        print(
            f"axe-core {pages} pages x {len(widths)} widths x {len(schemes)} schemes "
            f"= {self.runs} runs"
        )
        for impact in IMPACTS:
            print(f"{impact}: {self.by_impact[impact]} element(s)")
            for key in sorted(key for key in self.by_rule if key[0] == impact):
                places = sorted(self.by_rule[key])
                print(f"  {key[1]}: {key[2]} ({len(places)} run(s)), e.g. {places[0]}")
        for (rule, reason), elements in sorted(self.review.items()):
            print(f"needs review: {rule}: {reason}: {len(elements)} element(s), e.g.")
            for element in sorted(elements)[:3]:
                print(f"  {element}")
        for note in self.notes:
            print(f"note: {note}")

    @property
    def failed(self):
        return any(self.by_impact[impact] for impact in FAILING)


def main(argv=None):
    args = parse_args(argv)
    axe_source = Path(args.axe).read_text()
    widths = [int(width) for width in args.widths.split(",")]
    schemes = args.schemes.split(",")
    if args.screenshots:
        Path(args.screenshots).mkdir(parents=True, exist_ok=True)
    visits = [(path, False) for path in args.paths] + [(path, True) for path in args.signed_in]

    findings = Findings()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        state = sign_in(browser, args.base_url, args.login) if args.signed_in else None
        for path, signed_in in visits:
            for width in widths:
                for scheme in schemes:
                    # bypass_csp: axe is injected as a script, which the site's CSP would refuse.
                    context = browser.new_context(
                        viewport={"width": width, "height": 900},
                        color_scheme=scheme,
                        bypass_csp=True,
                        storage_state=state if signed_in else None,
                    )
                    screenshot = None
                    if args.screenshots:
                        name = shot_name(path, width, scheme, signed_in)
                        screenshot = str(Path(args.screenshots) / name)
                    result = check_page(
                        context, urljoin(args.base_url, path), axe_source, screenshot
                    )
                    context.close()
                    where = f"{path}{' (signed in)' if signed_in else ''} @ {width} {scheme}"
                    findings.add(where, *result)
        browser.close()

    findings.print_summary(len(visits), widths, schemes)
    if args.json:
        Path(args.json).write_text(json.dumps(findings.violations, indent=2))
    return 1 if findings.failed else 0


if __name__ == "__main__":
    sys.exit(main())
