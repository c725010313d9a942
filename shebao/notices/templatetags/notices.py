from django import template
from django.utils import timezone

from shebao.notices.selectors import notices_current

register = template.Library()


@register.inclusion_tag("notices/_current.html")
def current_notices():
    """The notices in force today (Asia/Shanghai), for the public and portal home pages."""
    return {"notices": list(notices_current(today=timezone.localdate()))}
