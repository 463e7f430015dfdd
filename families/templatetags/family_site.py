"""Links inside one network's family website (issue 18): `{% family_url "page" slug %}` keeps the network code
of the address the visitor came by (`site_code` in the context), and gives the plain /families/ addresses of
the deployment's first network when there is none."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from units.models import default_network_id

register = template.Library()


@register.simple_tag(takes_context=True)
def family_url(context: template.Context, name: str, *args: Any) -> str:
    code = context.get("site_code")
    if code:
        return reverse(f"families:network_{name}", args=[code, *args])
    return reverse(f"families:{name}", args=args)


@register.simple_tag(takes_context=True)
def page_address(context: template.Context, page: Any) -> str:
    """A page's public address: /families/SLUG/ on the deployment's first network's website, else
    /families/network/CODE/SLUG/ (the first network looked up once per template render)."""
    cache = context.render_context
    if "family_first_network" not in cache:
        cache["family_first_network"] = default_network_id()
    if page.network_id is None or page.network_id == cache["family_first_network"]:
        return reverse("families:page", args=[page.slug])
    return reverse("families:network_page", args=[page.network.code.lower(), page.slug])
