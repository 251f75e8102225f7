// The speakers' queue on every screen: a delegate asks to speak (and says about what, if they like),
// the chair gives the floor in any order, to someone who did not ask too, ends a speech or gives more
// time, and sets how long a turn is; the speaker's timer runs on every screen.

import { el, redrawKeepingFocus } from "./dom.js";
import { onRecess } from "./recess.js";
import { HELD_STATES, interpolate, personLabel, showSpeechTimer } from "./store.js";

export function mountSpeakers({ store, send, t, toast }) {
  const $ = (id) => document.getElementById(id);
  const me = () => store.state.me;

  function renderSpeakers() {
    const { queue, speaking } = store.state.speakers;
    const mine = me().participant_id;
    const live = store.state.meeting.state === "in_progress";
    // Delegates may still ask to speak during a break; the floor is given once the meeting resumes.
    const floorOpen = live && !onRecess(store.state.meeting);
    const place = queue.findIndex((request) => request.participant_id === mine) + 1;
    const waiting = place > 0;
    const speakingNow = speaking && speaking.participant_id === mine;
    // The chair gives the floor, and takes it, without queueing; a chair's "Ask to speak" beside
    // "Next item" only invites a wrong tap.
    $("request-speak").hidden = !live || !mine || me().is_chair || waiting || speakingNow;
    $("withdraw-speak").hidden = !live || !waiting;
    $("my-queue-place").hidden = !live || !waiting;
    $("my-queue-place").textContent = waiting ? interpolate(t.queue_place, { place }) : "";
    renderTopicForm(waiting ? queue[place - 1] : null);
    $("queue-empty").hidden = queue.length > 0;
    // Whoever keeps attendance sees who asks to speak without being marked present, and can mark them.
    const attendance = new Map(store.state.attendance.participants.map((p) => [p.id, p.attendance]));
    const unmarked = (request) => me().keeps_attendance && !["present", "late"].includes(attendance.get(request.participant_id));
    redrawKeepingFocus($("queue"), [".give-floor", ".dismiss-request"], () => $("queue").replaceChildren(
      ...queue.map((request, index) =>
        el(
          "li",
          { class: request.participant_id === mine ? "mine" : "" },
          el("span", { class: "queue-name" }, `${index + 1}. ${request.name}`),
          request.position ? el("span", { class: "muted small queue-position", title: request.position }, ` – ${request.position}`) : null,
          el("span", { class: "queue-break" }),
          request.topic ? el("span", { class: "queue-topic small", title: request.topic }, interpolate(t.speaks_about, { topic: request.topic })) : null,
          request.participant_id === mine && request.topic
            ? el("button", { class: "button small edit-topic", type: "button", onclick: editTopic }, t.edit_topic)
            : null,
          unmarked(request) ? el("span", { class: "badge not-present" }, t.not_marked_present) : null,
          speechNumberBadge(request),
          me().is_chair && floorOpen
            ? el(
                "span",
                { class: "queue-actions" },
                el("button", { class: "button small primary give-floor", type: "button", onclick: () => giveFloor({ request_id: request.id }, request.name) }, t.give_floor),
                el("button", { class: "button small button-icon dismiss-request", type: "button", title: t.dismiss, "aria-label": `${t.dismiss}: ${request.name}`, onclick: () => dismissRequest(request) }, "✕"),
              )
            : null,
        ),
      ),
    ));
    renderFloorTo(speaking, floorOpen);
    renderSpeakingTime();
    $("speaker-bar").hidden = !speaking;
    $("speaker-bar").classList.toggle("mine", Boolean(speakingNow));
    if (speaking) {
      // The one given the floor is told so in words, not only by seeing their own name.
      $("speaker-bar").querySelector(".speaker-label").textContent = speakingNow ? t.your_turn : `${t.speaking}:`;
      $("speaker-name").textContent = speakingNow ? "" : personLabel(speaking);
      $("speaker-topic").hidden = !speaking.topic;
      $("speaker-topic").textContent = speaking.topic ? interpolate(t.speaks_about, { topic: speaking.topic }) : "";
      $("speaker-end").hidden = !(me().is_chair || speakingNow);
      $("speaker-extend").hidden = !(me().is_chair && live);
    }
    tickSpeaker();
  }

  // Everyone sees how long a turn is; the chair can change it ("from now on, three minutes each").
  const SPEAKING_MINUTES = [1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 45, 60];
  let speakingTimeShown = null;
  function renderSpeakingTime() {
    const minutes = Math.round(store.state.speakers.speaker_seconds / 60);
    const chairs = me().is_chair && ["published", "in_progress"].includes(store.state.meeting.state);
    // Once the meeting has ended nobody takes the floor: a turn's length is no longer news.
    const held = HELD_STATES.includes(store.state.meeting.state);
    const key = `${chairs}:${minutes}:${held}`;
    if (key === speakingTimeShown) return;
    speakingTimeShown = key;
    const box = $("speaking-time");
    box.hidden = held;
    if (!chairs) {
      box.replaceChildren(interpolate(t.speaking_time, { minutes }));
      return;
    }
    const choices = [...new Set([...SPEAKING_MINUTES, minutes])].sort((a, b) => a - b);
    const select = el(
      "select",
      { "aria-label": t.speaking_time_label, onchange: (event) => allotSpeakingTime(Number(event.target.value)) },
      ...choices.map((value) => el("option", { value: String(value), selected: value === minutes }, interpolate(t.minutes_short, { minutes: value }))),
    );
    box.replaceChildren(el("label", {}, `${t.speaking_time_label}: `, select));
  }

  async function allotSpeakingTime(minutes) {
    const reply = await send("speaker.allot", { seconds: minutes * 60 });
    // Refused (the meeting ended meanwhile): show again what is in force.
    if (reply.type !== "ack") { speakingTimeShown = null; renderSpeakingTime(); }
  }

  // Rebuilt only when whom it offers changes, so an open list is not reset under the chair's finger.
  let floorToOffered = "";
  function renderFloorTo(speaking, live) {
    const form = $("floor-to");
    form.hidden = !(me().is_chair && live);
    if (form.hidden) return;
    const away = ["absent", "absent_excused"];
    // Not the chair, who speaks without being given the floor, nor whoever has it, nor anyone away.
    const offered = store.state.attendance.participants.filter(
      (p) => !away.includes(p.attendance) && p.id !== speaking?.participant_id && p.id !== me().participant_id,
    );
    const signature = JSON.stringify(offered.map((p) => [p.id, p.name, p.position]));
    if (signature === floorToOffered) return;
    floorToOffered = signature;
    const select = form.elements.participant;
    const chosen = select.value;
    select.replaceChildren(
      select.options[0],
      ...offered.map((p) => el("option", { value: String(p.id), selected: String(p.id) === chosen }, personLabel(p))),
    );
  }

  $("floor-to").addEventListener("submit", async (event) => {
    event.preventDefault();
    const select = event.target.elements.participant;
    const reply = await giveFloor({ participant_id: Number(select.value) }, select.selectedOptions[0]?.textContent ?? "");
    if (reply?.type === "ack") select.value = "";
  });

  function tickSpeaker() {
    const speaking = store.state?.speakers.speaking;
    if (speaking) showSpeechTimer($("speaker-timer"), speaking, store.now());
  }

  // "2nd time": rules of procedure limit how often one speaks on an item, and the chair calls those
  // who have not spoken on it yet first. A speech a break cut short goes on: not a second turn.
  function speechNumberBadge(request) {
    if (request.continues) return el("span", { class: "badge speaks-again" }, t.speaks_on);
    const current = store.state.meeting.current_item_id;
    const earlier = (request.spoken_on_items ?? []).filter((item) => item === current).length;
    if (!current || !earlier) return null;
    return el("span", { class: "badge speaks-again", title: interpolate(t.speaks_again_title, { count: earlier }) }, interpolate(t.speaks_again, { number: earlier + 1 }));
  }

  // Someone still speaking is cut off by the next turn: the chair says so first, as for taking someone
  // off the queue. Nothing is sent when they say no.
  function giveFloor(fields, name) {
    const speaking = store.state.speakers.speaking;
    if (speaking && !window.confirm(interpolate(t.cut_off_confirm, { speaking: speaking.name, name }))) return Promise.resolve(null);
    return send("speaker.start", fields);
  }

  // Taking someone off the queue costs them their place: the chair confirms with the name in front of them.
  function dismissRequest(request) {
    if (window.confirm(interpolate(t.dismiss_confirm, { name: request.name }))) send("speaker.dismiss", { request_id: request.id });
  }

  // What the waiting delegate asks to speak about: filled from the queue when it appears, never
  // under their fingers while they type. Once said, the form folds away (upright, it pushed the page
  // down for as long as they waited); their place in the queue shows the topic and "Sửa".
  let editingTopic = false;
  function renderTopicForm(request) {
    const form = $("speak-topic");
    const input = form.elements.topic;
    if (!request) editingTopic = false;
    const shown = Boolean(request) && (!request.topic || editingTopic || document.activeElement === input);
    const appearing = form.hidden && shown;
    form.hidden = !shown;
    if (appearing || (shown && document.activeElement !== input)) input.value = request.topic ?? "";
  }

  function editTopic() {
    editingTopic = true;
    renderSpeakers();
    $("speak-topic").elements.topic.focus();
  }

  $("speak-topic").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = event.target.elements.topic;
    const reply = await send("speaker.request", { topic: input.value });
    if (reply.type === "ack") {
      editingTopic = false;
      input.blur();
      toast(input.value.trim() ? t.topic_sent : t.topic_cleared);
      renderSpeakers();
    }
  });

  $("speaker-extend").addEventListener("click", () => {
    const speaking = store.state?.speakers.speaking;
    if (speaking) send("speaker.extend", { request_id: speaking.id, seconds: 60 });
  });

  return { render: renderSpeakers, tick: tickSpeaker };
}
