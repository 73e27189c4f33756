"""gunicorn's settings beyond the command line of `make serve` (read from the current folder by
any gunicorn started here: `make serve`, `make bench`, the tests' servers).

gunicorn names itself in a Server header on every response, and has no setting for it: its
response writer takes the name from ``gunicorn.http.wsgi.SERVER`` (HTTP/1 and HTTP/2 alike), so
the name is replaced there. The software a site runs on is a scanner's first question.
"""

from gunicorn.http import wsgi

wsgi.SERVER = "Backlot"
