// What the chair concluded, read out to every screen. An item's conclusion stays under its item; the
// meeting's as a whole (read out before closing) under the whole agenda, open, for it is what the
// room takes away. Both are there for a tablet that came in or back afterwards.

import { el } from "./dom.js";

/** "Kết luận" for an item, "Kết luận chung của chủ tọa" for the meeting (no item). */
export function conclusionLabel(itemId, t) {
  return itemId === null || itemId === undefined ? t.minutes.general_conclusion : t.minutes.conclusion_of;
}

/** An item's conclusion is short enough to read in passing; the meeting's is read under the agenda. */
export function conclusionToast(event, t) {
  return event.item_id ? `${t.minutes.conclusion_of}: ${event.text}` : t.minutes.general_announced;
}

/** A conclusion read out, as a fold: the item's (by its id) or the meeting's (null); null when there is none. */
export function conclusionFold(store, t, itemId, { open }) {
  const key = String(itemId ?? "");
  const text = store.state.conclusions?.[key];
  if (!text) return null;
  return el("details", { class: itemId === null ? "agenda-conclusion general" : "agenda-conclusion", dataset: { item: key }, open },
    el("summary", {}, conclusionLabel(itemId, t)), el("p", {}, text));
}

/** The meeting's conclusion under the agenda; the fold stays as the reader left it when drawn again. */
export function renderGeneralConclusion(store, t) {
  const box = document.getElementById("general-conclusion");
  const fold = conclusionFold(store, t, null, { open: box.querySelector("details")?.open ?? true });
  box.hidden = !fold;
  box.replaceChildren(...(fold ? [fold] : []));
}
