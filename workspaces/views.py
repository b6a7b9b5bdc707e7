from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from maps.models import JourneyMap


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    maps = JourneyMap.objects.visible_to(request.user).order_by("-updated_at")[:200]
    return render(request, "dashboard.html", {"maps": maps})
