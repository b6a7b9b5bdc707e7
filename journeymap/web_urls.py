"""Web links typed by users (an insight's source link): http or https only, stored as a valid
RFC 3986 URI.

A browser accepts `https://example.com/?q="><svg/onload=alert(1)>` and so did Django's
URLValidator, so it was stored as given: our pages escape it, but the API handed it on raw to
whatever renders it next, and the schema's `format: uri` was untrue (issue 24). Here quotes,
angle brackets, spaces, non-ASCII text and every other character a URI may not hold are
percent-encoded (existing escapes are kept), the host is lower-cased and IDNA-encoded, and
whatever still is no web address is refused with one clear message.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from rest_framework import serializers

WEB_SCHEMES = ("http", "https")
# RFC 3986: unreserved and sub-delims, and ":" "@" ("pchar"); "/" and "?" may appear in a
# query or fragment. The single quote is a sub-delim but is encoded as browsers encode it in
# a query (WHATWG's special-query set): a quote must never end an attribute somebody else
# writes the link into. "%" stays when it starts an escape (_escape_stray_percent).
PATH_SAFE = "-._~!$&()*+,;=:@/"
QUERY_SAFE = PATH_SAFE + "?"
USERINFO_SAFE = "-._~!$&()*+,;=:"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# "mailto:", "javascript:" have a scheme; "example.com:8080/x" is a host and a port.
_HAS_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)
_validate = URLValidator(schemes=list(WEB_SCHEMES))


def web_url_clean(raw: str, *, assume_scheme: str | None = None) -> str:
    """The link as a normalised http(s) URI, or ValidationError (code "invalid")."""
    value = raw.strip()
    if not value:
        return ""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise _invalid()
    if assume_scheme and not _HAS_SCHEME.match(value):
        value = f"{assume_scheme}://{value}"
    normalised = _normalised(value)
    try:
        _validate(normalised)  # a real host name or address, a port in range, http(s)
    except ValidationError:
        raise _invalid() from None
    return normalised


def uri_encoded(value: str) -> str:
    """Any URL with its unsafe characters percent-encoded, whatever its scheme (for links
    stored before this rule, which may be ftp:// ones)."""
    try:
        return _normalised(value.strip())
    except ValidationError:
        return quote(_escape_stray_percent(value.strip()), safe=QUERY_SAFE + "#%")


def _normalised(value: str) -> str:
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:  # a bad port, an unclosed "[" in the host
        raise _invalid() from None
    host = _host(parts.hostname or "")
    if not parts.scheme or not host:
        raise _invalid()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    if parts.username is not None:
        user = _encoded(parts.username, USERINFO_SAFE)
        password = f":{_encoded(parts.password, USERINFO_SAFE)}" if parts.password else ""
        netloc = f"{user}{password}@{netloc}"
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            _encoded(parts.path, PATH_SAFE),
            _encoded(parts.query, QUERY_SAFE),
            _encoded(parts.fragment, QUERY_SAFE),
        )
    )


def _host(host: str) -> str:
    if not host or ":" in host:  # an IPv6 literal (urlsplit dropped its brackets)
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise _invalid() from None


def _encoded(text: str, safe: str) -> str:
    return quote(_escape_stray_percent(text), safe=safe + "%")


def _escape_stray_percent(text: str) -> str:
    """A "%" that starts no escape is a literal percent sign: "%25" keeps it one."""
    return _STRAY_PERCENT.sub("%25", text)


def _invalid() -> ValidationError:
    return ValidationError(
        _("Enter a web address starting with http:// or https://, such as https://example.com/."),
        code="invalid",
    )


class WebUrlField(serializers.URLField):
    """The API's field for such a link: documented as `format: uri`, and it is one."""

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            return web_url_clean(text)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class WebUrlFormField(forms.CharField):
    """The pages' field for such a link; a bare "example.com/x" gets https:// in front."""

    widget = forms.URLInput

    def to_python(self, value: Any) -> str:
        return web_url_clean(super().to_python(value) or "", assume_scheme="https")
