"""A publication list previewed and confirmed with its upload in S3-compatible storage.

The pending file lives in the shared store, not on the node that made the preview, so
another node can confirm it (real moto server).
"""

from __future__ import annotations

import io
import re

from helpers import csrf_from
from s3server import bucket_keys, s3_app, s3_bucket, s3_endpoint  # noqa: F401 - fixtures
from sqlalchemy import select

from expertnet.scholarly.models import Publication


def test_the_pending_upload_is_in_the_bucket_until_confirmed(
    client,
    auth,
    session,
    expert,
    make_user,
    tmp_path,
    s3_app,  # noqa: F811
    s3_bucket,  # noqa: F811
):
    client.set_cookie("expertnet_lang", "en")
    liaison, _t = make_user("liaison", organization=expert["org"])
    auth.login(liaison.email)
    url = f"/organizations/{expert['org'].id}/publications/import"
    page = client.get(url)
    csv = "expert,title,year,authors\nan@example.org,Nuôi tôm sú,2020,Nguyễn Văn An\n".encode()
    r = client.post(
        url,
        data={"csrf_token": csrf_from(page.text), "file": (io.BytesIO(csv), "list.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200, r.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', r.text).group(1)
    assert bucket_keys(s3_bucket) == [
        f"files/scholarly/pending/{token}.bin",
        f"files/scholarly/pending/{token}.json",
    ]
    assert not list((tmp_path / "uploads").rglob("*.bin"))  # nothing on this node's disk
    r = client.post(f"{url}/confirm", data={"csrf_token": csrf_from(page.text), "token": token})
    assert r.status_code == 302
    pubs = session.scalars(select(Publication)).all()
    assert [(p.person_id, p.title) for p in pubs] == [(expert["person"].id, "Nuôi tôm sú")]
    assert bucket_keys(s3_bucket) == []  # discarded once imported
