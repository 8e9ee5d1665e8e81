"""English dates as the site has always written them: "14 November 2022", "November 2022".

Korean and Japanese fall back to Django's own formats ("2022년 11월 14일", "2022年11月14日").
"""

DATE_FORMAT = "j F Y"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
