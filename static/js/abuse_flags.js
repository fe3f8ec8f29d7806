/* The supervisors' abusive-callers page: block a flagged number for a period,
 * end a block. Both through /api/caller-blocks/; the page reloads to show it. */
(function () {
  "use strict";
  const page = document.getElementById("abuse-review");
  if (!page || !window.Dasan) return;
  const { api } = window.Dasan;
  const error = document.getElementById("af-error");

  function fail(message) {
    error.textContent = message;
    error.classList.remove("hidden");
  }

  page.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.af-block");
    if (!form) return;
    event.preventDefault();
    const until = new Date(Date.now() + Number(form.elements.days.value) * 86400 * 1000);
    const button = form.querySelector("button");
    button.disabled = true;
    const result = await api("/api/caller-blocks/", {
      method: "POST",
      body: { flag: Number(form.dataset.flag), reason: form.elements.reason.value.trim(), until: until.toISOString() },
    });
    button.disabled = false;
    if (!result.ok) {
      const fields = result.data.fields || {};
      const detail = Object.values(fields).flat().join(" ");
      fail(detail ? result.data.message + " " + detail : result.data.message);
      return;
    }
    window.location.reload();
  });

  page.addEventListener("click", async (event) => {
    const button = event.target.closest("button.af-unblock");
    if (!button) return;
    button.disabled = true;
    const result = await api("/api/caller-blocks/" + button.dataset.block + "/", { method: "DELETE" });
    if (!result.ok) { button.disabled = false; fail(result.data.message); return; }
    window.location.reload();
  });
})();
