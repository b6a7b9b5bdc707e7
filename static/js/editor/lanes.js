// What each lane kind is for: the empty-state lessons of the method (docs/domain.md).
import { _ } from "./i18n.js";

export function laneHint(kind) {
  const hints = {
    actions: _("What does the customer do at this stage? One step per card."),
    motivations: _("Why do they do it? Needs, wants and triggers."),
    obstacles: _("What blocks or annoys them? Pain points found in research."),
    thoughts: _("What do they ask themselves here? Write questions in their words."),
    emotions: _("How do they feel? Drag each point between −2 and +2; one curve per persona."),
    touchpoints: _("Where do they meet the brand? Pick a channel, online or offline, and an owner."),
    opportunities: _("How could we do better? One idea per pain point."),
    owners: _("Which team owns this stage: marketing, sales, support…"),
    metrics: _("What tells us the stage is healthy? A value, a target and a trend."),
    content: _("What content do we deliver here: blog, tips, webinar…"),
    channels: _("Which channels are used at this stage?"),
    frontstage: _("What do our people do in front of the customer?"),
    backstage: _("What happens behind the scenes to deliver it?"),
    support: _("Which processes support the service?"),
    policies: _("Which rules and policies shape this stage?"),
    technology: _("Which systems and tools are involved?"),
    action_plan: _("Improvements to make: an owner, a due date and a status for each."),
    text: _("Free notes for anything else."),
  };
  return hints[kind] || hints.text;
}

export const LANE_ACCENT = {
  actions: "#2563eb", motivations: "#7c3aed", obstacles: "#dc2626", thoughts: "#0891b2",
  emotions: "#d97706", touchpoints: "#0d9488", opportunities: "#16a34a", owners: "#64748b",
  metrics: "#4f46e5", content: "#db2777", channels: "#0e7490", frontstage: "#2563eb",
  backstage: "#475569", support: "#6b7280", policies: "#92400e", technology: "#334155",
  action_plan: "#059669", text: "#6b7280",
};
