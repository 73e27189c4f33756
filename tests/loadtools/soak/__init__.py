"""``make soak``'s parts, put together by ``management/commands/soak.py`` (which says what a run
does and what it must meet):

- ``seed``: the world it starts from (titles, contributors, moderators, a queue);
- ``client``: HTTP as a browser does it, every answer recorded;
- ``actors``: readers, contributors and racing moderators, and the ``Run`` they share;
- ``redis_server``: the soak's own ``redis-server`` on a spare port (never the shared one);
- ``faults``: a gunicorn worker killed, PostgreSQL restarted, that Redis stopped and started
  again, each watched from the side;
- ``audit``: the database checked against every acknowledged decision and submission;
- ``figures``: the fault windows, the block of figures and its targets.
"""
