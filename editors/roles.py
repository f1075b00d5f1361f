"""Who may edit what in the admin: the two editor groups and the commune scope.

Superusers and provincial editors see everything. A commune editor (a member of
the "Commune editors" group, or anyone with a CommuneEditor assignment) sees and
edits only the producers, products, images, links and certificates of the
communes assigned to them.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from .models import CommuneEditor

PROVINCIAL_EDITORS = "Provincial editors"
COMMUNE_EDITORS = "Commune editors"

ALL = ("add", "change", "delete", "view")
EDIT = ("add", "change", "view")
VIEW = ("view",)
REVIEW = ("change", "view")  # read and decide, never create or delete

# Group name -> {(app label, model name): actions}. setup_roles makes the groups exactly so.
ROLES: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    PROVINCIAL_EDITORS: {
        ("places", "commune"): ALL,
        ("places", "communealias"): ALL,
        ("catalogue", "category"): ALL,
        ("catalogue", "producer"): ALL,
        ("catalogue", "product"): ALL,
        ("catalogue", "productimage"): ALL,
        ("catalogue", "productlink"): ALL,
        ("marks", "qualitymark"): ALL,
        ("certification", "certificate"): ALL,
        ("corrections", "correctionreport"): ALL,
        # Official totals and leads are counted per province and district: provincial work.
        ("sources", "source"): ALL,
        ("sources", "officialfigure"): ALL,
        ("sources", "lead"): ALL,
        # The producer portal: invite and revoke, decide proposals, read the audit trail.
        ("producers", "invitation"): EDIT,
        ("producers", "proposal"): REVIEW,
        ("producers", "auditevent"): VIEW,
        # Where to buy and visit (trade).
        ("trade", "pointofsale"): ALL,
        ("trade", "saleschannel"): ALL,
        ("trade", "producerplace"): ALL,
        ("trade", "enquiry"): REVIEW,
    },
    COMMUNE_EDITORS: {
        ("places", "commune"): VIEW,
        ("catalogue", "category"): VIEW,
        ("catalogue", "producer"): EDIT,
        ("catalogue", "product"): EDIT,
        ("catalogue", "productimage"): EDIT,
        ("catalogue", "productlink"): EDIT,
        ("marks", "qualitymark"): VIEW,
        ("certification", "certificate"): EDIT,
        ("corrections", "correctionreport"): REVIEW,
        # The sources a commune editor cites for their communes' products and ratings.
        ("sources", "source"): EDIT,
        # Their communes' producers only (producers/admin.py scopes them).
        ("producers", "invitation"): EDIT,
        ("producers", "proposal"): REVIEW,
        ("producers", "auditevent"): VIEW,
        # Their communes' points of sale, shops, places and enquiries (trade/admin.py scopes them).
        ("trade", "pointofsale"): EDIT,
        ("trade", "saleschannel"): EDIT,
        ("trade", "producerplace"): EDIT,
        ("trade", "enquiry"): REVIEW,
    },
}


def editable_commune_ids(user) -> frozenset[int] | None:
    """The ids of the communes `user` may edit, or None when they may edit every commune.

    Cached on the user object, which lives as long as the request.
    """
    if not hasattr(user, "_editable_commune_ids"):
        user._editable_commune_ids = _commune_ids(user)
    return user._editable_commune_ids


def _commune_ids(user) -> frozenset[int] | None:
    if user.is_superuser or not user.is_authenticated:
        return None
    groups = set(user.groups.values_list("name", flat=True))
    if PROVINCIAL_EDITORS in groups:
        return None
    assignment = CommuneEditor.objects.filter(user=user).first()
    if assignment is None and COMMUNE_EDITORS not in groups:
        return None
    # A commune editor with no communes assigned yet sees nothing.
    return frozenset(assignment.communes.values_list("pk", flat=True) if assignment else [])


class CommuneScopedAdminMixin:
    """For a ModelAdmin whose objects belong to a commune through `commune_path`.

    Commune editors get only the objects of their communes: in changelists,
    change pages (others redirect to the admin index as if missing), autocomplete
    results and the choices of every producer, product or commune field.
    """

    commune_path: str = "commune"  # lookup from the model to its Commune

    # Model label -> (lookup from it to its commune, message for a choice outside the scope).
    SCOPED_CHOICES = {
        "places.commune": ("pk", _("Choose one of your communes.")),
        "catalogue.producer": ("commune", _("Choose a producer of your communes.")),
        "catalogue.product": ("producer__commune", _("Choose a product of your communes.")),
    }

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        communes = editable_commune_ids(request.user)
        if communes is None:
            return queryset
        return queryset.filter(**{f"{self.commune_path}__in": communes})

    def commune_id_of(self, obj) -> int | None:
        *path, last = self.commune_path.split("__")
        for name in path:
            obj = getattr(obj, name, None)
        return getattr(obj, f"{last}_id", None) if obj is not None else None

    def in_scope(self, request, obj) -> bool:
        communes = editable_commune_ids(request.user)
        return obj is None or communes is None or self.commune_id_of(obj) in communes

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        """Another commune's object has no history page either, even once deleted."""
        history = getattr(self.model, "history", None)  # django-simple-history's records
        if history is not None and self.get_object(request, unquote(object_id)) is None:
            try:
                records = history.filter(**{self.opts.pk.attname: unquote(object_id)})
                last = records.latest().instance
            except (history.model.DoesNotExist, ValueError, ValidationError):
                last = None
            if last is None or not self.in_scope(request, last):
                return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        # The form's choices already keep editors to their communes; this is the last guard.
        if not self.in_scope(request, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        communes = editable_commune_ids(request.user)
        scoped = self.SCOPED_CHOICES.get(db_field.related_model._meta.label_lower)
        if communes is not None and scoped:
            lookup, message = scoped
            kwargs["queryset"] = db_field.related_model._default_manager.filter(
                **{f"{lookup}__in": communes}
            )
            if db_field.name == self.commune_path:
                # A producer without a commune would vanish from its own editor's admin.
                kwargs["required"] = True
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.error_messages["invalid_choice"] = message
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
