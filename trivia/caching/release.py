"""Which release of the code wrote a cache entry: a digest of the templates and the Python code.

Cached pages are exact about the data they show (``trivia.caching.pages``), not about the code
that rendered them. The content cache's keys start with this digest, so a deploy that changes
a template or a view is never answered with pages the previous code rendered, even from a
Redis or a disk cache that outlived the restart. Computed from the files' contents, not their
dates, so that every worker and every machine of one release agree.
"""

import hashlib
from pathlib import Path

CODE_FOLDERS = ("trivia", "accounts", "templates")
SUFFIXES = {".py", ".html", ".txt", ".xml"}


def release_digest(base_dir):
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted(Path(base_dir, folder).rglob("*")):
            if path.suffix in SUFFIXES and "migrations" not in path.parts:
                digest.update(str(path.relative_to(base_dir)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
