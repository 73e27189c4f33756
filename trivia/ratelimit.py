"""Rate limits per user and per client address, counted in the cache.

With Redis as the cache (production) the counts are shared by every worker process; with the
local-memory cache (development) each process counts for itself. A limited request is answered
by ``templates/429.html`` with status 429 and a Retry-After header.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def client_address(request):
    """The client's address; behind a trusted proxy, the one it saw (``TRUSTED_PROXY_COUNT``)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _hit(key, limit, period):
    """Count one hit in the current window; True while the count is within the limit."""
    window = int(time.time() // period)
    cache_key = "ratelimit:" + hashlib.sha256(f"{key}:{window}".encode()).hexdigest()
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 1)
        count = 1
    return count <= limit


def is_limited(request, scope):
    """Count this request against ``settings.RATE_LIMITS[scope]``, per user and per address."""
    rule = settings.RATE_LIMITS.get(scope)
    if not rule:
        return False
    limit, period = rule
    keys = [f"{scope}:addr:{client_address(request)}"]
    # Before the session is read (the read API counts first), by address alone.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        keys.append(f"{scope}:user:{user.pk}")
    # Count every key (no short-circuit) so that each of them sees the hit.
    within = [_hit(key, limit, period) for key in keys]
    return not all(within)


def too_many_requests(request, scope, *, template="429.html", context=None):
    """The 429 answer, with Retry-After: ``templates/429.html``, or a form shown again
    (``template`` and its ``context``) so that what was typed into it is not lost."""
    _limit, period = settings.RATE_LIMITS[scope]
    context = {**(context or {}), "retry_after_minutes": max(1, period // 60)}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(period)
    return response


def ratelimit(scope, methods=("POST",)):
    """View decorator: answer 429 once ``scope``'s limit is reached (only for ``methods``)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and is_limited(request, scope):
                return too_many_requests(request, scope)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
