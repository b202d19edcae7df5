"""Loading files and URLs into SourceDocs, and finding what an ingest covers: no model, no store."""

from __future__ import annotations

import functools
import http.server
import io
import logging
import os
import threading
from pathlib import Path

import pytest

from chatbot.errors import IngestError
from chatbot.settings import Settings
from evals.processes import free_port
from ingest.loaders import load_file, load_url
from ingest.sources import inventory, source_name, stale_sources
from ingest.split import split_document

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
MARKERS = ("NAV-MARKER", "TRACKING-SCRIPT-MARKER", "STYLE-MARKER", "FOOTER-MARKER", "ASIDE-MARKER", "trackPageView")


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def pdf_bytes(*lines: str) -> bytes:
    import matplotlib

    matplotlib.use("pdf")
    import matplotlib.pyplot as plt

    figure = plt.figure()
    for n, line in enumerate(lines):
        figure.text(0.05, 0.9 - 0.1 * n, line)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf")
    plt.close(figure)
    return buffer.getvalue()


def test_file_without_front_matter_takes_its_title_from_the_first_heading(tmp_path):
    path = write(tmp_path / "notes.md", "Some intro.\n\n## Crew Notes\n\nThe crew met on Monday.\n")
    loaded = load_file(path, "notes.md")
    assert (loaded.title, loaded.url, loaded.kind, loaded.restated) == ("Crew Notes", "notes.md", "document", False)


def test_text_file_without_heading_takes_its_title_from_the_file_name(tmp_path):
    loaded = load_file(write(tmp_path / "call-sheet.txt", "Call time is seven.\n"), str(tmp_path / "call-sheet.txt"))
    assert loaded.title == "call-sheet" and loaded.text == "Call time is seven."


@pytest.mark.parametrize(
    ("front_matter", "restated"),
    [
        ('note: "A restatement of the article in this project\'s own words."', True),
        ('note: "A summary, in this project\'s own words, of the gaps."', True),
        ('note: "Netflix\'s own text. Do not copy it; restate it in your own words."', False),
        ('note: "A restatement."\nrestated: false', False),
        ("title: No note", False),
    ],
)
def test_restated_follows_the_note(tmp_path, front_matter, restated):
    path = write(tmp_path / "doc.md", f"---\n{front_matter}\n---\n# Heading\n\nBody text.\n")
    assert load_file(path, "doc.md").restated is restated


def test_html_page_keeps_article_headings_and_drops_navigation_and_scripts():
    page = FIXTURES / "help-center-article.html"
    loaded = load_file(page, str(page))
    assert loaded.title == "Working with Synthetic Props"
    assert loaded.publisher == "Studio Partner Help Center"
    assert (loaded.url, loaded.kind, loaded.restated) == (str(page), "document", False)
    for marker in MARKERS:
        assert marker not in loaded.text
    assert "## Planning Principles" in loaded.text and "### Principle B: Record every source image" in loaded.text
    sections = [chunk.metadata["section"] for chunk in split_document(loaded, Settings())]
    assert sections == [
        "",
        "Planning Principles",
        "Planning Principles > Principle A: Keep a human designer accountable",
        "Planning Principles > Principle B: Record every source image",
        "Review Checklist",
    ]


def test_pdf_text_is_extracted(tmp_path):
    path = write(tmp_path / "memo.pdf", pdf_bytes("Consent is required before making a digital replica.", "Second line."))
    loaded = load_file(path, str(path))
    assert "Consent is required before making a digital replica." in loaded.text
    assert "Second line." in loaded.text and loaded.title == "memo"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty file"),
        ("blank.md", b"  \n\n ", "empty file"),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("latin1.md", "# Café\n\nCrème brûlée on set.\n".encode("latin-1"), "not UTF-8"),
        ("broken.md", b"---\ntitle: [unclosed\n---\n# Heading\n\nBody.\n", "malformed front matter"),
        ("only-front-matter.md", b"---\ntitle: Nothing else\n---\n", "no text after the front matter"),
        ("broken.pdf", b"%PDF-1.4 this is not really a PDF", "not a readable PDF"),
        ("data.json", b'{"a": 1}', "unsupported file type .json"),
    ],
)
def test_bad_files_raise_a_reason(tmp_path, name, content, reason):
    with pytest.raises(IngestError, match=reason):
        load_file(write(tmp_path / name, content), name)


