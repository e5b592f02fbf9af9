"""This app's routes under /api/v1/."""

from django.urls import path

from shinealight.cases import apis

urlpatterns = [
    path("workflow", apis.WorkflowApi.as_view(), name="api-workflow"),
    path("alert-cases", apis.AlertCaseListApi.as_view(), name="api-alert-cases"),
    path("alert-cases/<int:pk>", apis.AlertCaseDetailApi.as_view(), name="api-alert-case"),
    path(
        "alert-cases/<int:pk>/acknowledge",
        apis.AlertCaseAcknowledgeApi.as_view(),
        name="api-alert-case-acknowledge",
    ),
    path(
        "alert-cases/<int:pk>/assign",
        apis.AlertCaseAssignApi.as_view(),
        name="api-alert-case-assign",
    ),
    path(
        "alert-cases/<int:pk>/triage",
        apis.AlertCaseTriageApi.as_view(),
        name="api-alert-case-triage",
    ),
    path(
        "alert-cases/<int:pk>/close", apis.AlertCaseCloseApi.as_view(), name="api-alert-case-close"
    ),
    path("children/<str:entity_id>/risk", apis.ChildRiskApi.as_view(), name="api-child-risk"),
    path(
        "risk-judgements/awaiting-agreement",
        apis.DowngradesAwaitingApi.as_view(),
        name="api-risk-awaiting",
    ),
    path(
        "risk-judgements/<int:pk>/agree",
        apis.RiskJudgementAgreeApi.as_view(),
        name="api-risk-agree",
    ),
    path(
        "risk-judgements/<int:pk>/decline",
        apis.RiskJudgementDeclineApi.as_view(),
        name="api-risk-decline",
    ),
    path("meetings", apis.MeetingCollectionApi.as_view(), name="api-meetings"),
    path("meetings/<int:pk>", apis.MeetingDetailApi.as_view(), name="api-meeting"),
    path("actions", apis.ActionCollectionApi.as_view(), name="api-actions"),
    path("actions/<int:pk>/complete", apis.ActionCompleteApi.as_view(), name="api-action-complete"),
    path("actions/<int:pk>/cancel", apis.ActionCancelApi.as_view(), name="api-action-cancel"),
    path("escalations", apis.EscalationListApi.as_view(), name="api-escalations"),
    path(
        "escalations/<int:pk>/acknowledge",
        apis.EscalationAcknowledgeApi.as_view(),
        name="api-escalation-acknowledge",
    ),
    path("disruptions", apis.DisruptionCollectionApi.as_view(), name="api-disruptions"),
    path("disruptions/<int:pk>", apis.DisruptionDetailApi.as_view(), name="api-disruption"),
    path(
        "disruptions/<int:pk>/update",
        apis.DisruptionUpdateApi.as_view(),
        name="api-disruption-update",
    ),
    path("disclosures", apis.DisclosureCollectionApi.as_view(), name="api-disclosures"),
    path("disclosures/counts", apis.DisclosureCountsApi.as_view(), name="api-disclosure-counts"),
    path("disclosures/<int:pk>", apis.DisclosureDetailApi.as_view(), name="api-disclosure"),
    path("notifications", apis.NotificationListApi.as_view(), name="api-notifications"),
    path(
        "notifications/<int:pk>/read",
        apis.NotificationReadApi.as_view(),
        name="api-notification-read",
    ),
    path("oversight/figures", apis.OversightFiguresApi.as_view(), name="api-oversight-figures"),
    path(
        "reporting-lines",
        apis.ReportingLineCollectionApi.as_view(),
        name="api-reporting-lines",
    ),
]
