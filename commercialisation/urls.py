app_name = "commercialisation"

urlpatterns: list = []
