"""The API's rate limit: ``settings.RATE_LIMITS["api"]`` requests a window per client address
(``API_RATE_LIMIT`` a minute by default), counted in the cache by ``trivia.ratelimit``'s
counter, so that with Redis every worker process shares the counts.

The API is the same for everyone and needs no account, so it counts by address alone, before
the session is read (``ApiEdgeMiddleware`` asks first, then serves even a cached answer).
"""

import math
import time

from django.conf import settings

from .. import ratelimit

SCOPE = "api"


def rule():
    """``(requests, seconds)``, or None when the limit is off."""
    return settings.RATE_LIMITS.get(SCOPE)


def is_limited(request):
    """Count this request against the client's address; True once it is over the limit."""
    return ratelimit.is_limited(request, SCOPE)


def retry_after():
    """Seconds until the current window ends (``trivia.ratelimit`` counts in fixed windows)."""
    _count, period = rule()
    return max(1, math.ceil(period - time.time() % period))
