"""Consultation pages: agency portal, coordinator workbench, expert inbox, approvals, register.

Views stay thin: load the object (404 when the viewer may not see it), check the
permission the model or the engine gives, call the operation the API calls too, commit
once, redirect with a flash. A refusal from an operation is shown on the form it came
from; a stale ``version`` shows the fresh page with nothing changed.

The pages are split along the work's own seams, one module a section; importing this
package registers every route on ``bp``.
"""

from . import (  # noqa: F401 - importing registers the routes
    approval,
    inbox,
    lists,
    meetings,
    notifications,
    panel,
    papers,
    register,
    requests,
    response,
    writing,
)
from .common import bp

__all__ = ["bp"]
