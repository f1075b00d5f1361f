app_name = "trade"

urlpatterns = []
