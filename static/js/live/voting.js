// Votes on the live screens: the ballot on a delegate's tablet, the chair's poll controls, the
// secretary's "not voted yet" list, and the result as every screen and the projector show it.

import { dialogFocus, el, redrawKeepingFocus } from "./dom.js";
import { onRecess } from "./recess.js";
import { interpolate } from "./store.js";

const POLL_CONTROLS = ["details.polls-later > summary", "[data-action=close-poll]", "[data-action=open-poll]", "[data-action=annul-poll]", "[data-action=show-ballot]", "[data-action=check-in]"];

// Agree / disagree / no opinion in the reader's language (the poll stores them in its maker's);
// named options as they were written.
export function choiceLabel(choice, t) {
  return choice.meaning !== "option" && t.poll.meanings?.[choice.meaning] ? t.poll.meanings[choice.meaning] : choice.label;
}

// Percentages with the reader's decimal mark: "66,67" in Vietnamese, "66.67" in English.
function percentText(value) {
  return document.documentElement.lang === "vi" ? value.replace(".", ",") : value;
}

// A vote between named options decided which of them: "Passed: Ward 1".
export function withChosen(verdict, result) {
  const chosen = result.choices.filter((row) => row.reached && row.meaning === "option").map((row) => row.label);
  return chosen.length ? `${verdict}: ${chosen.join("; ")}` : verdict;
}

/** An annulled vote where its result would be: a result annulled, or a vote called off before it closed. */
export function annulledView(poll, t) {
  const said = poll.closed_at ? t.poll.annulled_because : t.poll.cancelled_because;
  return el("p", { class: "verdict not-passed" }, interpolate(said, { reason: poll.annulled_reason || "" }));
}

/** The heading over a vote that has ended: its result, or that it was called off. */
export function endedKicker(poll, t) {
  return poll.state === "annulled" && !poll.closed_at ? t.poll.cancelled : t.poll.result_of;
}

/** The published result: a bar per choice against the base, and the verdict. */
export function resultView(poll, t) {
  const result = poll.result;
  const labels = new Map(poll.choices.map((c) => [c.id, choiceLabel(c, t)]));
  const rows = result.choices.map((row) =>
    el(
      "li",
      { class: `result-row meaning-${row.meaning}`, dataset: { choice: String(row.choice_id) } },
      el("span", { class: "result-label" }, choiceLabel(row, t)),
      el("span", { class: "result-bar" }, el("span", { style: `width: ${Math.min(100, Number(row.percent))}%` })),
      el("span", { class: "result-count" }, `${row.votes} · ${percentText(row.percent)} %`),
    ),
  );
  const verdict = result.no_quorum ? t.poll.no_quorum : result.passed ? withChosen(t.poll.passed, result) : t.poll.not_passed;
  const notVoted = result.not_voted || [];
  const named = result.named && (result.named.length || notVoted.length)
    ? el(
        "details",
        { class: "result-named" },
        el("summary", {}, interpolate(t.poll.named_list, { count: result.named.length + notVoted.length })),
        el("ul", {}, ...result.named.map((entry) =>
          el("li", {}, el("span", {}, entry.name + (entry.proxy_name ? ` (${interpolate(t.poll.by_proxy, { name: entry.proxy_name })})` : "")),
            el("strong", {}, entry.choice_ids.map((id) => labels.get(id)).join(", "))))),
        notVoted.length
          ? el("p", { class: "did-not-vote" }, interpolate(t.poll.not_voted_names, {
              names: notVoted.map((entry) => entry.name + (entry.proxy_name ? ` (${interpolate(t.poll.proxy_held_by, { name: entry.proxy_name })})` : "")).join(", "),
            }))
          : null,
      )
    : null;
  return el(
    "div",
    { class: "result", dataset: { poll: String(poll.id), passed: String(result.passed) } },
    el("div", { class: `verdict ${result.passed ? "passed" : "not-passed"}` }, verdict),
    el("ul", { class: "result-rows" }, ...rows),
    el("p", { class: "muted small result-base" },
      interpolate(t.poll.base, { base: result.base, needed: result.needed, rule: t.poll.majorities[poll.majority] || poll.majority_label }),
      " ", interpolate(result.ballots === 1 ? t.poll.ballots_one : t.poll.ballots_other, { count: result.ballots }),
      result.not_voted_weight ? " " + interpolate(t.poll.not_voted_count, { count: result.not_voted_weight }) : ""),
    named,
  );
}

