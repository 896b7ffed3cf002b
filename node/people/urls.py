from rest_framework.routers import SimpleRouter

from node.people.apis import SurvivorViewSet, TraffickerViewSet

router = SimpleRouter()
router.register("survivors", SurvivorViewSet, basename="survivor")
router.register("traffickers", TraffickerViewSet, basename="trafficker")
urlpatterns = router.urls
