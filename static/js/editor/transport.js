// The REST transport: sends each change with POST /api/maps/{id}/changes/ and polls the op
// log for other people's changes. The live-editing socket (socket.js) replaces it by
// exporting the same `createTransport(config)` → { send(change) → Promise, onRemote(cb) }.
// send resolves with {revision} or rejects with {code, message, op}.

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export function createTransport(config, { pollMs = 5000 } = {}) {
  const listeners = [];
  const mine = new Set();
  let since = null;
  let timer = null;

  async function send(change) {
    mine.add(change.id);
    let response;
    try {
      response = await fetch(config.changes, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(change),
      });
    } catch (_error) {
      throw { code: "network", message: "" };
    }
    let body = {};
    try {
      body = await response.json();
    } catch (_error) {
      body = {};
    }
    if (!response.ok) throw { code: body.code || "error", message: body.message || "", op: body.op };
    return body;
  }

  async function poll() {
    if (since === null || document.hidden) return;
    try {
      const response = await fetch(`${config.changes}?since=${since}`, { credentials: "same-origin" });
      if (!response.ok) return;
      const body = await response.json();
      for (const change of body.results || []) {
        since = Math.max(since, change.revision);
        if (mine.has(change.id)) continue;
        for (const callback of listeners) callback(change);
      }
    } catch (_error) {
      // Offline for a moment: the next poll catches up from the same revision.
    }
  }

  return {
    send,
    onRemote(callback) {
      listeners.push(callback);
    },
    // Called by the editor once the document is loaded: catch-up starts from its revision.
    start(revision) {
      since = revision;
      if (pollMs > 0 && timer === null) timer = setInterval(poll, pollMs);
    },
    stop() {
      clearInterval(timer);
      timer = null;
    },
  };
}
