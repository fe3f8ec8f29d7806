# One 24-hour clock everywhere (Django's English formats say "4:38 a.m.").
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
