"""Start N reminder runs in N processes that begin at the same moment (tests/test_two_nodes.py).

``python remind_at_once.py N FOLDER TAG`` builds the app from the environment once, forks
N children, and each child opens connections of its own, touches
``FOLDER/ready-TAG-i``, waits for ``FOLDER/go``, runs ``remind()`` and prints its counts
as one JSON line. The exit status is non-zero when any run failed.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path


def _child(app, folder: Path, tag: str, slot: int) -> int:
    from expertnet.consultation.reminders import remind
    from expertnet.extensions import db

    with app.app_context():
        # The parent's connections (if any) stay the parent's: this process opens its own.
        db.engine.dispose(close=False)
        db.session.execute(db.text("SELECT 1"))  # connected before the start signal
        db.session.rollback()
        (folder / f"ready-{tag}-{slot}").touch()
        deadline = time.monotonic() + 600
        while not (folder / "go").exists():
            if time.monotonic() > deadline:
                print(json.dumps({"slot": slot, "error": "never started"}), flush=True)
                return 1
            time.sleep(0.005)
        try:
            counts = remind()
        except Exception:
            print(json.dumps({"slot": slot, "error": traceback.format_exc()}), flush=True)
            return 1
        print(json.dumps({"slot": slot, "tag": tag, "pid": os.getpid(), **counts}), flush=True)
    return 0


def main() -> int:
    runs, folder, tag = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    import expertnet.consultation.reminders  # noqa: F401 - import once, before forking
    from expertnet import create_app

    app = create_app()  # built once from the environment; each child connects on its own

    children = []
    for slot in range(runs):
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                code = _child(app, folder, tag, slot)
            finally:
                sys.stdout.flush()
                os._exit(code)
        children.append(pid)
    failed = 0
    for pid in children:
        _pid, status = os.waitpid(pid, 0)
        failed += os.waitstatus_to_exitcode(status) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
