from django.http import HttpRequest

from units.access import user_roles


def navigation(request: HttpRequest) -> dict[str, object]:
    """Roles drive which links the header shows; access itself is enforced in units.access."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": set()}
    return {"nav_roles": user_roles(user)}
