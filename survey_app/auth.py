"""Loading the logged-in staff member for Flask-Login."""
from __future__ import annotations

from survey_app.extensions import db, login_manager
from survey_app.models import AdminUser


@login_manager.user_loader
def load_user(session_id: str) -> AdminUser | None:
    """Return the active user for a session id ``"<id>:<generation>"``, or None.

    A session from before the last password change carries an old generation and is
    therefore refused: that is how "log out everywhere" works.
    """
    try:
        user_id, generation = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    user = db.session.get(AdminUser, user_id)
    if user is None or not user.active or user.session_generation != generation:
        return None
    return user
