"""A web process loads the heavy libraries only when it first uses what needs them.

Each check runs in a fresh interpreter (``sys.modules`` of the test process holds
whatever other tests imported): it creates the app, answers pages that need none of the
heavy libraries, and reports what got imported. Memory per worker is the app's baseline
plus what it uses, so a module-level ``import openpyxl`` (24 MB) in a module every
process loads costs every worker (docs/performance.md, issue 17).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Documents, imports, spreadsheets, learned embeddings, the graph's numerics, password
#: strength word lists, mail and storage test servers: none is needed to sign in or to
#: show the home page.
HEAVY = (
    "numpy",
    "scipy",
    "networkx",
    "snowballstemmer",
    "openpyxl",
    "lxml",
    "PIL",
    "docx",
    "reportlab",
    "pypdf",
    "pdfminer",
    "pandas",
    "sentence_transformers",
    "torch",
    "transformers",
    "bibtexparser",
    "rispy",
    "aiosmtpd",
    "boto3",
    "botocore",
    "moto",
    "zxcvbn",
    "expertnet.panel.graph",
    "expertnet.panel.snapshot",
    "expertnet.panel.affinity",
    "expertnet.panel.suggest",
)

#: Never, unless learned embeddings are configured and used.
NEVER_FOR_THE_GRAPH = ("sentence_transformers", "torch", "transformers", "openpyxl", "zxcvbn")

CHILD = textwrap.dedent(
    """
    import json, sys
    heavy = {heavy!r}
    inst = {inst!r}
    from expertnet import create_app
    from expertnet.extensions import db

    app = create_app({{
        "INSTANCE_PATH": inst,
        "SECRET_KEY": "lazy-imports-test-secret-key-0000000000",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + inst + "/app.db",
        "EXPERTNET_INDEX_DIR": inst + "/index",
        "EXPERTNET_INDEX_AUTOREBUILD": False,
        "EXPERTNET_INDEX_SYNC": False,
        "EXPERTNET_INDEX_WARM": False,
        "EXPERTNET_JOBS_EAGER": True,
        "EXPERTNET_GRAPH_BACKGROUND": False,
    }})
    out = {{"after_create_app": [m for m in heavy if m in sys.modules]}}
    with app.app_context():
        db.create_all()
    client = app.test_client()
    out["status"] = [client.get(u).status_code for u in ("/", "/login")]
    out["after_pages"] = [m for m in heavy if m in sys.modules]
    with app.app_context():
        from expertnet.panel.cache import get_graph

        eg = get_graph()
        out["graph_people"] = len(eg.people)
    out["after_graph"] = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
    print("RESULT " + json.dumps(out))
    """
)


def _run(tmp_path: Path) -> dict:
    src = CHILD.format(heavy=HEAVY, inst=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", src], capture_output=True, text=True, cwd=ROOT, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise AssertionError(done.stderr[-4000:])


def test_pages_that_need_none_of_them_load_no_heavy_library(tmp_path):
    out = _run(tmp_path)
    assert out["after_create_app"] == []
    assert out["status"] == [200, 200]
    assert out["after_pages"] == []
    # The graph loads what it computes with, and still nothing of documents, learned
    # embeddings or password checks.
    assert out["graph_people"] == 0
    assert "numpy" in out["after_graph"]
    assert not set(out["after_graph"]) & set(NEVER_FOR_THE_GRAPH)