export function progressView(poll, t) {
  const progress = poll.progress || { voted: 0, eligible: 0 };
  const share = progress.eligible ? (100 * progress.voted) / progress.eligible : 0;
  return el(
    "div",
    { class: "poll-progress", dataset: { poll: String(poll.id) } },
    el("div", { class: "progress-text" }, interpolate(t.poll.progress, progress)),
    el("div", { class: "result-bar big" }, el("span", { style: `width: ${share}%` })),
  );
}

export function mountVoting({ store, send, t, toast, checkIn, connection }) {
  const $ = (id) => document.getElementById(id);
  const me = () => store.state.me;
  const dismissed = new Set();
  const picked = new Map(); // participant id → chosen choice ids, until confirmed
  const sentChoice = new Map(); // "poll:voter" → the labels this tablet cast
  const sending = new Set();
  const missed = new Set(); // votes this tablet's ballot reached only after they closed

  const livePolls = () => store.state.polls.filter((poll) => poll.mode === "live");
  const openPoll = () => livePolls().find((poll) => poll.state === "open");
  const participantById = (id) => store.state.attendance.participants.find((p) => p.id === id);
  const present = (p) => p && ["present", "late"].includes(p.attendance);

  /** Whose ballots this tablet may cast: one's own if present, and an absent giver's if one holds their proxy. */
  function myVoters() {
    const mine = participantById(me().participant_id);
    if (!mine || !present(mine)) return [];
    const voters = mine.can_vote ? [mine] : [];
    for (const proxy of store.state.proxies) {
      const giver = participantById(proxy.giver_id);
      if (proxy.holder_id === mine.id && giver && !present(giver)) voters.push(giver);
    }
    return voters;
  }

  const votedFor = (poll) => new Set(store.state.my_votes[String(poll.id)] || []);

  // ---- the ballot ------------------------------------------------------------------------
  // The chair runs the vote from the console: their own ballot waits behind "Vote now" in the
  // vote's card instead of covering the controls that close it. Once per vote: "Vote now" brings it.
  const offeredToChair = new Set();
  function chairBallotWaits() {
    const poll = openPoll();
    if (poll && me().is_chair && !offeredToChair.has(poll.id)) {
      offeredToChair.add(poll.id);
      dismissed.add(poll.id);
    }
  }

  const hideBallot = () => {
    const poll = openPoll();
    if (poll) dismissed.add(poll.id);
    renderPolls();
    renderBallot();
  };
  const ballotFocus = dialogFocus($("ballot"), { onEscape: hideBallot });

  function renderBallot() {
    chairBallotWaits();
    const box = $("ballot");
    const poll = openPoll();
    const voters = poll ? myVoters() : [];
    const done = poll ? votedFor(poll) : new Set();
    const pending = voters.filter((voter) => !done.has(voter.id) || poll.allow_change);
    if (!poll || !voters.length || dismissed.has(poll.id)) {
      if (!box.hidden) { box.hidden = true; ballotFocus.closed(); }
      return;
    }
    const focus = ballotFocus.remember();
    box.hidden = false;
    const cards = voters.map((voter) => ballotCard(poll, voter, done.has(voter.id)));
    box.replaceChildren(
      el(
        "div",
        { class: "ballot-sheet", role: "dialog", "aria-modal": "true", "aria-labelledby": "ballot-question" },
        el("div", { class: "ballot-kicker" }, poll.secret ? t.poll.secret_ballot : t.poll.open_ballot),
        el("h2", { id: "ballot-question", tabindex: "-1" }, poll.question),
        poll.max_choices > 1 ? el("p", { class: "muted" }, interpolate(t.poll.choose_up_to, { count: poll.max_choices })) : null,
        ...cards,
        el("div", { class: "ballot-foot" },
          progressView(poll, t),
          // The chair who has voted closes the vote from here, not after putting the ballot away first.
          me().is_chair && !pending.length && store.state.meeting.state === "in_progress"
            ? el("button", { class: "button primary", type: "button", dataset: { action: "ballot-close-poll" }, onclick: () => closePoll(poll) }, t.poll.close)
            : null,
          el("button", { class: "button", type: "button", dataset: { action: "hide-ballot" }, onclick: hideBallot },
            pending.length ? t.poll.later : t.poll.hide)),
      ),
    );
    ballotFocus.drawn(focus);
  }

  function ballotCard(poll, voter, voted) {
    const own = voter.id === me().participant_id;
    const title = own ? t.poll.your_ballot : interpolate(t.poll.proxy_ballot, { name: voter.name });
    const key = `${poll.id}:${voter.id}`;
    if (sending.has(key)) {
      return el("section", { class: "ballot-card sending" }, el("h3", {}, title),
        el("p", {}, connection.online ? t.poll.sending : t.poll.sending_offline));
    }
    if (voted && !poll.allow_change) {
      // What this tablet sent, said back (known here only: the server never tells a ballot's choice);
      // not for a secret ballot, which a neighbour's glance must not read either.
      const choice = poll.secret ? null : sentChoice.get(key);
      return el("section", { class: "ballot-card voted", dataset: { voter: String(voter.id) } }, el("h3", {}, title),
        el("p", { class: "voted-text" }, "✓ " + (own ? t.poll.voted : interpolate(t.poll.proxy_voted, { name: voter.name }))),
        choice ? el("p", { class: "voted-choice" }, interpolate(t.poll.you_chose, { choice })) : null);
    }
    const chosen = picked.get(key) || [];
    const choiceButtons = poll.choices.map((choice) =>
      el(
        "button",
        {
          type: "button",
          class: `choice meaning-${choice.meaning} ${chosen.includes(choice.id) ? "chosen" : ""}`,
          "aria-pressed": String(chosen.includes(choice.id)),
          dataset: { choice: String(choice.id) },
          onclick: () => {
            let next;
            if (poll.max_choices === 1) next = [choice.id];
            else if (chosen.includes(choice.id)) next = chosen.filter((id) => id !== choice.id);
            else if (chosen.length < poll.max_choices) next = [...chosen, choice.id];
            else { toast(interpolate(t.poll.choose_up_to, { count: poll.max_choices }), "error"); return; }
            picked.set(key, next);
            renderBallot();
          },
        },
        choiceLabel(choice, t),
      ),
    );
    const labels = chosen.map((id) => choiceLabel(poll.choices.find((c) => c.id === id) || {}, t)).join(", ");
    const confirm = chosen.length
      ? el(
          "div",
          { class: "ballot-confirm" },
          el("p", {}, interpolate(t.poll.confirm, { choice: labels })),
          el("button", { class: "button primary big", type: "button", dataset: { action: "confirm" }, onclick: () => cast(poll, voter, chosen) }, t.poll.send),
          el("button", { class: "button", type: "button", dataset: { action: "change" }, onclick: () => { picked.delete(key); renderBallot(); } }, t.poll.change),
        )
      : null;
    return el(
      "section",
      { class: "ballot-card", dataset: { voter: String(voter.id) } },
      el("h3", {}, title, voted ? el("span", { class: "muted small" }, ` · ${t.poll.voted_can_change}`) : null),
      el("div", { class: "choices" }, ...choiceButtons),
      confirm,
    );
  }

  async function cast(poll, voter, choices) {
    const key = `${poll.id}:${voter.id}`;
    const fields = { poll_id: poll.id, choices };
    if (voter.id !== me().participant_id) fields.for_participant_id = voter.id;
    sending.add(key);
    renderBallot();
    const reply = await send("ballot.cast", fields);
    if (reply.type === "ack") sentChoice.set(key, choices.map((id) => choiceLabel(poll.choices.find((c) => c.id === id) || {}, t)).join(", "));
    picked.delete(key);
    ballotAnswered(poll.id, voter.id, reply);
  }

  // What became of a ballot, sent now or by this tablet's page before a reload.
  function ballotAnswered(pollId, voterId, reply) {
    sending.delete(`${pollId}:${voterId}`);
    if (reply.type === "ack" || reply.code === "already_voted") rememberVoted(pollId, [voterId]);
    if (reply.code === "poll_closed") {
      missed.add(pollId);
      const poll = livePolls().find((p) => p.id === pollId);
      if (poll && poll.state !== "open") showResult(poll);
    }
    renderBallot();
  }

  // A reloaded page still has in its outbox the ballots sent offline before: shown as on their way.
  function ballotsStillQueued() {
    for (const command of connection.outbox) {
      if (command.type === "ballot.cast") sending.add(`${command.poll_id}:${command.for_participant_id ?? me().participant_id}`);
    }
  }

  function rememberVoted(pollId, voterIds) {
    const list = store.state.my_votes[String(pollId)] || [];
    store.state.my_votes[String(pollId)] = [...new Set([...list, ...voterIds])];
  }

  // Voted from their other tablet (or laptop): a recorded vote names who has voted, so this one stops
  // offering the ballot. A secret vote names no one; this one learns it when its ballot is refused.
  function learnVotedElsewhere(progress) {
    if (!progress.voters) return;
    const voted = new Set(progress.voters);
    const mine = myVoters().filter((voter) => voted.has(voter.id)).map((voter) => voter.id);
    if (mine.length) rememberVoted(progress.poll_id, mine);
  }

  // ---- the polls card: the chair's controls, results, who has not voted -------------------
  function renderPolls() {
    chairBallotWaits();
    const card = $("polls-card");
    const chairLive = me().is_chair && store.state.meeting.state === "in_progress";
    const currentItem = store.state.meeting.current_item_id;
    // Prepared ones reach only the chair's and secretaries' screens; one kept from before a change of role stays hidden.
    const polls = livePolls().filter((poll) => poll.state !== "draft" || me().is_chair || me().keeps_attendance);
    const list = $("polls");
    card.hidden = !polls.length && !chairLive;
    $("poll-create").hidden = !chairLive || onRecess(store.state.meeting);
    // The vote under way first, then the current item's, then the rest in order.
    // A vote of no item in particular belongs to no later item: it stays in sight.
    const rank = (poll) => (poll.state === "open" ? 0 : poll.agenda_item_id === currentItem || poll.agenda_item_id === null ? 1 : 2);
    const ordered = [...polls].sort((a, b) => rank(a) - rank(b));
    const oneOpen = polls.some((poll) => poll.state === "open");
    // Every ballot draws the list again: the chair's keyboard stays on "Close the vote", on the same
    // vote's control when it is still there (a new current item reorders the list), else nearby.
    const active = document.activeElement;
    const pollId = list.contains(active) ? active.closest("li[data-poll]")?.dataset.poll : null;
    const action = pollId ? active.dataset.action : null;
    // Those who prepare votes see every one: the ones for now stay in sight, the others (later items,
    // earlier results) fold away, so the agenda is not pushed a screen further down.
    const now = ordered.filter((poll) => rank(poll) < 2);
    const later = ordered.filter((poll) => rank(poll) === 2);
    const fold = (me().is_chair || me().keeps_attendance) && now.length > 0 && later.length > 0;
    const wasOpen = list.querySelector("details.polls-later")?.open || (pollId && later.some((poll) => String(poll.id) === pollId));
    const entries = (polls) => polls.map((poll) => pollEntry(poll, chairLive, oneOpen));
    // replaceChildren writes a null out as the text "null": the folded part is added only when there is one.
    const folded = fold
      ? [el("li", { class: "polls-later-item" },
        el("details", { class: "polls-later", open: Boolean(wasOpen) },
          el("summary", {}, interpolate(t.poll.others, { count: later.length })),
          el("ul", { class: "polls" }, ...entries(later))))]
      : [];
    redrawKeepingFocus(list, POLL_CONTROLS, () => list.replaceChildren(...entries(fold ? now : ordered), ...folded));
    if (action) list.querySelector(`li[data-poll="${pollId}"] [data-action="${action}"]`)?.focus();
  }

  function pollEntry(poll, chairLive, oneOpen) {
    const item = store.state.agenda.find((i) => i.id === poll.agenda_item_id);
    const parts = [
      el("div", { class: "poll-head" },
        el("span", { class: `badge poll-${poll.state}` }, t.poll.states[poll.state]),
        poll.secret ? el("span", { class: "badge" }, t.poll.secret) : null,
        // The same question again after an annulled vote: said, or the room sees two alike.
        poll.repeat_of ? el("span", { class: "badge revote" }, t.poll.revote) : null,
        item ? el("span", { class: "muted small", title: item.title }, interpolate(t.poll.of_item, { number: item.number })) : null),
      el("div", { class: "poll-question" }, poll.question),
    ];
    if (poll.state === "open") {
      parts.push(progressView(poll, t));
      const done = votedFor(poll);
      if (dismissed.has(poll.id) && myVoters().some((voter) => !done.has(voter.id))) {
        parts.push(el("button", { class: "button primary", type: "button", dataset: { action: "show-ballot" }, onclick: () => { dismissed.delete(poll.id); renderPolls(); renderBallot(); } }, t.poll.vote_now));
      }
      if (me().keeps_attendance && !poll.secret && poll.progress) parts.push(notVotedView(poll));
      const mine = participantById(me().participant_id);
      // A member not yet marked present gets no ballot: say why, and how to get one.
      if (mine?.can_vote && !present(mine)) {
        const selfCheckin = store.state.meeting.allow_self_checkin;
        parts.push(el("p", { class: "small not-checked-in" }, selfCheckin ? t.poll.check_in_to_vote : t.poll.ask_secretary_to_vote));
        if (selfCheckin) parts.push(el("button", { class: "button primary", type: "button", dataset: { action: "check-in" }, onclick: () => checkIn() }, t.poll.check_in));
      }
    }
    if (poll.state === "closed" && poll.result) parts.push(resultView(poll, t));
    if (poll.state === "annulled") parts.push(annulledView(poll, t));
    if (chairLive) {
      const buttons = [];
      // One vote at a time: the others wait for it to close rather than offer what would be refused.
      if (poll.state === "draft" && !oneOpen && !onRecess(store.state.meeting)) buttons.push(el("button", { class: "button primary", type: "button", dataset: { action: "open-poll" }, onclick: () => askToOpen(poll, item) }, t.poll.open));
      if (poll.state === "open") buttons.push(el("button", { class: "button primary", type: "button", dataset: { action: "close-poll" }, onclick: () => closePoll(poll) }, t.poll.close));
      if (poll.state === "open" || poll.state === "closed") buttons.push(el("button", { class: "button danger", type: "button", dataset: { action: "annul-poll" }, onclick: () => annul(poll) }, poll.state === "open" ? t.poll.annul_open : t.poll.annul));
      parts.push(el("div", { class: "row" }, ...buttons));
    }
    return el("li", { class: `poll poll-${poll.state}`, dataset: { poll: String(poll.id) } }, ...parts);
  }

  function notVotedView(poll) {
    const voted = new Set(poll.progress.voters || []);
    // An absent member whose proxy holder is here has a ballot waiting too: the chair can remind the holder.
    const heldBy = new Map(store.state.proxies.filter((proxy) => present(participantById(proxy.holder_id))).map((proxy) => [proxy.giver_id, proxy]));
    const waiting = store.state.attendance.participants.filter((p) => p.can_vote && !voted.has(p.id) && (present(p) || heldBy.has(p.id)));
    const named = (p) => (present(p) ? p.name : `${p.name} (${interpolate(t.poll.proxy_held_by, { name: heldBy.get(p.id).holder_name })})`);
    return el("p", { class: "small not-voted" }, waiting.length ? `${t.poll.not_voted}: ${waiting.map(named).join(", ")}` : t.poll.all_voted);
  }

  // A vote prepared for another item than the one under discussion is asked about first: a tap on the
  // wrong card would put a question to the room out of turn.
  function askToOpen(poll, item) {
    const current = store.state.meeting.current_item_id;
    if (item && current && item.id !== current && !window.confirm(interpolate(t.poll.open_other_item, { number: item.number }))) return;
    send("poll.open", { poll_id: poll.id });
  }

  // Closing is final (a mistake can only be annulled and voted again), so a tap that would leave
  // members present without their say asks first.
  function closePoll(poll) {
    const progress = poll.progress || { voted: 0, eligible: 0 };
    const waiting = progress.eligible - progress.voted;
    if (waiting > 0 && !window.confirm(interpolate(t.poll.close_early, { waiting, ...progress }))) return;
    send("poll.close", { poll_id: poll.id });
  }

  // One dialog asks the reason and whether to vote again, and only its own button goes ahead: a
  // second native question read "Cancel" as "do not repeat" and annulled all the same.
  function annul(poll) {
    const dialog = $("annul-dialog");
    const form = dialog.querySelector("form");
    form.reset();
    dialog.querySelector("[data-field=question]").textContent = poll.question;
    const action = poll.state === "open" ? t.poll.annul_open : t.poll.annul;
    dialog.querySelector("[data-field=title]").textContent = action;
    dialog.querySelector("[data-action=annul-confirm]").textContent = action;
    dialog.returnValue = "";
    const reason = form.elements.reason;
    // A reason of spaces alone is no reason: the dialog stays open and says so.
    reason.oninput = () => reason.setCustomValidity(reason.value.trim() ? "" : t.poll.reason_needed);
    reason.oninput();
    dialog.onclose = () => {
      // Votes coming in redraw the list under the dialog: the keyboard goes back to this vote's row.
      $("polls").querySelector(`li[data-poll="${poll.id}"] [data-action=annul-poll]`)?.focus();
      if (dialog.returnValue !== "annul" || !reason.value.trim()) return;
      // The state the chair saw goes with it: the server refuses if the vote closed meanwhile, as
      // cancelling an open vote is not annulling a result.
      send("poll.annul", { poll_id: poll.id, reason: reason.value.trim(), repeat: form.elements.repeat.checked, expected_state: poll.state });
    };
    dialog.showModal();
  }

  $("poll-create").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const fields = {
      question: form.elements.question.value,
      secret: form.elements.secret.checked,
      majority: form.elements.majority.value,
      agenda_item_id: store.state.meeting.current_item_id,
    };
    const known = new Set(store.state.polls.map((poll) => poll.id));
    const reply = await send("poll.create", fields);
    if (reply.type !== "ack") return;
    form.reset();
    // Put to the vote on the spot: the question just made is opened as soon as this screen has it
    // (its event may come a moment after the acknowledgement). Refused (no quorum), it stays prepared.
    const deadline = Date.now() + 5000;
    const openWhenSeen = () => {
      const made = store.state.polls.find((poll) => !known.has(poll.id) && poll.state === "draft" && poll.question === fields.question.trim().replace(/\s+/g, " "));
      if (made) {
        send("poll.open", { poll_id: made.id }).then((reply) => {
          // Said once with the refusal: the question was not lost, it waits in the list.
          if (reply.type === "error") toast(`${reply.message} ${t.poll.kept_prepared}`, "error");
        });
      }
      else if (Date.now() < deadline) setTimeout(openWhenSeen, 100);
    };
    openWhenSeen();
  });

  // A result appears on every screen when the poll closes, until dismissed.
  const hideResult = () => { $("poll-result").hidden = true; resultFocus.closed(); };
  const resultFocus = dialogFocus($("poll-result"), { onEscape: hideResult });
  function showResult(poll) {
    const box = $("poll-result");
    const focus = resultFocus.remember();
    box.replaceChildren(
      el("div", { class: "ballot-sheet", role: "dialog", "aria-modal": "true", "aria-labelledby": "poll-result-question" },
        el("div", { class: "ballot-kicker" }, endedKicker(poll, t)),
        el("h2", { id: "poll-result-question", tabindex: "-1" }, poll.question),
        missed.has(poll.id) ? el("p", { class: "notice ballot-missed", role: "alert" }, t.poll.ballot_missed) : null,
        poll.state === "annulled" ? annulledView(poll, t) : resultView(poll, t),
        el("div", { class: "ballot-foot" }, el("button", { class: "button", type: "button", dataset: { action: "hide-result" }, onclick: hideResult }, t.poll.hide))),
    );
    box.hidden = false;
    if (!$("ballot").hidden) { $("ballot").hidden = true; ballotFocus.closed(); }
    resultFocus.drawn(focus);
  }

  // Which votes this screen last saw open: a vote that closed while the tablet was offline comes
  // back in the reconnection's snapshot, not as an event, and its result is shown all the same.
  let seenOpen = null;
  const rememberOpen = () => { seenOpen = new Set(livePolls().filter((poll) => poll.state === "open").map((poll) => poll.id)); };
  function catchUpResults() {
    const ended = seenOpen ? livePolls().filter((poll) => seenOpen.has(poll.id) && poll.state !== "open") : [];
    const shown = ended.filter((poll) => poll.state === "annulled" || poll.result).at(-1);
    if (shown) showResult(shown);
    rememberOpen();
  }

  return {
    render() { renderPolls(); renderBallot(); },
    /** A member with a vote, or holding someone's proxy: checked in or not (the votes say how to be). */
    mayVote() {
      const mine = participantById(me().participant_id);
      return Boolean(mine && (mine.can_vote || store.state.proxies.some((proxy) => proxy.holder_id === mine.id)));
    },
    /** Whether this tablet still has a ballot to cast in the vote open now (its own, or a proxy's). */
    ballotOwed() {
      const poll = openPoll();
      if (!poll) return false;
      const done = votedFor(poll);
      return myVoters().some((voter) => !done.has(voter.id));
    },
    onSnapshot() { ballotsStillQueued(); renderPolls(); renderBallot(); catchUpResults(); },
    onEarlierCommand(command, reply) {
      if (command.type === "ballot.cast") ballotAnswered(command.poll_id, command.for_participant_id ?? me().participant_id, reply);
    },
    onEvent(kind, event) {
      // An annulled vote is announced as its result would have been: the room must know it does not stand.
      // Written opinions close on their own time, outside the room: their result is not the room's to stop for.
      const inTheRoom = event.poll?.mode === "live";
      if (inTheRoom && (kind === "poll.close" || (kind === "poll.annul" && event.poll.state === "annulled"))) showResult(event.poll);
      if (kind === "poll.open" && inTheRoom) $("poll-result").hidden = true;
      // The room has moved on from the result (its screen was cleared): the tablets put it away too.
      if (kind === "projector.clear" && !$("poll-result").hidden) hideResult();
      if (kind === "poll.progress") learnVotedElsewhere(event.progress);
      if (kind.startsWith("poll.") || kind === "proxy.update" || kind === "attendance.update") { renderPolls(); renderBallot(); }
      // Opened, the vote moves to the top of the list: whoever runs it is shown it there, with its progress
      // and "Close the vote", not left looking at the results that took its place.
      if (kind === "poll.open" && (me().is_chair || me().keeps_attendance)) {
        document.querySelector(`#polls li[data-poll="${event.poll.id}"]`)?.scrollIntoView({ block: "nearest", behavior: "smooth" });
      }
      if (kind.startsWith("poll.")) rememberOpen();
    },
  };
}
