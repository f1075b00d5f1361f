from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.clients import rate_limit_key

from . import verification


@require_safe
def verify(request):
    query = verification.clean_query(request.GET.get("q", ""))
    if query and verification.over_limit(rate_limit_key(request)):
        minutes = settings.VERIFY_RATE_LIMIT_SECONDS // 60
        return render(
            request, "certification/verify_limited.html", {"minutes": minutes}, status=429
        )
    return render(
        request,
        "certification/verify.html",
        {
            "query": query,
            "verdicts": verification.lookup(query) if query else [],
            "max_length": verification.MAX_QUERY_LENGTH,
        },
    )
