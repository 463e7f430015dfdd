"""CSV upload and download pages (owned by the import/export work)."""

from django.http import HttpRequest, HttpResponse


def import_upload(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def export_download(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
