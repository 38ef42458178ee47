"""Health check and the generated OpenAPI document."""

from __future__ import annotations


def test_healthz_reports_database_and_index(app, client):
    from expertnet.search.index import sync_index

    sync_index(app)
    res = client.get("/healthz")
    assert res.status_code == 200
    assert res.json["database"] == "ok"
    # A broken, missing or stale index makes this fail (issue 9: it used to pass anyway).
    assert res.json["status"] == "ok" and res.json["problems"] == [], res.json
    index = res.json["index"]
    assert index["ok"] is True and index["behind"] == 0 and index["applied"] == index["head"]


def test_openapi_covers_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.rule
        for conv in ("<int:", "<"):
            path = path.replace(conv, "{")
        path = path.replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)
    for ops in spec["paths"].values():
        for op in ops.values():
            assert op["summary"]
    assert "ExpertSchema" in str(spec) or "Expert" in spec["components"]["schemas"]


def test_the_documented_workflow_table_is_the_engines(repo_root):
    from workflows import CONSULTATION_WORKFLOW

    design = (repo_root / "docs" / "design.md").read_text(encoding="utf-8")
    assert CONSULTATION_WORKFLOW.describe().strip() in design


def test_every_workflow_table_is_in_the_design_document(repo_root):
    from workflows import WORKFLOWS, design_tables

    design = (repo_root / "docs" / "design.md").read_text(encoding="utf-8")
    assert set(WORKFLOWS) >= {"consultation", "contest_edition", "contest_entry"}
    assert design_tables().strip() in design


def test_healthz_reports_a_broken_index(app, client, session, make_person):
    """The check above can fail: a node whose index files are damaged is ``degraded``, with
    the index not ok and the reason named (the load balancer and the operator see it)."""
    from pathlib import Path

    from expertnet.search.index import get_index, sync_index

    make_person(full_name="Nguyễn Văn Chỉ Mục", public_profile=True)
    session.commit()
    sync_index(app)
    get_index(app).close()
    damaged = 0
    for path in Path(app.config["EXPERTNET_INDEX_DIR"]).rglob("*"):
        if path.is_file() and path.suffix in (".toc", ".seg", ".trm", ".pst"):
            path.write_bytes(b"not a whoosh file")
            damaged += 1
    assert damaged

    res = client.get("/healthz")
    assert res.status_code == 200  # pages and search still answer, from the database
    assert res.json["database"] == "ok"
    assert res.json["status"] == "degraded"
    assert res.json["index"]["ok"] is False
    assert any("database fallback" in p for p in res.json["problems"]), res.json
