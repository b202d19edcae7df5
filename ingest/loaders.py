"""Reading one file or URL into a SourceDoc: Markdown or text with front matter, HTML pages, PDFs."""

from __future__ import annotations

import codecs
import dataclasses
import datetime
import io
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from chatbot.errors import IngestError
from chatbot.settings import Settings
from ingest.anchors import deep_links, read_sidecar, sidecar_path
from ingest.markdown import first_heading, heading_text, normalize

# What a document may say it is in its front matter: the guidance itself, a restatement of a source, news, or any
# other document (an unknown kind, such as "memo", is read as one).
KINDS = frozenset({"guidance", "summary", "article", "document"})

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
PDF_SUFFIXES = frozenset({".pdf"})
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES

# A note calling the text "a restatement", or "in this project's own words", marks a document that is
# not its source's own text; "restate it" (an instruction) does not.
RESTATED_NOTE = re.compile(r"\brestate(?:d|ment)\b|\bproject's own words\b", re.IGNORECASE)
# Text saved as UTF-16 or UTF-32 starts with a byte-order mark and is full of zero bytes: decoded by its mark, not
# taken for binary. UTF-32 first: its little-endian mark starts with UTF-16's.
BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class SourceDoc:
    """One loaded document: its Markdown body and what a citation says about it."""

    source: str  # path under the corpus folder, an absolute path, or a URL
    title: str
    text: str  # Markdown with `#` headings
    url: str
    kind: str = "document"
    publisher: str = ""
    published: str = ""
    restated: bool = False
    based_on: str = ""  # the original a document written by this project builds on; its `url` is then its own
    anchors: tuple[tuple[str, str], ...] = ()  # (restated sentence, deep link to the original words), from a sidecar


