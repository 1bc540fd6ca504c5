"""Court hearings: recording one on a case, the family's reminders, reading the family's answer.

`book` records, changes and cancels a hearing in the caller's transaction and queues what the
family is sent; `schedule` turns HOTLINE_HEARING_REMINDERS into send times; `answer` reads a
date out of the family's own words. The advocates' side (the case page, the SMS command) and
STATUS (`bot/case_status.py`) call these.
"""

from .book import HearingError, Notices, cancel, record
from .schedule import ReminderPlan

__all__ = ["HearingError", "Notices", "ReminderPlan", "cancel", "record"]
