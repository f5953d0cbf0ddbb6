"""Compute on one thread, as the app does (vizcore/threads.py): faster and steadier on a busy 2-core host."""
from vizcore.threads import use_one_thread

use_one_thread()
