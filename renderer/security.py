"""Security headers on every response (issue 3, "Security basics")."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline scripts or styles; KERN's icons are data: SVG masks, hence img-src data:.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


NAMES = frozenset(name for name, _ in HEADERS)


class SecurityHeadersMiddleware:
    """Adds the headers above to every HTTP response (pure ASGI: works with streaming)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                present = {name for name, _ in headers}
                if present.isdisjoint(NAMES):  # the usual case: add all at once
                    message["headers"] = [*headers, *HEADERS]
                else:
                    message["headers"] = [
                        *headers,
                        *((n, v) for n, v in HEADERS if n not in present),
                    ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
