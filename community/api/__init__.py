"""What fans do, through the API: a module per resource, as in community.views and
community.services.

Serializers validate the request; the services in `community.services` do the writing, exactly as
for the HTML pages, so figures like a video's rating count or a list's item count stay right.
Comments are read as the pages read them, through community.threads.
"""
