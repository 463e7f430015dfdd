"""/families/: the public family website (no sign-in) and, under /families/manage/ and
/families/cases/, the staff screens. Page addresses may not use the site's own words (models.RESERVED_SLUGS)."""

from django.urls import URLPattern, path

from families.views import cases, manage, public

app_name = "families"


def _public(prefix: str = "", name: str = "") -> list[URLPattern]:
    """The public website: at /families/ the deployment's first network's, and at /families/network/CODE/ any
    network's (issue 18; names "network_home", "network_page"…). `{% family_url %}` links within one."""
    return [
        path(f"{prefix}", public.home, name=f"{name}home"),
        path(f"{prefix}events/", public.events, name=f"{name}events"),
        path(f"{prefix}feedback/", public.feedback, name=f"{name}feedback"),
        path(f"{prefix}booklet.pdf", public.booklet_pdf, name=f"{name}booklet_pdf"),
        path(f"{prefix}privacy/", public.privacy, name=f"{name}privacy"),
    ]


urlpatterns = [
    # Public
    *_public(),
    *_public("network/<slug:network>/", "network_"),
    path("network/<slug:network>/<slug:slug>/", public.page, name="network_page"),
    # Staff: a case's family support log
    path("cases/<int:pk>/", cases.case_log, name="case_log"),
    path("cases/<int:pk>/given/", cases.given_save, name="given_save"),
    path("cases/<int:pk>/consent/", cases.consent_save, name="consent_save"),
    path("cases/<int:pk>/contacts/", cases.contact_add, name="contact_add"),
    path("cases/<int:pk>/invitations/", cases.invitation_add, name="invitation_add"),
    path("cases/<int:pk>/invitations/<int:invitation_pk>/", cases.invitation_status, name="invitation_status"),
    # Staff: events, pages, feedback
    path("manage/", manage.dashboard, name="manage"),
    path("manage/events/", manage.event_list, name="event_list"),
    path("manage/events/calendar/", manage.event_calendar, name="event_calendar"),
    path("manage/events/new/", manage.event_edit, name="event_new"),
    path("manage/events/<int:pk>/", manage.event_detail, name="event_detail"),
    path("manage/events/<int:pk>/edit/", manage.event_edit, name="event_edit"),
    path("manage/events/<int:pk>/invite/<int:case_pk>/", manage.event_invite, name="event_invite"),
    path("manage/pages/", manage.page_list, name="page_list"),
    path("manage/pages/new/", manage.page_new, name="page_new"),
    path("manage/pages/<int:pk>/edit/", manage.page_edit, name="page_edit"),
    path("manage/pages/<int:pk>/history/", manage.page_history, name="page_history"),
    path("manage/pages/<int:pk>/versions/<int:number>/", manage.page_version, name="page_version"),
    path("manage/pages/<int:pk>/versions/<int:number>/publish/", manage.page_publish, name="page_publish"),
    path("manage/pages/<int:pk>/versions/<int:number>/restore/", manage.page_restore, name="page_restore"),
    path("manage/feedback/", manage.feedback_queue, name="feedback_queue"),
    path("manage/feedback/<int:pk>/", manage.feedback_moderate, name="feedback_moderate"),
    # Last, so the site's own addresses above win
    path("<slug:slug>/", public.page, name="page"),
]
