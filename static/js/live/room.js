// The live meeting on a tablet or laptop: delegates follow the presenter or browse on their own,
// ask to speak and check in; the chair runs the meeting; the secretary takes attendance.

import { LiveConnection } from "./connection.js";
import { besideThePanels, el, onChosen, redrawKeepingFocus } from "./dom.js";
import { HELD_STATES, LiveStore, clockTime, dayMonth, formatSeconds, interpolate } from "./store.js";
import { mountViewer } from "./viewer.js";
import { mountMinutes } from "./minutes.js";
import { itemSeconds, itemsAround, showForecast, takenUp } from "./agenda-time.js";
import { mountChairNotices } from "./chair-notice.js";
import { conclusionFold, conclusionToast, renderGeneralConclusion } from "./conclusions.js";
import { mountRecess, onRecess } from "./recess.js";
import { mountPanes } from "./panes.js";
import { mountSpeakers } from "./speakers.js";
import { mountVoting } from "./voting.js";

const config = JSON.parse(document.getElementById("live-config").textContent);
const t = JSON.parse(document.getElementById("live-strings").textContent);
const $ = (id) => document.getElementById(id);
const store = new LiveStore();

// ---- connection -------------------------------------------------------------------------
const connection = new LiveConnection({
  path: config.socketPath,
  heartbeatSeconds: config.heartbeatSeconds,
  build: config.build,
  storageKey: `live-outbox:${config.meetingId}:${config.userId}`,
  onSnapshot: (snapshot) => store.loadSnapshot(snapshot),
  onEvent: (event) => store.apply(event),
  onStatus: renderConnection,
  // A conflict is answered where it arose (the chair is shown the other text), not in a passing toast;
  // being shut out is said in place of the room (renderConnection).
  onError: (reply) => {
    // Said as the socket is closed (an answer to no command): why the room is gone. A command's own
    // "not found" (a request to speak no longer waiting) is a passing error like any other.
    if (reply.code === "not_found" && !reply.id) shutOutBecause = reply.message;
    else if (reply.code !== "conflict") toast(reply.message, "error");
  },
  onEarlierCommand: (command, reply) => voting.onEarlierCommand(command, reply),
  busy: () => userIsBusy(),
});

/** Typing (a note, the minutes, a notice), drawing, or a ballot chosen and not yet sent: a reload would lose it. */
function userIsBusy() {
  const typing = document.activeElement?.matches("textarea, input:not([type=checkbox], [type=radio], [type=button], [type=submit])") || document.querySelector(".note-editor");
  return Boolean(typing || reader?.layer.drawing || document.querySelector("#ballot:not([hidden]) .ballot-confirm"));
}

let wasOnline = false;
let shutOutBecause = null;
function renderConnection(state, queued) {
  if (state === "gone") shutOut();
  // Annotations travel as targeted messages that a resync does not replay: fetch them again.
  if (state === "online" && !wasOnline && store.state) { reader.onReconnect(); loadAbsenceReasons(); }
  // A ballot on its way says whether it waits for the network.
  if (wasOnline !== (state === "online") && store.state) voting.render();
  wasOnline = state === "online";
  const box = $("connection");
  box.dataset.state = state;
  let label = t.connection[state] || state;
  if (queued && state !== "online") label += " " + interpolate(t.queued, { count: queued });
  box.querySelector(".label").textContent = label;
  // Cut off, a tablet cannot know the presenter's page: it does not claim to be showing it.
  const following = $("following-badge");
  following.classList.toggle("stale", state !== "online");
  following.textContent = state === "online" ? t.following : t.following_stale;
}

/** No longer invited (removed while the room was open): the room goes, and what is left says why. */
function shutOut() {
  clearInterval(ticking);
  for (const part of document.querySelectorAll(".live-grid, #pane-tabs, #speaker-bar, #now-line, #agenda-forecast, #recess-bar, #speak-topic, .live-head-side, .back-link")) {
    part.hidden = true;
  }
  const line = $("state-line");
  line.hidden = false;
  line.replaceChildren(shutOutBecause || t.connection.gone, " ", el("a", { href: "/" }, `${t.home} →`));
}

function send(type, fields) {
  return connection.command(type, fields);
}

// ---- notices ----------------------------------------------------------------------------
let toastTimer = null;
function toast(message, kind = "info") {
  const box = $("notice");
  box.textContent = message;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 8000 : 10000);
}

