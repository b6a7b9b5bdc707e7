"""A corpus of XSS and template-injection payloads, and a map that carries one in every text
field a user can fill (issue 8, hostile input).

Every field gets its own payload with a short tag (` ·s1`, ` ·i3`…), so a check that a page
shows "the payload as text" cannot be satisfied by the same string shown by another field.
Content goes through the real paths: `apply_ops` for the map, the REST API for personas,
workspaces, versions and workspace templates (see `hostile_map`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

# Classic payloads. Each is plain text that must come back exactly as typed.
PAYLOADS: list[str] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}} {% debug %}",
    "${alert(1)} `${7*7}`",
    "&lt;b&gt;đậm&lt;/b&gt; &amp; &#60;script&#62; &quot;",
    "\u202egnp.exe \u202cKhách",
    "' onmouseover='alert(1)' x='",
    '" autofocus onfocus="alert(1)" x="',
    "</textarea><script>alert(1)</script>",
    "<style>*{display:none!important}</style>",
    "Nhận thức “VIP” <b>đậm</b> – Cân nhắc & Mua",
    "</script><script>alert(1)</script>",
    '<a href="javascript:alert(1)">bấm vào đây</a>',
    "<iframe src=javascript:alert(1)></iframe>",
    "<!-- --><img src=x onerror=alert(1)//>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "<details open ontoggle=alert(1)>Mở</details>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    'x"; } body { background: url(x) } "',
    "<base href=//x/><object data=x>",
    # Spreadsheet formulas (CSV export): kept as text, quoted so no spreadsheet runs them.
    '=HYPERLINK("javascript:alert(1)","Bấm")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]

# Short ones for short fields (e.g. a metric unit holds 20 characters).
SHORT: list[str] = ['"><b>₫</b>', "<i>%</i>", "{{7*7}}", "'\"><s>", "&lt;&amp;"]

# Selectors an injected payload would leave in the DOM. None of them is part of a page.
INJECTED_SELECTOR = ", ".join(
    [
        'img[src="x"]',
        "[onerror]",
        "[onload]",
        "[onfocus]",
        "[onmouseover]",
        "[ontoggle]",
        "svg[onload]",
        "iframe",
        "object",
        "embed",
        "math",
        "mglyph",
        "details[open][ontoggle]",
        'a[href^="javascript:" i]',
        "base[href]",
    ]
)

# Installed before any page script: records every dialog and every call of the trap.
TRAP_SCRIPT = """
(() => {
  window.__xss = [];
  for (const name of ["alert", "confirm", "prompt"]) {
    window[name] = (...args) => { window.__xss.push(name + ":" + args.join(",")); return null; };
  }
})();
"""

# Run in the page: what an injection left behind (elements and scripts), and the trap.
PROBE_SCRIPT = """(selector) => {
  const found = [...document.querySelectorAll(selector)].map((n) => n.outerHTML.slice(0, 120));
  for (const s of document.querySelectorAll("script")) {
    const type = s.getAttribute("type") || "";
    if (type === "application/json") continue;
    if (!s.src || /alert|javascript:/i.test(s.textContent)) {
      found.push("script: " + s.outerHTML.slice(0, 120));
    }
  }
  for (const s of document.querySelectorAll("style")) {
    if (/display:\\s*none!important/.test(s.textContent)) found.push("style: " + s.textContent);
  }
  return { injected: found, trapped: window.__xss || [] };
}"""

# Run in the page: which of the given strings the page shows, as visible text or as the
# value of a form field, with runs of whitespace read as one space.
MISSING_SCRIPT = """(wanted) => {
  const squash = (s) => s.replace(/\\s+/g, " ");
  const values = [...document.querySelectorAll("input, textarea, select")]
    .map((n) => (n.tagName === "SELECT" ? [...n.options].map((o) => o.text).join("\\n") : n.value));
  const text = squash([document.body.innerText, ...values].join("\\n"));
  return wanted.filter((w) => !text.includes(squash(w)));
}"""


def tagged(payload: str, tag: str, limit: int) -> str:
    """`payload ·tag`, cut to fit `limit` characters (the tag is kept)."""
    suffix = f" ·{tag}"
    return payload[: max(0, limit - len(suffix))] + suffix


class Corpus:
    """Hands out payloads in turn, each tagged and within a field's length limit."""

    def __init__(self) -> None:
        self.count = 0

    def next(self, limit: int) -> str:
        self.count += 1
        tag = f"{self.count}"
        pool = PAYLOADS if limit >= 60 else SHORT
        for offset in range(len(pool)):
            candidate = pool[(self.count + offset) % len(pool)]
            if len(candidate) + len(tag) + 2 <= limit:
                return tagged(candidate, tag, limit)
        return tagged(pool[0], tag, limit)


