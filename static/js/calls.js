/* The call record: keyboard navigation of the list (/calls/) and the correction
 * form of a call's page (/calls/<id>/).
 *
 * List: j/k or ArrowDown/ArrowUp move the selected row, Enter opens it, "/" goes
 * to the text search, n/p open the next and previous page; none of them while
 * typing in a field.
 * Call page: the correction form sends PATCH /api/calls/<id>/ with the changed
 * fields only; the page then reloads to show the change in the history.
 */
(function () {
  "use strict";
  const { api, showErrors, clearErrors, toast, t } = window.Dasan;

  function isTyping(target) {
    return target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  }

  // --- the list ----------------------------------------------------------------
  const table = document.getElementById("calls-table");
  const search = document.getElementById("c-q");
  if (search) {
    const rows = table ? Array.from(table.querySelectorAll("tbody tr")) : [];
    let selected = -1;
    function select(index) {
      if (!rows.length) return;
      selected = Math.max(0, Math.min(rows.length - 1, index));
      rows.forEach((row, i) => {
        row.setAttribute("aria-selected", i === selected ? "true" : "false");
        row.classList.toggle("is-selected", i === selected);
      });
      rows[selected].scrollIntoView({ block: "nearest" });
      rows[selected].querySelector("a").focus({ preventScroll: true });
    }
    rows.forEach((row, i) => {
      row.addEventListener("click", (event) => {
        if (event.target.closest("a")) return;
        select(i);
        location.href = row.dataset.href;
      });
      row.querySelector("a").addEventListener("focus", () => { if (selected !== i) select(i); });
    });
    document.addEventListener("keydown", (event) => {
      if (event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event.target)) return;
      const key = event.key;
      if (key === "j" || key === "ArrowDown") { event.preventDefault(); select(selected + 1); }
      else if (key === "k" || key === "ArrowUp") { event.preventDefault(); select(selected < 0 ? 0 : selected - 1); }
      else if (key === "Enter" && selected >= 0 && !event.target.closest("a, button")) {
        event.preventDefault(); location.href = rows[selected].dataset.href;
      }
      else if (key === "/") { event.preventDefault(); search.focus(); search.select(); }
      else if (key === "n" || key === "p") {
        const link = document.getElementById(key === "n" ? "page-next" : "page-prev");
        if (link) { event.preventDefault(); location.href = link.href; }
      }
    });
  }

  // --- a call's correction -----------------------------------------------------------
  const form = document.getElementById("correct-form");
  if (!form) return;
  const errorBox = document.getElementById("correct-error");
  const original = new FormData(form);

  function durationSeconds(text) {
    const match = /^\s*(\d{1,4}):([0-5]\d)\s*$/.exec(text || "");
    return match ? Number(match[1]) * 60 + Number(match[2]) : null;
  }

  function changes() {
    const now = new FormData(form);
    const body = {};
    ["category", "summary", "notes", "resolution", "language", "channel", "vulnerable"].forEach((name) => {
      if (now.get(name) !== original.get(name)) body[name] = now.get(name);
    });
    if (now.get("satisfaction") !== original.get("satisfaction")) {
      body.satisfaction = now.get("satisfaction") ? Number(now.get("satisfaction")) : null;
    }
    if ((now.get("urgent") === "on") !== (original.get("urgent") === "on")) body.urgent = now.get("urgent") === "on";
    if (now.get("duration") !== original.get("duration")) body.duration_seconds = durationSeconds(now.get("duration"));
    return body;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, errorBox);
    if (form.elements.duration.value.trim() && durationSeconds(form.elements.duration.value) === null) {
      showErrors(form, errorBox, { message: t("Some fields are not valid."), fields: { duration: [t("Write the length as minutes:seconds, e.g. 4:05.")] } });
      return;
    }
    const body = changes();
    if (!Object.keys(body).length) { toast(t("Nothing was changed.")); return; }
    const result = await api(form.dataset.url, { method: "PATCH", body });
    if (!result.ok) {
      const fields = Object.assign({}, result.data.fields);
      if (fields.duration_seconds) { fields.duration = fields.duration_seconds; delete fields.duration_seconds; }
      showErrors(form, errorBox, Object.assign({}, result.data, { fields }));
      return;
    }
    sessionStorage.setItem("dasan-call-corrected", "1");
    location.reload();
  });
  if (sessionStorage.getItem("dasan-call-corrected")) {
    sessionStorage.removeItem("dasan-call-corrected");
    toast(t("Correction saved: see the history."));
  }
})();
