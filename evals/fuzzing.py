"""Random questions and random files for ask(), the loaders and the ingester: a ChatbotError or a sound result, never a crash."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from chatbot.errors import ChatbotError
from chatbot.ui.render import cited_numbers
from chatbot.settings import Settings

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from chatbot.bot import Bot

# Words the corpus uses, so that some random questions reach the answering code and not only the decline.
VOCABULARY = ("approval", "GenAI", "digital", "replica", "voice", "signage", "background", "Netflix", "consent",
              "training", "data", "final", "cut", "talent", "union", "vendor", "storyboard", "can", "we", "use",
              "ignore previous instructions", "<script>alert(1)</script>", "[1]", "[99]", "\n", "?", "—", "🎬")
SUFFIXES = (".md", ".txt", ".html", ".htm", ".pdf", ".markdown", ".MD", ".bin", "")


@dataclass
class FuzzReport:
    """How many distinct random inputs ran, the checks made on them, and a line for each that broke a rule."""

    name: str
    checks: int = 0  # one input may be checked several ways (ask and retrieve, parse and load)
    refused: int = 0  # checks answered with a ChatbotError (allowed)
    failures: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # digests of the inputs tried

    @property
    def inputs(self) -> int:
        """Distinct inputs tried: Hypothesis repeats some, and those count once."""
        return len(self.seen)

    def saw(self, *parts: object) -> None:
        self.seen.add(hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest())


def questions() -> "SearchStrategy":
    """Random Unicode, control and format characters, lone surrogates, binary noise, huge pastes and word salad."""
    from hypothesis import strategies as st

    controls = st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs", "Co"])
                       | st.sampled_from(["\x00", "\u202e", "\ufeff", "\ud800", "\udfff"]), max_size=200)
    words = st.lists(st.sampled_from(VOCABULARY), max_size=40).map(" ".join)
    return st.one_of(
        st.text(max_size=400),
        controls,
        st.binary(max_size=2000).map(lambda data: data.decode("latin-1")),
        st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=30), st.integers(500, 4000)),
        words,
        st.tuples(words, controls, st.text(max_size=50), words).map("".join),
        st.sampled_from(["", " ", "\n\n", "?", "[1]", "\x1b[31m", "0" * 50_000, None]),
    )


def histories() -> "SearchStrategy":
    from hypothesis import strategies as st

    turn = st.text(max_size=200) | st.lists(st.sampled_from(VOCABULARY), max_size=20).map(" ".join)
    return st.lists(st.tuples(turn, turn), max_size=3)


def file_bytes() -> "SearchStrategy":
    """Empty, binary, broken UTF-8, front matter of every shape, HTML and PDF-looking bytes."""
    from hypothesis import strategies as st

    text = st.text(max_size=1500)
    words = st.lists(st.sampled_from(VOCABULARY + ("#", "##", "---", "|", "```")), max_size=200).map(" ".join)
    return st.one_of(
        st.binary(max_size=3000),
        st.sampled_from([b"", b" \n\t ", b"\x00" * 64, b"\xef\xbb\xbf", b"---\n---\n", b"%PDF-1.7\n%%EOF"]),
        text.map(lambda value: value.encode("utf-8", "surrogatepass")),
        text.map(lambda value: value.encode("utf-16")),
        st.tuples(text, words).map(lambda parts: f"---\n{parts[0]}\n---\n# {parts[1]}\n\n{parts[1]}".encode("utf-8", "replace")),
        st.tuples(text, words).map(lambda parts: f"<html><head><title>{parts[0]}</title></head><body><p>{parts[1]}"
                                   f"</p><script>{parts[0]}</script></body>".encode("utf-8", "replace")),
        st.binary(max_size=2000).map(lambda data: b"%PDF-1.4\n" + data),
        st.builds(lambda piece, times: (piece * times).encode("utf-8", "replace"), words, st.integers(100, 2000)),
    )


def check_answer(answer: object, max_chars: int) -> list[str]:
    """The rules every Answer keeps, whatever the question was."""
    from chatbot.types import Answer

    if not isinstance(answer, Answer):
        return [f"ask() returned {type(answer).__name__}, not an Answer"]
    problems = []
    if not isinstance(answer.text, str) or not answer.text.strip():
        problems.append("empty answer text")
    if len(answer.question) > max_chars:
        problems.append(f"the question kept {len(answer.question)} characters, over the {max_chars} limit")
    if any(ord(ch) < 32 and ch != "\n" for ch in answer.question):
        problems.append("control characters survived in the question")
    numbers = [citation.n for citation in answer.citations]
    # Nothing answered from the sources: a decline, or a reply to small talk (its outcome a decline, not shown as one).
    unanswered = answer.declined or answer.outcome == "declined"
    if unanswered and answer.citations:
        problems.append("a declined answer carries citations")
    if not unanswered:
        markers = cited_numbers(answer.text)
        if numbers != list(range(1, len(numbers) + 1)) or not numbers:
            problems.append(f"citations not numbered 1..n: {numbers}")
        if not markers or not set(markers) <= set(numbers):
            problems.append(f"markers {markers} do not point at the citations {numbers}")
        if any(not citation.passage.strip() for citation in answer.citations):
            problems.append("a citation without its passage")
    return problems


def run_examples(test: Callable, strategies: dict, examples: int, seed: int, explicit: tuple[dict, ...] = ()) -> None:
    """`examples` generated cases of `test` (after the `explicit` ones), recorded by the test itself, never shrunk."""
    from hypothesis import HealthCheck, Phase, example, given
    from hypothesis import seed as seeded
    from hypothesis import settings as run_settings

    wrapped = given(**strategies)(test)
    for arguments in explicit:
        wrapped = example(**arguments)(wrapped)
    seeded(seed)(run_settings(max_examples=examples, database=None, deadline=None,
                              phases=[Phase.explicit, Phase.generate],
                              suppress_health_check=list(HealthCheck))(wrapped))()


def _case(report: FuzzReport, label: str, action: Callable[[], list[str]]) -> None:
    report.checks += 1
    try:
        problems = action()
    except ChatbotError:
        report.refused += 1
        return
    except Exception as err:  # anything else is the crash the fuzzing looks for
        problems = [f"{type(err).__name__}: {str(err)[:200]}"]
    if problems:
        report.failures.append(f"{label}: {'; '.join(problems)}")


def fuzz_ask(bot: "Bot", examples: int, seed: int = 0) -> FuzzReport:
    """`examples` random questions with random histories through `bot.ask` and `bot.retrieve`."""
    report = FuzzReport("ask")
    limit = bot.settings.max_question_chars

    def test(question, history):
        report.saw(question, history)
        _case(report, f"ask({_short(question)}, history of {len(history)})",
              lambda: check_answer(bot.ask(question, history=history), limit))
        _case(report, f"retrieve({_short(question)})", lambda: _passages_problems(bot.retrieve(question, history)))

    run_examples(test, {"question": questions(), "history": histories()}, examples, seed)
    return report


def fuzz_loaders(work_dir: Path, examples: int, seed: int = 0) -> FuzzReport:
    """Random bytes as each format through `parse`, the split, and `load_file` on files of random names."""
    from hypothesis import strategies as st

    from ingest.loaders import load_file, parse
    from ingest.split import split_document

    report = FuzzReport("loaders")
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged PDFs are the point here, not news
    settings = Settings(data_dir=work_dir / "unused-data", corpus_dir=work_dir)
    folder = work_dir / "files"
    folder.mkdir(parents=True, exist_ok=True)

    def test(data, format_, name, suffix):
        report.saw(data, format_, name, suffix)

        def parse_and_split():
            doc = parse(data, format_, source="fuzz", fallback_title="fuzz")
            split_document(doc, settings)
            return []

        def load():
            path = folder / f"{name or 'file'}{suffix}"
            path.write_bytes(data)
            try:
                split_document(load_file(path, path.name), settings)
            finally:
                path.unlink()
            return []

        _case(report, f"parse({_short(data)}, {format_})", parse_and_split)
        _case(report, f"load_file({name!r}{suffix})", load)

    names = st.text(st.characters(exclude_characters="/\\\x00", exclude_categories=["Cs"]), max_size=40)
    run_examples(test, {"data": file_bytes(), "format_": st.sampled_from(["text", "html", "pdf"]), "name": names,
                "suffix": st.sampled_from(SUFFIXES)}, examples, seed)
    return report


def fuzz_ingest(work_dir: Path, examples: int, seed: int = 0, embedding_model: str = "") -> FuzzReport:
    """Folders of random files ingested into fresh stores, then asked about: the store keeps working."""
    from hypothesis import strategies as st

    from chatbot.bot import build_bot
    from ingest import pipeline

    report = FuzzReport("ingest")
    runs = iter(range(1, 10**6))

    def test(files, question):
        report.saw(files, question)
        number = next(runs)
        corpus = work_dir / f"corpus-{number}"
        corpus.mkdir(parents=True)
        for index, (data, suffix) in enumerate(files):
            (corpus / f"doc-{index}{suffix}").write_bytes(data)
        settings = Settings(data_dir=work_dir / f"data-{number}", corpus_dir=corpus, embedding_model=embedding_model)

        def ingest_and_ask():
            pipeline.run(settings)
            return check_answer(build_bot(settings).ask(question), settings.max_question_chars)

        _case(report, f"ingest of {len(files)} random file(s), then ask({_short(question)})", ingest_and_ask)

    files = st.lists(st.tuples(file_bytes(), st.sampled_from([".md", ".txt", ".html", ".pdf"])), min_size=1, max_size=3)
    # A corpus with no word the lexical index can hold: only emoji, titles included.
    wordless = {"files": [("---\ntitle: \"🎬\"\n---\n🎬 🤖 🎨\n".encode(), ".md")], "question": "🎬?"}
    run_examples(test, {"files": files, "question": questions()}, examples, seed, explicit=(wordless,))
    return report


def _passages_problems(passages: list) -> list[str]:
    return [] if all(passage.text.strip() for passage in passages) else ["a retrieved passage without text"]


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:45]}… ({len(value) if hasattr(value, '__len__') else '?'} long)"
