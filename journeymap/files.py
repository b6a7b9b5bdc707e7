"""Uploaded files (persona photos, insight sources) served by the app, the caller's access
checked on every request (issue 24).

Nothing under MEDIA_ROOT is public: no proxy serves it and Django's static() route is gone.
Each app routes its own directory (personas/urls.py, insights/urls.py) and decides who may
read a file from the row that stores its name; this module only answers. A file is looked up
by the exact name a row holds, so a path a row does not name, traversal included, is a 404
like a file the caller may not see.
"""

from __future__ import annotations

import hashlib
import mimetypes
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.utils.cache import get_conditional_response
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

# What an upload is stored as (personas/photos.py re-encodes to JPEG or PNG; WebP and GIF for
# files kept from before that rule). Anything else is sent as a download, never rendered on
# our origin: an SVG or HTML file there would run as our pages do.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def caller(request: HttpRequest) -> Any:
    """The signed-in user of the session, else of an API token: an API client fetching the
    absolute URL the API gave it sends the same `Authorization: Token` header."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    try:
        found = TokenAuthentication().authenticate(request)  # type: ignore[arg-type]
    except AuthenticationFailed:
        found = None
    return found[0] if found else AnonymousUser()


def stored_file_response(request: HttpRequest, stored: FieldFile | None) -> HttpResponseBase:
    """The file, for a caller already found allowed; a missing file is a 404 too.

    `private, no-cache`: no shared cache may keep it, and the browser asks again each time
    (a 304 while nothing changed), so taking access away works from the next request on.
    """
    if not stored or not stored.name:
        raise Http404("No such file.")
    name = stored.name
    try:
        handle = stored.open("rb")
        size = stored.size
    except OSError:
        raise Http404("No such file.") from None
    # Names are unique per upload (a new photo is a new file), so name and size identify it.
    etag = '"' + hashlib.sha256(f"{name}:{size}".encode()).hexdigest()[:32] + '"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        handle.close()
        return _private(not_modified)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    response = FileResponse(
        handle,
        content_type=content_type if inline else "application/octet-stream",
        as_attachment=not inline,
        filename=name.rsplit("/", 1)[-1],
    )
    response["ETag"] = etag
    return _private(response)


def _private(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie, Authorization"
    response["X-Content-Type-Options"] = "nosniff"
    return response
