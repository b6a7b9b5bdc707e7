"""What a map socket opened with a share link (`?share=<token>`) needs besides the checks every
socket gets (live/revocation.py, which closes it when the link is revoked): to close when the
link expires. A mixin for the map consumer (live/consumers.py), so the rules live with the rest
of sharing.

Expiry is a timer set when the socket is accepted (and the `share_links_expire` sweep,
live/tasks.py, as a backstop). Close code 4403: the link no longer gives access (docs/protocol.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from live.services import CLOSE_NO_ACCESS, REASON_ACCESS_REMOVED
from workspaces.models import ShareLink
from workspaces.sharing import share_link_seconds_left


class ShareLinkSocketMixin:
    """Mixed into an AsyncWebsocketConsumer (or AsyncJsonWebsocketConsumer)."""

    share_link_id: str | None = None
    _share_expiry: asyncio.TimerHandle | None = None
    # The consumer's: leave the map at once and close with this code and reason.
    access_end: Callable[[int, str], None]

    def share_link_attach(self, link: ShareLink) -> None:
        """Remember the link this socket was opened with and arm its expiry."""
        self.share_link_id = str(link.pk)
        seconds = share_link_seconds_left(link)
        if seconds is not None:
            loop = asyncio.get_running_loop()
            self._share_expiry = loop.call_later(
                seconds, lambda: asyncio.ensure_future(self._share_close())
            )

    def share_link_detach(self) -> None:
        if self._share_expiry is not None:
            self._share_expiry.cancel()
            self._share_expiry = None

    async def _share_close(self) -> None:
        self.access_end(CLOSE_NO_ACCESS, REASON_ACCESS_REMOVED)
