// Live video pages: new talk, likes, edits and moderators' removals, the rating figures and the
// premiere arrive while the page is open, from the video's event stream (Server-Sent Events).
// Every piece of HTML comes from the server, rendered by the page's own templates in the page's
// language for this reader; this script only puts it in place. Without JavaScript, or without
// EventSource, the page is as it was rendered and a reload shows what is new.
(() => {
  const page = document.querySelector("[data-live]");
  if (!page || !window.EventSource) return;
  const HIDDEN_CLOSE_MS = 60_000; // a page nobody looks at lets its stream go
  let source = null;
  let lastId = "";
  let retry = null;
  let hiddenTimer = null;
  let failures = 0;
  const pending = new Map(); // comment id -> article waiting for the fan to finish typing in it

  const parse = (html) => {
    const holder = document.createElement("template");
    holder.innerHTML = (html || "").trim();
    return holder.content.firstElementChild;
  };
  const params = new URLSearchParams(location.search);

  // ---- The stream -----------------------------------------------------------------------------

  function address() {
    const url = new URL(page.dataset.live, document.baseURI);
    url.searchParams.set("last", lastId || page.dataset.liveLast);
    return url.href;
  }

  function open() {
    clearTimeout(retry);
    if (source || document.hidden) return;
    source = new EventSource(address());
    const on = (name, handle) =>
      source.addEventListener(name, (event) => {
        if (event.lastEventId) lastId = event.lastEventId;
        failures = 0;
        handle(event.data ? JSON.parse(event.data) : {});
      });
    on("comment", comment);
    on("rating", (data) => swap("rating", data.html));
    on("premiere", (data) => swap("premiere", data.html));
    on("caught-up", () => {});
    on("reset", () => { close(); notice(page.dataset.liveReset, location.href); });
    on("bye", (data) => { close(); later(data.reconnect || 0); });
    source.addEventListener("error", () => {
      // A dropped connection is retried by the browser itself; a refused one (too many streams
      // open, a server error) is closed for good: try again later, a little later each time.
      if (source && source.readyState === EventSource.CLOSED) {
        close();
        failures += 1;
        later(Math.min(300_000, 5_000 * 2 ** failures) * (0.5 + Math.random()));
      }
    });
  }

  function close() {
    if (source) source.close();
    source = null;
  }

  function later(ms) {
    clearTimeout(retry);
    retry = setTimeout(open, ms);
  }

  document.addEventListener("visibilitychange", () => {
    clearTimeout(hiddenTimer);
    if (document.hidden) hiddenTimer = setTimeout(close, HIDDEN_CLOSE_MS);
    else open();
  });
  window.addEventListener("pagehide", close);
  window.addEventListener("pageshow", (event) => { if (event.persisted) open(); });

  // ---- Talk -----------------------------------------------------------------------------------

  function busy(article) {
    // The fan is writing a reply or a report in it: replacing it would lose their words.
    if (article.contains(document.activeElement)) return true;
    return [...article.querySelectorAll("textarea")].some((area) => area.value.trim());
  }

  function replace(old, fresh) {
    if (busy(old)) pending.set(old.id, fresh);
    else old.replaceWith(fresh);
  }

  document.addEventListener("focusout", () => {
    setTimeout(() => {
      for (const [id, fresh] of pending) {
        const old = document.getElementById(id);
        if (!old) pending.delete(id);
        else if (!busy(old)) { old.replaceWith(fresh); pending.delete(id); }
      }
    });
  });

  function comment(data) {
    const id = `comment-${data.id}`;
    const old = document.getElementById(id);
    if (data.remove) {
      if (old) (old.closest(".comment-list > li, .reply-list > li") || old).remove();
      pending.delete(id);
      return;
    }
    const fresh = parse(data.html); // a thread's <li>, or a reply's <article>
    if (!fresh) return;
    const article = fresh.id === id ? fresh : fresh.querySelector(`#${id}`);
    if (!article) return;
    if (old) { replace(old, article); return; }
    if (data.parent) reply(data.parent, article);
    else thread(fresh);
  }

  function thread(item) {
    const section = document.getElementById("comments");
    if (!section) return;
    const sort = params.get("sort") || "newest";
    const last = !section.querySelector("a[rel=next]");
    // New talk belongs at the top of the newest-first page, or at the end of the oldest-first
    // one; elsewhere the fan is told where to find it.
    if (params.get("after") || !(sort === "newest" || (sort === "oldest" && last))) {
      const url = new URL(location.href);
      url.search = "";
      url.hash = "comments";
      notice(page.dataset.liveNewest, url.href);
      return;
    }
    let list = section.querySelector(".comment-list");
    if (!list) {
      list = document.createElement("ol");
      list.className = "comment-list";
      const empty = section.querySelector(":scope > .empty");
      if (empty) empty.replaceWith(list);
      else section.append(list);
    }
    if (sort === "newest") list.prepend(item);
    else list.append(item);
    announce();
  }

  function reply(parentId, article) {
    const parent = document.getElementById(`comment-${parentId}`);
    const item = parent && parent.closest("li");
    // Not on this page, or the page shows only its first replies: the thread's page has it.
    if (!item || item.querySelector(":scope > .more-replies")) return;
    let replies = item.querySelector(":scope > .reply-list");
    if (!replies) {
      replies = document.createElement("ol");
      replies.className = "reply-list";
      replies.setAttribute("aria-label", page.dataset.liveReplies);
      parent.after(replies);
    }
    const li = document.createElement("li");
    li.append(article);
    replies.append(li);
    announce();
  }

  let status = null;
  function announce() {
    if (!status) {
      status = document.createElement("p");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.getElementById("comments")?.append(status);
    }
    status.textContent = "";
    setTimeout(() => { status.textContent = page.dataset.liveNew; }, 50);
  }

  function notice(text, href) {
    const section = document.getElementById("comments") || page;
    let box = section.querySelector(".live-notice");
    if (!box) {
      box = document.createElement("p");
      box.className = "live-notice";
      box.setAttribute("role", "status");
      const heading = section.querySelector("h2");
      if (heading) heading.after(box);
      else section.prepend(box);
    }
    const link = document.createElement("a");
    link.href = href;
    link.textContent = text;
    box.replaceChildren(link);
  }

  // ---- Rating figures and the premiere --------------------------------------------------------

  // The fresh widget replaces the old one, except for the fan's own form, which stays as it is
  // (what they picked, their focus).
  function swap(name, html) {
    const old = document.querySelector(`[data-fragment="${name}"]`);
    const fresh = parse(html);
    if (!fresh) { if (old) old.remove(); return; }
    if (!old) {
      if (name === "premiere") page.querySelector('[data-fragment="rating"]')?.before(fresh);
      startCountdowns(fresh);
      return;
    }
    const hasForm = (element) => element.matches("form") || element.querySelector("form");
    const forms = [...old.children].filter(hasForm);
    const next = [...fresh.children].map((child) => (hasForm(child) && forms.shift()) || child);
    // Moving the kept forms blurs whatever had the focus in them (a star chosen by keyboard):
    // it gets the focus back, or the fan's next arrow key would scroll the page.
    const focused = old.contains(document.activeElement) ? document.activeElement : null;
    old.className = fresh.className;
    old.replaceChildren(...next, ...forms);
    if (focused?.isConnected && document.activeElement !== focused) {
      focused.focus({ preventScroll: true });
    }
    startCountdowns(old);
  }

  open();
})();

