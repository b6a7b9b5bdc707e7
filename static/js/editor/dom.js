// Small DOM helpers. User text only ever goes in through textContent or attributes.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "style") node.setAttribute("style", value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function icon(pathData, size = 16) {
  return svg("svg", { viewBox: "0 0 24 24", width: size, height: size, "aria-hidden": "true", class: "jm-i" },
    svg("path", { d: pathData, fill: "none", stroke: "currentColor", "stroke-width": 2,
      "stroke-linecap": "round", "stroke-linejoin": "round" }));
}

export const HEX = /^#[0-9a-fA-F]{6}$/;
export function safeColor(value) {
  return typeof value === "string" && HEX.test(value) ? value : "";
}

export function initials(name) {
  const words = String(name || "?").trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] || "?").slice(0, 2);
  return letters.toUpperCase();
}

function luminance(hex) {
  const channel = (i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

// Background and text colours for an avatar or presence dot in a user-chosen `#rrggbb`: the
// text is near-black or white, whichever contrasts more, and a mid-tone that reaches 4.5:1 with
// neither is darkened until white text does (WCAG 1.4.3).
export function legible(color) {
  let background = safeColor(color) || "#64748b";
  const contrast = (ink) => {
    const [a, b] = [luminance(background), ink];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  if (contrast(luminance("#111827")) >= 4.5) return { background, ink: "#111827" };
  for (let step = 0; step < 10 && contrast(1) < 4.5; step += 1) {
    background = `#${[1, 3, 5].map((i) => Math.round(parseInt(background.slice(i, i + 2), 16) * 0.9).toString(16).padStart(2, "0")).join("")}`;
  }
  return { background, ink: "#fff" };
}
