"""The sign-in gate: with `access:` in the config, only people signed in through the
company's OpenID Connect provider (Streamlit's st.login, configured under [auth] in
.streamlit/secrets.toml) with an allowed e-mail address see any page."""

from __future__ import annotations

import streamlit as st

from statsdash.config import Config
from statsdash.ui.text import md

AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def _missing_auth_keys() -> list[str]:
    """The [auth] settings st.login needs that secrets.toml does not have."""
    try:
        auth = dict(st.secrets.get("auth") or {})
    except Exception:  # no secrets file at all: Streamlit raises its own not-found error
        auth = {}
    return [k for k in AUTH_KEYS if not auth.get(k)]


def _warn_if_exposed() -> None:
    """No sign-in and bound beyond this machine: everyone on the network sees the figures."""
    address = st.get_option("server.address") or "0.0.0.0"  # Streamlit's own default: all
    if address in ("localhost", "::1") or address.startswith("127."):
        return
    st.warning(
        f"Anyone who can reach this server ({md(address)}) sees these reports: there is no "
        "sign-in. Add access: to the config, or serve it on 127.0.0.1 behind your SSO proxy "
        "(README, *Deployment*).",
        icon=":material/lock_open:",
    )


def require_access(config: Config) -> None:
    """Return for an allowed visitor (or without `access:`); otherwise say why and stop."""
    access = config.access
    if access is None:
        _warn_if_exposed()
        return
    missing = _missing_auth_keys()
    if missing:
        st.error(
            f"Sign-in is required ({md(config.source)} has access:) but the [auth] section of "
            f".streamlit/secrets.toml lacks {', '.join(missing)}; see the README, *Deployment*.",
            icon=":material/lock:",
        )
        st.stop()
    if not st.user.is_logged_in:
        st.title("Statsdash")
        st.write("Sign in with your company account to see the reports.")
        if st.button("Sign in", type="primary", icon=":material/login:"):
            st.login()
        st.stop()
    email = st.user.get("email")
    if st.user.get("email_verified") is False or not access.allows(email):
        st.error(
            f"{md(email or 'This account')} may not see Statsdash. Ask whoever runs it to add "
            "you under access: in its config, or sign out and use another account.",
            icon=":material/block:",
        )
        if st.button("Sign out"):
            st.logout()
        st.stop()
    with st.sidebar:
        st.caption(f"Signed in as {md(email)}")
        if st.button("Sign out", key="sd_sign_out"):
            st.logout()
