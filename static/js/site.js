// The privacy-friendly player: nothing is fetched from YouTube until the fan presses play.
// Without JavaScript the facade is a plain link to the video on YouTube.
document.addEventListener("click", (event) => {
  const facade = event.target.closest("a.player-facade");
  if (!facade) return;
  event.preventDefault();
  const frame = document.createElement("iframe");
  frame.src = facade.dataset.embed;
  frame.title = facade.dataset.title;
  frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
  frame.allowFullscreen = true;
  facade.replaceWith(frame);
  frame.focus();
});

// Styles that only make sense with this script running (the rating saves on choice, so its
// "Save rating" button is hidden): they hang off this class.
document.documentElement.classList.add("has-js");

// The star control saves as soon as a fan picks: a click, or arrows, which move through the half
// stars one by one, so wait for the arrows to stop before sending. Without JavaScript the form's
// button saves.
let ratingTimer;
document.addEventListener("change", (event) => {
  const radio = event.target.closest(".star-input input[type=radio]");
  if (!radio) return;
  clearTimeout(ratingTimer);
  ratingTimer = setTimeout(() => radio.form.requestSubmit(), 400);
});

// Forms marked data-fragment-form="name" (the rating widget) are sent in the background and the
// server's fresh widget replaces the old one, so the page doesn't jump. Without JavaScript, or on
// any network error, the form posts normally.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-fragment-form]");
  if (!form || !window.fetch) return;
  event.preventDefault();
  const name = form.dataset.fragmentForm;
  // A fan choosing with the keyboard keeps the focus on the stars in the fresh widget.
  const onStars = form.querySelector(".star-input")?.contains(document.activeElement);
  const body = new FormData(form, event.submitter);
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body,
      headers: { "X-Fragment": name },
      credentials: "same-origin",
    });
    if (!response.ok && response.status !== 400) throw new Error(response.statusText);
    const holder = document.createElement("div");
    holder.innerHTML = await response.text();
    const fresh = holder.querySelector(`[data-fragment="${name}"]`);
    const old = form.closest(`[data-fragment="${name}"]`);
    if (!fresh || !old) throw new Error("unexpected response");
    // The fan picked another star while this was on its way: that choice is sent next, and
    // its answer replaces the widget (this one would move the stars back under their keys).
    const picked = form.querySelector(".star-input input:checked")?.value ?? null;
    if (!event.submitter && picked !== body.get("score")) return;
    old.replaceWith(fresh);
    const chosen = onStars && fresh.querySelector(".star-input input:checked");
    if (chosen) {
      chosen.focus();
    } else {
      const status = fresh.querySelector("[role=status], [role=alert]");
      if (status) status.focus?.();
    }
  } catch {
    form.submit();
  }
});

// Search as you type: the header's search form shows the first results under the box.
// The form itself works without JavaScript (it opens the search page).
(() => {
  const form = document.querySelector("form[data-suggest]");
  if (!form || !window.fetch) return;
  const input = form.querySelector("input[name=q]");
  const box = form.querySelector(".suggestions");
  let timer;
  let latest = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (!q) { box.innerHTML = ""; return; }
      const ticket = ++latest;
      const url = `${form.dataset.suggest}?suggest=1&q=${encodeURIComponent(q)}`;
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (ticket !== latest || !response.ok) return;
        box.innerHTML = await response.text();
      } catch { /* the full search page still works */ }
    }, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") box.innerHTML = "";
  });
})();

// Moment links in comments ("1:23") start the embedded player at that second: the facade becomes
// the player with start=…, or a player already playing is reloaded there. Without JavaScript the
// link opens the video on YouTube at that moment.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.moment[data-seconds]");
  const player = document.querySelector(".player");
  if (!link || !player) return;
  const facade = player.querySelector("a.player-facade");
  const frame = player.querySelector("iframe");
  const source = facade ? facade.dataset.embed : frame?.src;
  if (!source) return;
  event.preventDefault();
  const url = new URL(source, document.baseURI);
  url.searchParams.set("start", link.dataset.seconds);
  url.searchParams.set("autoplay", "1");
  if (facade) {
    facade.dataset.embed = url.href;
    facade.click(); // the player facade's own handler swaps in the iframe
  } else {
    frame.src = url.href;
  }
  player.scrollIntoView({ behavior: "smooth", block: "center" });
});

// The header's menus (the phone's menu, a fan's own pages) are <details> that work without
// JavaScript; with it, a click elsewhere or Escape closes them, as people expect of a menu.
(() => {
  const menus = document.querySelectorAll("details.site-menu, details.account-menu");
  if (!menus.length) return;
  document.addEventListener("click", (event) => {
    for (const menu of menus) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    // The innermost open menu closes first.
    const open = [...menus].filter((menu) => menu.open && menu.contains(document.activeElement));
    const menu = open.at(-1) || [...menus].find((candidate) => candidate.open);
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
})();

// Filter forms marked data-apply-on-change (the videos' filters) apply a choice at once; without
// JavaScript their button does it.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-apply-on-change]");
  if (form && event.target.matches("select")) form.requestSubmit();
});
