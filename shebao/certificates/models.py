from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.core.constraints import period_check


class Certificate(models.Model):
    """One issued certificate. `content` is the snapshot of what it attests, exactly as printed; `digest` is
    the SHA-256 of that snapshot, so a row edited after issue no longer verifies."""

    class Kind(models.TextChoices):
        EMPLOYER = "employer", _("单位参保证明")
        PERSON = "person", _("个人参保证明")
        TRANSFER = "transfer", _("参保缴费凭证")  # issued with a pension transfer out (H17)

    number = models.CharField(_("证明编号"), max_length=24, unique=True)
    kind = models.CharField(_("证明类型"), max_length=16, choices=Kind.choices)
    employer = models.ForeignKey(
        "employers.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    person = models.ForeignKey(
        "persons.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    start_period = models.PositiveIntegerField(_("起始期"))
    end_period = models.PositiveIntegerField(_("截止期"))
    content = models.JSONField(_("证明内容"))
    digest = models.CharField(_("内容摘要"), max_length=64)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("参保证明")
        verbose_name_plural = _("参保证明")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["employer", "issued_at"], name="certificate_employer_issued"),
            models.Index(fields=["person", "issued_at"], name="certificate_person_issued"),
        ]
        constraints = [
            period_check("start_period", "certificate_start_period_valid"),
            period_check("end_period", "certificate_end_period_valid"),
            models.CheckConstraint(
                condition=Q(end_period__gte=models.F("start_period")), name="certificate_range_ordered"
            ),
            models.CheckConstraint(
                condition=Q(kind="employer", employer__isnull=False, person__isnull=True)
                | Q(kind="person", person__isnull=False)
                | Q(kind="transfer", person__isnull=False, employer__isnull=False),
                name="certificate_kind_matches_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.number
