"""Bench-only settings: the project's settings plus one bare JSON view (bench/_bare_urls.py).

Used only by bench/calls.py (DJANGO_SETTINGS_MODULE=_bare_settings with bench/ on
PYTHONPATH). The production URLconf never contains the bare view: nothing in the
project imports this module, and bench/ is not a package or an installed app.
"""

from callcenter.settings import *  # noqa: F403

ROOT_URLCONF = "_bare_urls"
