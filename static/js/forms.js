// Small progressive enhancements for the preparation forms; every form works without them.

import { onChosen } from "./live/dom.js";

// Filter a long checkbox list as the secretary types (names, positions; accents optional).
const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
for (const input of document.querySelectorAll(".js-filter")) {
  const list = document.querySelector(input.dataset.target);
  if (!list) continue;
  input.addEventListener("input", () => {
    const needle = fold(input.value.trim());
    for (const label of list.querySelectorAll("label")) {
      const row = label.closest("div") || label;
      row.hidden = needle !== "" && !fold(label.textContent).includes(needle);
    }
  });
}

// Role and vote changes save as soon as they are made (a role stepped through with the arrow keys,
// once it is chosen: Enter, or leaving the list).
for (const form of document.querySelectorAll(".js-autosubmit")) {
  form.querySelector(".js-hide-when-auto")?.setAttribute("hidden", "");
  const role = form.querySelector("select[name=role]");
  const vote = form.querySelector("input[name=can_vote]");
  const save = () => {
    if (role && vote) vote.disabled = role.value === "guest";
    form.requestSubmit();
  };
  if (role) onChosen(role, save);
  vote?.addEventListener("change", save);
}

// Inviting: a guest has no vote, so the box says so rather than being dropped silently on saving.
for (const form of document.querySelectorAll("form:not(.js-autosubmit)")) {
  const role = form.querySelector("select[name=role]");
  const vote = form.querySelector("input[type=checkbox][name=can_vote]");
  if (!role || !vote) continue;
  const sync = () => {
    const guest = role.value === "guest";
    if (guest) vote.checked = false;
    vote.disabled = guest;
  };
  role.addEventListener("change", sync);
  sync();
}

/** A field that means something only for some choices of another control: shown with them, hidden otherwise. */
function showOnlyWhen(control, field, shown) {
  if (!control || !field) return;
  const sync = () => { field.hidden = !shown(control); };
  control.addEventListener("change", sync);
  sync();
}

// Confidential documents: the reader list only matters when the box is ticked.
showOnlyWhen(document.querySelector("input[name=confidential]"), document.querySelector("#readers-field"), (box) => box.checked);
// A vote's named options and how many may be chosen mean nothing for agree / disagree.
showOnlyWhen(document.querySelector(".poll-form select[name=kind]"), document.querySelector("#option-fields"), (kind) => kind.value !== "yes_no");
// Written opinions run until the deadline given when they are asked for: a time limit in the meeting means nothing to them.
showOnlyWhen(document.querySelector(".poll-form select[name=mode]"), document.querySelector("#time-limit-field"), (mode) => mode.value !== "written");

// A written opinion of "choose up to n": once n are ticked the others wait, rather than the server refusing all of them.
for (const form of document.querySelectorAll("form.written-ballot[data-max-choices]")) {
  const most = Number(form.dataset.maxChoices);
  const boxes = [...form.querySelectorAll("input[type=checkbox][name=choice]")];
  const sync = () => {
    const full = boxes.filter((box) => box.checked).length >= most;
    for (const box of boxes) box.disabled = full && !box.checked;
  };
  for (const box of boxes) box.addEventListener("change", sync);
  sync();
}

// A step that cannot be taken back asks first (the form still works without this script): a whole
// form, or one of its buttons when the others are harmless.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
for (const button of document.querySelectorAll("button[data-confirm]")) {
  button.addEventListener("click", (event) => {
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  });
}

// After a rejected submission, bring the first mistake into sight: on a long page (the polls,
// the agenda) the form sits below its list and the error would otherwise be off screen.
const invalid = document.querySelector("[aria-invalid=true]");
const formError = document.querySelector("form .errorlist");
if (invalid) invalid.focus();
else if (formError) formError.scrollIntoView({ block: "center" });
