"""SMTP delivery with one connection per batch, and errors sorted by what they mean for a message.

The SMTP dialogue is driven step by step (MAIL, RCPT, DATA) instead of ``sendmail`` so that a
lost connection can be told apart by *when* it happened:

- before the message text was handed over: the server did not accept it → :class:`SmtpUnavailable`
  (the caller puts the message back in the queue and stops the batch);
- after the text was handed over but before the server's reply: it may or may not be delivered
  → :class:`DeliveryUnknown` (the caller leaves it ``sending``; it is never resent automatically).
"""
from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import parseaddr

_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


class SmtpUnavailable(Exception):
    """The server cannot be reached, or refuses service; the message was not accepted."""


class DeliveryUnknown(Exception):
    """The connection was lost after the message text was sent; it may have been delivered."""


class RecipientRefused(Exception):
    """The server permanently refused the address (5xx to RCPT): the message bounced."""


class TemporaryFailure(Exception):
    """The server refused this message for now (4xx); it can be tried again later."""


class MessageRejected(Exception):
    """The server permanently refused this message's content (5xx after DATA)."""


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


class SmtpSender:
    """Sends messages over one SMTP connection, opened on first use and re-opened once if the
    server dropped it while idle. Use as a context manager so the connection is closed."""

    def __init__(self, host: str, port: int, *, user: str | None = None, password: str | None = None,
                 starttls: bool = False, use_ssl: bool = False, timeout: float = 30.0):
        self.host, self.port = host, port
        self.user, self.password = user, password
        self.starttls, self.use_ssl, self.timeout = starttls, use_ssl, timeout
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_config(cls, config) -> SmtpSender:
        """A sender configured from the app's SMTP_* settings."""
        return cls(config["SMTP_HOST"], int(config["SMTP_PORT"]), user=config.get("SMTP_USER"),
                   password=config.get("SMTP_PASSWORD"), starttls=bool(config.get("SMTP_STARTTLS")),
                   use_ssl=bool(config.get("SMTP_SSL")), timeout=float(config.get("SMTP_TIMEOUT", 30)))

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        """Say QUIT if possible; never raises."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _connect(self) -> smtplib.SMTP:
        where = f"{self.host}:{self.port}"
        try:
            if self.use_ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            reply = _reply(exc.smtp_code, exc.smtp_error)
            raise SmtpUnavailable(f"SMTP server {where} refused the login: {reply}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SmtpUnavailable(f"cannot connect to SMTP server {where}: {exc}") from None
        return smtp

    def send(self, message: EmailMessage, recipient: str) -> None:
        """Deliver ``message`` to ``recipient``; raises one of this module's exceptions if not.

        An address with non-ASCII characters (``ñandú@example.org``) travels with SMTPUTF8
        when the server offers it; otherwise that one message is refused as undeliverable
        (:class:`RecipientRefused`), and the batch goes on.
        """
        sender = parseaddr(str(message["From"]))[1]
        utf8 = not (sender.isascii() and recipient.isascii())
        if any(ch in recipient for ch in "\r\n<>") or not recipient.strip():
            raise RecipientRefused(f"not a deliverable address: {recipient!r}")
        fresh = self._smtp is None
        if fresh:
            self._smtp = self._connect()
        try:
            self._envelope(sender, recipient, utf8)
        except (smtplib.SMTPServerDisconnected, OSError):
            # An idle connection closed by the server: one new connection, then give up.
            self._drop()
            if fresh:
                raise SmtpUnavailable(f"SMTP server {self.host}:{self.port} closed the connection") from None
            self._smtp = self._connect()
            try:
                self._envelope(sender, recipient, utf8)
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self._drop()
                raise SmtpUnavailable(f"SMTP server {self.host}:{self.port} closed the connection: {exc}") from None
        try:
            self._data(_wire_format(message, utf8))
        finally:
            if self._smtp is not None:
                self._smtp.command_encoding = "ascii"

    def _connection(self) -> smtplib.SMTP:
        """The open connection: the envelope and data steps run only after ``_connect``."""
        if self._smtp is None:
            raise SmtpUnavailable(f"not connected to the SMTP server {self.host}:{self.port}")
        return self._smtp

    def _envelope(self, sender: str, recipient: str, utf8: bool = False) -> None:
        smtp = self._connection()
        options: list[str] = []
        if utf8:
            if not smtp.has_extn("smtputf8"):
                raise RecipientRefused(f"the address {recipient!r} has non-ASCII characters and the SMTP server "
                                       f"{self.host}:{self.port} does not offer SMTPUTF8 to deliver it")
            options = ["SMTPUTF8"]
        code, text = smtp.mail(sender, options)
        if code != 250:
            self._give_up_on_transaction(code)
            raise SmtpUnavailable(f"SMTP server refused the sender {sender!r}: {_reply(code, text)}")
        code, text = smtp.rcpt(recipient)
        if code not in (250, 251):
            self._give_up_on_transaction(code)
            if code == 421:
                raise SmtpUnavailable(f"SMTP server is closing the connection: {_reply(code, text)}")
            if 500 <= code < 600:
                raise RecipientRefused(_reply(code, text))
            raise TemporaryFailure(_reply(code, text))

    def _data(self, data: bytes) -> None:
        smtp = self._connection()
        try:
            code, text = smtp.docmd("data")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise SmtpUnavailable(f"SMTP connection lost before the message was sent: {exc}") from None
        if code != 354:
            self._give_up_on_transaction(code)
            if code == 421 or code < 400:
                raise SmtpUnavailable(f"SMTP server refused DATA: {_reply(code, text)}")
            raise (MessageRejected if code >= 500 else TemporaryFailure)(_reply(code, text))
        try:
            smtp.send(data)
            code, text = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise DeliveryUnknown(f"SMTP connection lost after the message was sent, before the server "
                                  f"confirmed it: {exc}") from None
        if code == 250:
            return
        if code == 421:
            self._drop()
            raise SmtpUnavailable(f"SMTP server did not accept the message: {_reply(code, text)}")
        raise (MessageRejected if code >= 500 else TemporaryFailure)(_reply(code, text))

    def _give_up_on_transaction(self, code: int) -> None:
        if code == 421:
            self._drop()
            return
        try:
            self._connection().rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def _wire_format(message: EmailMessage, utf8: bool = False) -> bytes:
    """The message as SMTP DATA: CRLF line ends, leading dots doubled, ending with CRLF.CRLF."""
    from email.policy import SMTP, SMTPUTF8

    data = message.as_bytes(policy=SMTPUTF8 if utf8 else SMTP)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return _DOT_AT_LINE_START.sub(b"..", data) + b".\r\n"
