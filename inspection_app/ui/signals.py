"""Process-wide signals between the app's start-up and its sessions (no Flet, no services)."""

from __future__ import annotations

import threading

#: Set once a session has drawn its first screen (``first_start.AppShell.show``): the start-up
#: thread then loads the rest (the other screens, the sweep of half-written photos).
first_screen_shown = threading.Event()
