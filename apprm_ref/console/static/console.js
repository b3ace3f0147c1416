// The console's few live parts, over the REST API (the login cookie authenticates fetch).
"use strict";

function showError(text) {
  const el = document.getElementById("error");
  el.textContent = text;
  el.hidden = !text;
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const doc = await res.json();
  if (!res.ok) {
    throw new Error(doc.error ? doc.error.message : res.statusText);
  }
  return doc;
}

// Follow a session's messages (server-sent events) into `box`; resolve with its status.
function follow(id, box, statusEl) {
  return new Promise((resolve) => {
    const source = new EventSource("/api/sessions/" + id + "/events");
    source.addEventListener("message", (ev) => {
      const pre = document.createElement("pre");
      pre.className = "msg";
      pre.textContent = JSON.parse(ev.data).text;
      box.appendChild(pre);
    });
    source.addEventListener("end", (ev) => {
      source.close();
      const status = JSON.parse(ev.data).status;
      statusEl.textContent = status;
      statusEl.dataset.done = "1";
      resolve(status);
    });
    source.addEventListener("error", (ev) => {
      if (ev.data) { showError(JSON.parse(ev.data).message); }
      source.close();
      resolve(null);
    });
  });
}

function cell(row, text, href) {
  const td = row.insertCell();
  if (href) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    td.appendChild(a);
  } else {
    td.textContent = text;
  }
}

// The monitor: current sessions refreshed every second; when one ends, the page reloads
// so the previous sessions show it as committed.
async function refreshCurrent(shown) {
  const doc = await api("GET", "/api/sessions/current");
  const ids = doc.sessions.map((s) => s.id);
  if (shown.some((id) => !ids.includes(id))) {
    window.location.reload();
    return ids;
  }
  const body = document.querySelector("#current tbody");
  body.replaceChildren();
  for (const s of doc.sessions) {
    const row = body.insertRow();
    cell(row, s.id, "/sessions/" + s.id);
    cell(row, s.type);
    cell(row, s.spec);
    cell(row, s.status);
    cell(row, s.progress ? s.progress.objects_done + "/" + s.progress.objects_total : "");
    cell(row, s.messages.length ? s.messages[s.messages.length - 1].text : "");
  }
  if (!doc.sessions.length) {
    const row = body.insertRow();
    row.className = "idle";
    const td = row.insertCell();
    td.colSpan = 6;
    td.textContent = "No currently running sessions.";
  }
  return ids;
}

function dashboard() {
  let shown = [...document.querySelectorAll("#current tbody a")].map((a) => a.textContent);
  window.setInterval(async () => {
    try { shown = await refreshCurrent(shown); } catch (err) { showError(err.message); }
  }, 1000);
  const form = document.getElementById("backup-form");
  if (form) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        const s = await api("POST", "/api/backups", { spec: document.getElementById("backup-spec").value });
        window.location = "/sessions/" + s.id;
      } catch (err) { showError(err.message); }
    });
  }
}

function session() {
  const box = document.getElementById("messages");
  if (box.dataset.live === "yes") {
    const id = document.getElementById("session").dataset.id;
    follow(id, box, document.getElementById("status")).then(() => {
      window.setTimeout(() => window.location.reload(), 300);  // the committed record
    });
  }
}

function restoreBody() {
  const body = { spec: document.getElementById("restore-spec").value };
  const time = document.getElementById("restore-time").value.trim();
  if (time) { body.until_time = time; } else { body.latest = true; }
  return body;
}

function restore() {
  const confirm = document.getElementById("confirm");
  document.getElementById("restore-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showError("");
    try {
      const v = await api("POST", "/api/restores/preview", restoreBody());
      document.getElementById("verdict").hidden = false;
      document.getElementById("verdict-text").textContent = v.restorable
        ? "Restorable: replica " + v.replica + " can be recovered to the target."
        : "Not restorable.";
      const reasons = document.getElementById("reasons");
      reasons.replaceChildren();
      for (const r of [v, ...v.skipped]) {
        for (const why of r.reasons) {
          const li = document.createElement("li");
          li.textContent = r.replica + ": " + why.message + " [" + why.code + "]";
          reasons.appendChild(li);
        }
      }
      if (confirm) { confirm.disabled = !v.restorable; }
    } catch (err) { showError(err.message); }
  });
  if (!confirm) { return; }
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      const body = restoreBody();
      const method = document.getElementById("restore-method").value;
      if (method) { body.method = method; }
      const s = await api("POST", "/api/restores", body);
      document.getElementById("result").hidden = false;
      const link = document.getElementById("result-id");
      link.textContent = s.id;
      link.href = "/sessions/" + s.id;
      await follow(s.id, document.getElementById("messages"), document.getElementById("result-status"));
    } catch (err) { showError(err.message); }
  });
}

function drills() {
  const form = document.getElementById("drill-form");
  if (!form) { return; }
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    document.getElementById("drill-running").hidden = false;
    try {
      const r = await api("POST", "/api/drills", { scenario: document.getElementById("drill-scenario").value });
      window.location = "/drills/" + r.id;
    } catch (err) { showError(err.message); }
    document.getElementById("drill-running").hidden = true;
  });
}

const PAGES = { dashboard, session, restore, drills };
document.addEventListener("DOMContentLoaded", () => {
  const init = PAGES[document.body.dataset.page];
  if (init) { init(); }
});