def test_a_damaged_pdf_is_one_reason_without_the_pdf_librarys_own_warnings(tmp_path, caplog):
    with caplog.at_level(logging.WARNING), pytest.raises(IngestError, match="not a readable PDF"):
        load_file(write(tmp_path / "fake.pdf", b"\x7fELF\x02\x01\x01 not a pdf at all"), "fake.pdf")
    assert not [record for record in caplog.records if record.name.startswith("pypdf")]


def test_unreadable_file_raises_a_reason(tmp_path):
    dangling = tmp_path / "moved.md"
    dangling.symlink_to(tmp_path / "nowhere.md")
    with pytest.raises(IngestError, match="cannot read it"):
        load_file(dangling, "moved.md")
    if os.geteuid() != 0:  # root reads files whatever their mode
        locked = write(tmp_path / "locked.md", "# Locked\n\nText.\n")
        locked.chmod(0)
        with pytest.raises(IngestError, match="cannot read it"):
            load_file(locked, "locked.md")


def test_unreachable_url_raises_a_clear_reason():
    url = f"http://127.0.0.1:{free_port()}/guidance.html"
    with pytest.raises(IngestError, match="cannot fetch it .*check the address and the network connection"):
        load_url(url, Settings(fetch_timeout_s=5))


@pytest.fixture
def page_server():
    """A real HTTP server on 127.0.0.1 serving the fixtures folder."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(FIXTURES))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_url_is_fetched_and_parsed_by_its_content_type(page_server):
    url = f"{page_server}/help-center-article.html"
    loaded = load_url(url, Settings(fetch_timeout_s=5))
    assert (loaded.source, loaded.url, loaded.title) == (url, url, "Working with Synthetic Props")
    assert "## Review Checklist" in loaded.text and "NAV-MARKER" not in loaded.text
    with pytest.raises(IngestError, match="HTTP 404"):
        load_url(f"{page_server}/missing.html", Settings(fetch_timeout_s=5))


def test_inventory_names_sources_and_reports_missing_paths(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "a.md", "# A\n\nText.\n")
    write(corpus / "articles" / "b.md", "# B\n\nText.\n")
    write(corpus / "articles" / "notes.json", "{}")
    write(corpus / ".drafts" / "c.md", "# C\n\nText.\n")
    outside = write(tmp_path / "elsewhere" / "d.html", "<p>Text</p>")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")

    default = inventory(None, settings)
    assert [target.source for target in default.targets] == ["a.md", "articles/b.md"]
    assert default.scopes == {"": frozenset({"a.md", "articles/b.md"})}

    named = inventory([str(corpus / "articles"), str(outside), "https://example.org/x", str(tmp_path / "gone.md")], settings)
    assert [target.source for target in named.targets] == ["articles/b.md", str(outside.resolve()), "https://example.org/x"]
    assert named.scopes == {"articles/": frozenset({"articles/b.md"})}
    assert named.missing == (f"{tmp_path / 'gone.md'}: no such file or folder",)
    ftp = inventory(["ftp://example.org/rules.md"], settings)
    assert ftp.targets == () and "only http:// and https:// addresses can be fetched" in ftp.missing[0]
    assert source_name(corpus / "articles" / "b.md", corpus) == "articles/b.md"

    (tmp_path / "empty-folder").mkdir()
    empty = inventory([str(tmp_path / "empty-folder")], settings)
    assert empty.targets == () and empty.scopes == {}  # an empty folder removes nothing
    assert empty.missing == (f"{tmp_path / 'empty-folder'}: no .md, .txt, .html or .pdf file in this folder",)


def test_stale_sources_only_come_from_scanned_folders():
    indexed = ["a.md", "articles/b.md", "articles/old.md", "/srv/extra/x.md", "https://example.org/page"]
    assert stale_sources(indexed, {"": {"a.md", "articles/b.md"}}) == {"articles/old.md"}
    assert stale_sources(indexed, {"articles/": {"articles/b.md"}}) == {"articles/old.md"}
    assert stale_sources(indexed, {"/srv/extra/": set()}) == {"/srv/extra/x.md"}
    assert stale_sources(indexed, {}) == set()


@pytest.mark.parametrize(("kind", "read"), [("guidance", "guidance"), ("Summary", "summary"), ("article", "article"),
                                            ("memo", "document"), ("", "document")])
def test_a_kind_the_answerer_does_not_rank_by_is_read_as_a_plain_document(tmp_path, kind, read):
    text = f"---\ntitle: House rules\nkind: {kind}\n---\n# House rules\n\nAsk the producer first.\n"
    assert load_file(write(tmp_path / "rules.md", text), "rules.md").kind == read
