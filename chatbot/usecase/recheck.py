"""Recheck a use-case brief: the same description and answers against the index as it is now, and what changed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatbot.usecase.assessment import Assessment
from chatbot.usecase.checker import MATRIX_ACTIONS
from chatbot.usecase.rules import AREAS, PRINCIPLES
from chatbot.errors import ChatbotError
from chatbot.store.versions import CitedVersion, VersionHistory
from chatbot.store.word_diff import diff_text

_OUTCOME = re.compile(r"^\*\*Outcome:\*\* (.*?)(?: (?:\[\d+\])+)?$")
_ANSWER = re.compile(r"^(\d)\. .* \*\*(yes|no|unsure)\*\*$")
_ACTIONS = "|".join([*(action for _, action in MATRIX_ACTIONS), "see the row"])
_ROW = re.compile(rf"^- (.*): (?:(\S+) )?({_ACTIONS}) \[(\d+)\]$")
_DOCUMENT = re.compile(r"^- (?!\[)(.*?)(?:, (https?://\S+))?$")  # "- Title, URL", each cited document once
_SOURCE = re.compile(r"^- \[(\d+)\] (.*)$")  # "  - [n] Section", under its document
_VERSION = re.compile(r"^- (.+?) ((?:\[\d+\])+): version (of|first seen) (\S+)(?: \(.*\))?, sha256 ([0-9a-f]+)$")


class InvalidBrief(ChatbotError, ValueError):
    """The text is not a brief the use-case check wrote."""


@dataclass(frozen=True)
class Brief:
    """What a brief says, read back from its Markdown."""

    description: str
    answers: dict[str, str]
    areas: tuple[str, ...]  # the areas the person ticked (detected ones are found again from the description)
    outcome: str
    rows: dict[str, str]  # matrix row title: its mark and action, e.g. "✅ proceed"
    sources: dict[int, str]  # citation number: "title > section"
    versions: tuple[CitedVersion, ...]


@dataclass(frozen=True)
class CitedRule:
    """One passage the brief cited, and what became of its section since."""

    n: int
    source: str
    section: str
    status: str  # "unchanged", "changed", "removed" or "unknown"
    date: str = ""  # of the version that changed or removed it
    diff: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recheck:
    brief: Brief
    now: Assessment
    rows: tuple[tuple[str, str, str], ...]  # (row title, mark in the brief, mark now) for rows in both
    rules: tuple[CitedRule, ...]

    @property
    def outcome_changed(self) -> bool:
        """The rule's outcome, or the matrix's own mark for a row the brief showed, is not what it was."""
        return self.now.outcome != self.brief.outcome or any(before != after for _, before, after in self.rows)

    @property
    def changed_rules(self) -> tuple[CitedRule, ...]:
        return tuple(rule for rule in self.rules if rule.status in {"changed", "removed"})


def parse_brief(text: str) -> Brief:
    """Read a brief written by `Assessment.to_markdown()`; InvalidBrief says what is missing."""
    blocks = _blocks(text)
    lines = [line.strip() for line in text.splitlines()]
    described = next((line.removeprefix("**Intended use:** ") for line in lines
                      if line.startswith("**Intended use:** ")), None)
    outcome = next((m.group(1) for line in lines if (m := _OUTCOME.match(line))), None)
    if described is None or outcome is None:
        raise InvalidBrief("This is not a brief from the use-case check: it has no **Intended use:** or **Outcome:** "
                           "line. Recheck the Markdown that `python -m chatbot check` or the Check tab wrote.")
    answers = {PRINCIPLES[int(m.group(1)) - 1].key: m.group(2)
               for line in blocks.get("Guiding principles", []) if (m := _ANSWER.match(line))}
    areas = tuple(area.key for area in AREAS for line in blocks.get("Why", [])
                  if line.startswith(f"- {area.label} (") and "ticked" in line.split("(", 1)[1])
    rows = {m.group(1): f"{m.group(2) or ''} {m.group(3)}".strip()
            for line in blocks.get("Closest rows of the Proposed Use Case Matrix", []) if (m := _ROW.match(line))}
    sources = _sources(blocks.get("Sources", []))
    versions = tuple(CitedVersion(m.group(1), m.group(4), m.group(5), tuple(map(int, re.findall(r"\d+", m.group(2)))),
                                  m.group(3) == "of")
                     for line in blocks.get("Versions of the cited documents", []) if (m := _VERSION.match(line)))
    return Brief("" if described == "(not described)" else described, answers, areas, outcome, rows, sources,
                 versions)


def recheck(checker, history: VersionHistory, text: str) -> Recheck:
    """Assess the brief's use again with `checker`, and compare the outcome, the matrix rows and the cited rules."""
    brief = parse_brief(text)
    now = checker.assess(brief.description, brief.answers, brief.areas)
    now_rows = {row.title: f"{row.symbol} {row.action}".strip() for row in now.matrix_rows}
    rows = tuple((title, mark, now_rows[title]) for title, mark in brief.rows.items() if title in now_rows)
    return Recheck(brief, now, rows, tuple(_cited_rules(history, brief)))


