// Drag and drop for the agenda with Pointer Events, so it works with a finger, a pen or a mouse.
// Vertical movement reorders; horizontal movement makes a row a sub-item (right) or a main item (left).
// The whole order is sent at once; the server renumbers and answers with the new numbers.

const list = document.getElementById("agenda-sortable");
const status = document.getElementById("agenda-status");
const text = window.AGENDA_TEXT || {};
const INDENT_PX = 40;

const rows = () => [...list.querySelectorAll(".sortable-row")];
const childrenOf = (row) => {
  const result = [];
  let next = row.nextElementSibling;
  while (next && next.dataset.depth === "1") { result.push(next); next = next.nextElementSibling; }
  return row.dataset.depth === "0" ? result : [];
};
const csrfToken = () => document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1] || "";

function setDepth(row, depth) {
  row.dataset.depth = String(depth);
  row.classList.toggle("depth-1", depth === 1);
  row.classList.toggle("depth-0", depth === 0);
}

function layout() {
  let parent = null;
  return rows().map((row) => {
    if (row.dataset.depth === "0" || parent === null) {
      setDepth(row, 0);
      parent = row.dataset.id;
      return [Number(row.dataset.id), null];
    }
    return [Number(row.dataset.id), Number(parent)];
  });
}

async function save() {
  status.textContent = text.saving || "…";
  try {
    const response = await fetch(list.dataset.reorderUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ layout: layout() }),
      credentials: "same-origin",
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || text.failed);
    for (const row of rows()) {
      const number = body.numbers[row.dataset.id];
      if (number) row.querySelector(".agenda-number").textContent = `${number}.`;
    }
    status.textContent = text.saved || "";
    // The button fallbacks depend on the structure; reload quietly so they match it.
    setTimeout(() => window.location.reload(), 600);
  } catch (error) {
    status.textContent = error.message || text.failed;
  }
}

let drag = null;

function onPointerDown(event) {
  const handle = event.target.closest(".drag-handle");
  if (!handle || drag) return;
  const row = handle.closest(".sortable-row");
  event.preventDefault();
  handle.setPointerCapture(event.pointerId);
  const group = childrenOf(row);
  group.forEach((child) => { child.hidden = true; });
  drag = { row, handle, group, startX: event.clientX, startY: event.clientY, startDepth: Number(row.dataset.depth), moved: false };
  row.classList.add("dragging");
}

function onPointerMove(event) {
  if (!drag || event.pointerId === undefined) return;
  const { row } = drag;
  const dy = event.clientY - drag.startY;
  const dx = event.clientX - drag.startX;
  if (Math.abs(dx) > 4 || Math.abs(dy) > 4) drag.moved = true;
  // Find the row under the pointer and move ours before or after it.
  const others = rows().filter((r) => r !== row && !r.hidden);
  const target = others.find((r) => {
    const box = r.getBoundingClientRect();
    return event.clientY < box.top + box.height / 2;
  });
  const before = row.getBoundingClientRect().top;
  if (target) { if (target !== row.nextElementSibling) list.insertBefore(row, target); }
  else if (list.lastElementChild !== row) list.appendChild(row);
  const after = row.getBoundingClientRect().top;
  drag.startY += after - before;
  row.style.transform = `translateY(${event.clientY - drag.startY}px)`;
  // Depth: only a row without sub-items, and not the first, can become a sub-item.
  const canIndent = drag.group.length === 0 && row.previousElementSibling !== null;
  let depth = drag.startDepth;
  if (dx > INDENT_PX && canIndent) depth = 1;
  else if (dx < -INDENT_PX) depth = 0;
  setDepth(row, depth);
}

function onPointerUp() {
  if (!drag) return;
  const { row, group, moved } = drag;
  row.classList.remove("dragging");
  row.style.transform = "";
  // A main item dropped among another item's sub-items lands after them, not in between.
  if (row.dataset.depth === "0") {
    let next = row.nextElementSibling;
    while (next && next.dataset.depth === "1") { next.after(row); next = row.nextElementSibling; }
  }
  // Sub-items travel with their item.
  let anchor = row;
  for (const child of group) { anchor.after(child); child.hidden = false; anchor = child; }
  drag = null;
  if (moved) save();
}

if (list) {
  list.addEventListener("pointerdown", onPointerDown);
  list.addEventListener("pointermove", onPointerMove);
  list.addEventListener("pointerup", onPointerUp);
  list.addEventListener("pointercancel", onPointerUp);
}