def load_file(path: Path, source: str, max_bytes: int | None = None) -> SourceDoc:
    """Read a .md, .txt, .html or .pdf file. Raises IngestError with the reason it cannot be used.

    Args:
        max_bytes: larger files are refused before they are read (None: no limit).
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(f"unsupported file type {suffix or '(no suffix)'}; use .md, .txt, .html or .pdf")
    try:
        if max_bytes is not None:
            _check_size(path.stat().st_size, max_bytes)
        data = path.read_bytes()
    except OSError as err:
        raise IngestError(f"cannot read it ({err.strerror or err})") from err
    doc = parse(data, _format_of_suffix(suffix), source=source, fallback_title=path.stem)
    sidecar = read_sidecar(sidecar_path(path))
    return dataclasses.replace(doc, anchors=deep_links(sidecar, doc.url)) if sidecar else doc


def load_url(url: str, settings: Settings) -> SourceDoc:
    """Fetch a web page, PDF or text file. Raises IngestError when it cannot be fetched.

    The whole download must finish within `settings.fetch_timeout_s` and stay within `settings.max_source_mb`.
    """
    import httpx

    try:
        content, headers = _download(url, settings)
    except httpx.HTTPStatusError as err:
        raise IngestError(f"the server answered HTTP {err.response.status_code}; check the address") from err
    except httpx.TimeoutException as err:
        raise IngestError(
            f"no answer within {settings.fetch_timeout_s:g} s; check the network connection "
            "or raise RAG_FETCH_TIMEOUT_S"
        ) from err
    except httpx.HTTPError as err:
        raise IngestError(
            f"cannot fetch it ({err or type(err).__name__}); check the address and the network connection, "
            "or save the page and ingest the file"
        ) from err
    content_type = headers.get("content-type", "").lower()
    path = urlparse(url).path
    if "pdf" in content_type:
        format_ = "pdf"
    elif "html" in content_type:
        format_ = "html"
    elif content_type.startswith("text/"):
        format_ = "text"
    else:
        format_ = _format_of_suffix(Path(path).suffix.lower())
    fallback_title = Path(path).stem or urlparse(url).hostname or url
    return parse(content, format_, source=url, fallback_title=fallback_title)


def max_source_bytes(settings: Settings) -> int:
    return int(settings.max_source_mb * 1024 * 1024)


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise IngestError(
            f"it is {size / 1024 / 1024:.1f} MB, over the {max_bytes / 1024 / 1024:g} MB limit for one source; "
            "split it into smaller documents, or raise RAG_MAX_SOURCE_MB"
        )


def _download(url: str, settings: Settings) -> tuple[bytes, "httpx.Headers"]:
    """The body and headers of `url`, read a piece at a time so that neither size nor time can run away."""
    import httpx

    limit, deadline = max_source_bytes(settings), time.monotonic() + settings.fetch_timeout_s
    with httpx.stream("GET", url, timeout=settings.fetch_timeout_s, follow_redirects=True) as response:
        response.raise_for_status()
        length = response.headers.get("content-length", "")
        _check_size(int(length) if length.isdigit() else 0, limit)
        pieces, size = [], 0
        for piece in response.iter_bytes():
            size += len(piece)
            _check_size(size, limit)
            if time.monotonic() > deadline:  # a server sending a byte now and then never trips the read timeout
                raise httpx.ReadTimeout("the download did not finish in time")
            pieces.append(piece)
        return b"".join(pieces), response.headers


def parse(data: bytes, format_: str, *, source: str, fallback_title: str) -> SourceDoc:
    """Turn raw bytes in `format_` ("text", "html" or "pdf") into a SourceDoc."""
    if not data.strip():
        raise IngestError("empty file")
    if format_ == "pdf":
        return _from_pdf(data, source=source, fallback_title=fallback_title)
    encoding = next((name for mark, name in BYTE_ORDER_MARKS if data.startswith(mark)), None)
    if encoding is None and b"\x00" in data[:8192]:
        raise IngestError("binary file, not text")
    if format_ == "html" and encoding is None:
        return _from_html(data, source=source, fallback_title=fallback_title)  # the page's own charset applies
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as err:
        name = (encoding or "UTF-8").upper()
        raise IngestError(f"not {name} text (invalid byte at offset {err.start}); save it as UTF-8") from err
    if not text.strip():
        raise IngestError("empty file")
    if format_ == "html":
        return _from_html(text, source=source, fallback_title=fallback_title)
    return _from_markdown(text, source=source, fallback_title=fallback_title)


def _from_markdown(text: str, *, source: str, fallback_title: str) -> SourceDoc:
    import frontmatter
    import yaml

    try:
        post = frontmatter.loads(text)
    except (yaml.YAMLError, ValueError, TypeError) as err:
        reason = " ".join(str(err).split())
        raise IngestError(f"malformed front matter ({reason}); fix the YAML between the --- lines") from err
    meta = post.metadata if isinstance(post.metadata, dict) else {}
    body = normalize(post.content)
    if not body.strip():
        raise IngestError("no text after the front matter")
    return SourceDoc(
        source=source,
        title=heading_text(_text(meta.get("title"))) or first_heading(body) or fallback_title,
        text=body,
        url=_text(meta.get("url")) or source,
        kind=_kind(meta.get("kind")),
        publisher=_text(meta.get("publisher")),
        published=_text(meta.get("published")),
        restated=_restated(meta),
        based_on=_text(meta.get("based_on")),
    )


def _from_html(data: bytes | str, *, source: str, fallback_title: str) -> SourceDoc:
    import trafilatura

    tree = trafilatura.load_html(data)
    if tree is None:
        raise IngestError("not a readable HTML page")
    body = trafilatura.extract(
        tree,
        output_format="markdown",
        include_formatting=True,
        include_tables=True,
        include_links=False,
        include_images=False,
        include_comments=False,
        favor_recall=True,
    )
    if not body or not body.strip():
        raise IngestError("no article text found in the page")
    body = normalize(body)
    # Only dates the page states in its markup; a guess from "© 2025" in a footer would mislead.
    meta = trafilatura.extract_metadata(tree, extensive=False)
    return SourceDoc(
        source=source,
        title=heading_text(_text(meta.title)) or first_heading(body) or fallback_title,
        text=body,
        url=source,
        publisher=_text(meta.sitename),
        published=_text(meta.date),
    )


def _kind(value: object) -> str:
    """The front matter's kind when it is one the answerer ranks by (KINDS), else "document"."""
    kind = _text(value).lower()
    return kind if kind in KINDS else "document"


def _from_pdf(data: bytes, *, source: str, fallback_title: str) -> SourceDoc:
    from pypdf import PdfReader

    # pypdf logs what it finds wrong as it reads ("invalid pdf header"); the error below says it in one line.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("the PDF is encrypted; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        info_title = reader.metadata.title if reader.metadata else None
    except IngestError:
        raise
    except Exception as err:  # pypdf raises many kinds of errors on damaged files
        raise IngestError(f"not a readable PDF ({type(err).__name__}: {err})") from err
    body = "\n\n".join(page.strip() for page in pages if page.strip())
    if not body:
        raise IngestError("the PDF has no extractable text (a scanned PDF needs OCR first)")
    return SourceDoc(source=source, title=heading_text(_text(info_title)) or fallback_title, text=body, url=source)


def _format_of_suffix(suffix: str) -> str:
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in PDF_SUFFIXES:
        return "pdf"
    return "text"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value).split())


def _restated(meta: dict) -> bool:
    explicit = meta.get("restated")
    if isinstance(explicit, bool):
        return explicit
    return bool(RESTATED_NOTE.search(_text(meta.get("note"))))
