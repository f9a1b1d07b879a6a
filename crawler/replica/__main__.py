"""``python -m crawler.replica [OUTLET...] [--at DAY]``: serve the replica for a look in a browser."""

from __future__ import annotations

import argparse
import contextlib
import threading

from crawler.replica.server import Replica, available, snapshots


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the offline replica on 127.0.0.1.")
    parser.add_argument("outlets", nargs="*", help="default: all")
    parser.add_argument("--at", choices=snapshots(), help="snapshot day (default: the first)")
    args = parser.parse_args()
    with Replica(args.outlets or available(), snapshot=args.at) as replica:
        for slug, url in replica.base_urls.items():
            print(f"{slug:12} {url}")
        print("serving; Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
