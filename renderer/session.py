"""The citizen's session: an opaque cookie, the draft id per service and the CSRF token.

No state lives in the cookie itself. The draft of a service is keyed by an HMAC of the
session id and the service id, so one cookie serves every form of the portal and a draft
id can never be guessed from a service id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "fw_session"
SESSION_BYTES = 32
COOKIE_MAX_AGE = 7 * 24 * 3600  # drafts are kept for a week (see the start page)


def load_or_create_secret(data_dir: Path) -> bytes:
    """The portal's signing key: kept in ``data_dir/secret.key`` so that every worker
    process and every restart uses the same one."""
    path = data_dir / "secret.key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    temporary = path.with_suffix(f".tmp{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex())
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)  # atomic, and never replaces a key another worker wrote
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
    return bytes.fromhex(path.read_text().strip())


@lru_cache(maxsize=4096)  # every page derives the draft id and CSRF token again
def _mac(secret: bytes, *parts: str) -> str:
    digest = hmac.new(secret, "\x1f".join(parts).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def session_id(request: Request) -> str | None:
    """The session id from the cookie, if it is well-formed."""
    value = request.cookies.get(COOKIE, "")
    return (
        value
        if 40 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()
        else None
    )


def ensure_session(request: Request) -> tuple[str, bool]:
    """The session id, and whether it is new (then the response must set the cookie)."""
    current = session_id(request)
    if current:
        return current, False
    return secrets.token_urlsafe(SESSION_BYTES), True


def set_session_cookie(response: Response, request: Request, sid: str) -> None:
    """Set the session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS."""
    response.set_cookie(
        COOKIE,
        sid,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def draft_id(secret: bytes, sid: str, service_id: str) -> str:
    """The id of this session's draft of a service."""
    return _mac(secret, "draft", sid, service_id)


def csrf_token(secret: bytes, sid: str) -> str:
    """The CSRF token of a session (synchroniser token, bound to the session id)."""
    return _mac(secret, "csrf", sid)


def csrf_valid(secret: bytes, sid: str | None, token: str) -> bool:
    """Whether a posted token belongs to the session."""
    return bool(sid) and hmac.compare_digest(csrf_token(secret, sid or ""), token)


def receipt_token(secret: bytes, reference: str) -> str:
    """A capability token for a submission's confirmation page and receipt."""
    return _mac(secret, "receipt", reference)[:32]
