"""The staff site's blueprint and access rules (every view needs a login and a role)."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, g, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from survey_app.extensions import db
from survey_app.models import Wave

bp = Blueprint("admin", __name__, template_folder="../templates")

ALL_ROLES = ("admin", "researcher", "viewer")
DATA_ROLES = ("admin", "researcher")  # may see individual responses (pseudonymised)
ADMIN_ONLY = ("admin",)


def wave_or_404(wave_id: int) -> Wave:
    """The wave with this id, or a 404 page."""
    return db.get_or_404(Wave, wave_id)


# No list has this many pages; beyond it a page number would overflow the database's integers.
MAX_PAGE = 1_000_000


def page_arg() -> int:
    """The ``?page=`` number of a paged list, clamped to 1..MAX_PAGE (bad values mean page 1)."""
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), MAX_PAGE)


def roles_required(*roles: str):
    """Allow the view only to logged-in users with one of ``roles`` (others get 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.can(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # read by the access-control tests
        return wrapped

    return decorator


# (endpoint, label, roles) of the top menu; feature modules append their pages.
MENU: list[tuple[str, object, tuple[str, ...]]] = []


def menu_entry(endpoint: str, label, roles: tuple[str, ...]) -> None:
    """Add a page to the staff menu, shown to users with one of ``roles``."""
    MENU.append((endpoint, label, roles))


@bp.context_processor
def inject_menu() -> dict:
    return {"admin_menu": MENU}


@bp.before_request
def staff_language() -> None:
    """The staff site follows the browser/cookie language like the rest of the app."""
    g.html_lang = str(get_locale())
