"""The shipped corpus: complete front matter, publishers' own addresses, sentences that stand alone, and prose in the
project's own words, never copied from a source."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from chatbot.sentences import split_sentences
from ingest.loaders import load_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
REFERENCE = ROOT.parent / "shared" / "reference"
DOCUMENTS = sorted(CORPUS.rglob("*.md"))
RUN = 10  # words in a row shared with a source that count as copying
KINDS = {"guidance", "article", "summary"}
# Sites that republish other publishers' pages: a note may say a text was read there, the address never points there.
MIRRORS = {"vuink.com", "news.barelyhuman.xyz", "newsbite.mooo.com", "froht.com"}


def prose(text: str) -> str:
    """Running text only: no front matter, headings, URLs, or quoted titles, which are meant to match."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", "**")))
    text = re.sub(r"https?://\S+", " ", text)
    return re.sub(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d", " | ", text)


def plain(text: str) -> str:
    return text.lower().replace("\u2019", "").replace("'", "")


def runs(text: str, titles: set[str] = frozenset()) -> set[tuple[str, ...]]:
    """Every RUN-word sequence within one sentence of `text`, never across a quote or a source's section title."""
    text = plain(text)
    for title in titles:
        text = text.replace(title, " | ")
    words = re.findall(r"[^\W_]+|\|", re.sub(r"[.!?;:\n]", " | ", text))
    return {tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1) if "|" not in words[i:i + RUN]}


def section_titles(source: str) -> set[str]:
    """A source's headings (Markdown or bold lines), which the corpus keeps on purpose."""
    titles = set()
    for line in source.splitlines():
        line = line.strip()
        if line.startswith(("#", "**")):
            titles.add(plain(line.lstrip("#").strip().strip("*").strip()))
    return {title for title in titles if len(title.split()) >= 3}


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_document_names_its_source_and_says_it_restates_it(path):
    document = load_file(path, str(path.relative_to(CORPUS)))
    assert document.title and document.publisher and document.published
    if document.based_on:  # written by this project: it is its own publisher, and the original is only what it builds on
        assert "this project" in document.publisher.lower()
        assert document.based_on.startswith("https://") and not document.url.startswith(("https://", "http://"))
    else:
        assert document.url.startswith("https://")
    assert document.kind in KINDS
    assert document.restated, f"{path.name}: its note must say it restates the source in the project's own words"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_source_address_is_the_publishers_own(path):
    """A source is cited at its publisher's address over https: never a bare IP address or a mirror site."""
    document = load_file(path, str(path.relative_to(CORPUS)))
    for address in filter(None, (document.url, document.based_on)):
        if not address.startswith(("https://", "http://")):
            continue
        host = urlparse(address).hostname or ""
        assert address.startswith("https://"), f"{path.name}: {address} is plain http"
        assert not _is_ip(host), f"{path.name}: {address} is a bare IP address"
        assert host not in MIRRORS, f"{path.name}: {address} is a mirror; cite the publisher's address"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def sources() -> list[Path]:
    return sorted(REFERENCE.rglob("*.md")) + sorted((REFERENCE.parent / "seeds").glob("*"))


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference is not present")
def test_no_document_copies_a_run_of_words_from_any_source():
    copied = []
    for source in sources():
        text = source.read_text(encoding="utf-8", errors="replace")
        titles = section_titles(text)
        theirs = runs(re.sub(r"https?://\S+", " ", text), titles)
        for path in DOCUMENTS:
            shared = runs(prose(path.read_text(encoding="utf-8")), titles) & theirs
            copied += [f"{path.name} ~ {source.name}: {' '.join(run)}" for run in sorted(shared)[:3]]
    assert copied == [], "\n".join(copied)


# Words that, opening a sentence, point back at an earlier one: quoted alone as a citation, the sentence loses its meaning.
BARE_OPENER = re.compile(
    r"^[\"'\u201c\u2018(]*(?:also|this|these|that|those|it|its|they|them|their|he|she|his|her|here|such|another|"
    r"however|therefore|thus|hence|moreover|furthermore|further|additionally|in addition|besides|instead|still|yet|"
    r"so|then|meanwhile|otherwise|likewise|similarly|nonetheless|nevertheless|accordingly|consequently|again|"
    r"but|and|or|as a result|in contrast|by contrast|on the other hand|in turn|even so|the same|the latter|"
    r"the former|for th(?:ose|ese|at|is)|in th(?:ose|ese|at|is) cases?|at the same time)\b",
    re.IGNORECASE,
)


def corpus_sentences(path: Path) -> list[str]:
    return split_sentences(re.sub(r"\A---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), flags=re.S))


def test_no_sentence_opens_with_a_bare_connective_or_demonstrative():
    found = [f"{path.name}: {sentence[:90]}" for path in DOCUMENTS for sentence in corpus_sentences(path)
             if BARE_OPENER.match(sentence)]
    assert found == [], "\n".join(found)


def test_the_opener_check_reads_sentence_starts_only():
    assert BARE_OPENER.match("The same summaries say more.") and BARE_OPENER.match("For those situations, ask.")
    assert BARE_OPENER.match('"This is it," he said.') and BARE_OPENER.match("Another reply agreed.")
    assert not BARE_OPENER.match("Thistle farmers also said so.")
    assert not BARE_OPENER.match("The samey look of AI art drew complaints.")
    assert not BARE_OPENER.match("Both Netflix and The Verge said so.")


def test_the_copy_check_finds_a_copied_sentence():
    source = "Partners must never let a tool train on production data without written approval from the studio."
    assert runs(prose("# Doc\n\nIn short, partners must never let a tool train on production data without written approval.")) \
        & runs(source)
    assert not runs(prose("# Doc\n\nA tool may not learn from production material unless the studio approves it in writing.")) \
        & runs(source)
