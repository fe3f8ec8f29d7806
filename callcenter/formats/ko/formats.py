# One 24-hour clock everywhere (Django's Korean formats say "오전 4:38"): the centre runs day and night.
DATE_FORMAT = "Y년 n월 j일"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y년 n월 j일 H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
