// What the chat window adds to Gradio's own components, run once when the page loads:
// answers numbered as the sources panel names them, focusable and selectable from the keyboard, the selected one
// marked; [n] markers made links to their source card with a preview of the cited sentence; the sources panel a
// live region; and the question box focused only where that cannot scroll the page or open a phone's keyboard.
(() => {
  const CHAT = "#chat";
  const PANEL = "#sources";
  const MARKER = /\[(\d+)\]/g;
  const WAIT_MS = 20000;

  const answers = () =>
    [...document.querySelectorAll(`${CHAT} .bot-row`)]
      .map((row) => row.querySelector('.message:not(.thought) > [data-testid="bot"]'))
      .filter(Boolean);

  const shownAnswer = () => document.querySelector(`${PANEL} .sources-panel`)?.dataset.answer || "";

  function linkMarkers(answer, number) {
    const content = answer.querySelector(".message-content .md");
    if (!content) return;
    const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) =>
        node.parentElement.closest("a, code, pre") || !/\[\d+\]/.test(node.nodeValue)
          ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_ACCEPT,
    });
    const found = [];
    while (walker.nextNode()) found.push(walker.currentNode);
    for (const node of found) {
      const parts = document.createDocumentFragment();
      let last = 0;
      for (const match of node.nodeValue.matchAll(MARKER)) {
        parts.append(node.nodeValue.slice(last, match.index));
        const link = document.createElement("a");
        link.className = "cite-link";
        link.href = `#source-${match[1]}`;
        link.dataset.n = match[1];
        link.dataset.answer = number;
        link.textContent = match[0];
        parts.append(link);
        last = match.index + match[0].length;
      }
      parts.append(node.nodeValue.slice(last));
      node.replaceWith(parts);
    }
  }

  function enhance() {
    const selected = shownAnswer();
    answers().forEach((answer, i) => {
      const number = String(i + 1);
      if (answer.dataset.answer !== number) answer.dataset.answer = number;
      if (answer.getAttribute("tabindex") !== "0") answer.setAttribute("tabindex", "0");
      const isSelected = number === selected;
      if ((answer.dataset.selected === "true") !== isSelected) {
        answer.dataset.selected = String(isSelected);
        if (isSelected) answer.setAttribute("aria-current", "true");
        else answer.removeAttribute("aria-current");
      }
      linkMarkers(answer, number);
    });
    // Two spots in Gradio's chatbot markup that assistive technology stumbles on: the arrow of a folded
    // "Sources for answer n" is a nameless button inside the fold's own button (inert, clicks reach the fold), and
    // the example questions are buttons in an element that calls itself a list.
    document.querySelectorAll(`${CHAT} .thought-group [role="button"] button:not([inert])`).forEach((arrow) => {
      arrow.inert = true;
    });
    document.querySelectorAll(`${CHAT} .examples[role="list"]`).forEach((examples) => {
      examples.setAttribute("role", "group");
      examples.setAttribute("aria-label", "Example questions");
    });
    labelForms();
    const panel = document.querySelector(PANEL);
    if (panel && !panel.hasAttribute("aria-live")) {
      panel.setAttribute("role", "region");
      panel.setAttribute("aria-label", "Sources of the selected answer");
      panel.setAttribute("aria-live", "polite");
    }
  }

  // Gradio draws each radio of a question with a name of its own and leaves the fieldset without a legend: a
  // screen reader hears "yes, radio" with no question, and Tab stops at every option. One name per question makes
  // its options one group (Tab enters it, arrow keys choose); the question's text names the group. The question box
  // is named by its label alone, not by the label and the Ask button inside it.
  function labelForms() {
    document.querySelectorAll("fieldset.check-principle").forEach((group) => {
      const question = group.querySelector('[data-testid="block-info"]');
      if (question && !group.hasAttribute("aria-labelledby")) {
        question.id = question.id || `${group.id}-question`;
        group.setAttribute("role", "radiogroup");
        group.setAttribute("aria-labelledby", question.id);
      }
      group.querySelectorAll('input[type="radio"]').forEach((option) => {
        if (option.name !== group.id) option.name = group.id;
      });
    });
    const box = document.querySelector("#question textarea");
    if (box && !box.hasAttribute("aria-label")) box.setAttribute("aria-label", "Your question");
  }

  // A new outcome of the check is brought into view and focused: neither the eye nor a screen reader should start
  // reading mid-brief, nor stay on the Assess button.
  function revealOutcome() {
    const outcome = document.querySelector("#check-result .check-outcome:not([data-revealed])");
    if (!outcome) return;
    outcome.dataset.revealed = "true";
    outcome.tabIndex = -1;
    outcome.scrollIntoView({ block: "nearest" });
    outcome.focus({ preventScroll: true });
  }

  function whenShown(number, then) {
    if (shownAnswer() === number) return then();
    const started = Date.now();
    const observer = new MutationObserver(() => {
      if (shownAnswer() === number) {
        observer.disconnect();
        then();
      } else if (Date.now() - started > WAIT_MS) observer.disconnect();
    });
    observer.observe(document.querySelector(PANEL), { childList: true, subtree: true });
  }

  function highlight(number, n) {
    whenShown(number, () => {
      const card = document.querySelector(`${PANEL} #source-${n}`);
      if (!card) return;
      document.querySelectorAll(`${PANEL} .source-card.is-cited`).forEach((other) => other.classList.remove("is-cited"));
      card.classList.add("is-cited");
      card.scrollIntoView({ block: "nearest" });
      card.focus({ preventScroll: true });
    });
  }

  let tip = null;
  function showTip(link) {
    const preview = document.querySelector(
      `#cite-previews [data-answer="${link.dataset.answer}"] [data-n="${link.dataset.n}"]`,
    );
    if (!preview) return;
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "cite-tip";
      tip.className = "cite-tip";
      tip.setAttribute("role", "tooltip");
      // Inside the app's own container, where Gradio applies the page's stylesheet.
      (document.querySelector(".gradio-container .contain") || document.body).append(tip);
    }
    tip.textContent = preview.textContent;
    tip.hidden = false;
    link.setAttribute("aria-describedby", "cite-tip");
    const box = link.getBoundingClientRect();
    const width = Math.min(420, window.innerWidth - 16);
    tip.style.width = `${width}px`;
    tip.style.left = `${Math.max(8, Math.min(box.left, window.innerWidth - width - 8))}px`;
    const below = box.bottom + 6;
    tip.style.top = `${below + tip.offsetHeight < window.innerHeight ? below : Math.max(8, box.top - tip.offsetHeight - 6)}px`;
  }

  function hideTip() {
    if (tip) tip.hidden = true;
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest?.(`${CHAT} a.cite-link`);
    if (!link) return;
    event.preventDefault(); // the click still reaches the answer, whose select event shows its sources
    hideTip();
    highlight(link.dataset.answer, link.dataset.n);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hideTip();
    const answer = event.target.closest?.(`${CHAT} [data-testid="bot"][data-answer]`);
    if (answer === event.target && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      answer.click();
    }
  });
  for (const [type, show] of [["mouseover", true], ["focusin", true], ["mouseout", false], ["focusout", false]]) {
    document.addEventListener(type, (event) => {
      const link = event.target.closest?.(`${CHAT} a.cite-link`);
      if (link) show ? showTip(link) : hideTip();
    });
  }

  const scrollParent = (element) => {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowY;
      if ((overflow === "auto" || overflow === "scroll") && node.scrollHeight > node.clientHeight) return node;
    }
    return null;
  };

  // The chat does not follow a streaming answer to its end (Gradio's autoscroll is off): each new answer is brought
  // into view from its first line, the verdict, with the question just above it, on a phone as on a wide screen.
  let revealed = 0;
  function revealNewest() {
    const list = answers();
    if (list.length < revealed) revealed = list.length; // the conversation was cleared or replaced
    if (list.length <= revealed) return;
    revealed = list.length;
    const answer = list[list.length - 1];
    const scroller = scrollParent(answer);
    if (!scroller) return;
    const question = answer.closest(".bot-row")?.previousElementSibling;
    const top = (question || answer).getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    scroller.scrollTop += top - 8;
  }

  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      enhance();
      revealNewest();
      revealOutcome();
    });
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
  // Gradio sets each radio's own name again whenever a choice changes: the group's name is put back at once.
  new MutationObserver(labelForms).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["name"] });

  // A wide screen with a mouse gets the question box focused; a phone keeps its page still and its keyboard shut.
  if (window.matchMedia("(min-width: 900px) and (pointer: fine)").matches) {
    const started = Date.now();
    const focusQuestion = () => {
      const box = document.querySelector("#question textarea");
      if (box) box.focus({ preventScroll: true });
      else if (Date.now() - started < WAIT_MS) setTimeout(focusQuestion, 100);
    };
    focusQuestion();
  }
})();
