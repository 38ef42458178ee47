"""A roster previewed and confirmed with the files in S3-compatible storage (real moto)."""

from __future__ import annotations

from pathlib import Path

from helpers import csrf_from
from roster_helpers import count_people, csv_text, members_of
from s3server import bucket_keys, s3_app, s3_bucket, s3_endpoint  # noqa: F401 - fixtures
from test_roster_web import ROWS, _upload, english, users  # noqa: F401 - fixtures


def test_preview_and_confirm_through_the_bucket(
    client,
    auth,
    users,  # noqa: F811
    org,
    session,
    make_person,
    s3_app,  # noqa: F811
    s3_bucket,  # noqa: F811
):
    # Already on this organisation's roster: an import merges only within the roster.
    existing = make_person(full_name="Vũ Văn Hải", birth_year=1960, organizations=[org])
    before = count_people(session)
    auth.login(users["liaison"].email)
    preview_url = _upload(client, org, csv_text(ROWS).encode()).headers["Location"]
    token = preview_url.rsplit("/", 1)[1]
    keys = bucket_keys(s3_bucket)
    assert f"files/roster/pending/{token}.csv" in keys
    assert f"files/roster/pending/{token}.json" in keys
    local = Path(s3_app.config["EXPERTNET_UPLOAD_DIR"])
    assert not local.exists() or not any(p.is_file() for p in local.rglob("*"))
    page = client.get(preview_url)
    report_links = [
        part.split('"')[0] for part in page.text.split('href="')[1:] if "/roster/reports/" in part
    ]
    assert report_links, "the preview links its report of rejected rows"
    report = client.get(report_links[0])
    assert report.status_code == 200 and "no-name@example.org" in report.text
    res = client.post(
        preview_url,
        data={"csrf_token": csrf_from(page.text), "decision-3": f"p{existing.id}"},
    )
    assert res.status_code == 302
    session.expire_all()
    assert sorted(p.full_name for p in members_of(session, org)) == ["Nguyễn Văn An", "Vũ Văn Hải"]
    assert count_people(session) == before + 1
    # The confirmed file is gone from the bucket; a second confirmation imports nothing.
    assert f"files/roster/pending/{token}.csv" not in bucket_keys(s3_bucket)
    again = client.get(preview_url)
    client.post(preview_url, data={"csrf_token": csrf_from(again.text)})
    assert count_people(session) == before + 1
