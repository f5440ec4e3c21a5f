"""Sending the digest: SMTP with STARTTLS (by default) and a login from the config.

The password is read from the environment variable the config names, only when sending;
it is never logged, written or put in an error message.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage

from statsdash.config import ConfigError, DigestConfig
from statsdash.errors import StatsdashError

TIMEOUT = 30.0


class MailError(StatsdashError):
    """The SMTP server could not be reached, refused the login or refused the message."""


def password(digest: DigestConfig) -> str | None:
    """The SMTP password from `digest.password_env`, None without a username."""
    if not digest.username:
        return None
    if not digest.password_env:
        raise ConfigError(
            "digest.password_env: name the environment variable holding the SMTP password "
            "of digest.username (e.g. password_env: STATSDASH_SMTP_PASSWORD)"
        )
    value = os.environ.get(digest.password_env)
    if not value:
        raise ConfigError(
            f"digest.password_env: environment variable {digest.password_env} is not set; "
            "export it with the SMTP password before running the digest"
        )
    return value


def check(digest: DigestConfig) -> None:
    """Connect, STARTTLS and log in, then leave: done before fetching anything, so a run
    that could not send fails in seconds instead of after every report was fetched."""
    _session(digest, None)


def send(message: EmailMessage, digest: DigestConfig) -> None:
    """Deliver `message` through the configured server; MailError in one line otherwise."""
    _session(digest, message)


def _session(digest: DigestConfig, message: EmailMessage | None) -> None:
    secret = password(digest)
    where = f"{digest.smtp_host}:{digest.smtp_port}"
    try:
        with smtplib.SMTP(digest.smtp_host, digest.smtp_port, timeout=TIMEOUT) as smtp:
            smtp.ehlo()
            if digest.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if secret is not None:
                smtp.login(digest.username, secret)
            if message is not None:
                smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(
            f"SMTP server {where} refused the login of {digest.username} ({error.smtp_code})"
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(
            f"SMTP server {where} does not offer STARTTLS; set digest.starttls: false only "
            "for a trusted local relay"
        ) from None
    except ssl.SSLError as error:
        raise MailError(f"SMTP server {where}: TLS failed ({error.reason or error})") from None
    except smtplib.SMTPException as error:
        raise MailError(f"SMTP server {where} refused the message: {_reason(error)}") from None
    except OSError as error:
        raise MailError(f"cannot reach SMTP server {where}: {error.strerror or error}") from None


def _reason(error: smtplib.SMTPException) -> str:
    text = getattr(error, "smtp_error", None)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(str(text or error).split())
