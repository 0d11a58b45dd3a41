from django.http import HttpResponse


def dashboard(request):
    return HttpResponse("")


def export_table(request):
    return HttpResponse("")