$("notice").addEventListener("click", () => { $("notice").hidden = true; });

/** Take a notice off before its time when what it said is no longer true. */
function untoast(message) {
  const box = $("notice");
  if (!box.hidden && box.textContent === message) box.hidden = true;
}

const me = () => store.state.me;
const EARLY_START_MS = 30 * 60 * 1000; // starting more than this ahead of the time called, the question names that time

// ---- meeting, agenda ----------------------------------------------------------------------
function renderMeeting() {
  const meeting = store.state.meeting;
  const badge = $("meeting-state");
  const onBreak = onRecess(meeting);
  // "Published" is the secretary's word; in the room, before the start, the meeting has not begun.
  badge.textContent = onBreak ? t.recess.title : meeting.state === "published" ? t.not_started : t.states[meeting.state] || meeting.state;
  badge.className = `badge state-${onBreak ? "recess" : meeting.state}`;
  const chair = me().is_chair;
  $("chair-meeting-controls").hidden = !chair;
  document.querySelector("[data-command='meeting.start']").hidden = !(chair && meeting.state === "published");
  document.querySelector("[data-command='meeting.end']").hidden = !(chair && meeting.state === "in_progress");
  document.querySelector("[data-action='next-item']").hidden = !(chair && meeting.state === "in_progress" && !onBreak);
  $("notice-card").hidden = !me().can_notice || !["published", "in_progress"].includes(meeting.state);
  const line = $("state-line");
  line.hidden = !HELD_STATES.includes(meeting.state) && meeting.state !== "published";
  if (meeting.state === "published") {
    line.textContent = interpolate(t.starts_at, { time: clockTime(meeting.starts_at, config), date: dayMonth(meeting.starts_at, config) });
  } else if (!line.hidden) {
    line.textContent = meeting.ended_at ? interpolate(t.ended_at, { time: clockTime(meeting.ended_at, config) }) : t.ended;
    // Whoever ran it has the minutes to do next.
    if (me().keeps_attendance) line.append(" ", el("a", { href: config.minutesUrl }, `${t.minutes.open_minutes_page} →`));
  }
}

function renderAgenda() {
  const current = store.state.meeting.current_item_id;
  // During a break the agenda stands still: the chair resumes the meeting before moving it on.
  const chairLive = me().is_chair && store.state.meeting.state === "in_progress" && !onRecess(store.state.meeting);
  // On the last item "Next item" has nowhere to go: it says so instead of doing nothing.
  const next = document.querySelector("[data-action='next-item']");
  const last = store.state.agenda.length > 0 && store.state.agenda.at(-1).id === current;
  next.disabled = last;
  next.title = last ? t.last_item : "";
  const now = store.state.agenda.find((item) => item.id === current);
  $("now-line").hidden = !now;
  $("now-line").classList.toggle("runs", me().is_chair || me().keeps_attendance);
  const lead = onRecess(store.state.meeting) ? t.recess.after : `${t.now_discussing}:`;
  $("now-line").textContent = now ? `${lead} ${now.number}. ${now.title}${now.presenter ? ` · ${now.presenter}` : ""}` : "";
  const around = itemsAround(store.state.agenda, current);
  const list = $("agenda");
  const opened = new Set([...list.querySelectorAll("details.agenda-conclusion[open]")].map((node) => node.dataset.item));
  redrawKeepingFocus(list, ["button.agenda-row", "details.agenda-conclusion > summary"], () => list.replaceChildren(
    ...store.state.agenda.map((item) => {
      const status = item.id === current ? "current" : around.has(item.id) ? "around" : item.done ? "done" : "upcoming";
      const time = el("span", { class: "agenda-time", dataset: { item: String(item.id) } });
      const content = [
        el("span", { class: "agenda-number" }, `${item.number}.`),
        el("span", { class: "agenda-title" }, item.title, item.presenter ? el("span", { class: "muted small" }, ` · ${item.presenter}`) : null),
        time,
      ];
      const row = chairLive && status !== "current"
        ? el("button", { class: "agenda-row", type: "button", title: t.make_current, onclick: () => moveTo(item) }, ...content)
        : el("div", { class: "agenda-row" }, ...content);
      const concluded = conclusionFold(store, t, item.id, { open: opened.has(String(item.id)) });
      return el("li", { class: `live-item ${status} depth-${item.depth}`, dataset: { status }, "aria-current": status === "current" ? "step" : null }, row, concluded);
    }),
  ));
  renderGeneralConclusion(store, t);
  tickAgenda();
}

