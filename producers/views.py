"""The producer portal, /producer/: private pages, never cached, each limited to the
producers the signed-in person has access to (any other id answers 404)."""

import functools
import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from catalogue import images, qrcodes
from catalogue.models import Producer, Product, ProductImage
from catalogue.models.stars import NEWEST_FIRST
from certification.models import Certificate
from trade.models import Enquiry

from . import audit, invitations
from .forms import PortalLoginForm, ProducerProposalForm, ProductProposalForm
from .models import (
    AuditEvent,
    Invitation,
    Proposal,
    ProposedPhoto,
    key_label,
    renewal_due,
    shown_value,
)

INVITATION_SESSION_KEY = "_producer_invitation_token"
SET_PASSWORD_TOKEN = "set-password"


def producers_of(user):
    return Producer.objects.filter(
        pk__in=Invitation.objects.active().filter(user=user).values("producer")
    )


def portal_view(view):
    """Signed in, not staff, with access to at least one producer; never cached."""

    @functools.wraps(view)
    @never_cache
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("producers:login"))
        request.producers = producers_of(user) if not user.is_staff else Producer.objects.none()
        if not request.producers.exists():
            logout(request)
            messages.error(request, _("This account has no access to a producer's portal."))
            return redirect("producers:login")
        return view(request, *args, **kwargs)

    return wrapped


@method_decorator(never_cache, name="dispatch")
class PortalLoginView(auth_views.LoginView):
    template_name = "producers/login.html"
    authentication_form = PortalLoginForm
    redirect_authenticated_user = False

    def get_default_redirect_url(self):
        return reverse("producers:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session.set_expiry(settings.PRODUCER_SESSION_AGE)
        audit.record(AuditEvent.Action.SIGNED_IN, form.get_user(), request=self.request)
        return response


class PortalLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("producers:login")

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            audit.record(AuditEvent.Action.SIGNED_OUT, request.user, request=request)
        return super().post(request, *args, **kwargs)


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def accept_invitation(request, uidb64, token):
    """The invitation's link: Django's reset-confirm flow (the token leaves the address
    for the session before the form is shown, so it never leaks in a Referer)."""
    if token != SET_PASSWORD_TOKEN:
        invitation = invitations.from_link(uidb64, token)
        if invitation is None:
            return render(request, "producers/invitation_invalid.html", status=404)
        request.session[INVITATION_SESSION_KEY] = token
        return redirect("producers:accept", uidb64=uidb64, token=SET_PASSWORD_TOKEN)
    invitation = invitations.from_link(uidb64, request.session.get(INVITATION_SESSION_KEY, ""))
    if invitation is None:
        return render(request, "producers/invitation_invalid.html", status=404)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            invitations.accept(invitation, request)
        del request.session[INVITATION_SESSION_KEY]
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.set_expiry(settings.PRODUCER_SESSION_AGE)
        messages.success(request, _("Your password is set: welcome to your producer portal."))
        return redirect("producers:home")
    return render(request, "producers/set_password.html", {"form": form, "invitation": invitation})


@require_safe
@portal_view
def home(request):
    today = timezone.localdate()
    producers = list(request.producers.select_related("commune").order_by("name"))
    ratings = Certificate.objects.order_by(*NEWEST_FIRST)
    products = list(
        Product.objects.filter(producer__in=producers)
        .select_related("producer", "category")
        .with_current_stars(today)
        .prefetch_related(
            Prefetch("certificates", queryset=ratings),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk")),
        )
        .order_by("producer__name", "name", "pk")
    )
    for product in products:
        product.renew_before = renewal_due(product.current_certificate, today)
    proposals = (
        Proposal.objects.filter(producer__in=producers)
        .select_related("product", "producer")
        .order_by("-created_at", "-pk")[:50]
    )
    enquiries = (
        Enquiry.objects.filter(product__producer__in=producers)
        .exclude(status=Enquiry.Status.SPAM)
        .select_related("product")
        .order_by("-created_at", "-pk")[:50]
    )
    context = {
        "producers": producers,
        "products": products,
        "proposals": proposals,
        "enquiries": enquiries,
        "today": today,
    }
    return render(request, "producers/home.html", context)


def propose(request, form, producer, product=None):
    """Store the form's changes as a pending proposal; the object itself is untouched."""
    with transaction.atomic(), images.written_files_removed_on_error():
        proposal = Proposal.objects.create(
            producer=producer, product=product, author=request.user, changes=form.changes()
        )
        photo = form.cleaned_data.get("photo")
        if photo:
            content, _decoded = images.store_original(photo, f"proposal-{proposal.pk}")
            ProposedPhoto.objects.create(
                proposal=proposal,
                image=content,
                alt_text=form.cleaned_data.get("photo_alt", ""),
            )
        audit.record(AuditEvent.Action.PROPOSED, request.user, producer, str(proposal), request)
    messages.success(
        request, _("Your proposal was sent. The public page changes once staff approve it.")
    )
    return redirect("producers:proposal", pk=proposal.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view
def edit_producer(request, pk):
    producer = get_object_or_404(request.producers, pk=pk)
    form = ProducerProposalForm(request.POST or None, instance=producer)
    if request.method == "POST" and form.is_valid():
        return propose(request, form, producer)
    producer.refresh_from_db()  # undo what validation copied onto it
    context = {"form": form, "producer": producer}
    return render(
        request, "producers/producer_form.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view
def edit_product(request, pk):
    queryset = Product.objects.filter(producer__in=request.producers).select_related("producer")
    product = get_object_or_404(queryset, pk=pk)
    form = ProductProposalForm(request.POST or None, request.FILES or None, instance=product)
    if request.method == "POST":
        try:
            if form.is_valid():
                return propose(request, form, product.producer, product)
        except images.MediaWriteError:
            form.add_error(None, _("Photo storage is unavailable: nothing was sent."))
    product.refresh_from_db()
    context = {"form": form, "product": product}
    return render(
        request, "producers/product_form.html", context, status=400 if form.errors else 200
    )


@require_safe
@portal_view
def product_qr(request, pk, kind):
    product = get_object_or_404(Product.objects.filter(producer__in=request.producers), pk=pk)
    response = HttpResponse(product.qr_code(kind), content_type=qrcodes.CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{product.public_code}.{kind}"'
    return response


@require_safe
@portal_view
def proposal_detail(request, pk):
    proposal = get_object_or_404(
        Proposal.objects.filter(producer__in=request.producers).select_related(
            "product", "producer", "author"
        ),
        pk=pk,
    )
    target = proposal.target
    rows = [
        (key_label(target, key), shown_value(change["old"]), shown_value(change["new"]))
        for key, change in proposal.changes.items()
    ]
    return render(request, "producers/proposal_detail.html", {"proposal": proposal, "rows": rows})


def photo_response(photo) -> FileResponse:
    try:
        file = photo.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = FileResponse(file, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@portal_view
def proposed_photo(request, pk):
    queryset = ProposedPhoto.objects.filter(proposal__producer__in=request.producers)
    return photo_response(get_object_or_404(queryset, pk=pk))
