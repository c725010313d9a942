from django.conf import settings


def site(request):
    return {"SHEBAO_SITES": settings.SHEBAO_SITES}
