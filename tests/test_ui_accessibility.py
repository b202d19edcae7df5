"""axe-core in headless Chromium: both tabs, light and dark, desktop and phone, before and after an answer."""

from __future__ import annotations

import json

import pytest
from ui_helpers import ROOT, chromium_page, serve, wait_for_answer, wait_until_settled

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = ROOT / "tests" / "vendor" / "axe.min.js"  # axe-core 4.14.1 from the npm registry, licence header kept
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
SCHEMES = ("light", "dark")
BLOCKING = ("serious", "critical")
QUESTION = "Can AI-generated signage appear in the background of a scene?"
USE = "A digital double of our lead actress for the rooftop chase, shown in the final cut"


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now: one dict per rule, with its impact and failing nodes.

    Text in the very colour of its background is only "to review" for axe (it may be hidden on purpose); here it
    is shown to the reader, so it counts as a serious `unreadable-text` violation.
    """
    wait_until_settled(page)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document);
        const nodes = list => list.map(n => ({target: n.target.join(' '), summary: n.failureSummary ||
            n.any.map(check => check.message).join('; ')}));
        const violations = result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: nodes(v.nodes)}));
        const unreadable = result.incomplete.filter(v => v.id === 'color-contrast').flatMap(v => v.nodes)
            .filter(n => n.any.some(check => check.data && check.data.messageKey === 'equalRatio'));
        if (unreadable.length) violations.push({id: 'unreadable-text', impact: 'serious',
            help: 'Text must not be the colour of its background', nodes: nodes(unreadable)});
        return violations;
    }""")


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def record(counts: dict, key: str, violations: list[dict]) -> None:
    counts[key] = {"serious_or_critical_rules": len(blocking(violations)),
                   "serious_or_critical_nodes": sum(len(v["nodes"]) for v in blocking(violations)),
                   "rules": {v["id"]: f'{v["impact"]} x{len(v["nodes"])}' for v in violations}}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_serious_or_critical_axe_violation_on_either_tab_before_or_after_an_answer(bot, artifacts_dir, scheme, size):
    width, height = SIZES[size]
    counts: dict[str, dict] = {}
    found: dict[str, list[dict]] = {}
    with serve(bot, bot.settings) as demo, chromium_page(width, height, color_scheme=scheme) as page:
        page.goto(demo.local_url)
        page.locator("#question textarea").wait_for()
        assert page.evaluate("document.body.classList.contains('dark')") == (scheme == "dark")
        found["ask-before"] = axe_violations(page)

        page.get_by_role("tab", name="Check my use case").click()
        page.locator("#check-description textarea").wait_for()
        found["check-before"] = axe_violations(page)

        page.get_by_role("tab", name="Ask the guidance").click()
        box = page.locator("#question textarea")
        box.fill(QUESTION)
        box.press("Enter")
        wait_for_answer(page)
        found["ask-after"] = axe_violations(page)
        page.screenshot(path=str(artifacts_dir / f"axe-ask-{scheme}-{size}.png"), full_page=True)

        page.get_by_role("tab", name="Check my use case").click()
        page.locator("#check-description textarea").fill(USE)
        page.locator("#check-assess").click()
        page.locator("#check-result .check-outcome").wait_for()
        found["check-after"] = axe_violations(page)
        page.screenshot(path=str(artifacts_dir / f"axe-check-{scheme}-{size}.png"), full_page=True)

    for key, violations in found.items():
        record(counts, f"{key.split('-')[0]}-{scheme}-{size}-{key.split('-')[1]}", violations)
    summary = artifacts_dir / "axe-counts.json"
    saved = json.loads(summary.read_text()) if summary.exists() else {}
    summary.write_text(json.dumps({**saved, **counts}, indent=1, sort_keys=True))
    problems = {key: [f'{v["id"]} ({v["impact"]}): {node["target"]}: {node["summary"]}' for v in blocking(violations)
                      for node in v["nodes"][:3]]
                for key, violations in found.items() if blocking(violations)}
    assert not problems, json.dumps(problems, indent=1)


def test_the_question_box_is_named_by_its_label_alone(bot):
    with serve(bot, bot.settings) as demo, chromium_page() as page:
        page.goto(demo.local_url)
        page.get_by_role("textbox", name="Your question", exact=True).wait_for()  # not "Your question Ask"
