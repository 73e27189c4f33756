"""The figures a run prints in one block (tests/conftest.py): how many hostile inputs were tried,
how many answers were 500 or more, how many leaks were seen (a payload shown unescaped, an
unpublished story on a public page), how many permission-matrix cells were checked, how many
real-browser journeys passed (tests/browser) and how many moderation decisions were lost or
doubled when moderators raced (tests/test_concurrency.py).

The tests count here as they go and fail on their own; the block says how much was covered.
Each group is printed only by a run that exercised it. In a parallel run (pytest-xdist) each
worker counts its own tests and hands its counts to the controller, which adds them up and
prints the block (tests/conftest.py).
"""

from dataclasses import asdict, dataclass, fields


@dataclass
class Figures:
    hostile_inputs: int = 0
    server_errors: int = 0
    # Of the server errors, those met by tests of known bugs (marked xfail): expected ones.
    known_bug_errors: int = 0
    leaks: int = 0
    matrix_cells: int = 0
    # tests/browser: journeys run, passed, and skipped because no Chromium is installed.
    browser_journeys: int = 0
    browser_journeys_passed: int = 0
    browser_journeys_no_chromium: int = 0
    # tests/test_concurrency.py: stories decided by racing moderators, and of them those whose
    # decision was lost (none recorded) or doubled (more than one).
    raced_stories: int = 0
    decisions_lost_or_doubled: int = 0

    def any(self):
        return any(getattr(self, field.name) for field in fields(self))

    def counts(self):
        """Every figure as a plain number, as a worker sends them to the controller."""
        return asdict(self)

    def add(self, counts):
        """Add another process's ``counts()`` (a pytest-xdist worker's) to these."""
        for name, value in counts.items():
            setattr(self, name, getattr(self, name) + value)

    def lines(self):
        lines = []
        if self.hostile_inputs or self.server_errors or self.leaks or self.matrix_cells:
            lines += [
                f"hostile inputs tried: {self.hostile_inputs}",
                f"answers >= 500: {self.server_errors}"
                + (
                    f" ({self.known_bug_errors} of them in tests of known bugs, marked xfail)"
                    if self.known_bug_errors
                    else ""
                ),
                f"leaks (payload unescaped or unpublished content seen): {self.leaks}",
                f"permission matrix cells checked: {self.matrix_cells}",
            ]
        if self.browser_journeys:
            lines.append(
                f"browser journeys passed: {self.browser_journeys_passed} of "
                f"{self.browser_journeys}"
                + (
                    f"; skipped: no chromium ({self.browser_journeys_no_chromium}),"
                    " install it with apt-get install -y chromium"
                    if self.browser_journeys_no_chromium
                    else ""
                )
            )
        if self.raced_stories:
            lines.append(
                f"decisions lost or doubled: {self.decisions_lost_or_doubled}"
                f" (of {self.raced_stories} stories decided by racing moderators)"
            )
        return lines


FIGURES = Figures()
