"""Title pages' latency under `make bench`'s read-under-write load, measured on their own.

    python -m tests.loadtools.probe --base-url http://127.0.0.1:8765 --paths titles.txt \
        --rate 20 --duration 30

wrk gives one latency distribution for the whole mix of pages; the issue's target is on title
pages alone (p99 < 25 ms). This probe runs beside wrk, in a process of its own (the bench
process approves stories and holds its own interpreter lock), on one keep-alive connection, and
asks for a title page ``--rate`` times a second on a fixed schedule, the paths drawn from
``--paths`` (one a line, drawn with the readers' popularity). On a fixed schedule, not back to
back: a slow answer does not hide the requests that would have waited behind it. It prints one
JSON object: each latency in milliseconds, the answers served from the page cache
(``X-Page-Cache: hit``) and the errors (no answer, or a status other than 200).

The standard library only, so that it starts in a blink and measures nothing but HTTP.
"""

import argparse
import http.client
import json
import random
import sys
import time
from urllib.parse import urlsplit

TIMEOUT = 10


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--paths", required=True, help="A file of paths, one a line.")
    parser.add_argument("--rate", type=float, default=20.0, help="Requests a second (20).")
    parser.add_argument("--duration", type=float, required=True, help="Seconds.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with open(args.paths) as file:
        paths = [line.strip() for line in file if line.strip()]
    rng = random.Random(args.seed)
    parts = urlsplit(args.base_url)
    connection = None
    latencies, hits, errors = [], 0, 0
    started = time.monotonic()
    for n in range(int(args.rate * args.duration)):
        delay = started + n / args.rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        elif time.monotonic() > started + args.duration:
            break  # so slow that the schedule ran past the end: the measure ends with wrk's
        path = rng.choice(paths)
        begun = time.perf_counter()
        try:
            if connection is None:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            status, cache = response.status, response.getheader("X-Page-Cache")
        except (OSError, http.client.HTTPException):
            if connection is not None:
                connection.close()
            connection, status, cache = None, None, None
        latencies.append(1000 * (time.perf_counter() - begun))
        errors += status != 200
        hits += cache == "hit"
    json.dump({"latencies_ms": latencies, "hits": hits, "errors": errors}, sys.stdout)


if __name__ == "__main__":
    main()
