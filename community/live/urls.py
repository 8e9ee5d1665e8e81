from django.urls import path

from community.live import stream

app_name = "live"

# One prefix, /live/, for the load balancer to send to the event-stream servers.
urlpatterns = [
    path("videos/<slug:slug>/", stream.video_events, name="video-events"),
]
