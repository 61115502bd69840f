"""A helper module whose import takes a minute (for the time-limit tests)."""
import time

time.sleep(60)
