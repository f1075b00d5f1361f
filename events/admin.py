from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .forms import AddEntrantsForm
from .models import Entrant, Event, EventImage, NewsImage, NewsItem, Session, Speaker


class EventImageInline(admin.TabularInline):
    model = EventImage
    extra = 0
    fields = ["image", "alt_text", "position"]


class EntrantFormSet(BaseInlineFormSet):
    def clean(self):
        """A product enters an event once: two rows naming it get a message, not a 500."""
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            product = form.cleaned_data.get("product")
            if product is None:
                continue
            if product.pk in seen:
                form.add_error(
                    "product", gettext("This product is already an entrant of this event.")
                )
            seen.add(product.pk)


class EntrantInline(admin.TabularInline):
    model = Entrant
    formset = EntrantFormSet
    extra = 0
    autocomplete_fields = ["product", "producer"]
    fields = [
        "product",
        "producer",
        "booth",
        "award",
        "rank",
        "score",
        "product_story",
        "packaging_concept",
        "market_idea",
        "value_chain_plan",
    ]
    show_change_link = True


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["title", "day", "starts_at", "ends_at", "room"]
    show_change_link = True


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "starts_on", "ends_on", "venue", "commune", "is_published"]
    list_filter = ["kind", "is_published", "status"]
    search_fields = ["name", "name_en", "name_fr", "venue", "organiser", "slug"]
    date_hierarchy = "first_day"
    autocomplete_fields = ["commune", "sources"]
    readonly_fields = ["add_entrants_link"]
    inlines = [EventImageInline, SessionInline, EntrantInline]
    fieldsets = [
        (None, {"fields": ["kind", "name", "slug", "status", "is_published"]}),
        (
            _("Dates"),
            {
                "fields": [
                    ("starts_on", "starts_on_precision"),
                    ("ends_on", "ends_on_precision"),
                ],
                "description": _("Leave a date empty when no source gives it."),
            },
        ),
        (
            _("Place and organiser"),
            {"fields": ["venue", "address", "commune", "organiser", "website"]},
        ),
        (_("Description"), {"fields": ["description", "description_en", "description_fr"]}),
        (_("Translations of the name"), {"fields": ["name_en", "name_fr"]}),
        (_("Sources and entrants"), {"fields": ["sources", "add_entrants_link"]}),
    ]

    @admin.display(description=_("Many entrants at once"))
    def add_entrants_link(self, event):
        if not event.pk:
            return gettext("Save the event first.")
        url = reverse("admin:events_event_add_entrants", args=[event.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Add entrants in bulk"))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/add-entrants/",
                self.admin_site.admin_view(self.add_entrants_view),
                name="events_event_add_entrants",
            ),
            *super().get_urls(),
        ]

    def add_entrants_view(self, request, object_id):
        event = get_object_or_404(Event, pk=object_id) if object_id.isdigit() else None
        if event is None:
            return redirect("admin:events_event_changelist")
        may_add = request.user.has_perm("events.add_entrant")
        if not (self.has_change_permission(request, event) and may_add):
            raise PermissionDenied
        posted = request.method == "POST"
        form = AddEntrantsForm(
            request.POST if posted else None,
            request.FILES if posted else None,
            event=event,
            admin_site=self.admin_site,
        )
        if posted and form.is_valid():
            added, already = form.save()
            message = ngettext("%(count)d entrant added.", "%(count)d entrants added.", added) % {
                "count": added
            }
            if already:
                message += " " + ngettext(
                    "%(count)d product was already an entrant.",
                    "%(count)d products were already entrants.",
                    already,
                ) % {"count": already}
            self.message_user(request, message, messages.SUCCESS)
            return redirect("admin:events_event_change", event.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Add entrants to %(event)s") % {"event": event},
            "opts": self.model._meta,
            "original": event,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/events/event/add_entrants.html", context)


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 1


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "day", "starts_at", "room"]
    list_filter = ["event"]
    search_fields = ["title", "topic", "speakers__name"]
    autocomplete_fields = ["event"]
    inlines = [SpeakerInline]


@admin.register(Entrant)
class EntrantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "event", "booth", "award", "rank", "score"]
    list_filter = ["event"]
    search_fields = ["product__name", "producer__name", "award", "booth"]
    autocomplete_fields = ["event", "product", "producer"]
    list_select_related = ["event", "product", "producer"]


class NewsImageInline(admin.TabularInline):
    model = NewsImage
    extra = 0
    max_num = 1
    fields = ["image", "alt_text"]


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "published_on", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title", "title_en", "title_fr", "summary"]
    date_hierarchy = "published_on"
    autocomplete_fields = ["products", "events", "sources"]
    inlines = [NewsImageInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "published_on", "is_published", "summary", "body"]}),
        (_("English"), {"fields": ["title_en", "summary_en", "body_en"]}),
        (_("French"), {"fields": ["title_fr", "summary_fr", "body_fr"]}),
        (_("Related"), {"fields": ["products", "events", "sources"]}),
    ]
