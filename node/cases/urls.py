from rest_framework.routers import SimpleRouter

from node.cases import apis

router = SimpleRouter()
router.register("cases", apis.CaseViewSet, basename="case")
router.register("case-survivors", apis.CaseSurvivorViewSet, basename="case-survivor")
router.register("defendants", apis.DefendantViewSet, basename="defendant")
router.register("exploitations", apis.ExploitationViewSet, basename="exploitation")
router.register("events", apis.EventViewSet, basename="event")
router.register("charges", apis.ChargeViewSet, basename="charge")
router.register("referrals", apis.ReferralViewSet, basename="referral")
router.register("steps", apis.StepViewSet, basename="step")
urlpatterns = router.urls
