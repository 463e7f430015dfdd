from django.http import HttpRequest

from reporting.access import may_read_reports
from units.access import Action, may, user_roles


def navigation(request: HttpRequest) -> dict[str, object]:
    """Roles drive which links the header shows; access itself is enforced in units.access."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": set(), "nav_may": {}}
    return {
        "nav_roles": user_roles(user),
        "nav_may": {
            "create": may(user, Action.EDIT),
            "files": may(user, Action.IMPORT) or may(user, Action.EXPORT),
            "import": may(user, Action.IMPORT),
            "families": may(user, Action.FAMILY_SITE),
            "reports": may_read_reports(user),  # a regional lead reads its region's reports
            "accounts": may(user, Action.MANAGE_ACCOUNTS),
            "invite": may(user, Action.INVITE),
        },
    }
