"""One settings object: read from RAG_* variables, typos named, and the README's table kept in step."""

from __future__ import annotations

import re

import pytest

from chatbot.errors import ChatbotError, ConfigError
from chatbot.settings import Settings, settings_table
from conftest import ROOT


def test_variables_and_overrides_become_typed_settings(tmp_path):
    settings = Settings.from_env({"RAG_TOP_K": "7", "RAG_RRF_K": "5", "RAG_DATA_DIR": str(tmp_path)},
                                 retriever="bm25")
    assert (settings.top_k, settings.rrf_k, settings.data_dir, settings.retriever) == (7, 5, tmp_path, "bm25")


def test_an_unknown_rag_variable_is_an_error_naming_the_closest_setting():
    with pytest.raises(ConfigError, match=r"Unknown setting RAG_TOPK: did you mean RAG_TOP_K\?"):
        Settings.from_env({"RAG_TOPK": "3"})


def test_an_unknown_key_in_the_config_file_names_the_closest_setting(tmp_path):
    config = tmp_path / "rag.toml"
    config.write_text("top_kk = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Unknown setting top_kk: did you mean top_k?"):
        Settings.from_env({"RAG_CONFIG": str(config)})


def test_configuration_errors_are_the_projects_own_errors():
    with pytest.raises(ChatbotError, match=r"Setting top_k='many' is not a valid int"):
        Settings.from_env({"RAG_TOP_K": "many"})
    with pytest.raises(ConfigError, match="does not exist"):
        Settings.from_env({"RAG_CONFIG": "/nonexistent/rag.toml"})


def test_the_readme_settings_table_is_the_settings_own():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"<!-- settings table: start -->\n(.*?)\n<!-- settings table: end -->", readme, re.S)
    assert shown, "the README marks its settings table"
    assert shown.group(1) == settings_table(), f"README.md's settings table differs from Settings; use:\n{settings_table()}"
    assert "| `RAG_TOP_K` | `4` | Most passages cited in one answer |" in settings_table()
