app_name = "factures"

urlpatterns: list = []