@dataclass
class HostileMap:
    """What `hostile_map` wrote: field name -> text, and the ids made."""

    texts: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def where(self, *prefixes: str) -> dict[str, str]:
        return {k: v for k, v in self.texts.items() if k.startswith(prefixes)}


def new_id() -> str:
    return str(uuid.uuid4())


def hostile_ops(corpus: Corpus, *, persona_id: str | None = None) -> tuple[list[Any], HostileMap]:
    """Ops that fill every text field of a map with payloads (docs/protocol.md op fields)."""
    out = HostileMap()
    t = out.texts
    ids = out.ids
    ops: list[dict[str, Any]] = []
    t["map.title"] = corpus.next(200)
    t["map.objective"] = corpus.next(4000)
    t["map.scenario"] = corpus.next(4000)
    ops.append(
        {
            "type": "map.update",
            "fields": {
                "title": t["map.title"],
                "objective": t["map.objective"],
                "scenario": t["map.scenario"],
            },
        }
    )
    if persona_id:
        ops.append({"type": "persona.attach", "persona": persona_id})
    for n in (1, 2):
        ids[f"stage{n}"] = new_id()
        t[f"stage{n}.name"] = corpus.next(120)
        t[f"stage{n}.description"] = corpus.next(2000)
        ops.append(
            {
                "type": "stage.create",
                "id": ids[f"stage{n}"],
                "name": t[f"stage{n}.name"],
                "description": t[f"stage{n}.description"],
                "position": f"a{n}",
                "color": "#4f46e5",
            }
        )
    for n, kind in enumerate(("actions", "touchpoints", "emotions", "metrics", "action_plan")):
        ids[f"lane.{kind}"] = new_id()
        t[f"lane.{kind}.title"] = corpus.next(120)
        t[f"lane.{kind}.description"] = corpus.next(500)
        ops.append(
            {
                "type": "lane.create",
                "id": ids[f"lane.{kind}"],
                "kind": kind,
                "title": t[f"lane.{kind}.title"],
                "description": t[f"lane.{kind}.description"],
                "position": f"a{n}",
            }
        )
    stage = ids["stage1"]
    attributes: dict[str, dict[str, int]] = {
        "card": {"text": 2000, "source": 1000},
        "touchpoint": {"text": 2000, "source": 1000, "owner": 120},
        "emotion": {"text": 2000, "note": 1000},
        "metric": {"text": 2000, "name": 120, "unit": 20},
        "action": {"text": 2000, "owner": 120},
    }
    lanes = {
        "card": "lane.actions",
        "touchpoint": "lane.touchpoints",
        "emotion": "lane.emotions",
        "metric": "lane.metrics",
        "action": "lane.action_plan",
    }
    for kind, limits in attributes.items():
        ids[f"item.{kind}"] = new_id()
        op: dict[str, Any] = {
            "type": "item.create",
            "id": ids[f"item.{kind}"],
            "lane": ids[lanes[kind]],
            "stage": stage,
            "position": "a0",
        }
        for name, limit in limits.items():
            t[f"item.{kind}.{name}"] = op[name] = corpus.next(limit)
        if kind == "touchpoint":
            op["channel"] = "website"  # a catalog key, not free text: the server refuses others
        if kind == "emotion":
            op["score"] = -1
        if kind == "metric":
            op.update(value=12.5, target=20)
        ops.append(op)
    ids["link"] = new_id()
    t["link.label"] = corpus.next(120)
    ops.append(
        {
            "type": "link.create",
            "id": ids["link"],
            "source": ids["item.card"],
            "target": ids["item.action"],
            "label": t["link.label"],
        }
    )
    ids["comment"] = new_id()
    t["comment.text"] = "@member " + corpus.next(3000)
    ops.append(
        {
            "type": "comment.create",
            "id": ids["comment"],
            "item": ids["item.card"],
            "text": t["comment.text"],
        }
    )
    ids["stage_comment"] = new_id()
    t["stage_comment.text"] = corpus.next(3000) + " @owner"
    ops.append(
        {
            "type": "comment.create",
            "id": ids["stage_comment"],
            "stage": stage,
            "text": t["stage_comment.text"],
        }
    )
    return ops, out


