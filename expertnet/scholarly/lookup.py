"""Live lookup of a work by DOI (Crossref) or of a person's works by ORCID iD (ORCID).

Off by default: an installation turns it on with ``EXPERTNET_SCHOLARLY_LOOKUP=1`` (the
union's server may have no way out, and some bodies do not want staff data leaving).
Each call has a timeout and a size limit; an unreachable or failing service gives one
clear message (``LookupFailed``) and changes nothing. The answers are parsed by the same
code as uploaded files (``importers.parse_json``), so a looked-up work and an imported
one are the same thing.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .i18n import _
from .importers import ImportFormatError, Parsed, normalize_doi, normalize_orcid, parse_json

MAX_RESPONSE_BYTES = 5 * 1024 * 1024


class LookupDisabled(Exception):
    """Lookups are switched off on this installation."""


class LookupFailed(Exception):
    """The service did not answer usefully; the message says why, for a person."""


@dataclass(frozen=True)
class LookupConfig:
    enabled: bool
    crossref_url: str
    orcid_url: str
    timeout: float
    contact: str

    @classmethod
    def from_app(cls, config) -> LookupConfig:
        return cls(
            enabled=bool(config.get("EXPERTNET_SCHOLARLY_LOOKUP")),
            crossref_url=config.get("EXPERTNET_CROSSREF_URL", "https://api.crossref.org"),
            orcid_url=config.get("EXPERTNET_ORCID_URL", "https://pub.orcid.org/v3.0"),
            timeout=float(config.get("EXPERTNET_LOOKUP_TIMEOUT", 10)),
            contact=config.get("EXPERTNET_MAIL_FROM", "expertnet@localhost"),
        )


def _fetch(url: str, cfg: LookupConfig, service: str) -> str:
    req = urllib.request.Request(  # noqa: S310 - the base URL comes from configuration
        url,
        headers={
            "Accept": "application/json",
            # Crossref's "polite pool" asks for a contact address.
            "User-Agent": f"expertnet/0.1 (mailto:{cfg.contact})",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=cfg.timeout) as resp:  # noqa: S310
            body = resp.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise LookupFailed(
                _("%(service)s does not know this identifier.", service=service)
            ) from None
        raise LookupFailed(
            _("%(service)s answered with an error (HTTP %(code)s).", service=service, code=exc.code)
        ) from None
    except TimeoutError:
        raise LookupFailed(
            _(
                "%(service)s did not answer within %(s)s seconds; try again later or import a "
                "file instead.",
                service=service,
                s=int(cfg.timeout),
            )
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise LookupFailed(
                _(
                    "%(service)s did not answer within %(s)s seconds; try again later or "
                    "import a file instead.",
                    service=service,
                    s=int(cfg.timeout),
                )
            ) from None
        raise LookupFailed(
            _("%(service)s cannot be reached from this server.", service=service)
        ) from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise LookupFailed(_("%(service)s sent an answer that is too large.", service=service))
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise LookupFailed(_("%(service)s sent an unreadable answer.", service=service)) from None


def _parse(text: str, service: str) -> Parsed:
    try:
        json.loads(text)
        return parse_json(text)
    except (ValueError, ImportFormatError):
        raise LookupFailed(_("%(service)s sent an unreadable answer.", service=service)) from None


def lookup_doi(doi: str, cfg: LookupConfig) -> Parsed:
    """The work with this DOI, as Crossref describes it."""
    if not cfg.enabled:
        raise LookupDisabled
    canonical = normalize_doi(doi)
    if canonical is None:
        raise ValueError(_("Not a DOI (it looks like 10.1234/abc)."))
    url = f"{cfg.crossref_url.rstrip('/')}/works/{urllib.parse.quote(canonical, safe='/')}"
    return _parse(_fetch(url, cfg, "Crossref"), "Crossref")


def lookup_orcid(orcid: str, cfg: LookupConfig) -> Parsed:
    """The public works of an ORCID record."""
    if not cfg.enabled:
        raise LookupDisabled
    canonical = normalize_orcid(orcid)
    if canonical is None:
        raise ValueError(_("Not a valid ORCID iD (check digit wrong)."))
    url = f"{cfg.orcid_url.rstrip('/')}/{canonical}/works"
    return _parse(_fetch(url, cfg, "ORCID"), "ORCID")
