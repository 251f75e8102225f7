// The live meeting's state on this screen: the snapshot, then each event replaces the part it carries.

export class LiveStore {
  constructor() {
    this.state = null;
    this.listeners = new Set();
    this.clockOffset = 0;
  }

  subscribe(listener) { this.listeners.add(listener); }

  emit(kind, detail) { for (const listener of this.listeners) listener(kind, detail); }

  /** Milliseconds on the server's clock, so every screen's timer agrees. */
  now() { return Date.now() + this.clockOffset; }

  loadSnapshot(snapshot) {
    this.state = snapshot.state;
    this.clockOffset = Date.parse(snapshot.server_time) - Date.now();
    this.emit("snapshot", null);
  }

  apply(event) {
    const state = this.state;
    if (!state) return;
    switch (event.type) {
      case "meeting.state":
        state.meeting = event.meeting;
        break;
      case "agenda.current":
        state.agenda = event.agenda;
        state.meeting.current_item_id = event.current_item_id;
        break;
      case "present.page":
      case "present.stop":
      case "present.handover":
        state.presentation = event.presentation;
        break;
      case "attendance.update":
        state.attendance = event.attendance;
        break;
      case "speaker.request":
      case "speaker.withdraw":
      case "speaker.start":
      case "speaker.end":
      case "speaker.extend":
      case "speaker.dismiss":
      case "speaker.allot":
        state.speakers = event.speakers;
        break;
      case "notice":
        state.notices = [...state.notices.slice(-2), event];
        break;
      case "presence":
        state.online = event.online;
        break;
      case "poll.update":
      case "poll.open":
      case "poll.close":
      case "poll.annul": {
        const index = state.polls.findIndex((poll) => poll.id === event.poll.id);
        if (index >= 0) state.polls[index] = event.poll;
        else {
          // A prepared vote reaches most screens only when it opens: it takes its place in the order.
          state.polls.push(event.poll);
          state.polls.sort((a, b) => a.position - b.position || a.id - b.id);
        }
        break;
      }
      case "poll.delete":
        state.polls = state.polls.filter((poll) => poll.id !== event.poll_id);
        break;
      case "poll.progress": {
        const poll = state.polls.find((p) => p.id === event.progress.poll_id);
        if (poll && poll.state === "open") poll.progress = event.progress;
        break;
      }
      case "proxy.update":
        state.proxies = event.proxies;
        break;
      case "minutes.update": {
        if (!state.minutes) return;
        const entries = state.minutes.entries;
        const index = entries.findIndex((entry) => entry.item_id === event.entry.item_id);
        const version = `${event.field}_version`;
        // Held back while this screen reconnected, an update can be older than the snapshot.
        if (index >= 0 && entries[index][version] > event.entry[version]) return;
        if (index >= 0) entries[index] = event.entry;
        else entries.push(event.entry);
        break;
      }
      case "projector.clear":
        break;
      case "minutes.conclusion":
        state.conclusions = { ...state.conclusions, [String(event.item_id ?? "")]: event.text };
        break;
      // Annotations and the live pen are kept by the viewer, per document.
      case "annotation.upsert":
      case "annotation.delete":
      case "stroke.points":
        break;
      // An event for other screens (a vote being prepared): its number, which the connection keeps, and nothing else.
      case "hidden":
      default:
        return;
    }
    this.emit(event.type, event);
  }
}

export function formatSeconds(total) {
  const sign = total < 0 ? "-" : "";
  const seconds = Math.abs(Math.round(total));
  return `${sign}${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** A moment as the room's clock shows it ("09:05"), in the meeting's time zone whatever the tablet's. */
/** After the meeting ended (meetings.models.HELD_STATES): its minutes, not its room, are what people come for. */
export const HELD_STATES = ["closed", "minutes_approved"];

/** "09/12": the day and month in the meeting's time zone, written as Vietnamese write them in any locale. */
export function dayMonth(moment, config) {
  const parts = new Intl.DateTimeFormat("en-GB", { day: "2-digit", month: "2-digit", timeZone: config.timeZone }).formatToParts(new Date(moment));
  const part = (type) => parts.find((p) => p.type === type)?.value;
  return `${part("day")}/${part("month")}`;
}

export function clockTime(moment, config) {
  return new Date(moment).toLocaleTimeString(document.documentElement.lang || "vi", {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: config.timeZone,
  });
}

/** The speaker's timer: the time left (negative once over), amber in the last half-minute, red after. */
export function showSpeechTimer(timer, speaking, now) {
  const left = speaking ? speaking.allotted_seconds - (now - Date.parse(speaking.started_at)) / 1000 : 0;
  timer.textContent = speaking ? formatSeconds(left) : "";
  timer.classList.toggle("over", Boolean(speaking) && left < 0);
  timer.classList.toggle("soon", Boolean(speaking) && left >= 0 && left <= 30);
}

/** A person as the room names them: "Name – position", or the name alone. */
export function personLabel(person) {
  return person.position ? `${person.name} – ${person.position}` : person.name;
}

export function interpolate(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

/** A page image at the rendered width nearest above `wantedWidth` (a quarter short is still sharp enough). */
export function pageUrl(config, documentId, versionId, page, wantedWidth) {
  const width = config.pageWidths.find((w) => w * 1.25 >= wantedWidth) ?? config.pageWidths.at(-1);
  return `${config.pagePrefix}/${documentId}/versions/${versionId}/pages/${page}/${width}.webp`;
}
