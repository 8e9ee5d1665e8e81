"""The site's settings as bench/run.py serves them: the same, but for the URLconf, which adds the
benchmark's floor (bench/urls.py). The site's own URLs carry no benchmark route."""

from fansite.settings import *  # noqa: F403  (every setting the site has, read the same way)

ROOT_URLCONF = "bench.urls"
