# Vietnamese write dates day first with slashes, as on OCOP decisions: 31/12/2025.
SHORT_DATE_FORMAT = "d/m/Y"
