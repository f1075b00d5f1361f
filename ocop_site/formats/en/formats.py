# Foreign buyers read English pages: "31 Dec 2025" cannot be misread, 12/31/2025 can.
SHORT_DATE_FORMAT = "j M Y"
YEAR_MONTH_FORMAT = "M Y"
