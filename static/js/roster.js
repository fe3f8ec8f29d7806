/* The supervisors' roster (/roster/): a week grid of <select>s, one per agent and day.
 * A change saves that cell (POST /api/roster/cells/); arrow keys move between cells,
 * 1-9 pick a shift, 0 or Delete clear it. "Copy last week" and "Fill a range" post to
 * the API and redraw the grid from its answer. Nothing is changed on an error: the
 * cell goes back to what is saved and the message says why. */
(function () {
  "use strict";
  const page = document.getElementById("roster");
  if (!page || !window.Dasan) return;
  const { api, showErrors, clearErrors, t } = window.Dasan;
  const error = document.getElementById("roster-error");
  const status = document.getElementById("roster-status");
  const cells = Array.from(page.querySelectorAll("select.rs-cell"));

  function fail(data) {
    const fields = (data && data.fields) || {};
    const detail = Object.values(fields).flat().filter((m) => m !== data.message).join(" ");
    error.textContent = detail ? data.message + " " + detail : data.message;
    error.classList.remove("hidden");
    status.textContent = "";
  }
  function ok(message) {
    error.textContent = "";
    error.classList.add("hidden");
    status.textContent = message;
  }

  async function save(select) {
    const value = select.value;
    select.disabled = true;
    const result = await api("/api/roster/cells/", {
      method: "POST",
      body: { agent: select.dataset.agent, date: select.dataset.date, shift: value ? Number(value) : null },
    });
    select.disabled = false;
    if (!result.ok) {
      select.value = select.dataset.value; // back to what is saved
      select.classList.add("is-refused");
      fail(result.data);
      select.focus();
      return;
    }
    select.classList.remove("is-refused");
    select.dataset.value = value;
    const label = select.options[select.selectedIndex].textContent.trim();
    ok(interpolate(t("Saved: %s, %s: %s"), [select.dataset.agent, select.dataset.date, label]));
    select.focus();
  }

  cells.forEach((select) => select.addEventListener("change", () => save(select)));

  function cellAt(row, col) {
    return page.querySelector('select.rs-cell[data-row="' + row + '"][data-col="' + col + '"]');
  }

  page.addEventListener("keydown", (event) => {
    const select = event.target.closest("select.rs-cell");
    if (!select || event.altKey || event.ctrlKey || event.metaKey) return;
    const row = Number(select.dataset.row), col = Number(select.dataset.col);
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    if (moves[event.key]) {
      event.preventDefault(); // the arrows move between cells; Space or Alt+Down opens the list
      const next = cellAt(row + moves[event.key][0], col + moves[event.key][1]);
      if (next) next.focus();
      return;
    }
    let index = null;
    if (/^[0-9]$/.test(event.key)) index = Number(event.key);
    if (event.key === "Delete" || event.key === "Backspace") index = 0;
    if (index === null) return;
    event.preventDefault();
    if (index >= select.options.length) return;
    if (select.selectedIndex === index) return;
    select.selectedIndex = index; // option 0 is "off", then the shifts in order
    save(select);
  });

  function draw(week) {
    if (week.start !== page.dataset.week) return false;
    week.rows.forEach((row) => {
      row.shifts.forEach((shift, col) => {
        const select = page.querySelector('select.rs-cell[data-agent="' + CSS.escape(row.agent) + '"][data-col="' + col + '"]');
        if (!select) return;
        select.value = shift === null ? "" : String(shift);
        select.dataset.value = select.value;
        select.classList.remove("is-refused");
      });
    });
    return true;
  }

  const copy = document.getElementById("roster-copy");
  copy.addEventListener("click", async () => {
    const filled = cells.some((select) => select.dataset.value);
    if (filled && !window.confirm(t("This week already has shifts. Replace them with last week's?"))) return;
    copy.disabled = true;
    const result = await api("/api/roster/copy-week/", {
      method: "POST",
      body: { from: page.dataset.previous, to: page.dataset.week },
    });
    copy.disabled = false;
    if (!result.ok) { fail(result.data); return; }
    draw(result.data.week);
    ok(interpolate(t("Last week copied: %s shifts."), [result.data.written]));
  });

  const fill = document.getElementById("roster-fill");
  fill.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(fill, error);
    const agents = Array.from(fill.querySelectorAll('input[name="agents"]:checked')).map((box) => box.value);
    const shift = fill.elements.shift.value;
    const button = fill.querySelector('button[type="submit"]');
    button.disabled = true;
    const result = await api("/api/roster/fill/", {
      method: "POST",
      body: {
        agents,
        from: fill.elements.from.value || null,
        to: fill.elements.to.value || null,
        shift: shift ? Number(shift) : null,
        working_days_only: fill.elements.working_days_only.checked,
      },
    });
    button.disabled = false;
    if (!result.ok) { showErrors(fill, error, result.data); return; }
    const shown = draw(result.data.week);
    ok(interpolate(t("Filled: %s cells."), [result.data.written]) + (shown ? "" : " " + t("Open that week to see them.")));
  });
})();
