"""The programme's public life: contests, fairs, exhibitions and seminars, with their entrants,
awards and seminar sessions; and the programme's news.

An event's dates are partial dates (core/dates.py), as the sources give them; either may be
unknown. Whether an event is upcoming, on or past is computed from the dates on a given day
(`on`, the site's date in Asia/Ho_Chi_Minh), from two stored days: the first day it can start
and the last day it can end.
"""

from .events import Entrant, Event, EventImage, Session, Speaker
from .news import NewsImage, NewsItem
from .pictures import Picture

__all__ = [
    "Entrant",
    "Event",
    "EventImage",
    "NewsImage",
    "NewsItem",
    "Picture",
    "Session",
    "Speaker",
]