// Premieres: the time in the fan's own time zone, and a countdown to the minute. Without
// JavaScript the page shows the time in the zone it was announced in and how long is left.
const startCountdowns = (root = document) => {
  const lang = document.documentElement.lang || undefined;
  for (const time of root.querySelectorAll("time[data-local-time]")) {
    const when = new Date(time.dateTime);
    if (Number.isNaN(when.getTime())) continue;
    time.title = time.title || time.textContent.trim();
    time.textContent = new Intl.DateTimeFormat(lang, {
      year: "numeric", month: "long", day: "numeric", weekday: "short",
      hour: "numeric", minute: "2-digit", timeZoneName: "short",
    }).format(when);
  }
  for (const counter of root.querySelectorAll("[data-countdown]")) {
    const until = new Date(counter.dataset.countdown).getTime();
    if (Number.isNaN(until) || counter.dataset.counting) continue;
    counter.dataset.counting = "1";
    const tick = () => {
      const left = until - Date.now();
      if (left <= 0) {
        counter.textContent = counter.dataset.countdownDone;
        return;
      }
      counter.textContent = counter.dataset.countdownTemplate.replace("{left}", duration(left, lang));
      setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
    };
    tick();
  }
};

function duration(ms, lang) {
  let seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86400);
  seconds %= 86400;
  const parts = { hours: Math.floor(seconds / 3600), minutes: Math.floor((seconds % 3600) / 60), seconds: seconds % 60 };
  if (days) parts.days = days;
  if (Intl.DurationFormat) return new Intl.DurationFormat(lang, { style: "short" }).format(parts);
  return ["days", "hours", "minutes", "seconds"]
    .filter((unit) => unit in parts)
    .map((unit) => new Intl.NumberFormat(lang, {
      style: "unit", unit: unit.slice(0, -1), unitDisplay: "short",
    }).format(parts[unit]))
    .join(" ");
}

startCountdowns();
