from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    """The programme presented to everyone, from the 2021 flyer."""
    return render(request, "web/home.html")
