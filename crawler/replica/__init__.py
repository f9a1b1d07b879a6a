"""The offline replica of the four outlets: the demo site, kept apart from the product code.

- ``server``: serves ``data/replica/<outlet>/`` on 127.0.0.1, one port per outlet
  (``newsagg crawl --replica``, the tests, the benchmarks; ``python -m crawler.replica``).
- ``sites``: one renderer per outlet, turning the content files into the real sites' shape.
- ``build``: renders them all (``python -m crawler.replica.build``).

Nothing in the crawler imports from here except the code that starts a replica.
"""

from __future__ import annotations

from crawler.replica.server import (
    REPLICA_ROOT,
    Replica,
    Site,
    available,
    snapshot_for,
    snapshots,
    unknown_snapshot,
)

__all__ = [
    "REPLICA_ROOT",
    "Replica",
    "Site",
    "available",
    "snapshot_for",
    "snapshots",
    "unknown_snapshot",
]