def report(result: Recheck, name: str = "the brief") -> str:
    """The recheck for a terminal: outcome, matrix rows and cited rules, each said to be unchanged or changed."""
    brief, now = result.brief, result.now
    lines = [f"Recheck of {name} against the index as it is now",
             f"Intended use: {brief.description or '(not described)'}", ""]
    lines.append("Outcome: CHANGED" if result.outcome_changed else f"Outcome: unchanged: {now.outcome}")
    if now.outcome != brief.outcome:
        lines += [f"  the rule's outcome was: {brief.outcome}", f"  the rule's outcome now: {now.outcome}"]
    elif result.outcome_changed:
        lines.append(f"  the rule's outcome is the same: {now.outcome}")
    for title, before, after in result.rows:
        state = f"was {before}, now {after}" if before != after else f"unchanged ({after})"
        lines.append(f"  matrix row {title!r}: {state}")
    lines += ["", "Cited rules:"]
    for rule in result.rules:
        where = f"[{rule.n}] {rule.source}: {rule.section.replace(' > ', ' › ')}"
        if rule.status == "changed":
            lines.append(f"  {where}: CHANGED on {rule.date}")
            lines += [f"      {line}" for line in rule.diff]
        elif rule.status == "removed":
            lines.append(f"  {where}: REMOVED on {rule.date}")
        elif rule.status == "unknown":
            lines.append(f"  {where}: unknown (the version the brief names is not recorded in this database)")
        else:
            lines.append(f"  {where}: unchanged")
    if not result.rules:
        lines.append("  the brief names no document versions, so its cited rules cannot be compared")
    lines.append("")
    if result.outcome_changed:
        lines.append("The outcome changed since the brief was written: check the use again before relying on it.")
    elif result.changed_rules:
        lines.append(f"The outcome is the same, but {len(result.changed_rules)} cited rule(s) changed: "
                     "read them again before relying on the brief.")
    else:
        lines.append("The outcome and every cited rule are the same as when the brief was written.")
    return "\n".join(lines)


def _cited_rules(history: VersionHistory, brief: Brief) -> list[CitedRule]:
    latest = history.latest()
    rules = []
    for cited in brief.versions:
        then = history.find(cited.source, cited.content_hash)
        current = latest.get(cited.source)
        for n in cited.cites:
            where = brief.sources.get(n, "")
            if then is None or current is None:
                rules.append(CitedRule(n, cited.source, where, "unknown"))
                continue
            section = where.removeprefix(f"{then.title} > ") if then.title and where != then.title else ""
            if then.id == current.id:
                rules.append(CitedRule(n, cited.source, section, "unchanged"))
                continue
            change = next((c for c in history.revision(then, current).changes
                           if section in {c.heading, c.old_heading} and c.kind != "added"), None)
            if change is None or change.kind == "renamed":
                rules.append(CitedRule(n, cited.source, section, "unchanged"))
            elif change.kind == "removed":
                rules.append(CitedRule(n, cited.source, section, "removed", current.date))
            else:
                rules.append(CitedRule(n, cited.source, section, "changed", current.date,
                                       tuple(diff_text(change.old_text, change.new_text))))
    return sorted(rules, key=lambda rule: rule.n)


def _sources(lines: list[str]) -> dict[int, str]:
    """{n: "title > section"} from the brief's Sources list (documents, each with its cited sections under it)."""
    sources, title = {}, ""
    for line in lines:
        if cited := _SOURCE.match(line):
            section = cited.group(2)
            sources[int(cited.group(1))] = f"{title} > {section}" if title and section != title else section
        elif document := _DOCUMENT.match(line):
            title = document.group(1)
    return sources


def _blocks(text: str) -> dict[str, list[str]]:
    """The brief's lines under each heading on a line of its own ("**Sources**")."""
    blocks: dict[str, list[str]] = {"": []}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        heading = re.fullmatch(r"\*\*([^*]+)\*\*", line)
        if heading:
            current = heading.group(1)
            blocks.setdefault(current, [])
        elif line:
            blocks[current].append(line)
    return blocks
