"""YouTube OAuth 2.0: the one-off sign-in that writes the token file, and loading it later.

YouTube Analytics has no service accounts, so a person signs in once with the installed-app
flow (`python -m statsdash auth youtube`); the refresh token in the file keeps working until
it is revoked, or for 7 days when the OAuth app is left in Testing mode.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from google.auth.exceptions import GoogleAuthError, RefreshError

from statsdash.config import Config, ConfigError, YouTubeConfig
from statsdash.errors import AuthError, FetchError, StatsdashError

if TYPE_CHECKING:  # google.oauth2 and requests load when a token is used (not in the demo)
    from google.oauth2.credentials import Credentials

SCOPES = (
    "https://www.googleapis.com/auth/yt-analytics.readonly",
    "https://www.googleapis.com/auth/youtube.readonly",
    # Only for the content owner lookup (youtubePartner contentOwners?fetchMine=true).
    "https://www.googleapis.com/auth/youtubepartner",
)
# Revenue metrics (estimatedRevenue, cpm, ...) need this scope too; asked only with
# `youtube: {revenue: true}`, so a sign-in without revenue grants no access to money figures.
MONETARY_SCOPE = "https://www.googleapis.com/auth/yt-analytics-monetary.readonly"
# The console variant's redirect: nothing listens there; the user copies the address bar.
CONSOLE_REDIRECT = "http://localhost"


def scopes(config: Config) -> list[str]:
    """The OAuth scopes `auth youtube` asks for with this configuration."""
    yt = config.youtube
    return [*SCOPES, *([MONETARY_SCOPE] if yt is not None and yt.revenue else [])]


def auth_command(config: Config) -> str:
    return f"python -m statsdash auth youtube --config {config.source}"


def _youtube(config: Config) -> YouTubeConfig:
    if config.youtube is None:
        raise ConfigError(f"{config.source}: has no youtube section to authorise")
    return config.youtube


def load_credentials(config: Config) -> Credentials | None:
    """The stored user credentials, or None with `credentials: none` (the emulator)."""
    path = _youtube(config).credentials
    if path is None:
        return None
    if not path.is_file():
        raise AuthError(
            f"YouTube token file {path} not found; run `{auth_command(config)}` to sign in"
        )
    try:
        # The file's own scopes: a refresh asks for what was granted, no more (asking for the
        # monetary scope it lacks would fail every YouTube call, not only revenue) and no less.
        from google.oauth2.credentials import Credentials

        return Credentials.from_authorized_user_file(str(path))
    except (ValueError, OSError) as error:
        raise AuthError(
            f"YouTube token file {path} cannot be read ({error}); "
            f"run `{auth_command(config)}` to sign in again"
        ) from None


def expired_message(config: Config, error: Exception) -> str:
    """The one line shown wherever a refresh fails (CLI and app alike)."""
    detail = " ".join(str(error.args[0] if error.args else error).split())
    return (
        f"YouTube access expired or was revoked ({detail}; OAuth apps left in Testing mode "
        f"lose access after 7 days); run `{auth_command(config)}` to sign in again"
    )


def refresh_error(config: Config, error: RefreshError) -> StatsdashError:
    """Only `invalid_grant` (revoked, expired, or a Testing-mode app's 7 days) means signing in
    again; a token endpoint answering 5xx is transient (google-auth has retried it), and any
    other refusal points at the OAuth client rather than the sign-in."""
    data = error.args[1] if len(error.args) > 1 else None
    code = data.get("error") if isinstance(data, dict) else None
    detail = " ".join(str(error.args[0] if error.args else error).split())
    if code == "invalid_grant" or (code is None and "invalid_grant" in detail):
        return AuthError(expired_message(config, error))
    if error.retryable:
        return FetchError(
            "YouTube sign-in",
            f"Google's token endpoint failed ({detail}); this is on Google's side, try again "
            "shortly (no need to sign in again)",
        )
    secrets = config.youtube.client_secrets if config.youtube else None
    return AuthError(
        f"YouTube sign-in was refused ({detail}); check the OAuth client in "
        f"{secrets or 'youtube.client_secrets'} (Google Cloud console > APIs & Services > "
        "Credentials)"
    )


class CredentialKeeper:
    """Refreshes shared credentials once, under a lock, before threads use them.

    A refreshed access token is written back to the token file so the next run need not
    refresh again; that write is best effort (a read-only file only costs a refresh).
    """

    def __init__(self, config: Config, credentials: Credentials | None) -> None:
        self.config = config
        self.credentials = credentials
        self._lock = threading.Lock()

    def ensure_fresh(self) -> None:
        creds = self.credentials
        if creds is None or creds.valid:
            return
        with self._lock:
            if creds.valid:
                return
            try:
                from google.auth.transport.requests import Request

                creds.refresh(Request())
            except RefreshError as error:
                raise refresh_error(self.config, error) from None
            except GoogleAuthError as error:
                raise AuthError(
                    f"YouTube sign-in could not be refreshed ({error}); "
                    f"run `{auth_command(self.config)}` to sign in again"
                ) from None
            with contextlib.suppress(OSError):
                write_token(self.config.youtube.credentials, creds)


def write_token(path: Path, credentials: Any) -> None:
    """Write the token JSON readable by its owner only (it holds a refresh token).

    The secret goes into a new file created 0600 beside the old one, which then replaces it:
    it is never, even for a moment, in a file someone else can read (an existing token file
    left 0644 kept its mode while being rewritten), and a crash leaves the old token whole.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(credentials.to_json())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _flow(config: Config):
    from google_auth_oauthlib.flow import InstalledAppFlow

    yt = _youtube(config)
    if yt.client_secrets is None:
        raise ConfigError(
            f"{config.source}: youtube.client_secrets: missing; download the OAuth client JSON "
            "(Google Cloud console > APIs & Services > Credentials > OAuth client ID, type "
            "Desktop app) and set client_secrets to its path"
        )
    if yt.credentials is None:
        raise ConfigError(
            f"{config.source}: youtube.credentials: is none (the emulator needs no sign-in); "
            "set it to a token file path such as youtube-token.json"
        )
    return InstalledAppFlow.from_client_secrets_file(str(yt.client_secrets), scopes(config))


def console_sign_in(
    flow: Any,
    read: Callable[[], str] = lambda: sys.stdin.readline(),
    write: Callable[[str], None] = lambda text: print(text, file=sys.stderr),
) -> Any:
    """Sign in without a local browser: print the URL, take back the redirected address."""
    flow.redirect_uri = CONSOLE_REDIRECT
    url, _ = flow.authorization_url(access_type="offline", prompt="consent")
    write(
        "Open this address in a browser signed in to the content owner's Google account:\n"
        f"{url}\n"
        "After allowing access the browser goes to an address starting with "
        f"{CONSOLE_REDIRECT} that does not load; copy that whole address and paste it here:"
    )
    answer = read().strip()
    if not answer.startswith(CONSOLE_REDIRECT) or "code=" not in answer:
        raise AuthError(
            f"expected the address the browser was sent to ({CONSOLE_REDIRECT}/?...code=...); "
            "run the command again and paste the whole address"
        )
    # oauthlib accepts only https responses; the loopback redirect is http by design.
    flow.fetch_token(authorization_response=answer.replace("http://", "https://", 1))
    return flow.credentials


def run_auth(config: Config, console: bool = False, **console_io: Any) -> Path:
    """Sign in with the installed-app flow and write the token file; returns its path."""
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error
    from requests import RequestException

    flow = _flow(config)
    try:
        if console:
            credentials = console_sign_in(flow, **console_io)
        else:
            credentials = flow.run_local_server(port=0, open_browser=True)
    except (GoogleAuthError, OAuth2Error, RequestException, ValueError) as error:
        raise AuthError(f"YouTube sign-in failed: {' '.join(str(error).split())}") from None
    path = config.youtube.credentials
    write_token(path, credentials)
    return path
