from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from programme.models import Campaign


def current_campaign() -> Campaign | None:
    """The campaign of this year, or the latest before it (the programme's figures the public reads)."""
    return Campaign.objects.current()


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    """The programme presented to everyone, from the 2021 flyer; the year's figures (national
    envelope, the CTAI's socle) are the current campaign's, read from its parameters."""
    return render(request, "web/home.html", {"campaign": current_campaign()})
