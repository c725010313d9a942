from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "shebao.certificates"
    label = "certificates"
    verbose_name = _("参保证明")
    default_auto_field = "django.db.models.BigAutoField"
