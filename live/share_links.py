"""What a map socket opened with a share link (`?share=<token>`) needs: to close when the link
is revoked or expires. A mixin for the map consumer (live/consumers.py), so the rules live with
the rest of sharing.

Revocation arrives as the SHARE_REVOKED group message sent by `share_link_revoke`; expiry is a
timer set when the socket is accepted (and the `share_links_expire` sweep as a backstop).
Close code 4403: the link no longer gives access (PROTOCOL.md).
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import database_sync_to_async

from workspaces.models import ShareLink
from workspaces.sharing import share_link_find, share_link_seconds_left

CLOSE_NO_ACCESS = 4403


@database_sync_to_async
def share_link_for(token: str) -> ShareLink | None:
    return share_link_find(token)


class ShareLinkSocketMixin:
    """Mixed into an AsyncWebsocketConsumer (or AsyncJsonWebsocketConsumer)."""

    share_link_id: str | None = None
    _share_expiry: asyncio.TimerHandle | None = None

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
        await self.close(code=CLOSE_NO_ACCESS)  # type: ignore[attr-defined]

    async def share_revoked(self, event: dict[str, Any]) -> None:
        """Group message `share.revoked`: close if this socket came in through that link."""
        if self.share_link_id is not None and event.get("link") == self.share_link_id:
            self.share_link_detach()
            await self._share_close()
