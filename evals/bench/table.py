"""The benchmark's results as Markdown tables: one per section, then the targets."""

from __future__ import annotations

from evals.bench.targets import Target

HEADER = "| Measure | median | p95 | IQR | min-max | n |\n|---|---:|---:|---:|---:|---:|"


def _number(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def _row(label: str, summary: dict | None) -> str:
    if not summary:
        return f"| {label} | - | - | - | - | - |"
    spread = f"{_number(summary['min'])}-{_number(summary['max'])}"
    return (f"| {label} | {_number(summary['median'])} | {_number(summary['p95'])} | {_number(summary['iqr'])} | "
            f"{spread} | {summary['n']} |")


def answers_table(answers: dict) -> str:
    rows = [f"**Warm answers** ({answers['questions']} questions x {answers['repeats']} passes, ms)", "", HEADER,
            _row("floor: embed the question alone", answers["floor_ms"])]
    for name, label in (("bot", "bot ask()"), ("baseline", f"baseline (Chroma top {answers['baseline']['top_k']})")):
        for part in ("retrieve_ms", "answer_ms", "total_ms"):
            rows.append(_row(f"{label}: {part.removesuffix('_ms')}", answers[name][part]))
    old = answers.get("old")
    if old:
        rows.append(_row(f"old path ({old['backend']}): floor", old["floor_ms"]))
        rows.append(_row(f"old path ({old['backend']}): bot ask() total", old["bot"]["total_ms"]))
    rows += ["", f"total / floor (p50s): bot {_number(answers['bot']['total_over_floor'])}x, "
                 f"baseline {_number(answers['baseline']['total_over_floor'])}x"
             + (f", old path {_number(old['bot']['total_over_floor'])}x (its own floor)" if old else ""), ""]
    if old:
        same = old["same_answers"]
        rows += [f"Same answers, citations, passages and scores on both paths: {_number(same['identical'])} "
                 f"({same['questions'] - len(same['differ'])} of {same['questions']} questions)", ""]
    rows += ["| Quality metric | bot | baseline | bot at least baseline |", "|---|---:|---:|:---:|"]
    for name, row in answers["quality"]["metrics"].items():
        rows.append(f"| {name} | {_number(row['bot'])} | {_number(row['baseline'])} | "
                    f"{_number(row['at_least_baseline'])} |")
    return "\n".join(rows)


def cold_start_table(cold: dict) -> str:
    rows = ["**Cold start** (store already built; fresh process each run)", "", HEADER]
    rows.append(_row("CLI `python -m chatbot`: launch to answer (s)", cold["cli"]["first_answer_s"]))
    rows.append(_row("CLI peak RSS (MB)", cold["cli"]["peak_rss_mb"]))
    rows.append(_row("app: launch to listening (s)", cold["app"]["listening_s"]))
    rows.append(_row("app: launch to first answer (s)", cold["app"]["first_answer_s"]))
    rows.append(_row("app: launch to idle, warm-up done (s)", cold["app"]["idle_s"]))
    rows.append(_row("app peak RSS (MB)", cold["app"]["peak_rss_mb"]))
    if "cli_through_app_s" in cold["app"]:
        rows.append(_row("CLI `--server URL`, answered by the running app (s)", cold["app"]["cli_through_app_s"]))
    old = cold.get("old")
    if old:
        rows.append(_row("old path: CLI launch to answer (s)", old["cli"]["first_answer_s"]))
        rows.append(_row("old path: CLI peak RSS (MB)", old["cli"]["peak_rss_mb"]))
        rows.append(_row("old path: app launch to first answer (s)", old["app"]["first_answer_s"]))
        rows.append(_row("old path: app peak RSS (MB)", old["app"]["peak_rss_mb"]))
    return "\n".join(rows)


def ingest_table(ingest: dict) -> str:
    rows = [f"**Ingest** ({ingest['documents']} documents, {ingest['chunks']} chunks, {ingest['corpus_mb']:.2f} MB; "
            f"model load {ingest['model_load_s']:.1f} s, not included)", "", HEADER]
    rows.append(_row("cold ingest (s)", ingest["cold"]["seconds"]))
    rows.append(_row("cold ingest: chunks per second", ingest["cold"]["chunks_per_s"]))
    rows.append(_row("cold ingest: seconds per MB", ingest["cold"]["seconds_per_mb"]))
    rows.append(_row(f"unchanged re-ingest (s; {ingest['unchanged']['embedded']} embedded)",
                     ingest["unchanged"]["seconds"]))
    rows.append(_row("unchanged `python -m ingest`, imports included (s)", ingest["unchanged"]["cli_seconds"]))
    edit = ingest["one_edit"]
    rows.append(_row(f"one paragraph edited in {edit['document']} (s)", edit["seconds"]))
    rows.append(_row("  chunks embedded after the edit", edit["embedded"]))
    return "\n".join(rows)


def scale_table(scale: dict) -> str:
    rows = ["**Growth** (synthetic chunks; retrieval in ms, build in s)", "",
            "| Chunks | Chroma add (s) | BM25 build (s) | first load, cache written (s) | index open old / new (s) | "
            "index memory old / new (MB) | dense p50 / p95 | BM25 p50 / p95 | hybrid p50 / p95 |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size, result in scale["sizes"].items():
        build, latency, opened = result["build"], result["retrieve_ms"], result["open"]
        cells = " | ".join(f"{_number(latency[m]['median'])} / {_number(latency[m]['p95'])}"
                           for m in ("dense", "bm25", "hybrid"))
        rows.append(f"| {int(size):,} | {_number(build['chroma_add_s'])} | {_number(build['bm25_build_s'])} | "
                    f"{_number(build['first_load_s'])} | {_number(opened['old']['seconds']['median'])} / "
                    f"{_number(opened['new']['seconds']['median'])} | {_number(opened['old']['rss_mb']['median'])} / "
                    f"{_number(opened['new']['rss_mb']['median'])} | {cells} |")
    growth = scale["growth"]
    rows += ["", f"p50 growth from {growth['from']:,} to {growth['to']:,} chunks: dense {_number(growth['dense'])}x, "
                 f"BM25 {_number(growth['bm25'])}x, hybrid {_number(growth['hybrid'])}x", "", scale["note"]]
    return "\n".join(rows)


def comparison_table(results: dict) -> str:
    """The old path (torch, snapshot rebuilt at each start) beside the new one (ONNX, load cache): medians."""
    answers, cold, scale = results.get("answers", {}), results.get("cold_start", {}), results.get("scale", {})

    def pick(node, *path):
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return node

    largest = str(scale["growth"]["to"]) if scale else None
    opened = pick(scale, "sizes", largest, "open") or {}
    rows = [
        ("CLI: launch to first answer (s)", pick(cold, "old", "cli", "first_answer_s", "median"),
         pick(cold, "cli", "first_answer_s", "median")),
        ("CLI peak RSS (MB)", pick(cold, "old", "cli", "peak_rss_mb", "median"), pick(cold, "cli", "peak_rss_mb", "median")),
        ("app: launch to first answer (s)", pick(cold, "old", "app", "first_answer_s", "median"),
         pick(cold, "app", "first_answer_s", "median")),
        ("app peak RSS (MB, max)", pick(cold, "old", "app", "peak_rss_mb", "max"), pick(cold, "app", "peak_rss_mb", "max")),
        ("CLI `--server URL` through the running app (s)", None, pick(cold, "app", "cli_through_app_s", "median")),
        (f"index open at {int(largest):,} chunks, fresh process (s)" if largest else "index open (s)",
         pick(opened, "old", "seconds", "median"), pick(opened, "new", "seconds", "median")),
        ("index memory at that size (MB)", pick(opened, "old", "rss_mb", "median"), pick(opened, "new", "rss_mb", "median")),
        ("question embedding, the floor (ms)", pick(answers, "old", "floor_ms", "median"), pick(answers, "floor_ms", "median")),
        ("warm ask() total (ms)", pick(answers, "old", "bot", "total_ms", "median"), pick(answers, "bot", "total_ms", "median")),
        ("warm ask() / floor of the same path", pick(answers, "old", "bot", "total_over_floor"),
         pick(answers, "bot", "total_over_floor")),
    ]
    lines = ["**Old and new path** (medians; old: RAG_EMBEDDING_BACKEND=torch RAG_LOAD_CACHE=false, new: the defaults)",
             "", "| Measure | old | new |", "|---|---:|---:|"]
    lines += [f"| {label} | {_number(old)} | {_number(new)} |" for label, old, new in rows if old is not None or new is not None]
    same = pick(answers, "old", "same_answers")
    if same:
        lines.append(f"| answers identical on {same['questions']} questions | - | {_number(same['identical'])} |")
    return "\n".join(lines)


def targets_table(targets: list[Target]) -> str:
    rows = ["**Targets**", "", "| Target | value | limit | met |", "|---|---:|---:|:---:|"]
    for target in targets:
        met = "-" if target.met is None else "yes" if target.met else "**no**"
        rows.append(f"| {target.name} | {_number(target.value)} | {target.limit} | {met} |")
    return "\n".join(rows)


def render(results: dict, targets: list[Target]) -> str:
    """Every section that ran, then the targets."""
    meta = results["meta"]
    parts = [f"Benchmark {meta['date']} on {meta['machine']} (load average {meta['load_before']} before, "
             f"{meta['load_after']} after){' — quick mode' if meta['quick'] else ''}"]
    if any(results.get(key, {}).get("old") for key in ("answers", "cold_start")) or "scale" in results:
        parts.append(comparison_table(results))
    for key, render_section in (("answers", answers_table), ("cold_start", cold_start_table),
                                ("ingest", ingest_table), ("scale", scale_table)):
        if key in results:
            parts.append(render_section(results[key]))
    parts.append(targets_table(targets))
    return "\n\n".join(parts) + "\n"
