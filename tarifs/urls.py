app_name = "tarifs"

urlpatterns: list = []
