"""An enquiry, by email to the product's producer (if an address is on record) and to staff."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def recipients(product) -> list[str]:
    producer_email = product.producer.email if product.producer else ""
    return list(
        dict.fromkeys([*([producer_email] if producer_email else []), *settings.STAFF_EMAILS])
    )


def send_enquiry(enquiry, product) -> None:
    """Email the enquiry; record to whom, or that sending failed (the enquiry is kept)."""
    to = recipients(product)
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("trade/enquiry_email_subject.txt", {"enquiry": enquiry})
        body = render_to_string(
            "trade/enquiry_email.txt",
            {
                "enquiry": enquiry,
                "product_url": settings.SITE_URL.rstrip("/") + product.get_absolute_url(),
            },
        )
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=to[:1],
        bcc=to[1:],  # the producer never sees the staff's addresses, nor they the producer's
        reply_to=[enquiry.email],
    )
    try:
        message.send()
    except Exception as error:  # SMTP down, refused, timed out: the enquiry is still kept
        logger.warning("enquiry email failed: %s", type(error).__name__)
        enquiry.email_failed = True
    else:
        enquiry.emailed_to = "\n".join(to)
    enquiry.save(update_fields=["emailed_to", "email_failed"])
