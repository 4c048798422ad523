"""Mail: a run's page sent as an HTML e-mail with a plain-text part (``briefing publish --mail TO``).

The SMTP server comes from the environment only, ``BRIEFING_SMTP_URL``: ``smtp://user:pass@host:587``
(STARTTLS when the server offers it; a login is never sent in the clear, except to a relay on this
machine), ``smtps://…:465`` (TLS from the start) or ``smtp://host:25`` (no login). The password is
never stored or printed: an error names the host, never the URL.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from .errors import BriefingError


class MailError(BriefingError):
    """The mail could not be sent."""


def message(sender: str, to: list[str], subject: str, text: str, html: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(to), subject
    msg["Date"], msg["Message-ID"] = formatdate(localtime=False), make_msgid(domain="briefing.local")
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def send(url: str, msg: EmailMessage, timeout: float = 30.0) -> None:
    """Send ``msg`` through the SMTP server of ``url``."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError("BRIEFING_SMTP_URL must look like smtp://user:password@host:587 or smtps://…:465")
    host = parts.hostname
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise MailError(f"BRIEFING_SMTP_URL has a port that is not a number (host {host})") from None
    try:
        smtp: smtplib.SMTP
        if parts.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            smtp.ehlo_or_helo_if_needed()
            tls = parts.scheme == "smtps"
            if not tls and smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                tls = True
            if parts.username and not tls and host not in ("127.0.0.1", "::1", "localhost"):
                raise MailError(f"the mail server {host}:{port} offers no TLS: the login in BRIEFING_SMTP_URL is "
                                "not sent in the clear (use smtps://, or a server that offers STARTTLS)")
            if parts.username:
                try:
                    smtp.login(unquote(parts.username), unquote(parts.password or ""))
                except smtplib.SMTPException as exc:
                    raise MailError(f"the mail server {host}:{port} refused the login in BRIEFING_SMTP_URL "
                                    f"({type(exc).__name__})") from None
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        why = getattr(exc, "strerror", None) or type(exc).__name__
        raise MailError(f"cannot send the mail through {host}:{port}: {why}") from None
