"""A chronology as an accessible PDF for a strategy meeting, rendered by WeasyPrint.

The renderer fetches nothing from the network: its URL fetcher answers only for this
service's own static files, read from disk, and refuses every other address (another
host, `file:`, `data:`, a path outside the static folders). Text in the document is
escaped by the template, so a record summary cannot add an image or a stylesheet,
and the fetcher is the second lock behind that.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

logger = logging.getLogger(__name__)

# Tagged PDF (PDF/UA-1): headings, tables and reading order for screen readers.
PDF_VARIANT = "pdf/ua-1"


def _weasyprint() -> Any:
    # Imported when a PDF is asked for: the library loads Pango, which pages never need.
    import weasyprint

    return weasyprint


def static_only_fetcher(origin: str) -> Any:
    """A WeasyPrint URL fetcher that serves this service's static files from disk only."""
    weasyprint = _weasyprint()
    from weasyprint.urls import URLFetcherResponse, URLFetchingError

    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"

    class StaticOnlyFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            here = f"{parts.scheme}://{parts.netloc}" == origin
            if here and parts.path.startswith(static_prefix) and not parts.query:
                relative = parts.path[len(static_prefix) :]
                found = finders.find(relative) if ".." not in relative.split("/") else None
                if isinstance(found, str) and Path(found).is_file():
                    kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(
                        url, body=Path(found).read_bytes(), headers={"Content-Type": kind}
                    )
            logger.warning("PDF renderer refused to fetch %s", url[:200])
            raise URLFetchingError(f"not fetched: {url[:200]}")

    return StaticOnlyFetcher(allowed_protocols=())


def render_pdf(html: str, *, origin: str) -> bytes:
    """Render HTML to a tagged PDF; `origin` ("http://host") is where static files live."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(
        string=html, base_url=origin + "/", url_fetcher=static_only_fetcher(origin)
    )
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf
