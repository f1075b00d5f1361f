"""Dates known to the day, the month or only the year, as sources give them.

A partial date is stored as two fields: the first day of the period it names, and its
precision. Nothing is made more precise than the source: 06/2021 is shown as 06/2021, and
computations use the earliest or the latest day of the period, as the question requires.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

# 30/06/2021, 06/2021 or 2021; a dash or a dot also separates.
PARTIAL_DATE = re.compile(r"^(?:(?:(\d{1,2})[/.-])?(\d{1,2})[/.-])?(\d{4})$")


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


@dataclass(frozen=True)
class PartialDate:
    first_day: datetime.date
    precision: str = Precision.DAY

    @classmethod
    def parse(cls, text: str) -> "PartialDate | None":
        """'30/06/2021', '06/2021' or '2021' (day first); '' is None. ValueError otherwise."""
        text = text.strip()
        if not text:
            return None
        match = PARTIAL_DATE.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a date (dd/mm/yyyy, mm/yyyy or yyyy)")
        day, month, year = match.groups()
        if day:
            return cls(datetime.date(int(year), int(month), int(day)), Precision.DAY)
        if month:
            return cls(datetime.date(int(year), int(month), 1), Precision.MONTH)
        return cls(datetime.date(int(year), 1, 1), Precision.YEAR)

    @property
    def last_day(self) -> datetime.date:
        day = self.first_day
        if self.precision == Precision.YEAR:
            return day.replace(month=12, day=31)
        if self.precision == Precision.MONTH:
            return day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return day

    @property
    def precision_label(self) -> str:
        return str(Precision(self.precision).label)

    def __str__(self) -> str:
        """At its precision, in the active language's formats."""
        if self.precision == Precision.YEAR:
            return str(self.first_day.year)
        if self.precision == Precision.MONTH:
            return formats.date_format(self.first_day, "YEAR_MONTH_FORMAT")
        return formats.date_format(self.first_day, "SHORT_DATE_FORMAT")

    def text(self) -> str:
        """The way the sources and the import write it: 30/06/2021, 06/2021, 2021."""
        if self.precision == Precision.YEAR:
            return f"{self.first_day:%Y}"
        if self.precision == Precision.MONTH:
            return f"{self.first_day:%m/%Y}"
        return f"{self.first_day:%d/%m/%Y}"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day where it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def partial(date: datetime.date | None, precision: str) -> PartialDate | None:
    return PartialDate(date, precision or Precision.DAY) if date else None
