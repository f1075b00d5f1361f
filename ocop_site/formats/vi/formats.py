# Vietnamese write dates day first with slashes, as on OCOP decisions: 31/12/2025.
# Staff type them so in the admin too; Django's vi locale would read 01/06 as 6 January.
SHORT_DATE_FORMAT = "d/m/Y"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"]
YEAR_MONTH_FORMAT = "m/Y"
