from reservations.services.bookings import *  # noqa: F403  (temporary)
