/* The knowledge-base panel of the agent console.
 *
 * `/` jumps to the search box; results come as the agent types (debounced);
 * arrow keys move, Enter opens the answer in the call's language (the console
 * form's `language` select), falling back to Korean with a visible badge.
 * "Used for this call" adds the entry to the call being logged: its id goes
 * into the saved call through window.DasanConsole.extraPayload (faq_entries).
 * Searching for a produce price (배추값, "cabbage price") shows the latest
 * price, its changes and a 90-day chart.
 * Each result says how it matched: "similar meaning" for a hit found by meaning
 * only, the fallback badge for Korean text shown to a foreign-language caller,
 * "uncertain" below the confidence floor.
 * Learning from use: a search the agent looked at is recorded (POST
 * /api/kb/searches/), and its id goes with the saved call (faq_searches).
 * Suggested while logging: as the call's summary is typed, up to three entries
 * are suggested under it (↓ to reach them, F2 opens the first).
 */
(function () {
  "use strict";
  const { api, toast, t } = window.Dasan;
  const panel = document.getElementById("kb-panel");
  if (!panel) return;
  const input = document.getElementById("kb-q");
  const list = document.getElementById("kb-results");
  const status = document.getElementById("kb-status");
  const answerBox = document.getElementById("kb-answer");
  const answerQuestion = document.getElementById("kb-answer-question");
  const answerLang = document.getElementById("kb-answer-lang");
  const answerFallback = document.getElementById("kb-answer-fallback");
  const answerReview = document.getElementById("kb-answer-review");
  const answerText = document.getElementById("kb-answer-text");
  const copyButton = document.getElementById("kb-copy");
  const useButton = document.getElementById("kb-use");
  const closeButton = document.getElementById("kb-close");
  const linkedBox = document.getElementById("kb-linked-box");
  const linkedList = document.getElementById("kb-linked");
  const priceBox = document.getElementById("kb-price");
  const searchUrl = panel.dataset.searchUrl;
  const pricesUrl = panel.dataset.pricesUrl;
  const entryUrl = panel.dataset.entryUrl;
  const DEBOUNCE_MS = 180;
  // The API counts matches up to this many (TOTAL_CAP in knowledgebase/search/backends.py).
  const TOTAL_CAP = 100;
  // Only a query about a price asks for one (배추값, 배추 가격, "cabbage price").
  const PRICE_WORDS = /값|가격|시세|얼마|price|cost/i;
  const LANG_NAMES = { ko: t("Korean"), en: t("English"), zh: t("Chinese"), ja: t("Japanese") };

  let timer = null;
  let sequence = 0;
  let results = [];
  let active = -1;
  let current = null; // the open entry
  const linked = new Map(); // id -> question
  let chart = null;

  const consoleApi = window.DasanConsole;
  function callLanguage() {
    const select = consoleApi && consoleApi.form && consoleApi.form.elements.language;
    return (select && select.value) || "ko";
  }

  // Where "/" is a character the agent types: text fields (a select or a checkbox is not one).
  const NOT_TEXT = ["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"];
  function inTextField(target) {
    if (!target) return false;
    if (target.isContentEditable || target.tagName === "TEXTAREA") return true;
    return target.tagName === "INPUT" && !NOT_TEXT.includes(target.type);
  }

  // `/` from anywhere but a text field; Ctrl+K (or Ctrl+/) from anywhere, a text field too.
  document.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    const withCtrl = (event.ctrlKey || event.metaKey) && !event.altKey;
    const shortcut = withCtrl ? ["k", "K", "/"].includes(event.key)
      : event.key === "/" && !event.altKey && !inTextField(event.target);
    if (!shortcut) return;
    event.preventDefault();
    input.focus();
    input.select();
  });

  // The hint shows the key that works where the focus is.
  const hint = document.getElementById("kb-shortcut");
  function updateHint() {
    if (!hint) return;
    const typing = inTextField(document.activeElement) && document.activeElement !== input;
    hint.replaceChildren(...(typing ? ["Ctrl", "K"] : ["/"]).flatMap((key, i) => {
      const kbd = document.createElement("kbd");
      kbd.textContent = key;
      return i ? ["+", kbd] : [kbd];
    }));
    hint.title = typing ? t("Ctrl+K jumps to the search from a text field") : t("/ jumps to the search");
  }
  document.addEventListener("focusin", updateHint);
  document.addEventListener("focusout", () => setTimeout(updateHint, 0));
  updateHint();

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });

  input.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!results.length) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((active + step + results.length) % results.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(timer);
      if (results.length) open(results[Math.max(active, 0)].id);
      else search();
    } else if (event.key === "Escape") {
      event.preventDefault();
      clearSearch();
    }
  });

  function badge(text, className) {
    const span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
  }

  function setActive(index) {
    active = index;
    Array.from(list.children).forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
    const node = list.children[index];
    if (node) {
      input.setAttribute("aria-activedescendant", node.id);
      node.scrollIntoView({ block: "nearest" });
    }
  }

  function clearSearch() {
    input.value = "";
    results = [];
    active = -1;
    list.innerHTML = "";
    status.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    priceBox.classList.add("hidden");
  }

  async function search() {
    const query = input.value;
    const mine = ++sequence;
    if (!query.trim()) {
      clearSearch();
      return;
    }
    const params = new URLSearchParams({ q: query, lang: callLanguage(), limit: "8" });
    const result = await api(searchUrl + "?" + params.toString());
    if (mine !== sequence) return; // the agent typed on
    if (!result.ok) {
      results = [];
      list.innerHTML = "";
      status.textContent = result.data.message;
      return;
    }
    renderResults(result.data);
    queueRecord({ q: query, lang: params.get("lang"), results: results.map((hit) => hit.id), total: result.data.total,
      source: "search" });
    if (PRICE_WORDS.test(query)) showPrice(query, mine);
    else priceBox.classList.add("hidden");
  }

  function renderResults(data) {
    results = data.results;
    active = results.length ? 0 : -1;
    list.innerHTML = "";
    answerBox.classList.add("hidden");
    list.classList.remove("hidden");
    status.textContent = results.length
      ? interpolate(t("%s answers"), [data.total >= TOTAL_CAP ? TOTAL_CAP + "+" : data.total])
      : t("No answer found. Try other words, or fewer.");
    results.forEach((hit, index) => {
      const li = document.createElement("li");
      li.id = "kb-opt-" + hit.id;
      li.setAttribute("role", "option");
      li.dataset.entryId = hit.id;
      li.setAttribute("aria-selected", index === 0 ? "true" : "false");
      const question = document.createElement("div");
      question.className = "kb-result-question";
      const questionText = document.createElement("span");
      questionText.lang = hit.language; // Japanese in Japanese glyph forms (app.css)
      questionText.textContent = hit.question;
      question.append(questionText);
      if (hit.fallback || hit.language !== callLanguage()) {
        const fallback = badge(LANG_NAMES[hit.language] || hit.language, "badge badge-warn kb-badge-fallback");
        fallback.title = interpolate(t("No %s text: showing Korean"), [LANG_NAMES[callLanguage()] || callLanguage()]);
        question.append(" ", fallback);
      }
      if (hit.match === "semantic") {
        const meaning = badge(t("similar meaning"), "badge kb-badge-meaning");
        meaning.title = t("Found by its meaning: the words differ.");
        question.append(" ", meaning);
      }
      if (hit.low_confidence) {
        li.classList.add("kb-low");
        const low = badge(t("uncertain"), "badge kb-badge-low");
        low.title = t("A weak match: check that it answers the question.");
        question.append(" ", low);
      }
      if (hit.review_overdue) {
        const review = badge(t("Review overdue"), "badge badge-urgent kb-badge-review");
        review.title = interpolate(t("To be reviewed by %s: check before reading it out."), [hit.review_by]);
        question.append(" ", review);
      }
      if (linked.has(hit.id)) {
        const badge = document.createElement("span");
        badge.className = "badge badge-ok";
        badge.textContent = t("linked");
        question.append(" ", badge);
      }
      const excerpt = document.createElement("div");
      excerpt.className = "kb-result-excerpt";
      excerpt.innerHTML = hit.answer_excerpt; // escaped by the server; only <mark> added
      li.append(question, excerpt);
      li.addEventListener("mousedown", (event) => event.preventDefault());
      li.addEventListener("click", () => open(hit.id));
      list.appendChild(li);
    });
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    if (results.length) setActive(0);
  }

  async function open(id) {
    // Opening an answer wins over a search still in flight (a language change
    // re-searches): its results must not hide the answer when they arrive.
    clearTimeout(timer);
    sequence++;
    flushRecord(); // the agent looked at these results: record them now
    const asked = callLanguage();
    const result = await api(entryUrl + encodeURIComponent(id) + "?lang=" + encodeURIComponent(asked));
    if (!result.ok) {
      status.textContent = result.data.message;
      return;
    }
    current = result.data;
    answerQuestion.textContent = current.question;
    answerQuestion.lang = answerText.lang = current.language;
    answerLang.textContent = LANG_NAMES[current.language] || current.language;
    if (current.fallback) {
      answerFallback.textContent = interpolate(t("No %s text: showing Korean"), [LANG_NAMES[asked] || asked]);
      answerFallback.classList.remove("hidden");
    } else {
      answerFallback.classList.add("hidden");
    }
    if (current.review_overdue) {
      answerReview.textContent = t("Review overdue");
      answerReview.title = interpolate(t("To be reviewed by %s: check before reading it out."), [current.review_by]);
      answerReview.classList.remove("hidden");
    } else {
      answerReview.classList.add("hidden");
    }
    // answer_html is built by the server from escaped text (knowledgebase/formatting.py):
    // headings, lists, tel: and http(s) links only, no HTML from the entry.
    answerText.innerHTML = current.answer_html;
    updateUseButton();
    list.classList.add("hidden");
    answerBox.classList.remove("hidden");
    answerBox.focus();
  }

  function closeAnswer() {
    current = null;
    answerBox.classList.add("hidden");
    list.classList.remove("hidden");
    input.focus();
  }

  function updateUseButton() {
    const on = current && linked.has(current.id);
    useButton.setAttribute("aria-pressed", on ? "true" : "false");
    useButton.textContent = on ? t("Linked to this call ✓") : t("Used for this call");
  }

  function renderLinked() {
    linkedList.innerHTML = "";
    linked.forEach((question, id) => {
      const li = document.createElement("li");
      li.dataset.entryId = id;
      const label = document.createElement("span");
      label.textContent = question;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-btn";
      remove.setAttribute("aria-label", interpolate(t("Unlink %s"), [question]));
      remove.textContent = "×";
      remove.addEventListener("click", () => {
        linked.delete(id);
        renderLinked();
        updateUseButton();
      });
      li.append(label, " ", remove);
      linkedList.appendChild(li);
    });
    linkedBox.classList.toggle("hidden", linked.size === 0);
  }

  useButton.addEventListener("click", () => {
    if (!current) return;
    if (linked.has(current.id)) linked.delete(current.id);
    else {
      linked.set(current.id, current.question);
      toast(t("Linked to the call being logged."));
    }
    renderLinked();
    updateUseButton();
  });

  copyButton.addEventListener("click", async () => {
    if (!current) return;
    try {
      await navigator.clipboard.writeText(current.answer);
    } catch (err) {
      // Clipboard API refused (no secure context): copy through a selection.
      const area = document.createElement("textarea");
      area.value = current.answer;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    toast(t("Answer copied."));
  });

  closeButton.addEventListener("click", closeAnswer);
  answerBox.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closeAnswer();
    }
  });

  if (consoleApi) {
    consoleApi.extraPayload.push(() => {
      flushRecord(); // a search still settling is recorded, but it cannot wait for its id
      return { faq_entries: Array.from(linked.keys()), faq_searches: callSearches.slice() };
    });
    const languageSelect = consoleApi.form.elements.language;
    if (languageSelect) {
      languageSelect.addEventListener("change", () => {
        if (current) open(current.id);
        else if (input.value.trim()) search();
      });
    }
  }
  function resetLinks() {
    linked.clear();
    renderLinked();
    updateUseButton();
    callSearches.length = 0;
    lastRecorded = "";
    clearSuggestions();
  }
  document.addEventListener("console:call-saved", resetLinks);
  document.addEventListener("console:form-reset", resetLinks);

  // --- the search log (learning from use) ------------------------------------------
  // A search is recorded once the agent has looked at its results: when they have stood
  // still for SETTLE_MS, or at once when one is opened; not every keystroke's prefix.
  // The ids go with the saved call (faq_searches), which records each search's outcome.
  const SETTLE_MS = 1500;
  const searchLogUrl = panel.dataset.searchLogUrl;
  let settleTimer = null;
  let pending = null; // {q, lang, results, total, source} not yet recorded
  let lastRecorded = "";
  const callSearches = []; // ids of the searches made for the call being logged

  function queueRecord(entry) {
    clearTimeout(settleTimer);
    pending = entry;
    settleTimer = setTimeout(flushRecord, SETTLE_MS);
  }

  async function flushRecord() {
    clearTimeout(settleTimer);
    const entry = pending;
    pending = null;
    if (!entry || !searchLogUrl) return;
    const key = entry.source + "|" + entry.lang + "|" + entry.q.trim();
    if (key === lastRecorded || entry.q.trim().length < 2) return;
    lastRecorded = key;
    const result = await api(searchLogUrl, { method: "POST", body: entry });
    if (result.ok && result.data.id && callSearches.length < 50) callSearches.push(result.data.id);
  }

  // --- suggested while logging ----------------------------------------------------------
  // As the agent types the call's summary, up to three entries are suggested under it
  // (through the same search API). ↓ from the summary moves into them, F2 opens the first;
  // ←/→ move, Enter opens, Esc goes back to the summary. The strip has a fixed height:
  // suggestions coming and going never move the form.
  const SUGGEST_DEBOUNCE_MS = 450;
  const SUGGEST_MIN_CHARS = 4;
  const suggestBox = document.getElementById("kb-suggest");
  const suggestList = document.getElementById("kb-suggest-list");
  const summaryInput = consoleApi && consoleApi.form && consoleApi.form.elements.summary;
  let suggestTimer = null;
  let suggestSequence = 0;
  let suggestions = [];
  let suggestQuery = null; // {q, lang, total} the suggestions came from

  function clearSuggestions() {
    suggestSequence++;
    clearTimeout(suggestTimer);
    suggestions = [];
    suggestQuery = null;
    if (suggestList) suggestList.innerHTML = "";
    if (suggestBox) suggestBox.classList.remove("has-suggestions");
  }

  async function suggest() {
    const text = summaryInput.value.trim().slice(0, 200);
    const mine = ++suggestSequence;
    if (text.length < SUGGEST_MIN_CHARS) {
      clearSuggestions();
      return;
    }
    const lang = callLanguage();
    const params = new URLSearchParams({ q: text, lang, limit: "6" });
    const result = await api(searchUrl + "?" + params.toString());
    if (mine !== suggestSequence || !result.ok) return; // typed on, or no answer: keep what is shown
    // The likely ones first; an uncertain one is marked, not hidden (as in the results).
    const hits = result.data.results;
    suggestions = hits.filter((hit) => !hit.low_confidence).concat(hits.filter((hit) => hit.low_confidence)).slice(0, 3);
    suggestQuery = { q: text, lang, total: result.data.total };
    renderSuggestions();
  }

  function renderSuggestions() {
    suggestList.innerHTML = "";
    suggestions.forEach((hit, index) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "kb-suggestion";
      button.tabIndex = -1; // out of the form's Tab order: reached with ↓ from the summary
      button.dataset.entryId = hit.id;
      button.title = hit.question;
      const label = document.createElement("span");
      label.className = "kb-suggestion-text";
      label.textContent = hit.question;
      button.append(label);
      if (hit.match === "semantic") button.append(" ", badge(t("similar meaning"), "badge kb-badge-meaning"));
      if (hit.review_overdue) button.append(" ", badge(t("Review overdue"), "badge badge-urgent kb-badge-review"));
      if (hit.low_confidence) {
        button.classList.add("kb-low");
        button.title = hit.question + " (" + t("A weak match: check that it answers the question.") + ")";
      }
      if (index === 0) {
        const key = document.createElement("kbd");
        key.textContent = "F2";
        button.append(" ", key);
      }
      button.addEventListener("mousedown", (event) => event.preventDefault());
      button.addEventListener("click", () => openSuggestion(index));
      button.addEventListener("keydown", (event) => suggestionKey(event, index));
      li.append(button);
      suggestList.appendChild(li);
    });
    suggestBox.classList.toggle("has-suggestions", suggestions.length > 0);
  }

  function suggestionButtons() {
    return Array.from(suggestList.querySelectorAll("button"));
  }

  function suggestionKey(event, index) {
    const buttons = suggestionButtons();
    if (event.key === "ArrowRight" || event.key === "ArrowDown") {
      event.preventDefault();
      buttons[(index + 1) % buttons.length].focus();
    } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
      event.preventDefault();
      if (index === 0) summaryInput.focus();
      else buttons[index - 1].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // Esc here goes back to the summary, it does not clear the form
      summaryInput.focus();
    } else if (event.key === "Enter") {
      event.preventDefault();
      event.stopPropagation(); // Enter opens the suggestion, it does not save the call
      openSuggestion(index);
    }
  }

  function openSuggestion(index) {
    const hit = suggestions[index];
    if (!hit) return;
    if (suggestQuery) {
      flushRecord(); // a typed search still settling goes first
      pending = { q: suggestQuery.q, lang: suggestQuery.lang, results: suggestions.map((s) => s.id),
        total: suggestQuery.total, source: "suggestion" };
      flushRecord();
    }
    open(hit.id);
  }

  if (summaryInput && suggestBox) {
    summaryInput.addEventListener("input", () => {
      clearTimeout(suggestTimer);
      suggestTimer = setTimeout(suggest, SUGGEST_DEBOUNCE_MS);
    });
    summaryInput.addEventListener("keydown", (event) => {
      if (event.isComposing || !suggestions.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        suggestionButtons()[0].focus();
      } else if (event.key === "F2") {
        event.preventDefault();
        openSuggestion(0);
      }
    });
  }

  // --- produce prices -----------------------------------------------------------
  const won = (value) => Number(value).toLocaleString(document.documentElement.lang === "en" ? "en-GB" : "ko-KR");

  async function showPrice(query, mine) {
    const result = await api(pricesUrl + "?item=" + encodeURIComponent(query));
    if (mine !== sequence) return;
    if (!result.ok) {
      priceBox.classList.add("hidden");
      return;
    }
    const price = result.data;
    document.getElementById("kb-price-title").textContent = price.item;
    document.getElementById("kb-price-meta").textContent =
      [price.variety, price.grade, price.unit, price.date, price.source].join(" · ");
    document.getElementById("kb-price-value").textContent = interpolate(t("%s won"), [won(price.price)]);
    document.getElementById("kb-price-date").textContent = interpolate(t("as of %s"), [price.date]);
    const stale = document.getElementById("kb-price-stale");
    stale.textContent = price.stale
      ? interpolate(t("Old figure: this price is from %s, %s days ago. Tell the caller it may have changed."), [price.date, price.age_days])
      : "";
    stale.classList.toggle("hidden", !price.stale);
    const changes = document.getElementById("kb-price-changes");
    changes.innerHTML = "";
    [["week", t("vs a week ago")], ["month", t("vs a month ago")], ["year", t("vs a year ago")]].forEach(([key, label]) => {
      const change = price.changes[key];
      const li = document.createElement("li");
      li.dataset.period = key;
      if (!change) {
        li.textContent = label + ": –";
      } else {
        const sign = change.diff > 0 ? "+" : "";
        li.textContent = label + ": " + sign + won(change.diff) + " (" + sign + change.percent + "%)";
        li.className = change.diff > 0 ? "kb-up" : change.diff < 0 ? "kb-down" : "";
      }
      changes.appendChild(li);
    });
    priceBox.classList.remove("hidden");
    drawChart(price.series);
  }

  function drawChart(series) {
    if (!window.Chart) return;
    const canvas = document.getElementById("kb-price-chart");
    const data = {
      labels: series.map((point) => point.date.slice(5)),
      datasets: [{ data: series.map((point) => point.price), borderColor: "#0b5cad", pointRadius: 0, borderWidth: 2, tension: 0.2 }],
    };
    if (chart) {
      chart.data = data;
      chart.update("none");
      return;
    }
    chart = new window.Chart(canvas, {
      type: "line",
      data,
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { ticks: { callback: (value) => won(value) } } },
      },
    });
  }
})();
