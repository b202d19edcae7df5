"""One settings object for the whole project, read from `RAG_*` variables and an optional TOML file."""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path

from chatbot.errors import ConfigError

ENV_PREFIX = "RAG_"
CONFIG_ENV = "RAG_CONFIG"
SECRETS = frozenset({"llm_api_key", "auth_password"})


def _setting(default, description: str, **kwargs):
    return field(default=default, metadata={"description": description}, **kwargs)


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything a deployment can tune. Each field can be set as `RAG_<FIELD>` in the environment."""

    # Where things live
    corpus_dir: Path = _setting(Path("corpus"), "Folder of Markdown documents ingested by default")
    data_dir: Path = _setting(
        Path(".data"), "Folder for the index, its records, the feedback log and a cache of sentence vectors"
    )
    chroma_url: str = _setting("", "Chroma server URL (http://host:port); empty means a local folder")
    chroma_timeout_s: float = _setting(15.0, "Seconds a call to the Chroma server may take before it fails with an error")
    collection: str = _setting("guidance", "Chroma collection name")
    database_url: str = _setting(
        "", "SQLAlchemy URL of the database for the index records, document versions and feedback votes "
        "(e.g. postgresql://user:password@host/db); empty means SQLite files in the data folder", repr=False
    )
    trusted_sources: str = _setting(
        "*", "Comma-separated globs of the sources whose front matter is believed (kind, address, restatement): paths "
        "relative to the corpus folder (* is every file in it), absolute paths or URLs; any other source is cited as "
        "a plain document and never outranks the guidance"
    )

    # Embedding and chunking
    embedding_model: str = _setting("", "Sentence-transformers model path; empty means the bundled all-MiniLM-L6-v2")
    embedding_backend: str = _setting(
        "onnx", "onnx (questions embedded with onnxruntime, no torch; exported once into the data folder) or torch"
    )
    chunk_max_words: int = _setting(
        180, "Longest chunk, in words; at about 1.4 tokens a word, 180 keeps chunks inside all-MiniLM-L6-v2's 256-token window"
    )
    chunk_min_words: int = _setting(80, "Chunks shorter than this are merged with a neighbour in the same section")
    chunk_overlap_words: int = _setting(30, "Words repeated between consecutive chunks of a long section")
    fetch_timeout_s: float = _setting(15.0, "Seconds a URL given to the ingester may take to download, in all")
    max_source_mb: float = _setting(
        5.0, "Largest file or download ingested as one source, in MB; about 5,000 chunks, which are made visible at once"
    )

    # Retrieval and answering
    top_k: int = _setting(4, "Most passages cited in one answer")
    candidates_k: int = _setting(20, "Passages each retriever proposes before fusion")
    retriever: str = _setting("hybrid", "hybrid, dense or bm25")
    rrf_k: int = _setting(10, "Reciprocal-rank-fusion constant")
    dense_weight: float = _setting(0.5, "Weight of the dense ranking in the fusion")
    bm25_weight: float = _setting(1.0, "Weight of the BM25 ranking in the fusion")
    max_question_chars: int = _setting(2000, "Longer questions are cut to this length, with a notice")
    load_cache: bool = _setting(
        True, "Keep the chunk table and BM25 index beside the index, so that a new process reads them instead of rebuilding"
    )

    # Optional LLM answerer
    answerer: str = _setting("extractive", "extractive (no LLM) or llm")
    llm_provider: str = _setting("openai", "openai (any OpenAI-compatible server) or ollama")
    llm_base_url: str = _setting("", "Base URL of the LLM server, e.g. http://127.0.0.1:11434 for Ollama")
    llm_model: str = _setting("", "Model name the LLM server knows")
    llm_api_key: str = _setting("", "API key for the LLM server; also read from OPENAI_API_KEY", repr=False)
    llm_timeout_s: float = _setting(30.0, "Seconds before the LLM answer is abandoned for the extractive one")

    # Chat window
    host: str = _setting("127.0.0.1", "Address the app listens on")
    port: int = _setting(7860, "Port the app listens on")
    auth_user: str = _setting("", "Login user name; with auth_password, the app asks everyone to log in")
    auth_password: str = _setting("", "Login password", repr=False)
    concurrency_limit: int = _setting(4, "Questions answered at the same time; the rest wait in Gradio's queue")
    changed_badge_days: int = _setting(90, "A source card whose section changed within this many days says so")
    allowed_hosts: str = _setting(
        "", "Comma-separated host names the app answers to besides loopback names and RAG_HOST (* for any, "
        "*.example.org for its subdomains); list the public name when RAG_HOST is 0.0.0.0"
    )
    cors_origins: str = _setting("", "Comma-separated origins (https://host:port) whose pages may call the app")
    login_attempts_per_minute: int = _setting(10, "Failed logins allowed from one address in a minute")

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def chroma_database(self) -> Path:
        """Chroma's SQLite file in a local store: a rebuild replaces it, and every write commits to it."""
        return self.chroma_dir / "chroma.sqlite3"

    @property
    def record_db(self) -> Path:
        return self.data_dir / "records.sqlite"

    @property
    def feedback_db(self) -> Path:
        return self.data_dir / "feedback.sqlite"

    @property
    def sentence_cache(self) -> Path:
        return self.data_dir / "sentence-vectors.npz"

    @classmethod
    def from_env(cls, environ: typing.Mapping[str, str] = os.environ, **overrides) -> "Settings":
        """Defaults, then the TOML file named by RAG_CONFIG, then RAG_* variables, then `overrides`."""
        values: dict[str, object] = {}
        config_path = environ.get(CONFIG_ENV)
        if config_path:
            values.update(_read_config(Path(config_path)))
        known = {f.name: f for f in dataclasses.fields(cls)}
        for name in known:
            raw = environ.get(ENV_PREFIX + name.upper())
            if raw is not None:
                values[name] = raw
        variables = {ENV_PREFIX + name.upper() for name in known} | {CONFIG_ENV}
        for variable in sorted(name for name in environ if name.startswith(ENV_PREFIX) and name not in variables):
            raise ConfigError(f"Unknown setting {variable}{_closest(variable, variables) or '.'} "
                              "Every RAG_* variable must name a setting (see the README's settings table).")
        if not values.get("llm_api_key") and environ.get("OPENAI_API_KEY"):
            values["llm_api_key"] = environ["OPENAI_API_KEY"]
        values.update(overrides)
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigError(f"Unknown setting {unknown[0]}{_closest(unknown[0], known) or '.'} "
                              f"Known: {', '.join(known)}.")
        hints = typing.get_type_hints(cls)
        return cls(**{name: _convert(name, value, hints[name]) for name, value in values.items()})

    def describe(self) -> dict[str, object]:
        """Settings as plain values, secrets masked, for logs and reports."""
        shown = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            shown[f.name] = "***" if f.name in SECRETS and value else str(value)
        shown["database_url"] = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", self.database_url)
        return shown


def settings_table() -> str:
    """The Markdown table of every setting, its variable, default and meaning, as the README shows it."""
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for f in dataclasses.fields(Settings):
        rows.append(f"| `{ENV_PREFIX}{f.name.upper()}` | `{f.default}` | {f.metadata['description']} |")
    return "\n".join(rows)


def _closest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f": did you mean {close[0]}?" if close else ""


def _read_config(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"Config file {path} (from {CONFIG_ENV}) does not exist.") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"Config file {path} is not valid TOML: {err}") from None


def _convert(name: str, value: object, target: type) -> object:
    if isinstance(value, target):
        return value
    text = str(value).strip()
    try:
        if target is bool:
            return text.lower() in {"1", "true", "yes", "on"}
        return target(text)
    except ValueError:
        raise ConfigError(f"Setting {name}={value!r} is not a valid {target.__name__}.") from None
