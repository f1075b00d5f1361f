"""Text fields kept in Vietnamese with optional English and French versions beside them."""

from django.utils.translation import get_language


class LocalizedText(str):
    """Text that knows its language, so templates can mark a Vietnamese fallback."""

    def __new__(cls, text: str, lang: str):
        instance = super().__new__(cls, text)
        instance.lang = lang
        return instance


class TranslatedFieldsMixin:
    """Models whose text fields have `_en` and `_fr` versions beside the Vietnamese."""

    def localized(self, field: str) -> LocalizedText:
        """The field in the active language, or the Vietnamese text when there is none."""
        language = (get_language() or "vi")[:2]
        translated = getattr(self, f"{field}_{language}", "") if language != "vi" else ""
        if translated:
            return LocalizedText(translated, language)
        return LocalizedText(getattr(self, field), "vi")
