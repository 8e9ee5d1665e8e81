"""Live video pages: what a write publishes (events), how it reaches every server (bus), how
each reader gets it rendered in their language with the page's own markup (render), and the
Server-Sent Events endpoint that streams it (stream, limits)."""
