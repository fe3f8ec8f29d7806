/* The console's abusive-caller panel (agent protection).
 *
 * It appears with the screen pop of an answered call ("console:screen-pop"),
 * as one button. Alt+X (or the button) opens it; the agent picks what the caller is doing, adds a note and
 * flags the call (POST /api/abuse-flags/); the warning script to read appears
 * in Korean and English. Alt+W (or the focused button) records that it was
 * read; then, and only then, Alt+E records that the agent ended the call.
 */
(function () {
  "use strict";
  const panel = document.getElementById("protection-panel");
  if (!panel || !window.Dasan) return;
  const { api, toast, t } = window.Dasan;
  const $ = (id) => document.getElementById(id);
  const form = $("pp-form"), warning = $("pp-warning"), readButton = $("pp-read"), endButton = $("pp-end");
  let callId = null, flag = null;

  function showError(message) {
    $("pp-error").textContent = message || "";
    $("pp-error").classList.toggle("hidden", !message);
  }

  function reset(forCall) {
    callId = forCall;
    flag = null;
    form.reset();
    showError("");
    form.classList.add("hidden");
    $("pp-open-row").classList.remove("hidden");
    warning.classList.add("hidden");
    warning.querySelectorAll(".pp-script").forEach((node) => node.classList.add("hidden"));
    readButton.disabled = false;
    endButton.disabled = true;
    $("pp-status").textContent = "";
    panel.classList.toggle("hidden", !callId);
  }

  function openForm() {
    $("pp-open-row").classList.add("hidden");
    form.classList.remove("hidden");
    form.querySelector("input[name=kind]:checked").focus();
  }

  function showFlag(data) {
    flag = data;
    $("pp-open-row").classList.add("hidden");
    form.classList.add("hidden");
    warning.classList.remove("hidden");
    const script = warning.querySelector('.pp-script[data-kind="' + data.kind + '"]');
    if (script) script.classList.remove("hidden");
    readButton.disabled = Boolean(data.warning_read_at);
    endButton.disabled = !data.warning_read_at || Boolean(data.ended_at);
    if (data.ended_at) $("pp-status").textContent = t("The flag records that you ended the call. Hang up the phone.");
    else if (data.warning_read_at) $("pp-status").textContent = t("Warning read. If the caller goes on, end the call.");
    else $("pp-status").textContent = t("Flagged. Read the warning to the caller.");
  }

  async function submitFlag() {
    if (!callId || flag) return;
    const kind = form.elements.kind.value;
    const result = await api("/api/abuse-flags/", {
      method: "POST",
      body: { call_id: callId, kind: kind, note: form.elements.note.value },
    });
    if (!result.ok) { showError(result.data.message); return; }
    showFlag(result.data);
    readButton.focus();
  }

  async function step(name) {
    if (!flag) return;
    const result = await api("/api/abuse-flags/" + flag.id + "/" + name + "/", { method: "POST" });
    if (!result.ok) { toast(result.data.message); return; }
    showFlag(result.data);
    if (name === "warning-read") endButton.focus();
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); submitFlag(); });
  $("pp-open").addEventListener("click", openForm);
  readButton.addEventListener("click", () => step("warning-read"));
  endButton.addEventListener("click", () => step("end-call"));
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || panel.classList.contains("hidden")) return;
    const key = event.code || "";
    if (key === "KeyX") {
      event.preventDefault();
      if (flag) readButton.disabled ? endButton.focus() : readButton.focus();
      else openForm();
    } else if (key === "KeyW" && flag && !readButton.disabled) {
      event.preventDefault();
      step("warning-read");
    } else if (key === "KeyE" && flag && !endButton.disabled) {
      event.preventDefault();
      step("end-call");
    }
  });
  document.addEventListener("console:screen-pop", (event) => reset(event.detail && event.detail.call_id));
  document.addEventListener("console:call-saved", () => reset(null));
})();