PERSONA_LIMITS = {
    "name": 120,
    "quote": 300,
    "age": 40,
    "location": 120,
    "gender": 60,
    "income": 80,
    "job_title": 120,
    "company": 120,
    "industry": 120,
    "interests": 2000,
    "media_habits": 2000,
    "favourite_brands": 2000,
    "buying_behaviour": 2000,
    "goals": 2000,
    "challenges": 2000,
    "pain_points": 2000,
    "excites": 2000,
    "frustrates": 2000,
    "day_in_life": 4000,
    "buying_triggers": 2000,
    "information_needs": 2000,
    "research": 4000,
}


def hostile_persona_body(corpus: Corpus) -> dict[str, Any]:
    body: dict[str, Any] = {name: corpus.next(limit) for name, limit in PERSONA_LIMITS.items()}
    body["segment"] = "b2b"
    return body


def hostile_map(
    *, client: Any, actor: Any, workspace: Any, journey_map: Any, corpus: Corpus | None = None
) -> HostileMap:
    """Fill `journey_map` (and a persona, a version, a workspace template) with payloads.

    `client` is an APIClient authenticated as `actor` (a workspace admin and map owner).
    """
    from maps.services import apply_ops

    corpus = corpus or Corpus()
    persona_body = hostile_persona_body(corpus)
    response = client.post(f"/api/personas/?workspace={workspace.pk}", persona_body, format="json")
    assert response.status_code == 201, response.content
    persona = response.json()
    for name in PERSONA_LIMITS:
        assert persona[name] == persona_body[name], name
    ops, out = hostile_ops(corpus, persona_id=persona["id"])
    out.ids["persona"] = persona["id"]
    out.texts.update({f"persona.{k}": persona_body[k] for k in PERSONA_LIMITS})
    apply_ops(map_id=journey_map.pk, actor=actor, change_id=uuid.uuid4(), ops=ops)
    out.texts["version.name"] = corpus.next(120)
    response = client.post(
        f"/api/maps/{journey_map.pk}/versions/", {"name": out.texts["version.name"]}, format="json"
    )
    assert response.status_code == 201, response.content
    out.texts["template.name"] = corpus.next(120)
    out.texts["template.name_en"] = corpus.next(120)
    out.texts["template.description"] = corpus.next(500)
    response = client.post(
        f"/api/maps/{journey_map.pk}/save-as-template/",
        {
            "name": out.texts["template.name"],
            "name_en": out.texts["template.name_en"],
            "description": out.texts["template.description"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    out.texts["workspace.name"] = corpus.next(120)
    response = client.post("/api/workspaces/", {"name": out.texts["workspace.name"]}, format="json")
    assert response.status_code == 201, response.content
    out.ids["workspace2"] = response.json()["id"]
    return out
