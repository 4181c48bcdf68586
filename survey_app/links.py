"""Resendable survey links: derived from a stored nonce and the server's link key.

An invitation stores ``token_nonce`` and ``token_hash = hash_token(HMAC(link key, nonce))``,
never the token. With the key (``SECRET_KEY``/``LINK_KEY``, outside the database) the server
can rebuild the link for a reminder e-mail or a gateway CSV; a stolen database alone cannot.

Invitations issued before nonces existed (``token_nonce`` is NULL) have links that cannot be
rebuilt: :func:`link_for` returns None for them, and :func:`renew_link` gives them a new,
nonce-derived link (the old one then answers 410 "replaced"), recording an audit event.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from survey_app.audit import record
from survey_app.extensions import db
from survey_app.models import Invitation, RetiredToken
from survey_app.tokens import hash_token, link_key, new_nonce, token_from_nonce


class LinkChanged(RuntimeError):
    """The invitation's link was replaced by someone else meanwhile."""


@dataclass(frozen=True)
class NewLink:
    """A freshly derived link: what to store (nonce, hash) and what to give out (token)."""

    nonce: str
    token: str

    @property
    def token_hash(self) -> str:
        return hash_token(self.token)


def current_link_key() -> bytes:
    """The link key of the running app (JEJAK_LINK_KEY, else derived from SECRET_KEY)."""
    return link_key(current_app.config["SECRET_KEY"], current_app.config.get("LINK_KEY"))


def new_link(key: bytes | None = None) -> NewLink:
    """A new random nonce and the token derived from it."""
    nonce = new_nonce()
    return NewLink(nonce, token_from_nonce(nonce, key or current_link_key()))


def link_prefix(base_url: str | None = None) -> str:
    """``BASE_URL/s/``: what a token is appended to."""
    return f"{(base_url or current_app.config['BASE_URL']).rstrip('/')}/s/"


def url_for_token(token: str) -> str:
    """The absolute survey URL of a token."""
    return link_prefix() + token


def link_for(invitation: Invitation, key: bytes | None = None) -> str | None:
    """The invitation's current survey URL, or None when its link cannot be rebuilt (no nonce)."""
    if not invitation.token_nonce:
        return None
    token = token_from_nonce(invitation.token_nonce, key or current_link_key())
    if hash_token(token) != invitation.token_hash:
        # The hash was replaced without the nonce (or the link key changed): the rebuilt link
        # would not work, so treat it like an older link that needs renewing.
        return None
    return url_for_token(token)


def replace_link(invitation: Invitation, action: str, detail: dict | None = None) -> str:
    """Give ``invitation`` a new nonce-derived link and retire the old one; returns the URL.

    Joins the caller's transaction (the caller commits). The update is conditional on the old
    hash, so two replacements racing each other cannot both succeed: the loser gets
    :class:`LinkChanged` and its session is rolled back.
    """
    link = new_link()
    old_hash = invitation.token_hash
    db.session.add(RetiredToken(token_hash=old_hash, invitation_id=invitation.id))
    result = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.token_hash == old_hash)
        .values(token_hash=link.token_hash, token_nonce=link.nonce)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]  # DML returns a CursorResult, which has rowcount
        db.session.rollback()
        raise LinkChanged("the link was changed by someone else meanwhile")
    # Already written by the UPDATE above: tell the session without marking the object dirty.
    set_committed_value(invitation, "token_hash", link.token_hash)
    set_committed_value(invitation, "token_nonce", link.nonce)
    record(action, f"invitation:{invitation.id}", detail)
    return url_for_token(link.token)


def renew_link(invitation: Invitation) -> str:
    """Replace an old (nonce-less) link so it can be sent by e-mail; the old link stops working.

    Needed because only the hash of such a link is stored: it cannot be recovered. Recorded
    as ``invitation.link_renewed``. The caller commits.
    """
    return replace_link(invitation, "invitation.link_renewed", {"reason": "e-mail needs a resendable link"})
