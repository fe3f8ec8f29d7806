/* Shared helpers for every page: JSON fetch with CSRF, error display, toasts. */
(function () {
  "use strict";
  // Strings go through gettext() (the /jsi18n/ catalog) so makemessages finds them.
  const t = (s) => window.gettext(s);

  function cookie(name) {
    const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  /** fetch JSON; resolves to {ok, status, data}; never throws on HTTP errors. */
  async function api(url, options = {}) {
    const init = Object.assign({ credentials: "same-origin", headers: {} }, options);
    init.headers = Object.assign({ Accept: "application/json" }, init.headers);
    if (init.body !== undefined && typeof init.body !== "string") {
      init.body = JSON.stringify(init.body);
      init.headers["Content-Type"] = "application/json";
    }
    if (init.method && init.method !== "GET") init.headers["X-CSRFToken"] = cookie("csrftoken");
    let response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      return { ok: false, status: 0, data: { error: "network", message: gettext("The server cannot be reached. Check the connection and try again."), fields: {} } };
    }
    let data = null;
    try { data = await response.json(); } catch (err) { data = null; }
    if (!response.ok && (!data || !data.message)) {
      data = { error: "http_" + response.status, message: gettext("The request failed.") + " (" + response.status + ")", fields: {} };
    }
    return { ok: response.ok, status: response.status, data };
  }

  /** Show field errors next to their inputs (by name) inside form; the rest in box. */
  function showErrors(form, box, error) {
    clearErrors(form, box);
    const fields = (error && error.fields) || {};
    const leftovers = [];
    Object.keys(fields).forEach((name) => {
      const input = form.querySelector('[name="' + name + '"]');
      const messages = [].concat(fields[name]).join(" ");
      if (!input) { leftovers.push(messages); return; }
      input.setAttribute("aria-invalid", "true");
      const note = document.createElement("div");
      note.className = "field-error";
      note.id = "error-" + name;
      note.textContent = messages;
      input.setAttribute("aria-describedby", note.id);
      input.insertAdjacentElement("afterend", note);
    });
    const message = [error && error.message].concat(leftovers).filter(Boolean).join(" ");
    if (box && message) { box.textContent = message; box.classList.remove("hidden"); }
    const first = form.querySelector('[aria-invalid="true"]');
    if (first) first.focus();
  }

  function clearErrors(form, box) {
    form.querySelectorAll(".field-error").forEach((n) => n.remove());
    form.querySelectorAll('[aria-invalid="true"]').forEach((n) => { n.removeAttribute("aria-invalid"); n.removeAttribute("aria-describedby"); });
    if (box) { box.textContent = ""; box.classList.add("hidden"); }
  }

  function toast(message) {
    const node = document.createElement("div");
    node.className = "toast";
    node.setAttribute("role", "status");
    node.textContent = message;
    document.body.appendChild(node);
    setTimeout(() => node.remove(), 3000);
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "id-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  // One 24-hour clock everywhere, in Seoul's time: hourCycle h23 gives 04:38 and 00:05
  // (no option gives "오전 04:38"; the 12-hour switch set off gives "24:05" in some engines).
  const CLOCK = { timeZone: "Asia/Seoul", hourCycle: "h23" };
  function locale() { return document.documentElement.lang === "en" ? "en-GB" : "ko-KR"; }

  /** "03. 04. 04:38" (month, day, time) for a date-time. */
  function formatTime(iso) {
    return new Date(iso).toLocaleString(locale(),
      Object.assign({ month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }, CLOCK));
  }

  /** "04:38" (or "04:38:05" with seconds) for a date-time or a Date. */
  function formatClock(value, withSeconds) {
    const options = Object.assign({ hour: "2-digit", minute: "2-digit" }, CLOCK);
    if (withSeconds) options.second = "2-digit";
    return new Date(value).toLocaleTimeString(locale(), options);
  }

  /** A websocket that reconnects with backoff; onOpen/onMessage/onState callbacks. */
  function liveSocket(path, { onMessage, onState }) {
    let socket = null, attempt = 0, stopped = false;
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
    function connect() {
      onState && onState(attempt === 0 ? "connecting" : "reconnecting");
      socket = new WebSocket(url);
      socket.onopen = () => { attempt = 0; onState && onState("open"); };
      socket.onmessage = (e) => {
        try {
          const message = JSON.parse(e.data);
          if (message.type !== "session.ended") onMessage(message);
        } catch (err) { console.error(err); }
      };
      socket.onclose = (e) => {
        if (stopped) return;
        if (e.code === 4403) { onState && onState("forbidden"); return; }
        // signed out (here or elsewhere) or deactivated: the page asks for a sign-in
        if (e.code === 4401) { onState && onState("signed_out"); location.reload(); return; }
        attempt += 1;
        onState && onState("reconnecting");
        // "Full jitter": anywhere from 0.25 s up to 2, 4, 8, 16 then 30 s. When a process stops,
        // its hundreds of pages come back spread over seconds, not all in the same half second.
        const delay = Math.max(250, Math.min(30000, 1000 * Math.pow(2, attempt)) * Math.random());
        setTimeout(connect, delay);
      };
    }
    connect();
    return { close() { stopped = true; socket && socket.close(); } };
  }

  // A filter that applies as it changes (the page's form has a submit button for no-script);
  // a listener, not an onchange attribute: the Content-Security-Policy refuses inline handlers.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });

  window.Dasan = { api, showErrors, clearErrors, toast, uuid, formatTime, formatClock, liveSocket, t };
})();
