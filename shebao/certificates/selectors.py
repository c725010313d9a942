"""Reading certificates: the issuer's own list, and the public verification of a number."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from .models import Certificate
from .numbers import is_well_formed, normalise
from .services import content_digest

VALID, ALTERED, UNKNOWN, INVALID = "valid", "altered", "unknown", "invalid"


@dataclass(frozen=True)
class Verification:
    status: str  # valid | altered (content changed after issue) | unknown (well-formed, not issued) | invalid
    number: str
    certificate: Certificate | None = None

    @property
    def ok(self) -> bool:
        return self.status == VALID


def certificate_verify(number: str) -> Verification:
    number = normalise(number)
    certificate = Certificate.objects.select_related("employer", "person").filter(number=number).first()
    if certificate is not None:
        if content_digest(certificate.content) != certificate.digest:
            return Verification(ALTERED, number)
        return Verification(VALID, number, certificate)
    return Verification(UNKNOWN if is_well_formed(number) else INVALID, number)


def verify_url(number: str) -> str:
    """The absolute public URL printed into the certificate's QR code."""
    return settings.SHEBAO_PUBLIC_URL + reverse("certificates:verify", args=[number])


def certificates_for(*, employer=None, person=None):
    """Certificates issued by this employer, or for this individual (issued by themselves)."""
    if employer is not None:
        return Certificate.objects.filter(employer=employer).select_related("person")
    return Certificate.objects.filter(person=person, employer__isnull=True)


def certificate_for(*, number: str, employer=None, person=None) -> Certificate | None:
    return certificates_for(employer=employer, person=person).filter(number=normalise(number)).first()
