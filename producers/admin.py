"""Staff's side of the producer portal: invitations and access, the queue of proposed
changes (a field-by-field diff and the photos side by side; approve or reject with a
reason), and the audit trail. Commune editors see only their communes' producers."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from editors.roles import CommuneScopedAdminMixin

from . import invitations, moderation
from .models import (
    AuditEvent,
    Invitation,
    Proposal,
    ProposedPhoto,
    current_value,
    key_label,
    shown_value,
)
from .views import photo_response

EMPTY = "—"


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["producer", "email", "role"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        invitations.check_email(email)
        return email


@admin.register(Invitation)
class InvitationAdmin(CommuneScopedAdminMixin, admin.ModelAdmin):
    commune_path = "producer__commune"
    form = InvitationForm
    list_display = [
        "email",
        "producer",
        "role",
        "status",
        "invited_by",
        "invited_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role", "invited_at", "accepted_at", "revoked_at"]
    list_select_related = ["producer", "invited_by"]
    search_fields = ["email", "producer__name"]
    autocomplete_fields = ["producer"]
    actions = ["revoke", "send_again"]
    readonly_fields = [
        "status",
        "user",
        "invited_by",
        "invited_at",
        "accepted_at",
        "revoked_at",
        "revoked_by",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["producer", "email", "role"]
        return ["producer", "email", "role", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["producer", "email", "role", *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record of who was invited stays

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing is edited after the invitation; actions revoke or resend
        if not self.in_scope(request, obj):
            raise PermissionDenied
        obj.invited_by = request.user
        invitations.invite(obj, request)

    @admin.display(description=_("status"))
    def status(self, invitation):
        return invitation.status

    @admin.action(description=_("Revoke access of the selected accounts"), permissions=["change"])
    def revoke(self, request, queryset):
        count = invitations.revoke(queryset, request.user, request)
        message = ngettext("%d access was revoked.", "%d accesses were revoked.", count)
        self.message_user(request, message % count, messages.SUCCESS)

    @admin.action(description=_("Send the invitation again (new link)"), permissions=["change"])
    def send_again(self, request, queryset):
        pending = list(queryset.pending().select_related("user", "producer"))
        for invitation in pending:
            invitations.send_invitation(invitation, request)
        message = ngettext("%d invitation was sent.", "%d invitations were sent.", len(pending))
        self.message_user(request, message % len(pending), messages.SUCCESS)


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Proposal.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Proposal.Status.values:
            return queryset.filter(status=self.value())
        return queryset


class DecisionForm(forms.ModelForm):
    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve: apply the changes")), (REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Proposal
        fields = ["reason"]

    def clean(self):
        cleaned = super().clean()
        proposal = self.instance
        if proposal.status != Proposal.Status.PENDING:
            raise ValidationError(_("This proposal was already decided."))
        decision = cleaned.get("decision")
        if decision == self.REJECT and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the producer a reason for the rejection."))
        if decision == self.APPROVE:
            if stale := proposal.stale_fields():
                raise ValidationError(
                    _(
                        "Staff changed %(fields)s since this proposal was made: it cannot be "
                        "applied. Reject it, or ask the producer to propose again."
                    )
                    % {"fields": ", ".join(stale)}
                )
        return cleaned


@admin.register(Proposal)
class ProposalAdmin(CommuneScopedAdminMixin, admin.ModelAdmin):
    commune_path = "producer__commune"
    form = DecisionForm
    list_display = [
        "__str__",
        "producer",
        "changed_fields",
        "photo_count",
        "author",
        "created_at",
        "status",
        "is_stale",
    ]
    list_filter = [StatusFilter, "created_at"]
    list_select_related = ["producer", "product", "author"]
    search_fields = ["producer__name", "product__name", "author__email"]
    readonly_fields = [
        "target_link",
        "author",
        "created_at",
        "status",
        "diff",
        "photos_side_by_side",
        "decided_by",
        "decided_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("photos")

    def get_fieldsets(self, request, obj=None):
        shown = [
            (
                None,
                {
                    "fields": [
                        "target_link",
                        "author",
                        "created_at",
                        "status",
                        "diff",
                        "photos_side_by_side",
                    ]
                },
            )
        ]
        if obj is not None and obj.status == Proposal.Status.PENDING:
            return [*shown, (_("Decision"), {"fields": ["decision", "reason"]})]
        return [*shown, (_("Decision"), {"fields": ["decided_by", "decided_at", "reason"]})]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Proposal.Status.PENDING:
            return [*self.readonly_fields, "reason"]
        return self.readonly_fields

    def has_add_permission(self, request):
        return False  # proposals come from the portal only

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != Proposal.Status.PENDING:
            return False  # decided: a record, shown read-only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not self.in_scope(request, obj):
            raise PermissionDenied
        try:
            if form.cleaned_data["decision"] == DecisionForm.APPROVE:
                moderation.approve(obj, request.user, request)
            else:
                moderation.reject(obj, request.user, form.cleaned_data["reason"], request)
        except moderation.ProposalConflict as error:
            request.proposal_conflict = True
            self.message_user(request, str(error), messages.ERROR)
        obj.refresh_from_db()

    def response_change(self, request, obj):
        if getattr(request, "proposal_conflict", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def get_urls(self):
        view = self.admin_site.admin_view(self.photo_view)
        return [path("photo/<int:pk>/", view, name="producers_proposal_photo"), *super().get_urls()]

    def photo_view(self, request, pk):
        photo = ProposedPhoto.objects.select_related("proposal__producer").filter(pk=pk).first()
        if photo is None or not self.has_view_permission(request, photo.proposal):
            raise Http404
        return photo_response(photo)

    @admin.display(description=_("changes"))
    def changed_fields(self, proposal):
        target = proposal.target
        return ", ".join(str(key_label(target, key)) for key in proposal.changes) or EMPTY

    @admin.display(description=_("photos"))
    def photo_count(self, proposal):
        return len(proposal.photos.all())

    @admin.display(description=_("made stale by a staff edit"), boolean=True)
    def is_stale(self, proposal):
        if proposal.status != Proposal.Status.PENDING:
            return None
        return bool(proposal.stale_fields())

    @admin.display(description=_("proposed for"))
    def target_link(self, proposal):
        target = proposal.target
        opts = target._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
        return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, target)

    @admin.display(description=_("changes, field by field"))
    def diff(self, proposal):
        if not proposal.changes:
            return EMPTY
        target = proposal.target
        stale = (
            set(proposal.stale_fields()) if proposal.status == Proposal.Status.PENDING else set()
        )
        rows = []
        for name, change in proposal.changes.items():
            label = key_label(target, name)
            note = ""
            if name in stale:
                note = format_html(
                    "<br><strong>{}</strong> {}",
                    _("Changed by staff since:"),
                    _show(current_value(target, name)),
                )
            rows.append((label, _show(change["old"]), _show(change["new"]), note))
        body = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}{}</td></tr>", rows)
        return format_html(
            '<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("field"),
            _("current (old)"),
            _("proposed (new)"),
            body,
        )

    @admin.display(description=_("photos, side by side"))
    def photos_side_by_side(self, proposal):
        photos = list(proposal.photos.all())
        if not photos:
            return EMPTY
        current = list(proposal.product.images.all()) if proposal.product_id else []
        now = format_html_join(
            "", '<img src="{}" alt="{}" width="160">', ((i.image.url, i.alt) for i in current)
        )
        proposed = format_html_join(
            "",
            '<img src="{}" alt="{}" width="160">',
            ((reverse("admin:producers_proposal_photo", args=[p.pk]), p.alt_text) for p in photos),
        )
        return format_html(
            '<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
            "<tbody><tr><td>{}</td><td>{}</td></tr></tbody></table>",
            _("photos now"),
            _("proposed photos"),
            now or EMPTY,
            proposed,
        )


def _show(value):
    text = shown_value(value)
    if not text:
        return _("(empty)")
    return format_html('<span class="proposal-value">{}</span>', text)


@admin.register(AuditEvent)
class AuditEventAdmin(CommuneScopedAdminMixin, admin.ModelAdmin):
    commune_path = "producer__commune"
    list_display = ["at", "action", "username", "producer", "detail", "address"]
    list_filter = ["action", "at"]
    list_select_related = ["producer"]
    search_fields = ["username", "detail", "producer__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
