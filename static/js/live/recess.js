// A break in the meeting (giải lao): every tablet says when the meeting goes on and counts down to
// it; the chair calls the break (how long, in one tap) and resumes it.

import { el } from "./dom.js";
import { clockTime, formatSeconds, interpolate } from "./store.js";

const CHOICES = [5, 10, 15, 20, 30];
const USUAL = 15;

/** The meeting is on a break now. */
export function onRecess(meeting) {
  return meeting.state === "in_progress" && Boolean(meeting.recess_since);
}

/** "còn 12:34" until the time set. Past it, those who run the meeting read by how much; the room
 * (the projector, delegates' tablets) is asked back to its seats rather than reproached. */
export function recessCountdown(node, meeting, now, t, { runs }) {
  const left = (Date.parse(meeting.recess_until) - now) / 1000;
  let text = interpolate(t.recess.left, { time: formatSeconds(left) });
  if (left < 0) text = runs ? interpolate(t.recess.over, { minutes: Math.ceil(-left / 60) }) : t.recess.back;
  node.textContent = text;
  node.classList.toggle("over", left < 0 && runs);
}

export function mountRecess({ store, send, t, config }) {
  const $ = (id) => document.getElementById(id);
  const dialog = $("recess-dialog");
  const choices = dialog.querySelector(".recess-choices");
  choices.replaceChildren(...CHOICES.map((minutes) => el("label", {},
    el("input", { type: "radio", name: "minutes", value: String(minutes) }),
    ` ${interpolate(t.recess.length, { minutes })}`,
  )));

  function render() {
    const meeting = store.state.meeting;
    const chair = store.state.me.is_chair;
    const on = onRecess(meeting);
    $("recess-bar").hidden = !on;
    // Not while a vote is open: its result is declared before the room breaks up.
    const voting = store.state.polls.some((poll) => poll.mode === "live" && poll.state === "open");
    $("recess-open").hidden = !(chair && meeting.state === "in_progress" && !on && !voting);
    $("recess-resume").hidden = !(chair && on);
    if (on) $("recess-until").textContent = interpolate(t.recess.until, { time: clockTime(meeting.recess_until, config) });
    // The chair is told why the floor, the agenda and votes do nothing now, and where a page presented goes.
    const note = $("recess-note");
    note.hidden = !(chair && on);
    note.textContent = store.state.presentation.document_id ? `${t.recess.chair_note} ${t.recess.projector_note}` : t.recess.chair_note;
    tick();
  }

  function tick() {
    const meeting = store.state.meeting;
    if (!onRecess(meeting)) return;
    const me = store.state.me;
    recessCountdown($("recess-left"), meeting, store.now(), t, { runs: me.is_chair || me.keeps_attendance });
  }

  $("recess-open").addEventListener("click", () => {
    dialog.querySelector("form").reset();
    const usual = dialog.querySelector(`input[value="${USUAL}"]`);
    usual.checked = true;
    dialog.returnValue = "";
    dialog.showModal();
    usual.focus(); // on the length already chosen, not the first of the row: Enter then starts the break
  });
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "recess") return;
    const minutes = Number(dialog.querySelector("input[name=minutes]:checked")?.value || USUAL);
    // The button that opened the dialog is gone once the break starts: the keyboard goes to "Resume".
    send("meeting.recess", { minutes }).then((reply) => {
      if (reply?.type === "ack" && !$("recess-resume").hidden && document.activeElement === document.body) $("recess-resume").focus();
    });
  });

  return { render, tick };
}
