"""Links inside one network's family website (issue 18): `{% family_url "page" slug %}` keeps the network code
of the address the visitor came by (`site_code` in the context), and gives the plain /families/ addresses of
the deployment's first network when there is none."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def family_url(context: template.Context, name: str, *args: Any) -> str:
    code = context.get("site_code")
    if code:
        return reverse(f"families:network_{name}", args=[code, *args])
    return reverse(f"families:{name}", args=args)
