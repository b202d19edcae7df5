"""What a document may bring in: link words but no live link or image, text in any Unicode encoding, bounded size and time."""

from __future__ import annotations

import http.server
import threading
import time

import pytest

from chatbot.answer.markup import without_links
from chatbot.errors import IngestError
from chatbot.settings import Settings
from ingest.loaders import load_file, load_url

POISONED = """---
title: "![tracker [1]](http://pixel.example/title.png) Crew [notes [v2]](https://evil.example/title)"
---
# Shooting notes ![chart [1]](http://pixel.example/heading.png)

Log in at the [Netflix partner portal [secure]](https://evil.example/login "Sign in") before the shoot.
See ![chart [1]](http://pixel.example/pixel.png) the chart, the [call sheet][sheet] and [the map](<https://evil.example/a map>).
Ask [the [nested [deep]] desk](https://evil.example/(x)) about <a href="javascript:alert(1)">the badge</a> <img src=http://pixel.example/i.png>.
Keep footnote [1] and [2] as they are.

[sheet]: https://evil.example/sheet "Call sheet"

```
[code link](https://evil.example/code)
```
"""


def test_links_keep_their_words_and_images_go_even_with_nested_brackets(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(POISONED, encoding="utf-8")
    doc = load_file(path, "notes.md")

    assert "evil.example" not in doc.text and "pixel.example" not in doc.text
    assert "](" not in doc.text and "![" not in doc.text and "<a " not in doc.text and "<img" not in doc.text
    assert "Log in at the Netflix partner portal [secure] before the shoot." in doc.text
    assert "the call sheet and the map." in doc.text
    assert "Ask the [nested [deep]] desk about the badge ." in doc.text
    assert "Keep footnote [1] and [2] as they are." in doc.text
    assert "# Shooting notes" in doc.text and "code link" in doc.text
    assert doc.title == "Crew notes [v2]"


def test_link_words_survive_odd_markup():
    assert without_links("a [b](c) [unclosed](d e") == "a b [unclosed](d e"
    assert without_links("\\[escaped](not a link)") == "\\[escaped](not a link)"
    assert without_links("[a\n\nb](c)") == "[a\n\nb](c)"
    assert without_links("![x](y)![z](w)end") == "end"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_utf16_or_utf32_markdown_file_is_read_by_its_byte_order_mark(tmp_path, encoding):
    text = "# Notes de tournage\n\nLa scène est tournée à l'aube, café compris.\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "notes.md"
    path.write_bytes(data)

    doc = load_file(path, "notes.md")
    assert doc.title == "Notes de tournage"
    assert "café compris" in doc.text


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.md"
    path.write_text("# Huge\n\n" + "All crew members report at seven. " * 40_000, encoding="utf-8")  # ~1.3 MB

    with pytest.raises(IngestError, match=r"1\.3 MB, over the 1 MB limit for one source.*RAG_MAX_SOURCE_MB"):
        load_file(path, "huge.md", max_bytes=1024 * 1024)
    assert load_file(path, "huge.md", max_bytes=2 * 1024 * 1024).title == "Huge"


def test_a_document_of_more_chunks_than_one_write_takes_is_refused(tmp_path, monkeypatch):
    from ingest import pipeline

    (tmp_path / "corpus").mkdir()
    long = "\n\n".join(f"## Part {n}\n\n" + "The crew logs every take of the scene. " * 30 for n in range(8))
    (tmp_path / "corpus" / "long.md").write_text(f"# Long\n\n{long}\n", encoding="utf-8")
    (tmp_path / "corpus" / "short.md").write_text("# Short\n\nThe crew logs every take.\n", encoding="utf-8")
    monkeypatch.setattr(pipeline, "MAX_SOURCE_CHUNKS", 3)

    plan = pipeline.plan(Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data"))
    assert [source for source, _ in plan.chunks] == ["short.md"]
    assert len(plan.warnings) == 1 and "long.md: it splits into 16 chunks, more than the 3" in plan.warnings[0]


class _Server:
    """A real HTTP server whose reply a test chooses: a body, an announced length, and a pause between pieces."""

    def __init__(self, body: bytes, *, pause_s: float = 0.0, announce: bool = True):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the name http.server calls)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                if announce:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for start in range(0, len(body), 64 * 1024 if not pause_s else 16):
                    try:
                        self.wfile.write(body[start:start + (64 * 1024 if not pause_s else 16)])
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(pause_s)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/notes.txt"
        outer.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "no-length"])
def test_a_download_over_the_size_limit_is_refused(announce):
    body = b"All crew members report at seven. " * 40_000
    with _Server(body, announce=announce) as server:
        with pytest.raises(IngestError, match="over the 1 MB limit"):
            load_url(server.url, Settings(max_source_mb=1, fetch_timeout_s=10))
        assert load_url(server.url, Settings(max_source_mb=2, fetch_timeout_s=10)).text.startswith("All crew")


def test_a_download_that_trickles_is_abandoned_at_the_time_limit():
    with _Server(b"A slow sentence about the crew. " * 200, pause_s=0.2) as server:
        began = time.monotonic()
        with pytest.raises(IngestError, match="no answer within 2 s.*RAG_FETCH_TIMEOUT_S"):
            load_url(server.url, Settings(fetch_timeout_s=2))
        assert time.monotonic() - began < 6
