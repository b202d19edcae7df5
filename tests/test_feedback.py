"""The vote log: every vote is appended and read back, even when many arrive at once, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from chatbot.errors import ChatbotError
from chatbot.ui.feedback import FeedbackStore
from chatbot.settings import Settings
from chatbot.types import Citation

CITATION = Citation(n=1, title="Using Generative AI in Content Production", section="Guiding Principles",
                    url="https://example.org/guidance", passage="Share any intended use.", score=0.71,
                    source="netflix-genai-guidance.md", kind="guidance", chunk_id="abc")


@pytest.fixture
def log_location(tmp_path, database_url):
    """Where one test's votes go: a SQLite file in a fresh folder, or a fresh PostgreSQL database."""
    return database_url or tmp_path / "votes" / "feedback.sqlite"


def test_a_vote_is_stored_with_its_question_answer_and_citations(log_location):
    store = FeedbackStore(log_location)

    row_id = store.record("Can I use Midjourney for mood boards?", "Yes, for ideation [1].", [CITATION], "up")

    [vote] = store.all()
    assert vote.id == row_id
    assert (vote.question, vote.answer, vote.vote) == ("Can I use Midjourney for mood boards?", "Yes, for ideation [1].", "up")
    assert vote.citations == [{"n": 1, "title": "Using Generative AI in Content Production", "section": "Guiding Principles",
                               "url": "https://example.org/guidance", "passage": "Share any intended use.", "score": 0.71,
                               "source": "netflix-genai-guidance.md", "kind": "guidance", "chunk_id": "abc",
                               "restated": True, "anchors": ""}]
    assert vote.created_at.endswith("+00:00")


def test_votes_are_appended_never_replaced(log_location):
    store = FeedbackStore(log_location)
    for choice in ("up", "cleared", "down", "down"):
        store.record("q", "a", [], choice)

    assert [vote.vote for vote in store.all()] == ["up", "cleared", "down", "down"]
    assert (store.count(), store.count("down"), store.count("up")) == (4, 2, 1)


def test_a_reason_given_after_a_down_vote_is_kept_with_that_vote(log_location):
    store = FeedbackStore(log_location)
    store.record("q1", "a1", [], "up")
    down = store.record("q2", "a2", [], "down")

    store.add_reason(down, "  It cites the wrong section.  ")

    assert [(vote.vote, vote.reason) for vote in store.all()] == [("up", ""), ("down", "It cites the wrong section.")]


def test_a_log_written_before_reasons_existed_gains_the_column(tmp_path):
    path = tmp_path / "feedback.sqlite"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, "
                    "question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL, vote TEXT NOT NULL)")
        old.execute("INSERT INTO feedback (created_at, question, answer, citations, vote) "
                    "VALUES ('2025-01-01', 'q', 'a', '[]', 'down')")
    store = FeedbackStore(path)

    store.add_reason(1, "Too vague")

    assert [(vote.question, vote.reason) for vote in store.all()] == [("q", "Too vague")]


def test_an_unknown_vote_is_refused(log_location):
    store = FeedbackStore(log_location)
    with pytest.raises(ValueError, match="vote must be one of up, down, cleared"):
        store.record("q", "a", [], "maybe")
    assert store.count() == 0


def test_the_log_uses_write_ahead_logging(tmp_path):
    path = tmp_path / "feedback.sqlite"
    FeedbackStore(path).record("q", "a", [], "up")
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_concurrent_votes_from_many_threads_are_all_kept(log_location):
    path = log_location
    stores = [FeedbackStore(path) for _ in range(2)]  # two app processes sharing one file or one server
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def vote(worker: int) -> None:
        start.wait()
        try:
            for i in range(25):
                stores[worker % 2].record(f"question {worker}-{i}", "answer", [CITATION], "up" if i % 2 else "down")
        except BaseException as err:  # collected and asserted below
            failures.append(err)

    threads = [threading.Thread(target=vote, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    questions = {vote.question for vote in FeedbackStore(path).all()}
    assert len(questions) == 200
    assert FeedbackStore(path).count() == 200


def test_an_unwritable_location_gives_an_actionable_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    store = FeedbackStore(blocker / "feedback.sqlite")
    with pytest.raises(ChatbotError, match="Cannot open the feedback log .*RAG_DATA_DIR"):
        store.record("q", "a", [], "up")


def test_a_vote_waits_for_another_writer_holding_a_fresh_log(tmp_path):
    # A log still in rollback-journal mode, held by another writer: switching it to WAL would fail at once
    # with "database is locked" unless the store waits and tries again.
    path = tmp_path / "feedback.sqlite"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE unrelated (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO unrelated VALUES (1)")
    releaser = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    releaser.start()
    try:
        FeedbackStore(path).record("q", "a", [CITATION], "up")
    finally:
        releaser.join()
        other.close()

    assert [vote.question for vote in FeedbackStore(path).all()] == ["q"]


def test_a_log_held_too_long_gives_an_actionable_error(tmp_path):
    path = tmp_path / "feedback.sqlite"
    FeedbackStore(path).record("q", "a", [], "up")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ChatbotError, match="stayed busy .*Try the vote again"):
            FeedbackStore(path, busy_timeout_ms=200).record("q2", "a", [], "down")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert FeedbackStore(path).count() == 1


def test_the_deployment_log_follows_the_database_setting(tmp_path, database_url):
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    FeedbackStore.for_settings(settings).record("q", "a", [CITATION], "up")

    assert settings.feedback_db.exists() == (not database_url)
    assert [vote.question for vote in FeedbackStore(database_url or settings.feedback_db).all()] == ["q"]


def test_an_unreachable_server_gives_an_actionable_error():
    store = FeedbackStore("postgresql://someone:secret@127.0.0.1:9/votes")
    with pytest.raises(ChatbotError, match=r"Cannot use the feedback log at postgresql\+psycopg://someone:\*\*\*@127"
                                            r".*Check RAG_DATABASE_URL") as raised:
        store.record("q", "a", [], "up")
    assert "secret" not in str(raised.value)
