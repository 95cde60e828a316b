app_name = "comites"

urlpatterns: list = []
