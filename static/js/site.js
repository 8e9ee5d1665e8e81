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