// A long agenda moves on below what is in sight: the item now discussed is brought into view, but only
// where the agenda is being looked at (its tab chosen, or its card showing in the side column).
function showCurrentItem() {
  const row = document.querySelector("#agenda .live-item.current");
  if (!row || row.offsetParent === null) return;
  if (besideThePanels.matches) {
    const side = document.querySelector(".side").getBoundingClientRect();
    const card = $("agenda-card").getBoundingClientRect();
    if (card.bottom < side.top + 40 || card.top > side.bottom - 40) return;
  }
  row.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

// A row is read as much as it is tapped, and a tap moves every screen: it asks first.
function moveTo(item) {
  if (window.confirm(interpolate(t.move_confirm, { number: item.number, title: item.title }))) send("agenda.current", { item_id: item.id });
}

// Absent with leave is written into the minutes with its reason: the secretary is asked for it (a
// reason the participant sent ahead is offered). Cancelled, nothing changes.
function markAttendance(participant, status) {
  const fields = { participant_id: participant.id, status };
  if (status === "absent_excused") {
    const reason = window.prompt(interpolate(t.absence_reason_prompt, { name: participant.name }), absenceReasons.get(participant.id) ?? "");
    if (reason === null) { renderAttendance(); return; }
    fields.reason = reason;
  }
  send("attendance.update", fields);
}

function tickAgenda() {
  const forecast = $("agenda-forecast");
  if (me().is_chair || me().keeps_attendance) showForecast(forecast, store.state, store.now(), t, config);
  else forecast.hidden = true;
  for (const item of store.state.agenda) {
    const node = document.querySelector(`.agenda-time[data-item="${item.id}"]`);
    if (!node) continue;
    const used = itemSeconds(item, store.now());
    node.textContent = used > 0 || item.current_since ? `${formatSeconds(used)} / ${item.minutes}′` : `${item.minutes}′`;
    node.classList.toggle("over", used > item.minutes * 60);
  }
}

document.querySelector("[data-action='next-item']").addEventListener("click", () => {
  const agenda = store.state.agenda;
  const index = agenda.findIndex((item) => item.id === store.state.meeting.current_item_id);
  const next = agenda[index + 1];
  if (next) send("agenda.current", { item_id: next.id });
});

// ---- attendance -------------------------------------------------------------------------
// Why someone said they cannot come: for the chair and the secretaries only, so it is fetched,
// never broadcast. Asked again whenever attendance changes; a failed fetch keeps what was known.
let absenceReasons = new Map();
let absenceAsks = 0;
let absenceTimer = null;
// A roll-call or a resync brings many attendance changes at once: one question for all of them.
function loadAbsenceReasons() {
  clearTimeout(absenceTimer);
  absenceTimer = setTimeout(askAbsenceReasons, 300);
}

async function askAbsenceReasons() {
  if (!store.state || !me().keeps_attendance) return;
  const ask = ++absenceAsks;
  try {
    const response = await fetch(config.absencesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const { reasons } = await response.json();
    if (ask !== absenceAsks) return; // a later answer is on its way
    absenceReasons = new Map(Object.entries(reasons).map(([id, reason]) => [Number(id), reason]));
    renderAttendance();
  } catch {
    // Offline, or logged out (the login page is not JSON): asked again on reconnection and on the next change.
  }
}

// "Check in" from an hour before the start (the server says when): a member reading the papers at
// home days ahead is not arriving, and a tap there would cancel their notice of absence.
function renderCheckin() {
  const meeting = store.state.meeting;
  const mine = store.state.attendance.participants.find((p) => p.id === me().participant_id);
  const open = meeting.state === "in_progress" || (meeting.state === "published" && store.now() >= Date.parse(meeting.checkin_opens_at));
  $("checkin").hidden = !(mine && meeting.allow_self_checkin && open && !["present", "late"].includes(mine.attendance));
}

function renderAttendance() {
  const { participants, quorum } = store.state.attendance;
  const online = new Set(store.state.online);
  const keeps = me().keeps_attendance;
  const quorumBox = $("quorum");
  quorumBox.hidden = !(keeps || me().is_chair);
  quorumBox.className = `quorum ${quorum.met ? "met" : "not-met"}`;
  quorumBox.textContent = interpolate(quorum.met ? t.quorum_met : t.quorum_not_met, quorum);
  // The roll-call is far down the side column, under the speakers, votes, agenda and minutes: whoever
  // keeps it is taken there, to the first person not yet marked.
  const unmarked = participants.filter((p) => p.attendance === "unknown");
  if (keeps && unmarked.length && ["published", "in_progress"].includes(store.state.meeting.state)) {
    quorumBox.append(" ", el("a", { href: "#attendance-card", class: "quorum-jump", onclick: (event) => {
      event.preventDefault();
      panes.show("attendance");
      $("attendance-card").scrollIntoView({ block: "start", behavior: "smooth" });
      document.querySelector(`#attendance select[data-participant="${unmarked[0].id}"]`)?.focus({ preventScroll: true });
    } }, interpolate(t.to_attendance, { count: unmarked.length })));
  }
  // What the secretary reads out at the opening: how many are in each state, everyone counted.
  const tally = $("attendance-tally");
  tally.hidden = quorumBox.hidden;
  tally.textContent = ["present", "late", "absent_excused", "absent", "unknown"]
    .map((value) => [t.attendance[value], participants.filter((p) => p.attendance === value).length])
    .filter(([, count]) => count)
    .map(([label, count]) => `${label}: ${count}`)
    .join(" · ");
  const mine = participants.find((p) => p.id === me().participant_id);
  const meeting = store.state.meeting;
  renderCheckin();
  // Drawn again on every change: the secretary going down the list by keyboard stays on their row.
  const focused = document.activeElement?.closest?.("#attendance select")?.dataset.participant;
  $("attendance").replaceChildren(
    ...participants.map((participant) => {
      const presence = online.has(participant.user_id) ? t.online : t.offline;
      const dot = el("span", { class: `presence ${online.has(participant.user_id) ? "on" : ""}`, title: presence }, el("span", { class: "visually-hidden" }, presence));
      const name = el("span", { class: "attendee-name" }, participant.name, el("span", { class: "muted small" }, ` · ${t.roles[participant.role]}`));
      let status;
      // Corrected after the meeting too, until the minutes that print it are approved.
      if (keeps && ["published", "in_progress", "closed"].includes(meeting.state)) {
        status = el(
          "select",
          { "aria-label": `${t.attendance_of} ${participant.name}`, dataset: { participant: String(participant.id) } },
          ...Object.entries(t.attendance).map(([value, label]) => el("option", { value, selected: value === participant.attendance }, label)),
        );
        onChosen(status, (value) => markAttendance(participant, value));
      } else {
        status = el("span", { class: `badge att-${participant.attendance}` }, t.attendance[participant.attendance]);
      }
      const excused = keeps && participant.attendance === "absent_excused";
      const reason = excused ? absenceReasons.get(participant.id) : null;
      // The reason is written, or put right, later too: the minutes give it.
      const editable = excused && status.tagName === "SELECT";
      // Who votes for whom: the chair reminds a holder of the second ballot, the secretary checks the count.
      // A proxy counts only while its giver is away: one who came votes for themselves.
      const away = !["present", "late"].includes(participant.attendance);
      const given = away && store.state.proxies.find((proxy) => proxy.giver_id === participant.id);
      const held = store.state.proxies.find((proxy) => proxy.holder_id === participant.id);
      const proxyLine = given ? interpolate(t.proxy_given_to, { name: given.holder_name }) : held ? interpolate(t.proxy_held_for, { name: held.giver_name }) : null;
      return el("li", { dataset: { user: String(participant.user_id) } }, dot, name, status,
        reason ? el("span", { class: "absence-reason small" }, `${t.absence_reason}: ${reason}`) : null,
        proxyLine ? el("span", { class: "proxy-line small muted" }, proxyLine) : null,
        editable
          ? el("button", { class: "button small reason-edit", type: "button", onclick: () => markAttendance(participant, "absent_excused") },
            reason ? t.absence_reason_change : t.absence_reason_add)
          : null);
    }),
  );
  if (focused) document.querySelector(`#attendance select[data-participant="${focused}"]`)?.focus();
}

// ---- commands from buttons and the notice form -------------------------------------------
/** Check in; arriving after all cancels a notice of absence, so that is asked first (the tap may have
 * been meant for reading). Resolves with the reply, or null when the member thought better of it. */
async function checkIn() {
  const mine = store.state.attendance.participants.find((p) => p.id === me().participant_id);
  if (mine?.attendance === "absent_excused" && !window.confirm(t.checkin_cancels_absence)) return null;
  return send("attendance.checkin");
}

/** Ending leaves what was not done undone for good: the question says what that is. */
function endQuestion() {
  const taken = takenUp(store.state.agenda, store.state.meeting.current_item_id);
  // A heading never taken up is named once, for its sub-items too.
  const untouched = [];
  let under = null;
  for (const item of store.state.agenda) {
    if (under !== null && item.depth > under) continue;
    under = null;
    if (!taken.has(item.id)) { untouched.push(item); under = item.depth; }
  }
  const unopened = store.state.polls.filter((poll) => poll.mode === "live" && poll.state === "draft");
  const warnings = [];
  if (untouched.length) warnings.push(interpolate(t.end_not_reached, { items: untouched.map((item) => `${item.number}. ${item.title}`).join("; ") }));
  if (unopened.length) warnings.push(interpolate(t.end_not_opened, { count: unopened.length }));
  return [...warnings, t.end_confirm].join("\n\n");
}

/** Starting cannot be undone either, and a tap days ahead is a mistake: the question names the time called. */
function startQuestion() {
  const called = Date.parse(store.state.meeting.starts_at);
  if (called - store.now() < EARLY_START_MS) return t.start_confirm;
  const when = new Date(called).toLocaleString(document.documentElement.lang || "vi", {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", day: "2-digit", month: "2-digit", year: "numeric", timeZone: config.timeZone,
  });
  return `${interpolate(t.start_early, { when })}\n\n${t.start_confirm}`;
}

for (const button of document.querySelectorAll("[data-command]")) {
  button.addEventListener("click", async () => {
    // Ending cannot be undone, and the button sits beside "Next item".
    if (button.dataset.command === "meeting.end") {
      if (store.state.polls.some((poll) => poll.mode === "live" && poll.state === "open")) { window.alert(t.end_vote_open); return; }
      if (!window.confirm(endQuestion())) return;
    }
    if (button.dataset.command === "meeting.start" && !window.confirm(startQuestion())) return;
    // Until the server answers (after the reconnection, when offline) the button says it is on its way
    // and takes no second tap: "asked twice" is what a delegate on shaky wifi would otherwise fear.
    const hadFocus = document.activeElement === button;
    button.disabled = true;
    button.classList.add("pending");
    let reply;
    try {
      reply = button.dataset.command === "attendance.checkin" ? await checkIn() : await send(button.dataset.command);
    } finally {
      button.disabled = false;
      button.classList.remove("pending");
      // Disabled, it lost the keyboard's focus: still there (refused, or thought better of), it gets it back.
      if (hadFocus && !button.hidden) button.focus();
    }
    if (!reply) return;
    // The button hides itself once done: the keyboard's focus goes to what took its place.
    if (button.hidden && document.activeElement === document.body) {
      const next = {
        "speaker.request": $("withdraw-speak"),
        "speaker.withdraw": $("request-speak"),
        "meeting.start": document.querySelector("[data-action='next-item']"),
        "meeting.resume": document.querySelector("[data-action='next-item']"),
        "attendance.checkin": $("request-speak"),
      }[button.dataset.command];
      if (next && !next.hidden) next.focus();
    }
    // The button goes away once checked in: say that it worked.
    if (button.dataset.command === "attendance.checkin" && reply.type === "ack") toast(t.checked_in);
  });
}
$("projector-clear").addEventListener("click", async () => {
  const reply = await send("projector.clear");
  if (reply.type === "ack") toast(t.projector_cleared);
});

$("notice-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = event.target.elements.text;
  const reply = await send("notice.send", { text: input.value });
  if (reply.type === "ack") input.value = "";
});

const reader = mountViewer({ store, connection, send, t, toast, config });
const voting = mountVoting({ store, send, t, toast, checkIn, connection });
const minutes = mountMinutes({ store, send, t, toast, config });
const recess = mountRecess({ store, send, t, config });
const notices = mountChairNotices({ store, t, toast, config });
const speakers = mountSpeakers({ store, send, t, toast });
const panes = mountPanes({
  store, t, config,
  ballotOwed: () => voting.ballotOwed(),
  mayVote: () => voting.mayVote(),
  onShow: (name) => { if (name === "agenda") showCurrentItem(); },
});

// ---- wiring -----------------------------------------------------------------------------
// Made secretary, chair or guest while the room is open, the screen starts again from a snapshot of its
// own (the server sends it): the person is told why their controls changed.
let myPlace = null;
function sayIfMyPlaceChanged() {
  const place = me().role;
  if (myPlace !== null && place && place !== myPlace) toast(interpolate(t.role_now, { role: t.roles[place] }));
  myPlace = place;
}

store.subscribe((kind, event) => {
  if (kind === "snapshot") {
    sayIfMyPlaceChanged();
    notices.catchUp();
    reader.onSnapshot();
    renderMeeting();
    recess.render();
    renderAgenda();
    speakers.render();
    renderAttendance();
    loadAbsenceReasons();
    voting.onSnapshot();
    minutes.render();
    panes.render();
    return;
  }
  voting.onEvent(kind, event);
  minutes.onEvent(kind, event);
  if (kind === "minutes.conclusion") { toast(conclusionToast(event, t)); renderAgenda(); }
  if (kind === "meeting.state" || kind.startsWith("present.") || kind.startsWith("poll.")) recess.render();
  if (kind === "meeting.state") { renderMeeting(); speakers.render(); renderAttendance(); renderAgenda(); voting.render(); notices.onMeetingState(); }
  reader.onEvent(kind, event);
  if (kind === "agenda.current") { voting.render(); renderAgenda(); speakers.render(); showCurrentItem(); }
  if (kind.startsWith("speaker.")) speakers.render();
  if (kind === "speaker.dismiss" && event.participant_id === me().participant_id) toast(t.dismissed_you);
  // Cut short by a break just called (not a resync replaying an old one): the speaker is told they go on first.
  const meeting = store.state.meeting;
  if (kind === "speaker.end" && onRecess(meeting) && store.now() - Date.parse(meeting.recess_since) < 15000
    && store.state.speakers.queue[0]?.participant_id === me().participant_id) toast(t.recess.speech_paused);
  // Only for a turn just given: a resync replaying an old turn's start must not call anyone to speak.
  const speech = store.state.speakers.speaking;
  if (kind === "speaker.start" && speech?.participant_id === me().participant_id && store.now() - Date.parse(speech.started_at) < 15000) toast(t.your_turn);
  else if (kind.startsWith("speaker.") && speech?.participant_id !== me().participant_id) untoast(t.your_turn);
  if (kind === "attendance.update" || kind === "presence" || kind === "proxy.update") renderAttendance();
  if (kind === "attendance.update") { speakers.render(); loadAbsenceReasons(); }
  if (kind === "notice") notices.onNotice(event);
  panes.onEvent(kind, event);
});

// Lying down, the document and the side panels fit what the screen shows under the meeting's head.
// Upright the page scrolls as one and nothing is fitted: scrolling there costs no restyle.
let panelsTop = null;
function fitPanels() {
  if (!besideThePanels.matches) return;
  const stuckAt = parseFloat(getComputedStyle($("viewer")).top) || 0; // under the top bar (live.css)
  const top = Math.round(Math.max(stuckAt, document.querySelector(".live-grid").getBoundingClientRect().top));
  if (top === panelsTop) return; // once the head has scrolled away, scrolling changes nothing here
  panelsTop = top;
  document.documentElement.style.setProperty("--panels-top", `${top}px`);
}
let fitting = 0;
const fitSoon = () => { cancelAnimationFrame(fitting); fitting = requestAnimationFrame(fitPanels); };
window.addEventListener("scroll", fitSoon, { passive: true });
window.addEventListener("resize", fitSoon);
new ResizeObserver(fitSoon).observe(document.body);
fitPanels();

const ticking = setInterval(() => { if (store.state) { speakers.tick(); tickAgenda(); minutes.tick(); recess.tick(); renderCheckin(); } }, 500);
connection.connect();
window.liveRoom = { store, connection, viewer: reader.viewer, annotations: reader.layer };
